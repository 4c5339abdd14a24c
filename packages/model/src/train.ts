/**
 * Training (SPEC.md §5): Adam 1e-4, batch 16, categorical cross-entropy, L2 (in the model),
 * early stopping on a stratified validation part of the training split with the best weights
 * restored, seeded shuffles, progress events, a checkpoint every epoch and resume.
 * Also prediction and evaluation with the stored z-score.
 */
import { createHash } from 'node:crypto';
import type * as TF from '@tensorflow/tfjs';
import { currentBackendInfo, loadBackend, type Tf } from './backend.js';
import {
  CheckpointMismatchError,
  readCheckpoint,
  restoreOptimizer,
  type TrainingState,
  writeCheckpoint,
} from './checkpoint.js';
import { classificationReport } from './metrics.js';
import { DB_REFERENCES, fitNormalization } from './normalization.js';
import { gatherZScored, inputDims, preparePredictor } from './predictor.js';
import { seededRandom, shuffleInPlace, stratifiedSplit } from './random.js';
import {
  applySpecAugment,
  checkSpecAugmentOptions,
  SPEC_AUGMENT_DEFAULTS,
} from './spec-augment.js';
import type {
  BatchEvent,
  ClassificationReport,
  EpochEvent,
  Examples,
  PredictorEngine,
  SpecAugmentOptions,
  TrainOptions,
  TrainResult,
  ZScore,
} from './types.js';

/** Defaults of {@link TrainOptions}. */
export const TRAIN_DEFAULTS: Readonly<
  Required<
    Omit<
      TrainOptions,
      'validationData' | 'checkpointDir' | 'onBatchEnd' | 'onEpochEnd' | 'onResume' | 'signal'
    >
  >
> = Object.freeze({
  epochs: 100,
  batchSize: 16,
  learningRate: 1e-4,
  validationFraction: 0.1,
  patience: 10,
  minDelta: 0,
  seed: 42,
  resume: true,
  allowSlowBackend: false,
  dbReference: 'absolute',
  specAugment: false,
});

/** One turn of the event loop (a macrotask), so signal handlers and timers can run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * One mean and one (population) standard deviation over every value of `x` (SPEC §2): the
 * model's z-score, fitted on the training examples by {@link train}. (`@serkit/features`'
 * `fitZScore` computes the same statistics over chosen rows of a stacked batch.)
 */
export function zScoreOfAllValues(x: Float32Array): ZScore {
  if (x.length === 0) throw new Error('zScoreOfAllValues: no values');
  // One "example" of every value: the absolute-reference normalisation of all of them.
  return fitNormalization(x, x.length, 'absolute');
}

function checkExamples(data: Examples, perExample: number, k: number, name: string): number {
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
  data: Examples,
  zscore: ZScore,
  classNames: string[],
): Promise<ClassificationReport> {
  const { h, w, k } = inputDims(model);
  checkExamples(data, h * w, k, 'evaluate data');
  const p = await predictProbabilities(model, data.x, zscore);
  return classificationReport(data.labels, argMaxRows(p, k), classNames);
}

function crossEntropy(p: Float32Array, labels: ArrayLike<number>, idx: number[], k: number) {
  const predicted = argMaxRows(p, k);
  let loss = 0;
  let ok = 0;
  idx.forEach((e, i) => {
    const y = labels[e];
    loss -= Math.log(Math.max(p[i * k + y], 1e-7));
    if (predicted[i] === y) ok++;
  });
  return { loss: loss / idx.length, accuracy: ok / idx.length };
}

/** The fingerprint key of {@link examplesSha256}. */
const EXAMPLES_KEY = 'examplesSha256';

/**
 * What differs between a checkpoint's fingerprint and this run's, over the keys of both: a key
 * present on one side only (an option recorded only when not its default) is shown as
 * `(not set: the default)` on the other.
 */
function fingerprintDiff(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const show = (v: unknown) => (v === undefined ? '(not set: the default)' : JSON.stringify(v));
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map(
      (k) =>
        `${k}: checkpoint ${show(a[k])}, now ${show(b[k])}${k === EXAMPLES_KEY ? ' (other training examples: other files, or the same in another order or split)' : ''}`,
    );
}

