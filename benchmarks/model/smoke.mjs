#!/usr/bin/env node
/**
 * Smoke proof on real speech: WAV files → @serkit/features log-mel → @serkit/model train
 * (a few epochs) → evaluate → save → load (DSP options checked) → predict.
 * Proves the pieces fit, not accuracy (a few epochs on a small set stay near chance).
 *
 *   node benchmarks/model/smoke.mjs [dataset folder] [--epochs 3] [--out /tmp/serkit-smoke]
 *
 * Needs `npm run build` (features, dsp-native, model). Default folder: ../shared/data/ravdess.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const positional = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const root = positional[0] ?? path.resolve(ROOT, '..', 'shared', 'data', 'ravdess');
const epochs = Number(flag('epochs', '3'));
const out = flag('out', path.join(os.tmpdir(), 'serkit-smoke'));
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';

const features = await import(path.join(ROOT, 'packages', 'features', 'dist', 'index.js'));
const model = await import(path.join(ROOT, 'packages', 'model', 'dist', 'index.js'));

const ds = features.loadDataset([root]);
const classNames = ds.labels;
const labelsAll = ds.items.map((it) => classNames.indexOf(it.label));
const dsp = features.resolveDspOptions({});
let t = performance.now();
const batch = await features.extractFiles(
  ds.items.map((it) => it.path),
  dsp,
);
console.log(
  `${ds.kind}: ${ds.items.length} files, ${batch.ok} extracted in ${((performance.now() - t) / 1000).toFixed(1)} s, shape ${batch.shape.join('×')}`,
);
const per = batch.shape[1] * batch.shape[2];
const okIdx = [...batch.rows].map((r, i) => [r, i]).filter(([r]) => r >= 0);
const labels = okIdx.map(([, i]) => labelsAll[i]);
const x = new Float32Array(okIdx.length * per);
okIdx.forEach(([r], j) => {
  x.set(batch.features.subarray(r * per, (r + 1) * per), j * per);
});

// Stratified 80:20 train/test split (SPEC §5), seeded.
const split = model.stratifiedSplit(labels, 0.2, 7);
const pick = (idx) => {
  const xs = new Float32Array(idx.length * per);
  idx.forEach((e, j) => {
    xs.set(x.subarray(e * per, (e + 1) * per), j * per);
  });
  return { x: xs, labels: idx.map((e) => labels[e]) };
};
const trainSet = pick(split.train);
const testSet = pick(split.validation);

const info = await model.backendInfo();
console.log(`backend ${info.name} (TensorFlow ${info.tensorflowVersion}): ${info.reason}`);
const net = await model.buildCrnn({ numClasses: classNames.length });
t = performance.now();
const result = await model.train(net, trainSet, {
  epochs,
  onEpochEnd: (e) =>
    console.log(
      `epoch ${e.epoch}/${e.epochs} loss ${e.loss.toFixed(3)} acc ${e.accuracy.toFixed(3)} val_loss ${e.valLoss.toFixed(3)} val_acc ${e.valAccuracy.toFixed(3)} ${e.seconds.toFixed(1)} s`,
    ),
});
const trainSeconds = (performance.now() - t) / 1000;
const report = await model.evaluate(net, testSet, result.zscore, classNames);
console.log(model.formatReport(report));
await model.saveModel(out, net, {
  classNames,
  zscore: result.zscore,
  dsp,
  inputShape: [batch.shape[1], batch.shape[2], 1],
  crnn: model.resolveCrnnOptions({ numClasses: classNames.length }),
  dataset: { kind: ds.kind, root, files: ds.items.length, extracted: batch.ok },
  split: { kind: 'stratified', test: 0.2, seed: 7 },
  seed: 42,
  training: { epochs: result.history.length, bestEpoch: result.bestEpoch, seconds: trainSeconds },
});
const loaded = await model.loadModel(out, { dsp });
const p = await model.predictProbabilities(
  loaded.model,
  testSet.x.subarray(0, per),
  loaded.metadata.zscore,
);
const top = model.argMaxRows(p, classNames.length)[0];
console.log(
  `saved ${out}; reloaded and predicted test[0] = ${classNames[top]} (actual ${classNames[testSet.labels[0]]})`,
);
try {
  await model.loadModel(out, { dsp: { ...dsp, nMels: 64 } });
} catch (err) {
  console.log(`loading with other DSP options is refused: ${err.message}`);
}
