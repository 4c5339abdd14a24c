/**
 * Types of `@serkit/model`: backend selection, the CRNN of SPEC.md §4, training (§5),
 * metrics and the saved-model metadata.
 */

/** A concrete TensorFlow.js backend. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/**
 * What the caller asks for: `auto` (default) tries `tensorflow-gpu`, then `tensorflow`, then
 * `wasm`. Aliases: `gpu` = `tensorflow-gpu`, `node` = `tensorflow`. `cpu` is TensorFlow.js's
 * pure-JavaScript backend (slow; for debugging).
 */
export type BackendRequest = 'auto' | BackendName | 'gpu' | 'node';

/** The backend in use, as reported by {@link backendInfo} (and `ser info`). */
export interface BackendInfo {
  /** The backend in use. */
  name: BackendName;
  /** The npm package providing it. */
  packageName: string;
  /** TensorFlow.js version. */
  tfjsVersion: string;
  /** Version of the native TensorFlow library, or null for the wasm/cpu backends. */
  tensorflowVersion: string | null;
  /** Why this backend was chosen (request, environment, and what failed before it). */
  reason: string;
  /** False on wasm/cpu: training there would take hours, so {@link train} refuses by default. */
  canTrain: boolean;
  /**
   * Whether native TensorFlow runs its oneDNN kernels, as `TF_ENABLE_ONEDNN_OPTS` says when it
   * loaded (`1`/`true` or `0`/`false`, any case; serkit sets `1` when it is unset or empty): null on wasm/cpu,
   * off x86-64, when the variable holds anything else (TensorFlow then decides by the CPU), or
   * when the program loaded `@tensorflow/tfjs-node` itself before serkit (TensorFlow read the
   * variable then, and serkit cannot tell what it held).
   */
  oneDnn: boolean | null;
}

/** Options of {@link loadBackend}. */
export interface BackendOptions {
  /** Which backend; default: env `SER_BACKEND`, else `auto`. */
  backend?: BackendRequest;
}

/** One convolution block of Table 1: Conv2D(same) → BatchNorm → ReLU → MaxPool(size = stride). */
export interface ConvBlockSpec {
  /** Number of filters. */
  filters: number;
  /** Square kernel size. */
  kernel: number;
  /** Square pool size (= stride). */
  pool: number;
}

/** Options of {@link buildCrnn}. */
export interface CrnnOptions {
  /** Number of classes K (≥ 2). Required. */
  numClasses: number;
  /** Mel bands (input height); default 128. */
  nMels?: number;
  /** Frames (input width); default 259. */
  nFrames?: number;
  /** Convolution blocks; default Table 1 ({@link TABLE1_BLOCKS}). */
  blocks?: readonly ConvBlockSpec[];
  /** Units of each LSTM direction; default 128 (BiLSTM output 256). */
  lstmUnits?: number;
  /** L2 factor on the conv, LSTM and dense kernels; default 1e-4 ("small"); 0 disables. */
  l2?: number;
  /**
   * Momentum of the batch-norm moving mean/variance; default 0.9. Keras's 0.99 needs about
   * 460 steps to forget its initial statistics (mean 0, variance 1); with EMO-DB's ~22 steps
   * per epoch the inference-mode model stays off its training-mode self for ~20 epochs, and
   * early stopping on validation loss then keeps an early epoch (measured in RESULTS.md).
   */
  batchNormMomentum?: number;
  /** Seed of the weight initialisers; default 42. */
  seed?: number;
}

/**
 * The dB reference of the log-mel spectrograms a model sees:
 * - `'absolute'` (default, SPEC §2): dB re 1.0 as extracted (`librosa.power_to_db(ref=1.0)`), so
 *   a recording's gain moves every value;
 * - `'utterance-max'`: each spectrogram re-referenced to its own loudest bin (its maximum is
 *   subtracted), i.e. `librosa.power_to_db(ref=np.max)` of the same power (the `top_db` clamp is
 *   relative to the maximum already). Gain-invariant: a louder or quieter recording of the same
 *   speech gives the same input.
 */
export type DbReference = 'absolute' | 'utterance-max';

/**
 * Input normalisation (SPEC §2): optionally re-reference each spectrogram ({@link DbReference}),
 * then subtract one mean and divide by one standard deviation fitted on the training split.
 */
export interface ZScore {
  /** Mean of every value of every (re-referenced) training example. */
  mean: number;
  /** Standard deviation of the same (population). */
  std: number;
  /** dB reference applied before the z-score; absent means `'absolute'` (models before 0.2). */
  dbReference?: DbReference;
}

/**
 * A set of examples: log-mel spectrograms, mel-major [nMels][nFrames] each, concatenated.
 * `x.length` must be `labels.length * nMels * nFrames`.
 */
export interface Examples {
  /** Features, example after example. */
  x: Float32Array;
  /** Class index (0 … K−1) of each example. */
  labels: ArrayLike<number>;
}