/**
 * The first 16 hex digits of the SHA-256 of the examples (features, then labels as int32) of
 * each part given: a checkpoint resumes only on the same data, not on other files of the same
 * count (about 0.3 s for 2,700 spectrograms of 128 × 259).
 */
function examplesSha256(...parts: (Examples | undefined)[]): string {
  const hash = createHash('sha256');
  for (const e of parts) {
    if (!e) continue;
    hash.update(new Uint8Array(e.x.buffer, e.x.byteOffset, e.x.byteLength));
    const labels = Int32Array.from(e.labels);
    hash.update(new Uint8Array(labels.buffer));
  }
  return hash.digest('hex').slice(0, 16);
}

// ---------------------------------------------------------------------------------- train

function num(v: unknown, name: string, ok: (x: number) => boolean, want: string): number {
  if (typeof v !== 'number' || !ok(v)) {
    throw new Error(`train option ${name}: expected ${want}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** `options` over {@link TRAIN_DEFAULTS}: each option given a value (`undefined` keeps the default). */
const resolveTrainOptions = (options: TrainOptions) => ({
  ...TRAIN_DEFAULTS,
  ...(Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as TrainOptions),
});
type ResolvedTrainOptions = ReturnType<typeof resolveTrainOptions>;

/**
 * Check every option of {@link train} (`h` × `w`: the model's input, which bounds the
 * SpecAugment widths), one-line errors naming the option.
 *
 * @returns the SpecAugment options (their four fields alone), or null when off.
 */
function checkTrainOptions(
  o: ResolvedTrainOptions,
  h: number,
  w: number,
): SpecAugmentOptions | null {
  num(o.epochs, 'epochs', (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1');
  num(o.batchSize, 'batchSize', (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1');
  num(o.learningRate, 'learningRate', (x) => x > 0 && Number.isFinite(x), 'a number > 0');
  num(o.validationFraction, 'validationFraction', (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  num(o.patience, 'patience', (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1');
  num(o.minDelta, 'minDelta', (x) => x >= 0 && Number.isFinite(x), 'a number ≥ 0');
  num(o.seed, 'seed', Number.isInteger, 'an integer');
  if (!DB_REFERENCES.includes(o.dbReference)) {
    throw new Error(
      `train option dbReference: expected one of ${DB_REFERENCES.join(', ')}, got ${JSON.stringify(o.dbReference)}`,
    );
  }
  if (o.specAugment === false || o.specAugment === undefined) return null;
  const masks = o.specAugment === true ? SPEC_AUGMENT_DEFAULTS : o.specAugment;
  return checkSpecAugmentOptions(masks, h, w, 'train option specAugment');
}

/**
 * Seed of epoch `epoch`'s SpecAugment masks: from the run's seed and the epoch (so a resumed
 * run draws what an uninterrupted one does), scrambled away from the epoch's shuffle seed
 * (`seed × 1000003 + epoch`) so the two streams differ.
 */
function specAugmentSeed(seed: number, epoch: number): number {
  return (Math.imul((seed * 1000003 + epoch) >>> 0, 0x9e3779b1) ^ 0x5ec7a065) >>> 0;
}

/** The validation examples of a run: given, carved out of the data, or none. */
interface Validation {
  /** Raw (not z-scored) features, or null without validation. */
  x: Float32Array | null;
  labels: ArrayLike<number>;
  /** Rows of `x` (all, in order). */
  rows: number[];
}

/**
 * Load the checkpoint of `o.checkpointDir` into `model` and `optimizer`, or return null when
 * there is none; a checkpoint of another run (fingerprint) is refused, naming what differs.
 */
async function resume(
  tf: Tf,
  model: TF.LayersModel,
  optimizer: TF.Optimizer,
  dir: string,
  fingerprint: Record<string, unknown>,
): Promise<{ state: TrainingState; best: TF.Tensor[] | null } | null> {
  const ck = readCheckpoint(tf, dir);
  if (!ck) return null;
  // A checkpoint from before the examples' hash was recorded is compared on the rest.
  const ours =
    EXAMPLES_KEY in ck.state.fingerprint
      ? fingerprint
      : Object.fromEntries(Object.entries(fingerprint).filter(([key]) => key !== EXAMPLES_KEY));
  const diff = fingerprintDiff(ck.state.fingerprint, ours);
  if (diff.length > 0) {
    for (const t of [...ck.weights, ...(ck.best ?? []), ...ck.optimizer.map((x) => x.tensor)])
      t.dispose();
    throw new CheckpointMismatchError(dir, diff);
  }
  model.setWeights(ck.weights);
  for (const t of ck.weights) t.dispose();
  await restoreOptimizer(tf, optimizer, ck);
  return { state: ck.state, best: ck.best };
}

/**
 * One epoch of seeded-shuffled mini-batches, each masked by SpecAugment when `specAugment` is
 * given (masks drawn per example from the epoch's own seeded stream). Stops before a batch when
 * `signal` aborts.
 *
 * @returns the epoch's mean loss and accuracy, or null when aborted.
 */
async function trainEpoch(
  tf: Tf,
  model: TF.LayersModel,
  data: Examples,
  fit: number[],
  zscore: ZScore,
  epoch: number,
  o: ResolvedTrainOptions,
  specAugment: SpecAugmentOptions | null,
): Promise<{ loss: number; accuracy: number } | null> {
  const { h, w, k } = inputDims(model);
  const per = h * w;
  const batches = Math.ceil(fit.length / o.batchSize);
  const order = shuffleInPlace([...fit], seededRandom(o.seed * 1000003 + epoch));
  const maskRand = specAugment ? seededRandom(specAugmentSeed(o.seed, epoch)) : null;
  let sumLoss = 0;
  let sumAcc = 0;
  let seen = 0;
  for (let b = 0; b < batches; b++) {
    // trainOnBatch resolves through microtasks only: without a macrotask turn here the
    // event loop (signal handlers, timers, I/O) would not run until training ends.
    await yieldToEventLoop();
    if (o.signal?.aborted) return null;
    const tb = performance.now();
    const idx = order.slice(b * o.batchSize, (b + 1) * o.batchSize);
    const batch = gatherZScored(data.x, idx, per, zscore);
    if (specAugment && maskRand) applySpecAugment(batch, idx.length, h, w, specAugment, maskRand);
    const xs = tf.tensor4d(batch, [idx.length, h, w, 1]);
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
  return { loss: sumLoss / seen, accuracy: sumAcc / seen };
}

/**
 * Train `model` (from {@link buildCrnn}) on the training split `data` (SPEC §5). Fits the z-score
 * on `data`, carves a stratified validation part for early stopping (or uses
 * `validationData`), restores the best weights at the end. With `checkpointDir`, writes a
 * checkpoint after every epoch and resumes from one. Refuses the wasm/cpu backends (training
 * there would take hours) unless `allowSlowBackend`.
 */
export async function train(
  model: TF.LayersModel,
  data: Examples,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const o = resolveTrainOptions(options);
  const { h, w, k } = inputDims(model);
  const specAugment = checkTrainOptions(o, h, w);
  const tf: Tf = await loadBackend();
  const info = currentBackendInfo();
  if (info && !info.canTrain && !o.allowSlowBackend) {
    throw new Error(
      `train: backend "${info.name}" is for prediction only (training there would take hours); run \`npx ser setup\` to install native TensorFlow, or pass allowSlowBackend`,
    );
  }
  const per = h * w;
  const n = checkExamples(data, per, k, 'train data');
  // Given validation data replaces the carve-out (e.g. the originals of held-out files
  // when `data` holds augmented copies, which must not straddle the two parts).
  const external = options.validationData;
  if (external) checkExamples(external, per, k, 'validation data');
  const split = external
    ? { train: Array.from({ length: n }, (_, i) => i), validation: [] as number[] }
    : stratifiedSplit(data.labels, o.validationFraction, o.seed);
  if (split.train.length === 0)
    throw new Error('train data: no examples left for training after the validation carve-out');
  const validation: Validation = external
    ? {
        x: external.labels.length > 0 ? external.x : null,
        labels: external.labels,
        rows: Array.from({ length: external.labels.length }, (_, i) => i),
      }
    : {
        x:
          split.validation.length > 0
            ? gatherZScored(data.x, split.validation, per, { mean: 0, std: 1 })
            : null,
        labels: split.validation.map((i) => data.labels[i]),
        rows: split.validation.map((_, i) => i),
      };
  const valSize = validation.rows.length;

  const optimizer = tf.train.adam(o.learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const fingerprint = {
    examples: n,
    classes: k,
    seed: o.seed,
    batchSize: o.batchSize,
    validationFraction: external ? `given: ${valSize}` : o.validationFraction,
    learningRate: o.learningRate,
    // The data themselves, only where a checkpoint will compare them.
    ...(o.checkpointDir ? { [EXAMPLES_KEY]: examplesSha256(data, external) } : {}),
    weights: model.weights.map((x) => `${x.originalName}:${x.shape.join('x')}`).join(','),
    // Only when not the default, so checkpoints written before the option existed still resume.
    ...(o.dbReference !== 'absolute' ? { dbReference: o.dbReference } : {}),
    ...(specAugment ? { specAugment } : {}),
  };
  let state: TrainingState = {
    epoch: 0,
    bestEpoch: 0,
    bestValLoss: null,
    wait: 0,
    finished: false,
    stoppedEarly: false,
    history: [],
    zscore: fitNormalization(data.x, per, o.dbReference),
    fingerprint,
  };
  let best: TF.Tensor[] | null = null;
  if (o.checkpointDir && o.resume) {
    const resumed = await resume(tf, model, optimizer, o.checkpointDir, fingerprint);
    if (resumed) {
      ({ state, best } = resumed);
      o.onResume?.({ checkpointDir: o.checkpointDir, epoch: state.epoch });
    }
  }
  const resumedFrom = state.epoch;

  let aborted = false;
  for (let epoch = state.epoch + 1; epoch <= o.epochs && !state.finished; epoch++) {
    const t0 = performance.now();
    const scores = await trainEpoch(
      tf,
      model,
      data,
      split.train,
      state.zscore,
      epoch,
      o,
      specAugment,
    );
    if (!scores) {
      aborted = true;
      break;
    }
    let valLoss = Number.NaN;
    let valAccuracy = Number.NaN;
    if (validation.x) {
      const p = await predictProbabilities(model, validation.x, state.zscore);
      ({ loss: valLoss, accuracy: valAccuracy } = crossEntropy(
        p,
        validation.labels,
        validation.rows,
        k,
      ));
    }
    const bestValLoss = state.bestValLoss ?? Number.POSITIVE_INFINITY;
    const improved = validation.x ? valLoss < bestValLoss - o.minDelta : true;
    if (improved) {
      if (validation.x) {
        state.bestValLoss = valLoss;
        if (best) for (const t of best) t.dispose();
        best = model.getWeights().map((t) => t.clone());
      }
      state.bestEpoch = epoch;
      state.wait = 0;
    } else {
      state.wait++;
    }
    const ev: EpochEvent = {
      epoch,
      epochs: o.epochs,
      loss: scores.loss,
      accuracy: scores.accuracy,
      valLoss,
      valAccuracy,
      seconds: (performance.now() - t0) / 1000,
      best: improved,
    };
    state.history.push(ev);
    state.epoch = epoch;
    if (validation.x && state.wait >= o.patience) {
      state.stoppedEarly = true;
      state.finished = true;
    }
    if (epoch === o.epochs) state.finished = true;
    if (o.checkpointDir) await writeCheckpoint(tf, o.checkpointDir, model, best, optimizer, state);
    o.onEpochEnd?.(ev);
  }
  if (best && !aborted) model.setWeights(best);
  if (best) for (const t of best) t.dispose();
  // The optimizer (Adam moments) belongs to this call; its state lives on in the checkpoint.
  optimizer.dispose();
  return {
    history: state.history,
    bestEpoch: state.bestEpoch,
    stoppedEarly: state.stoppedEarly,
    aborted,
    resumedFrom,
    zscore: state.zscore,
    sizes: { train: split.train.length, validation: valSize },
  };
}
