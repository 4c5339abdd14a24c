#!/usr/bin/env node
/**
 * Model speed: the serkit CRNN (K = 8, 825,288 parameters) in @serkit/model on tfjs-node versus
 * Keras on TensorFlow (Python, from PyPI), in the same run, one after the other.
 *
 *   node benchmarks/model/bench.mjs [--train-steps 8] [--predict-runs 30] [--rounds 2] [--record]
 *
 * Times the training step (batch 16, Adam 1e-4, categorical cross-entropy, L2 1e-4; median of
 * the timed steps after 2 warm-up steps) and single-utterance prediction (median latency), then
 * prints the ratios. `--record` appends a "Model speed" section to benchmarks/RESULTS.md.
 * Needs `npm run build -w @serkit/model` first. Python: env SERKIT_KERAS_PYTHON, else
 * ~/.cache/serkit/venv/bin/python if it has TensorFlow, else one is created there
 * (`pip install tensorflow-cpu==2.21.0`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const TRAIN_STEPS = opt('train-steps', 8);
const ROUNDS = opt('rounds', 2);
const PREDICT_RUNS = opt('predict-runs', 30);
const BATCH = 16;
const K = 8;
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function benchTfjs() {
  const dist = path.join(ROOT, 'packages', 'model', 'dist', 'index.js');
  if (!fs.existsSync(dist)) {
    throw new Error(`${dist}: missing; run \`npm run build -w @serkit/model\` first`);
  }
  const m = await import(dist);
  const tf = await m.loadBackend();
  const info = await m.backendInfo();
  const model = await m.buildCrnn({ numClasses: K });
  model.compile({
    optimizer: tf.train.adam(1e-4),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const x = tf.randomNormal([BATCH, 128, 259, 1], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7], 'int32'), K);
  for (let i = 0; i < 2; i++) await model.trainOnBatch(x, y);
  const steps = [];
  for (let i = 0; i < TRAIN_STEPS; i++) {
    const t = performance.now();
    await model.trainOnBatch(x, y);
    steps.push((performance.now() - t) / 1000);
  }
  // Single utterance through the package API (z-score, folded batch norm) and, for reference,
  // through plain tfjs-layers `model.predict`.
  const one = tf.randomNormal([1, 128, 259, 1], 0, 1, 'float32', 2);
  const oneRaw = one.dataSync().slice();
  const zscore = { mean: 0, std: 1 };
  const layersPredict = () => {
    const p = model.predict(one);
    p.dataSync();
    p.dispose();
  };
  // A predictor prepared once (as a service or `ser predict` would), and the one-shot call
  // that prepares it on every call.
  const predictor = await m.createPredictor(model, zscore);
  const opsPredictor = await m.createPredictor(model, zscore, { engine: 'ops' });
  const apiPredict = () => predictor.predict(oneRaw);
  const opsPredict = () => opsPredictor.predict(oneRaw);
  const oneShotPredict = () => m.predictProbabilities(model, oneRaw, zscore);
  for (let i = 0; i < 3; i++) {
    await apiPredict();
    await opsPredict();
    await oneShotPredict();
    layersPredict();
  }
  const runs = [];
  const ops = [];
  const oneShot = [];
  const plain = [];
  for (let i = 0; i < PREDICT_RUNS; i++) {
    let t = performance.now();
    await apiPredict();
    runs.push(performance.now() - t);
    t = performance.now();
    await opsPredict();
    ops.push(performance.now() - t);
    t = performance.now();
    await oneShotPredict();
    oneShot.push(performance.now() - t);
    t = performance.now();
    layersPredict();
    plain.push(performance.now() - t);
  }
  const engine = predictor.engine;
  predictor.dispose();
  opsPredictor.dispose();
  // Per engine: set-up (createPredictor + its first single-utterance call, which is when
  // TensorFlow optimises a session's graph) and 64 utterances through a prepared predictor.
  const batch = tf.randomNormal([64, 128, 259, 1], 0, 1, 'float32', 3);
  const batchRaw = batch.dataSync().slice();
  batch.dispose();
  // The same probabilities from every engine: largest difference to the layers' own predict
  // (the model has taken its training steps by now, so the batch norms are not at identity).
  const layersPredictor = await m.createPredictor(model, zscore, { engine: 'layers' });
  const layersProbs = await layersPredictor.predict(batchRaw);
  layersPredictor.dispose();
  const maxDiff = (a) => a.reduce((d, v, i) => Math.max(d, Math.abs(v - layersProbs[i])), 0);
  const engines = {};
  for (const name of ['session', 'ops']) {
    let t = performance.now();
    const p = await m.createPredictor(model, zscore, { engine: name });
    await p.predict(oneRaw);
    const setup = performance.now() - t;
    const batchRuns = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      await p.predict(batchRaw);
      batchRuns.push(performance.now() - t);
    }
    const probs = await p.predict(batchRaw);
    p.dispose();
    engines[name] = { setup_ms: [setup], batch64_ms: batchRuns, max_diff: [maxDiff(probs)] };
  }
  const step = median(steps);
  x.dispose();
  y.dispose();
  one.dispose();
  model.dispose();
  return {
    impl: `@serkit/model (${info.packageName})`,
    backend: info.name,
    tensorflow: info.tensorflowVersion,
    tfjs: info.tfjsVersion,
    oneDnn: info.oneDnn,
    train_step_s: step,
    train_samples_per_s: BATCH / step,
    engine,
    engines,
    predict_ms: median(runs),
    predict_ops_ms: median(ops),
    predict_one_shot_ms: median(oneShot),
    predict_layers_ms: median(plain),
    train_steps_s: steps,
    predict_runs_ms: runs,
    predict_ops_runs_ms: ops,
    predict_one_shot_runs_ms: oneShot,
    predict_layers_runs_ms: plain,
  };
}

function hasTf(py) {
  const r = spawnSync(py, ['-c', 'import tensorflow, keras'], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    stdio: 'ignore',
  });
  return r.status === 0;
}

function kerasPython() {
  if (process.env.SERKIT_KERAS_PYTHON) return process.env.SERKIT_KERAS_PYTHON;
  const venv = path.join(os.homedir(), '.cache', 'serkit', 'venv');
  const py = path.join(venv, 'bin', 'python');
  if (fs.existsSync(py) && hasTf(py)) return py;
  console.error(`creating ${venv} with tensorflow-cpu==2.21.0 (one-time)`);
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(py, ['-m', 'pip', 'install', '-q', 'tensorflow-cpu==2.21.0'], { stdio: 'inherit' });
  return py;
}

function benchKeras() {
  const py = kerasPython();
  const out = execFileSync(
    py,
    [
      path.join(HERE, 'keras_bench.py'),
      '--train-steps',
      String(TRAIN_STEPS),
      '--predict-runs',
      String(PREDICT_RUNS),
    ],
    { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

const cpu = (os.cpus()[0]?.model ?? 'unknown').trim();
const loadStart = os
  .loadavg()
  .map((v) => v.toFixed(2))
  .join(' ');
// Alternate the two implementations so that load from other jobs hits both alike; pool the
// timings of all rounds and take medians.
const tfjsRounds = [];
const kerasRounds = [];
for (let r = 0; r < ROUNDS; r++) {
  tfjsRounds.push(await benchTfjs());
  kerasRounds.push(benchKeras());
  console.error(`round ${r + 1}/${ROUNDS} done`);
}
const pool = (rounds, key) => rounds.flatMap((x) => x[key]);
const tfjsSteps = pool(tfjsRounds, 'train_steps_s');
const kerasSteps = pool(kerasRounds, 'train_steps_s');
const tfjs = {
  ...tfjsRounds[0],
  train_step_s: median(tfjsSteps),
  train_samples_per_s: BATCH / median(tfjsSteps),
  predict_ms: median(pool(tfjsRounds, 'predict_runs_ms')),
  predict_ops_ms: median(pool(tfjsRounds, 'predict_ops_runs_ms')),
  predict_one_shot_ms: median(pool(tfjsRounds, 'predict_one_shot_runs_ms')),
  predict_layers_ms: median(pool(tfjsRounds, 'predict_layers_runs_ms')),
};
const engineMs = (name, key) => median(tfjsRounds.flatMap((r) => r.engines[name][key]));
tfjs.engines = Object.fromEntries(
  ['session', 'ops'].map((e) => [
    e,
    {
      setup_ms: engineMs(e, 'setup_ms'),
      batch64_ms: engineMs(e, 'batch64_ms'),
      max_diff: Math.max(...tfjsRounds.flatMap((r) => r.engines[e].max_diff)),
    },
  ]),
);
const keras = {
  ...kerasRounds[0],
  train_step_s: median(kerasSteps),
  train_samples_per_s: BATCH / median(kerasSteps),
  predict_ms: median(pool(kerasRounds, 'predict_runs_ms')),
  predict_call_ms: median(pool(kerasRounds, 'predict_call_runs_ms')),
};
const loadEnd = os
  .loadavg()
  .map((v) => v.toFixed(2))
  .join(' ');
const trainRatio = tfjs.train_samples_per_s / keras.train_samples_per_s;
const predictRatio = tfjs.predict_ms / keras.predict_ms;
const f = (v, d = 2) => v.toFixed(d);
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
const md = `## Model speed

Command: \`node benchmarks/model/bench.mjs --train-steps ${TRAIN_STEPS} --predict-runs ${PREDICT_RUNS} --rounds ${ROUNDS}\`
(after \`npm run build -w @serkit/model\`). Date: ${date} UTC. Machine: \`nproc\` ${os.availableParallelism()}, ${cpu}, Node ${process.versions.node}; load average at start ${loadStart}, at end ${loadEnd} (other jobs share the cores: compare rows of one run only). TensorFlow's oneDNN kernels: ${tfjs.oneDnn === true ? 'on' : tfjs.oneDnn === false ? 'off' : "TensorFlow's choice"} in both (\`TF_ENABLE_ONEDNN_OPTS=${process.env.TF_ENABLE_ONEDNN_OPTS ?? ''}\`, which the Keras process inherits).
CRNN of Table 1, K = 8 (825,288 parameters), batch ${BATCH}, Adam 1e-4, L2 1e-4; ${ROUNDS} alternating rounds (tfjs, Keras, tfjs, …), each ${TRAIN_STEPS} timed training steps (after 2 warm-up) and ${PREDICT_RUNS} single-utterance predictions (after 3 warm-up); medians over all rounds.

| implementation | train samples/s | train step (s) | predict 1 utterance (ms) |
|---|---:|---:|---:|
| ${tfjs.impl}, TensorFlow ${tfjs.tensorflow} | ${f(tfjs.train_samples_per_s)} | ${f(tfjs.train_step_s, 3)} | ${f(tfjs.predict_ms, 1)} (\`createPredictor\`, engine \`${tfjs.engine}\`; engine \`ops\`: ${f(tfjs.predict_ops_ms, 1)}; one-shot \`predictProbabilities\`: ${f(tfjs.predict_one_shot_ms, 1)}; plain \`model.predict\`: ${f(tfjs.predict_layers_ms, 1)}) |
| Keras ${keras.keras} on TensorFlow ${keras.tensorflow} (\`train_on_batch\`, \`predict_on_batch\`) | ${f(keras.train_samples_per_s)} | ${f(keras.train_step_s, 3)} | ${f(keras.predict_ms, 1)} (direct call: ${f(keras.predict_call_ms, 1)}) |

Prediction engines (\`createPredictor\` \`engine\` option), medians over the rounds: set-up (\`createPredictor\` + first single-utterance call) \`session\` ${f(engineMs('session', 'setup_ms'), 1)} ms, \`ops\` ${f(engineMs('ops', 'setup_ms'), 1)} ms; 64 utterances through a prepared predictor (batches of 32) \`session\` ${f(engineMs('session', 'batch64_ms'), 0)} ms, \`ops\` ${f(engineMs('ops', 'batch64_ms'), 0)} ms. Largest difference of a class probability to engine \`layers\` (tfjs-layers \`predict\`) on those 64 utterances, after the training steps: \`session\` ${tfjs.engines.session.max_diff.toExponential(1)}, \`ops\` ${tfjs.engines.ops.max_diff.toExponential(1)}.

Ratios: training ${f(trainRatio)}× Keras samples/s (target ≥ 0.8); prediction latency ${f(predictRatio)}× Keras (target ≤ 1).
`;
const brief = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => !Array.isArray(v)));
console.log(JSON.stringify({ tfjs: brief(tfjs), keras: brief(keras), trainRatio, predictRatio }));
console.log(md);
if (args.includes('--record')) {
  const file = path.join(ROOT, 'benchmarks', 'RESULTS.md');
  const prev = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  fs.writeFileSync(file, `${prev.trimEnd()}\n\n${md}`);
  console.log(`appended to ${file}`);
}