/**
 * SpecAugment's masking (Park et al., "SpecAugment: A Simple Data Augmentation Method for
 * Automatic Speech Recognition", Interspeech 2019, §2), without its time warping: each training
 * spectrogram of each epoch gets `frequencyMasks` bands of whole mel rows and `timeMasks` spans
 * of whole frame columns set to 0 (the training mean, the inputs being z-scored). A mask's width
 * is drawn uniformly from 0 … its maximum (inclusive), then its start uniformly among the
 * positions where it fits; masks may overlap. Validation and test inputs are never masked.
 * Defaults: {@link SPEC_AUGMENT_DEFAULTS}.
 */
export interface SpecAugmentOptions {
  /** Frequency masks per spectrogram (integer ≥ 0); default 2. */
  frequencyMasks: number;
  /** Largest frequency-mask width, in mel bands (integer, 0 … nMels − 1); default 16. */
  maxFrequencyWidth: number;
  /** Time masks per spectrogram (integer ≥ 0); default 2. */
  timeMasks: number;
  /**
   * Largest time-mask width, in frames (integer, 0 … nFrames − 1); default 26 (≈ 0.3 s at hop
   * 512 and 44.1 kHz).
   */
  maxTimeWidth: number;
}

/** A per-batch progress event. */
export interface BatchEvent {
  /** 1-based epoch. */
  epoch: number;
  /** 1-based batch within the epoch. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** Training loss of this batch (cross-entropy + L2). */
  loss: number;
  /** Training accuracy of this batch. */
  accuracy: number;
  /** Seconds this batch took. */
  seconds: number;
}

/** A per-epoch progress event. */
export interface EpochEvent {
  /** 1-based epoch. */
  epoch: number;
  /** Maximum epochs. */
  epochs: number;
  /** Mean training loss over the epoch's batches. */
  loss: number;
  /** Mean training accuracy over the epoch's batches. */
  accuracy: number;
  /** Validation cross-entropy (without the L2 term); NaN without a validation part. */
  valLoss: number;
  /** Validation accuracy; NaN without a validation part. */
  valAccuracy: number;
  /** Seconds this epoch took (training + validation). */
  seconds: number;
  /** Whether this epoch is the best so far (lowest validation loss). */
  best: boolean;
}

/** Options of {@link train}. Defaults are SPEC.md §5. */
export interface TrainOptions {
  /** Maximum epochs; default 100 (early stopping usually ends sooner). */
  epochs?: number;
  /** Batch size; default 16. */
  batchSize?: number;
  /** Adam learning rate; default 1e-4. */
  learningRate?: number;
  /** Fraction of the training split held out (stratified) for early stopping; default 0.1. */
  validationFraction?: number;
  /**
   * Validation examples for early stopping instead of carving `validationFraction` out of
   * the data: e.g. the originals of held-out files when the data holds augmented copies.
   */
  validationData?: Examples;
  /** Epochs without validation-loss improvement before stopping; default 10. */
  patience?: number;
  /** Minimum validation-loss decrease that counts as an improvement; default 0. */
  minDelta?: number;
  /** Seed of the validation carve-out and of each epoch's shuffle; default 42. */
  seed?: number;
  /**
   * dB reference of the inputs ({@link DbReference}); default `'absolute'` (SPEC). Stored in the
   * result's z-score, so prediction applies the same.
   */
  dbReference?: DbReference;
  /**
   * SpecAugment time and frequency masking of the training inputs ({@link SpecAugmentOptions},
   * or `true` for {@link SPEC_AUGMENT_DEFAULTS}), drawn per example and epoch from `seed`;
   * default false (off: training is exactly as without the option). Part of the checkpoint's
   * fingerprint.
   */
  specAugment?: SpecAugmentOptions | boolean;
  /**
   * Folder for the per-epoch checkpoint; none by default. A checkpoint resumes only the same
   * run: the same examples (by their hash), classes, seed, batch size, learning rate,
   * validation, `dbReference`, `specAugment` and model; otherwise `train` throws
   * `CheckpointMismatchError` naming what differs. `epochs` and `patience` may differ, to
   * extend or shorten a run.
   */
  checkpointDir?: string;
  /** Resume from `checkpointDir` when it holds a checkpoint; default true. */
  resume?: boolean;
  /** Train even on wasm/cpu (hours); default false: refuse with an error. */
  allowSlowBackend?: boolean;
  /** Called after every batch. */
  onBatchEnd?: (e: BatchEvent) => void;
  /** Called after every epoch. */
  onEpochEnd?: (e: EpochEvent) => void;
  /**
   * Called once when training resumes from `checkpointDir` (its checkpoint matched this run),
   * with the last epoch the checkpoint holds.
   */
  onResume?: (e: { checkpointDir: string; epoch: number }) => void;
  /** Stops training after the current batch (the last checkpoint stays resumable). */
  signal?: AbortSignal;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** One entry per epoch run in this call (and in the run it resumed). */
  history: EpochEvent[];
  /** Epoch whose weights the model now holds (best validation loss). */
  bestEpoch: number;
  /** True when early stopping ended the run. */
  stoppedEarly: boolean;
  /** True when stopped by the abort signal. */
  aborted: boolean;
  /** The epoch the run resumed after, or 0. */
  resumedFrom: number;
  /** Z-score fitted on the training split, applied to every input. */
  zscore: ZScore;
  /** Sizes of the training and validation parts. */
  sizes: { train: number; validation: number };
}

