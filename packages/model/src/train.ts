/**
 * Training (SPEC.md §5): Adam 1e-4, batch 16, categorical cross-entropy, L2 (in the model),
 * early stopping on a stratified validation part of the training split with the best weights
 * restored, seeded shuffles, progress events, a checkpoint every epoch and resume.
 * Also prediction and evaluation with the stored z-score.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { currentBackendInfo, loadBackend, type Tf } from './backend.js';
import { classificationReport } from './metrics.js';
import { decodeTensors, encodeTensors, type TensorSpec, writeDirAtomic } from './persistence.js';
import { gatherZScored, inputDims, preparePredictor } from './predictor.js';
import type {
  BatchEvent,
  ClassificationReport,
  Dataset,
  EpochEvent,
  PredictorEngine,
  TrainOptions,
  TrainResult,
  ZScore,
} from './types.js';

/** Defaults of {@link TrainOptions}. */
export const TRAIN_DEFAULTS = Object.freeze({
  epochs: 100,
  batchSize: 16,
  learningRate: 1e-4,
  validationFraction: 0.1,
  patience: 10,
  minDelta: 0,
  seed: 42,
  resume: true,
  allowSlowBackend: false,
});

/** One turn of the event loop (a macrotask), so signal handlers and timers can run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Seeded PRNG (mulberry32): a function returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place with a seeded PRNG. */
export function shuffleInPlace<T>(a: T[], rand: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Split example indices into a training and a validation part, stratified by label:
 * round(fraction × count) of each class (seeded) go to validation.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  fraction: number,
  seed: number,
): { train: number[]; validation: number[] } {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new Error(`validationFraction: expected a number in [0, 1), got ${fraction}`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!byClass.has(l)) byClass.set(l, []);
    (byClass.get(l) as number[]).push(i);
  }
  const rand = seededRandom(seed);
  const train: number[] = [];
  const validation: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = shuffleInPlace(byClass.get(c) as number[], rand);
    const nv = Math.round(idx.length * fraction);
    validation.push(...idx.slice(0, nv));
    train.push(...idx.slice(nv));
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}

/** One mean and one (population) standard deviation over every value of `x` (SPEC §2). */
export function fitZScore(x: Float32Array): ZScore {
  if (x.length === 0) throw new Error('fitZScore: no values');
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const mean = s / x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i] - mean) ** 2;
  const std = Math.sqrt(v / x.length);
  if (!Number.isFinite(mean) || !Number.isFinite(std)) {
    throw new Error('fitZScore: features contain NaN or Infinity');
  }
  return { mean, std: std > 0 ? std : 1 };
}

