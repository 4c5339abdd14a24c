/**
 * The training checkpoint (`<checkpointDir>/`): `state.json` (epoch, early-stopping state,
 * history, z-score, the run's fingerprint, Adam's bias-correction powers and the weight
 * manifests), and the current weights, the best weights and the Adam state, each a `.bin` in
 * TensorFlow.js's own weight format (`tf.io.encodeWeights` / `tf.io.decodeWeights`). Written
 * atomically after every epoch. A resumed run continues bit for bit as an uninterrupted one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import type { Tf } from './backend.js';
import { writeDirAtomic } from './persistence.js';
import type { EpochEvent, ZScore } from './types.js';

/** Version of the checkpoint layout; a checkpoint of another version is refused. */
export const CHECKPOINT_FORMAT = 2;

/**
 * A checkpoint folder holds another run's checkpoint (other data, options or model): what
 * differs is in `differences` (`<key>: checkpoint <a>, now <b>`). Training refuses to resume it.
 */
export class CheckpointMismatchError extends Error {
  constructor(
    /** The checkpoint folder. */
    readonly dir: string,
    /** One entry per fingerprint key that differs. */
    readonly differences: readonly string[],
  ) {
    super(
      `${dir}: checkpoint is from a different run (${differences.join('; ')}); remove it to start over, or pass resume: false`,
    );
    this.name = 'CheckpointMismatchError';
  }
}

const FILES = {
  state: 'state.json',
  weights: 'weights.bin',
  best: 'best.bin',
  optimizer: 'optimizer.bin',
};

/** The training loop's state at the end of an epoch. */
export interface TrainingState {
  epoch: number;
  bestEpoch: number;
  bestValLoss: number | null;
  wait: number;
  finished: boolean;
  stoppedEarly: boolean;
  history: EpochEvent[];
  zscore: ZScore;
  /** What must match for a resume: examples, classes, seed, batch size, …. */
  fingerprint: Record<string, unknown>;
}

type Manifest = TF.io.WeightsManifestEntry[];
/** A tensor with its name (tfjs's `NamedTensor`, not exported by `@tensorflow/tfjs`). */
type NamedTensor = { name: string; tensor: TF.Tensor };

interface StateFile extends TrainingState {
  format: number;
  weightSpecs: Manifest;
  bestSpecs: Manifest;
  optimizerSpecs: Manifest;
  /**
   * Adam's running powers of β1 and β2 (tfjs's `accBeta1`, `accBeta2`) as float32 values; absent
   * in checkpoints written before 2026-12-06, which resume with tfjs's recomputed ones.
   */
  adamBetaPowers?: [number, number];
}

/** A checkpoint read back: the state and the tensors (the caller disposes them). */
export interface Checkpoint {
  state: TrainingState;
  /** The model's weights, in `model.weights` order. */
  weights: TF.Tensor[];
  /** The best weights so far (null before a validation loss improved). */
  best: TF.Tensor[] | null;
  /** The optimizer's weights, as `optimizer.setWeights` takes them. */
  optimizer: NamedTensor[];
  /** Adam's running powers of β1 and β2; null in a checkpoint written before they were kept. */
  adamBetaPowers: [number, number] | null;
}

/**
 * tfjs's `AdamOptimizer` keeps the powers of β1 and β2 of its bias correction (β^(t+1) after t
 * steps, a running product) in two variables that `getWeights` leaves out; `setWeights`
 * recomputes them as `pow(β, t + 1)`, which differs in the last float32 bits from the running
 * product from step 2 on (β2 = 0.999, 1,000 steps: 0.36733255 against 0.36733246). One bit is
 * enough for a resumed run to drift away from the uninterrupted one within an epoch; so the
 * checkpoint keeps them. A checkpoint without them (written before 2026-12-06) resumes with
 * tfjs's recomputed values: the same run up to float rounding, not bit for bit.
 */
interface AdamBetaPowers {
  accBeta1: TF.Variable;
  accBeta2: TF.Variable;
}

function adamBetaPowers(optimizer: TF.Optimizer): AdamBetaPowers | null {
  const o = optimizer as unknown as Partial<AdamBetaPowers>;
  return o.accBeta1 && o.accBeta2 ? { accBeta1: o.accBeta1, accBeta2: o.accBeta2 } : null;
}

/**
 * Put a checkpoint's optimizer state into `optimizer` (a fresh `tf.train.adam` of the same
 * learning rate): Adam's moments and step count through `setWeights`, then its bias-correction
 * powers as they were. Disposes the checkpoint's optimizer tensors.
 */
export async function restoreOptimizer(
  tf: Tf,
  optimizer: TF.Optimizer,
  checkpoint: Checkpoint,
): Promise<void> {
  try {
    await optimizer.setWeights(checkpoint.optimizer);
  } finally {
    for (const x of checkpoint.optimizer) x.tensor.dispose();
  }
  const powers = adamBetaPowers(optimizer);
  if (powers && checkpoint.adamBetaPowers) {
    const [b1, b2] = checkpoint.adamBetaPowers;
    tf.tidy(() => {
      powers.accBeta1.assign(tf.scalar(b1));
      powers.accBeta2.assign(tf.scalar(b2));
    });
  }
}