/** Per-class precision, recall, F1 and support. */
export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Number of true examples of the class. */
  support: number;
}

/** A classification report (SPEC §5; the paper's Tables 2–5, Figures 9–13). */
export interface ClassificationReport {
  /** Class names, in index order. */
  classNames: string[];
  /** Fraction of examples predicted correctly. */
  accuracy: number;
  /** Counts: row = actual class, column = predicted class. */
  confusion: number[][];
  /** Row-normalised confusion in % (each non-empty row sums to 100). */
  confusionPercent: number[][];
  /** Scores per class, in index order. */
  perClass: ClassScores[];
  /** Unweighted mean over classes (support = total). */
  macro: ClassScores;
  /** Support-weighted mean over classes (support = total). */
  weighted: ClassScores;
}

/** `metadata.json` saved beside the tfjs layers model. */
export interface ModelMetadata {
  /** Always `serkit-crnn`. */
  format: 'serkit-crnn';
  /** Format version; 1. */
  formatVersion: 1;
  /** Class names, index = output unit. */
  classNames: string[];
  /** Input normalisation. */
  zscore: ZScore;
  /** Full DSP options the features were computed with (SPEC §1–2), as given by the caller. */
  dsp: Record<string, unknown>;
  /** Input shape [nMels, nFrames, 1]. */
  inputShape: [number, number, number];
  /** Model options (K, blocks, LSTM units, L2, seed). */
  crnn: Required<CrnnOptions>;
  /** Dataset description (name, root, counts…), as given by the caller. */
  dataset?: Record<string, unknown>;
  /** Split description (kind, ratio, seed, test speakers…), as given by the caller. */
  split?: Record<string, unknown>;
  /** Training seed. */
  seed?: number;
  /**
   * Training summary, as given by the caller (`ser train`: epochs, best epoch, augmentation, and
   * `specAugment`'s masks when on).
   */
  training?: Record<string, unknown>;
  /**
   * The files the model learnt from (its training and validation files), as SHA-256 hashes of
   * their bytes (hex, sorted): lets an evaluation say how many of its files the model has seen.
   */
  trainingFiles?: { sha256: string[] };
  /**
   * The speakers of those files (sorted ids, e.g. RAVDESS actors `01`…`12`) and the corpus whose
   * naming gives them (`ravdess`, `emodb`): lets an evaluation on that corpus say which files are
   * by speakers the model has heard. Absent when the speakers are not known (`folders` data).
   */
  trainingSpeakers?: { dataset: string; ids: string[] };
  /** Versions: @serkit/model, TensorFlow.js, TensorFlow, Node, backend. */
  versions: Record<string, string | null>;
  /** ISO date of saving. */
  createdAt: string;
}

/**
 * How a {@link Predictor} runs the network, fastest first:
 * - `session`: the whole network as one frozen TensorFlow graph in a TensorFlow session
 *   (tfjs-node / tfjs-node-gpu; TensorFlow fuses each conv + bias + ReLU), as Keras runs it;
 * - `ops`: tfjs ops with the batch norms folded into the convolutions (and native BiLSTM
 *   kernels on tfjs-node), any backend;
 * - `layers`: the model's own `predict`, any model.
 */
export type PredictorEngine = 'session' | 'ops' | 'layers';

/** Options of `createPredictor`. */
export interface PredictorOptions {
  /** Examples per network run; default 32. */
  batchSize?: number;
  /**
   * Engine; default `auto`: `session` where the backend and the model allow it (falling back
   * with a warning if TensorFlow refuses the graph), else `ops` for a `buildCrnn` model, else
   * `layers`. Asking for one that cannot run here throws.
   */
  engine?: 'auto' | PredictorEngine;
}

/** A prepared model for repeated inference (from `createPredictor`). */
export interface Predictor {
  /** Number of classes K. */
  readonly numClasses: number;
  /** The engine in use. */
  readonly engine: PredictorEngine;
  /** Class probabilities [n][K] (row-major) for `x`: n raw log-mel examples, concatenated. */
  predict(x: Float32Array): Promise<Float32Array>;
  /**
   * Free the prepared weights; the predictor cannot be used afterwards. The model it was made
   * from is not disposed: dispose it after the predictor.
   */
  dispose(): void;
}