function checkDataset(data: Dataset, perExample: number, k: number, name: string): number {
  if (!data || !(data.x instanceof Float32Array)) {
    throw new Error(`${name}.x: expected a Float32Array of log-mel features`);
  }
  const n = data.labels?.length;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}.labels: expected at least 1 label`);
  if (data.x.length !== n * perExample) {
    throw new Error(
      `${name}.x: expected ${n} × ${perExample} = ${n * perExample} values for ${n} labels, got ${data.x.length}`,
    );
  }
  for (let i = 0; i < n; i++) {
    const l = data.labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= k) {
      throw new Error(`${name}.labels[${i}]: expected a class index in 0…${k - 1}, got ${l}`);
    }
  }
  return n;
}

function oneHot(labels: ArrayLike<number>, idx: number[], k: number): Float32Array {
  const out = new Float32Array(idx.length * k);
  idx.forEach((e, b) => {
    out[b * k + labels[e]] = 1;
  });
  return out;
}

/**
 * Examples from which a one-shot {@link predictProbabilities} prepares the `session` engine:
 * its set-up (graph written and loaded, then optimised by TensorFlow at the first run) costs
 * 75–108 ms more than `ops` and saves 0.6–1.2 ms per utterance in batches of 32, so it pays
 * off from about 60–150 examples ("Model speed: the session engine", benchmarks/RESULTS.md).
 */
const ONE_SHOT_SESSION_MIN_EXAMPLES = 256;

/**
 * Class probabilities [n][K] (row-major Float32Array) for `x` (n examples, raw log-mel), after
 * applying `zscore`. Batched; leaves no tensors behind. A one-shot {@link createPredictor}
 * (engine `ops` below 256 examples, where a session's set-up would not pay off): to predict
 * again and again with the same model, create the predictor once instead.
 */
export async function predictProbabilities(
  model: TF.LayersModel,
  x: Float32Array,
  zscore: ZScore,
  batchSize = 32,
): Promise<Float32Array> {
  const { h, w } = inputDims(model);
  const engines: PredictorEngine[] =
    x.length / (h * w) >= ONE_SHOT_SESSION_MIN_EXAMPLES
      ? ['session', 'ops', 'layers']
      : ['ops', 'layers'];
  const predictor = await preparePredictor(model, zscore, batchSize, engines);
  try {
    return await predictor.predict(x);
  } finally {
    predictor.dispose();
  }
}

/** Arg-max of each row of a row-major [n][k] matrix. */
export function argMaxRows(p: Float32Array, k: number): Int32Array {
  const n = p.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Predict `data` and build the classification report against its labels. */
export async function evaluate(
  model: TF.LayersModel,
  data: Dataset,
  zscore: ZScore,
  classNames: string[],
): Promise<ClassificationReport> {
  const { h, w, k } = inputDims(model);
  checkDataset(data, h * w, k, 'evaluate data');
  const p = await predictProbabilities(model, data.x, zscore);
  return classificationReport(data.labels, argMaxRows(p, k), classNames);
}

function crossEntropy(p: Float32Array, labels: ArrayLike<number>, idx: number[], k: number) {
  let loss = 0;
  let ok = 0;
  idx.forEach((e, i) => {
    const y = labels[e];
    loss -= Math.log(Math.max(p[i * k + y], 1e-7));
    let best = 0;
    for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j;
    if (best === y) ok++;
  });
  return { loss: loss / idx.length, accuracy: ok / idx.length };
}

// ------------------------------------------------------------------------------ checkpoints

const CKPT = {
  state: 'state.json',
  weights: 'weights.bin',
  best: 'best.bin',
  optimizer: 'optimizer.bin',
};

interface CheckpointState {
  epoch: number;
  bestEpoch: number;
  bestValLoss: number | null;
  wait: number;
  finished: boolean;
  stoppedEarly: boolean;
  history: EpochEvent[];
  zscore: ZScore;
  fingerprint: Record<string, unknown>;
  weightSpecs: TensorSpec[];
  bestSpecs: TensorSpec[];
  optimizerSpecs: TensorSpec[];
}

async function writeCheckpoint(
  dir: string,
  model: TF.LayersModel,
  best: TF.Tensor[] | null,
  optimizer: TF.Optimizer,
  state: Omit<CheckpointState, 'weightSpecs' | 'bestSpecs' | 'optimizerSpecs'>,
): Promise<void> {
  const names = model.weights.map((w) => w.originalName);
  const current = model.getWeights();
  const w = encodeTensors(current.map((t, i) => ({ name: names[i], tensor: t })));
  const b = best ? encodeTensors(best.map((t, i) => ({ name: names[i], tensor: t }))) : null;
  const optWeights = await optimizer.getWeights();
  const o = encodeTensors(optWeights);
  // getWeights() of the optimizer returns fresh tensors for the iteration count.
  for (const ow of optWeights) if (ow.name === 'iter') ow.tensor.dispose();
  const full: CheckpointState = {
    ...state,
    weightSpecs: w.specs,
    bestSpecs: b?.specs ?? [],
    optimizerSpecs: o.specs,
  };
  await writeDirAtomic(dir, async (tmp) => {
    fs.writeFileSync(path.join(tmp, CKPT.weights), w.data);
    if (b) fs.writeFileSync(path.join(tmp, CKPT.best), b.data);
    fs.writeFileSync(path.join(tmp, CKPT.optimizer), o.data);
    fs.writeFileSync(path.join(tmp, CKPT.state), JSON.stringify(full));
  });
}

function readState(dir: string): CheckpointState | null {
  if (!fs.existsSync(dir)) {
    // Killed between the two renames of writeDirAtomic: the previous checkpoint is `.<name>.old-*`.
    const parent = path.dirname(path.resolve(dir));
    const prefix = `.${path.basename(path.resolve(dir))}.old-`;
    const old = fs.existsSync(parent)
      ? fs.readdirSync(parent).find((f) => f.startsWith(prefix))
      : undefined;
    if (old) fs.renameSync(path.join(parent, old), dir);
  }
  const f = path.join(dir, CKPT.state);
  if (!fs.existsSync(f)) return null;
  try {
    return JSON.parse(fs.readFileSync(f, 'utf8')) as CheckpointState;
  } catch (err) {
    throw new Error(`${f}: unreadable checkpoint (${(err as Error).message})`);
  }
}

function fingerprintDiff(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return Object.keys(b)
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k}: checkpoint ${JSON.stringify(a[k])}, now ${JSON.stringify(b[k])}`);
}

