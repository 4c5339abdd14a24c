#!/usr/bin/env node
/**
 * Where the time of the CRNN goes on tfjs-node (figures behind RESULTS.md, "Model speed: what
 * changed"):
 *  1. one training step (batch 16) under `tf.profile`: time per kernel, and the share of the
 *     first convolution's input gradient with plain tfjs layers (`skipInputGradient: false`);
 *  2. the BiLSTM on one utterance: tfjs's layer against the predictor's native BlockLSTMV2;
 *  3. single-utterance prediction: the four conv blocks alone against the whole predictor.
 *
 *   npm run build -w @serkit/model && node benchmarks/model/profile.mjs
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const m = await import(path.join(ROOT, 'packages', 'model', 'dist', 'index.js'));
const tf = await m.loadBackend();

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
async function time(fn, runs = 40) {
  for (let i = 0; i < 5; i++) await fn();
  const ts = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

// 1. Training step, kernel by kernel, with and without the input-gradient skip.
const x = tf.randomNormal([16, 128, 259, 1], 0, 1, 'float32', 1);
const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 8);
for (const skip of [false, true]) {
  const model = await m.buildCrnn({ numClasses: 8 }, { skipInputGradient: skip });
  model.compile({ optimizer: tf.train.adam(1e-4), loss: 'categoricalCrossentropy' });
  for (let i = 0; i < 2; i++) await model.trainOnBatch(x, y);
  const profile = await tf.profile(async () => {
    await model.trainOnBatch(x, y);
  });
  const total = profile.kernels.reduce((s, k) => s + (Number(k.kernelTimeMs) || 0), 0);
  const inputGrad = profile.kernels
    .filter((k) => k.name === 'Conv2DBackpropInput' && k.inputShapes[1]?.[2] === 1)
    .reduce((s, k) => s + (Number(k.kernelTimeMs) || 0), 0);
  const step = await time(() => model.trainOnBatch(x, y), 3);
  console.log(
    `training step, skipInputGradient ${skip}: ${step.toFixed(0)} ms wall; profiled kernels ${total.toFixed(0)} ms, of which the first conv's input gradient ${inputGrad.toFixed(0)} ms (${((100 * inputGrad) / total).toFixed(1)} %)`,
  );
  model.dispose();
}
tf.dispose([x, y]);

// 2 and 3. One utterance.
const model = await m.buildCrnn({ numClasses: 8 });
const one = tf.randomNormal([1, 128, 259, 1], 0, 1, 'float32', 2);
const oneRaw = one.dataSync().slice();
const seq = tf.randomNormal([1, 2, 128], 0, 1, 'float32', 3);
const bilstm = model.getLayer('bilstm');
const layerMs = await time(() => tf.tidy(() => bilstm.apply(seq, { training: false }).dataSync()));
const graph = m.opsGraph(tf, model);
const predictor = await m.createPredictor(model, { mean: 0, std: 1 });
const blocks = [1, 2, 3, 4].map((n) => ({
  kernel: model.getLayer(`conv${n}`).getWeights()[0],
  pool: model.getLayer(`pool${n}`).getConfig().poolSize,
  shift: tf.zeros([model.getLayer(`conv${n}`).getConfig().filters]),
}));
const blocksMs = await time(() =>
  tf.tidy(() => {
    let h = one;
    for (const b of blocks) {
      h = tf.conv2d(h, b.kernel, 1, 'same');
      h = tf.relu(tf.add(tf.maxPool(h, b.pool, b.pool, 'valid'), b.shift));
    }
    return tf.sum(h).dataSync();
  }),
);
const graphMs = await time(() => tf.tidy(() => graph.run(one).dataSync()));
const predictorMs = await time(() => predictor.predict(oneRaw));
console.log(`BiLSTM on one utterance, tfjs layer: ${layerMs.toFixed(2)} ms`);
console.log(
  `one utterance: 4 conv blocks ${blocksMs.toFixed(2)} ms; folded graph (native BiLSTM) ${graphMs.toFixed(2)} ms; createPredictor().predict ${predictorMs.toFixed(2)} ms`,
);
console.log(
  `after the blocks in the folded graph (native BiLSTM, dense, softmax, reshapes): ≈ ${(graphMs - blocksMs).toFixed(2)} ms`,
);
predictor.dispose();
graph.dispose();