async function encode(tf: Tf, named: NamedTensor[]) {
  const { data, specs } = await tf.io.encodeWeights(named);
  return { data: new Uint8Array(data), specs };
}

function decode(tf: Tf, dir: string, file: string, specs: Manifest): NamedTensor[] {
  const f = path.join(dir, file);
  const bytes = fs.readFileSync(f);
  const need = specs.reduce(
    (n, s) =>
      n +
      s.shape.reduce((a, b) => a * b, 1) * (s.dtype === 'float32' || s.dtype === 'int32' ? 4 : 1),
    0,
  );
  if (bytes.byteLength !== need) {
    throw new Error(`${f}: ${bytes.byteLength} bytes, the checkpoint's manifest needs ${need}`);
  }
  const map = tf.io.decodeWeights(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    specs,
  );
  return specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
}

/**
 * Write the checkpoint of the epoch just finished into `dir` (atomically: a kill leaves the
 * previous checkpoint or this one).
 */
export async function writeCheckpoint(
  tf: Tf,
  dir: string,
  model: TF.LayersModel,
  best: TF.Tensor[] | null,
  optimizer: TF.Optimizer,
  state: TrainingState,
): Promise<void> {
  const names = model.weights.map((w) => w.originalName);
  const w = await encode(
    tf,
    model.getWeights().map((t, i) => ({ name: names[i], tensor: t })),
  );
  const b = best
    ? await encode(
        tf,
        best.map((t, i) => ({ name: names[i], tensor: t })),
      )
    : null;
  const optWeights = await optimizer.getWeights();
  const powers = adamBetaPowers(optimizer);
  const betaPowers: [number, number] | undefined = powers
    ? [powers.accBeta1.dataSync()[0], powers.accBeta2.dataSync()[0]]
    : undefined;
  const o = await encode(tf, optWeights);
  // getWeights() of the optimizer returns fresh tensors for the iteration count.
  for (const ow of optWeights) if (ow.name === 'iter') ow.tensor.dispose();
  const file: StateFile = {
    format: CHECKPOINT_FORMAT,
    ...state,
    weightSpecs: w.specs,
    bestSpecs: b?.specs ?? [],
    optimizerSpecs: o.specs,
    ...(betaPowers ? { adamBetaPowers: betaPowers } : {}),
  };
  await writeDirAtomic(dir, async (tmp) => {
    fs.writeFileSync(path.join(tmp, FILES.weights), w.data);
    if (b) fs.writeFileSync(path.join(tmp, FILES.best), b.data);
    fs.writeFileSync(path.join(tmp, FILES.optimizer), o.data);
    fs.writeFileSync(path.join(tmp, FILES.state), JSON.stringify(file));
  });
}

/**
 * Put back the previous checkpoint when a kill came between the two renames of
 * `writeDirAtomic` (`dir` missing, `.<name>.old-*` beside it). Renames that folder to `dir`.
 */
export function restoreInterruptedCheckpoint(dir: string): void {
  if (fs.existsSync(dir)) return;
  const parent = path.dirname(path.resolve(dir));
  const prefix = `.${path.basename(path.resolve(dir))}.old-`;
  const old = fs.existsSync(parent)
    ? fs.readdirSync(parent).find((f) => f.startsWith(prefix))
    : undefined;
  if (old) fs.renameSync(path.join(parent, old), dir);
}

/**
 * Read the checkpoint in `dir` (after {@link restoreInterruptedCheckpoint}), or null when
 * there is none.
 *
 * @throws Error naming the file when it is unreadable, of another format, or truncated.
 */
export function readCheckpoint(tf: Tf, dir: string): Checkpoint | null {
  restoreInterruptedCheckpoint(dir);
  const f = path.join(dir, FILES.state);
  if (!fs.existsSync(f)) return null;
  let st: StateFile;
  try {
    st = JSON.parse(fs.readFileSync(f, 'utf8')) as StateFile;
  } catch (err) {
    throw new Error(`${f}: unreadable checkpoint (${(err as Error).message})`);
  }
  if (st.format !== CHECKPOINT_FORMAT) {
    throw new Error(
      `${f}: checkpoint format ${st.format ?? 1}, this serkit reads format ${CHECKPOINT_FORMAT}; remove ${dir} to train from scratch`,
    );
  }
  const { format: _f, weightSpecs, bestSpecs, optimizerSpecs, adamBetaPowers, ...state } = st;
  const weights = decode(tf, dir, FILES.weights, weightSpecs).map((x) => x.tensor);
  const best =
    bestSpecs.length > 0 ? decode(tf, dir, FILES.best, bestSpecs).map((x) => x.tensor) : null;
  const optimizer = decode(tf, dir, FILES.optimizer, optimizerSpecs);
  return { state, weights, best, optimizer, adamBetaPowers: adamBetaPowers ?? null };
}