// ---------------------------------------------------------------------------------- train

function num(v: unknown, name: string, ok: (x: number) => boolean, want: string): number {
  if (typeof v !== 'number' || !ok(v)) {
    throw new Error(`train option ${name}: expected ${want}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Train `model` (from {@link buildCrnn}) on the training split `data` (SPEC §5). Fits the z-score
 * on `data`, carves a stratified validation part for early stopping, restores the best weights
 * at the end. With `checkpointDir`, writes a checkpoint after every epoch and resumes from one.
 * Refuses the wasm/cpu backends (training there would take hours) unless `allowSlowBackend`.
 */
export async function train(
  model: TF.LayersModel,
  data: Dataset,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const o = { ...TRAIN_DEFAULTS, ...options };
  num(o.epochs, 'epochs', (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1');
  num(o.batchSize, 'batchSize', (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1');
  num(o.learningRate, 'learningRate', (x) => x > 0 && Number.isFinite(x), 'a number > 0');
  num(o.validationFraction, 'validationFraction', (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  num(o.patience, 'patience', (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1');
  num(o.minDelta, 'minDelta', (x) => x >= 0 && Number.isFinite(x), 'a number ≥ 0');
  num(o.seed, 'seed', Number.isInteger, 'an integer');

  const tf: Tf = await loadBackend();
  const info = currentBackendInfo();
  if (info && !info.canTrain && !o.allowSlowBackend) {
    throw new Error(
      `train: backend "${info.name}" is for prediction only (training there would take hours); run \`npx ser setup\` to install native TensorFlow, or pass allowSlowBackend`,
    );
  }
  const { h, w, k } = inputDims(model);
  const per = h * w;
  const n = checkDataset(data, per, k, 'train data');
  // Given validation data replaces the carve-out (e.g. the originals of held-out files
  // when `data` holds augmented copies, which must not straddle the two parts).
  const external = options.validationData;
  if (external) checkDataset(external, per, k, 'validation data');
  const split = external
    ? { train: Array.from({ length: n }, (_, i) => i), validation: [] as number[] }
    : stratifiedSplit(data.labels, o.validationFraction, o.seed);
  if (split.train.length === 0)
    throw new Error('train data: no examples left for training after the validation carve-out');
  const valSize = external ? external.labels.length : split.validation.length;
  const hasVal = valSize > 0;

  const optimizer = tf.train.adam(o.learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const fingerprint = {
    examples: n,
    classes: k,
    seed: o.seed,
    batchSize: o.batchSize,
    validationFraction: external ? `given: ${valSize}` : o.validationFraction,
    learningRate: o.learningRate,
    weights: model.weights.map((x) => `${x.originalName}:${x.shape.join('x')}`).join(','),
  };

  let zscore = fitZScore(data.x);
  let startEpoch = 1;
  let bestEpoch = 0;
  let bestValLoss = Number.POSITIVE_INFINITY;
  let wait = 0;
  let stoppedEarly = false;
  let finished = false;
  let history: EpochEvent[] = [];
  let best: TF.Tensor[] | null = null;

  if (o.checkpointDir && o.resume) {
    const st = readState(o.checkpointDir);
    if (st) {
      const diff = fingerprintDiff(st.fingerprint, fingerprint);
      if (diff.length > 0) {
        throw new Error(
          `${o.checkpointDir}: checkpoint is from a different run (${diff.join('; ')}); remove it or pass resume: false`,
        );
      }
      const wf = path.join(o.checkpointDir, CKPT.weights);
      const wts = decodeTensors(tf, st.weightSpecs, fs.readFileSync(wf), wf);
      model.setWeights(wts.map((x) => x.tensor));
      for (const x of wts) x.tensor.dispose();
      if (st.bestSpecs.length > 0) {
        const bf = path.join(o.checkpointDir, CKPT.best);
        best = decodeTensors(tf, st.bestSpecs, fs.readFileSync(bf), bf).map((x) => x.tensor);
      }
      const of = path.join(o.checkpointDir, CKPT.optimizer);
      const ow = decodeTensors(tf, st.optimizerSpecs, fs.readFileSync(of), of);
      await optimizer.setWeights(ow);
      for (const x of ow) x.tensor.dispose();
      startEpoch = st.epoch + 1;
      bestEpoch = st.bestEpoch;
      bestValLoss = st.bestValLoss ?? Number.POSITIVE_INFINITY;
      wait = st.wait;
      history = st.history;
      zscore = st.zscore;
      stoppedEarly = st.stoppedEarly;
      finished = st.finished;
    }
  }
  const resumedFrom = startEpoch - 1;

  const batches = Math.ceil(split.train.length / o.batchSize);
  let aborted = false;
  for (let epoch = startEpoch; epoch <= o.epochs && !finished; epoch++) {
    const t0 = performance.now();
    const order = shuffleInPlace([...split.train], seededRandom(o.seed * 1000003 + epoch));
    let sumLoss = 0;
    let sumAcc = 0;
    let seen = 0;
    for (let b = 0; b < batches; b++) {
      // trainOnBatch resolves through microtasks only: without a macrotask turn here the
      // event loop (signal handlers, timers, I/O) would not run until training ends.
      await yieldToEventLoop();
      if (o.signal?.aborted) {
        aborted = true;
        break;
      }
      const tb = performance.now();
      const idx = order.slice(b * o.batchSize, (b + 1) * o.batchSize);
      const xs = tf.tensor4d(gatherZScored(data.x, idx, per, zscore), [idx.length, h, w, 1]);
      const ys = tf.tensor2d(oneHot(data.labels, idx, k), [idx.length, k]);
      let res: number | number[];
      try {
        res = await model.trainOnBatch(xs, ys);
      } finally {
        xs.dispose();
        ys.dispose();
      }
      const [loss, acc] = Array.isArray(res) ? res : [res, Number.NaN];
      sumLoss += loss * idx.length;
      sumAcc += acc * idx.length;
      seen += idx.length;
      const ev: BatchEvent = {
        epoch,
        batch: b + 1,
        batches,
        loss,
        accuracy: acc,
        seconds: (performance.now() - tb) / 1000,
      };
      o.onBatchEnd?.(ev);
    }
    if (aborted) break;
    let valLoss = Number.NaN;
    let valAccuracy = Number.NaN;
    if (hasVal) {
      const vx = external
        ? external.x
        : gatherZScored(data.x, split.validation, per, { mean: 0, std: 1 });
      const p = await predictProbabilities(model, vx, zscore);
      ({ loss: valLoss, accuracy: valAccuracy } = external
        ? crossEntropy(
            p,
            external.labels,
            Array.from({ length: valSize }, (_, i) => i),
            k,
          )
        : crossEntropy(p, data.labels, split.validation, k));
    }
    const improved = hasVal ? valLoss < bestValLoss - o.minDelta : true;
    if (improved) {
      bestValLoss = hasVal ? valLoss : bestValLoss;
      bestEpoch = epoch;
      wait = 0;
      if (hasVal) {
        if (best) for (const t of best) t.dispose();
        best = model.getWeights().map((t) => t.clone());
      }
    } else {
      wait++;
    }
    const ev: EpochEvent = {
      epoch,
      epochs: o.epochs,
      loss: sumLoss / seen,
      accuracy: sumAcc / seen,
      valLoss,
      valAccuracy,
      seconds: (performance.now() - t0) / 1000,
      best: improved,
    };
    history.push(ev);
    if (hasVal && wait >= o.patience) {
      stoppedEarly = true;
      finished = true;
    }
    if (epoch === o.epochs) finished = true;
    if (o.checkpointDir) {
      await writeCheckpoint(o.checkpointDir, model, best, optimizer, {
        epoch,
        bestEpoch,
        bestValLoss: Number.isFinite(bestValLoss) ? bestValLoss : null,
        wait,
        finished,
        stoppedEarly,
        history,
        zscore,
        fingerprint,
      });
    }
    o.onEpochEnd?.(ev);
  }
  if (best && !aborted) {
    model.setWeights(best);
  }
  if (best) for (const t of best) t.dispose();
  // The optimizer (Adam moments) belongs to this call; its state lives on in the checkpoint.
  optimizer.dispose();
  return {
    history,
    bestEpoch,
    stoppedEarly,
    aborted,
    resumedFrom,
    zscore,
    sizes: { train: split.train.length, validation: valSize },
  };
}
