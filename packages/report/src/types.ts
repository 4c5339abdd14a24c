/**
 * The serkit evaluation report (`report.json`, schema `serkit-report/1`): everything
 * the paper reports for one run (its Tables 2–5 and Figures 9–13), plus how the run
 * was made.
 */

/** Precision, recall, F1 and support of one class or one average. */
export interface Scores {
  precision: number;
  recall: number;
  f1: number;
  /** True examples of the class (for an average: all examples). */
  support: number;
}

/**
 * SpecAugment masking of the training inputs (time and frequency masks of Park et al.,
 * Interspeech 2019; `@serkit/model`'s `SpecAugmentOptions`): per training spectrogram and epoch,
 * `frequencyMasks` bands of 0 … `maxFrequencyWidth` mel bands and `timeMasks` spans of
 * 0 … `maxTimeWidth` frames set to the training mean.
 */
export interface SpecAugmentMasks {
  frequencyMasks: number;
  maxFrequencyWidth: number;
  timeMasks: number;
  maxTimeWidth: number;
}

/** Scores of one class, with its name. */
export interface ClassRow extends Scores {
  name: string;
}

/** One training epoch. */
export interface EpochRow {
  /** 1-based epoch. */
  epoch: number;
  /** Mean training loss. */
  loss: number;
  /** Mean training accuracy (0–1). */
  accuracy: number;
  /** Validation loss; null without a validation part. */
  valLoss: number | null;
  /** Validation accuracy (0–1); null without a validation part. */
  valAccuracy: number | null;
  /** Seconds the epoch took. */
  seconds: number;
}

/** `report.json`. */
export interface SerReport {
  /** Schema name and version. */
  schema: 'serkit-report/1';
  /** What was evaluated: `train` (held-out split of a training run) or `evaluate`. */
  kind: 'train' | 'evaluate';
  /** The data: corpus kind, folders given, files found, files that failed to load. */
  dataset: { name: string; roots: string[]; files: number; failed: number };
  /** The split; for `evaluate`, `kind` is `all`. */
  split: {
    kind: 'random' | 'speaker' | 'all';
    /** Test fraction asked for (null for `evaluate`). */
    testSize: number | null;
    /** Test fraction obtained: test files / files split (null for `evaluate`). */
    testFraction?: number | null;
    train: number;
    validation: number;
    test: number;
    testSpeakers?: string[];
    /** What the split became and why, when it differs from what was asked (one line). */
    note?: string;
    /**
     * How the validation part (early stopping) was carved out of the training part: `speaker`
     * (whole training speakers, for speaker protocols) or `random` (stratified by class).
     */
    validationKind?: 'random' | 'speaker';
    /** The validation speakers (`validationKind` `speaker`). */
    validationSpeakers?: string[];
    /** Why a speaker protocol's validation part was carved at random (one line). */
    validationNote?: string;
    /** The fold of a cross-validation (`ser crossval`): 1-based `index` of `of` folds. */
    fold?: { index: number; of: number; protocol: 'kfold' | 'loso' };
  };
  /**
   * `evaluate` only: how many evaluated files the model saw in training (its training and
   * validation files, by content hash), and the figures on the files it never saw. Absent
   * when the model does not record its training files.
   */
  seen?: {
    /** Evaluated files that were among the model's training or validation files. */
    files: number;
    /** Evaluated files the model never saw. */
    unseen: number;
    /** Accuracy on the unseen files only (null when there are none). */
    unseenAccuracy: number | null;
    /** Macro F1 on the unseen files only (null when there are none). */
    unseenMacroF1: number | null;
    /**
     * The unseen files' speakers: which the model heard in training (its figures on their
     * files are not speaker-independent) and which it did not. Absent when the files' speakers
     * are not known (`folders` datasets).
     */
    speakers?: SeenSpeakers;
  };
  /** Whether the training split was augmented (SPEC §3), and the copies per file. */
  augment: { enabled: boolean; copies: number; names: string[] };
  /**
   * dB reference of the model's inputs when not the SPEC's absolute one (`'utterance-max'`:
   * each spectrogram relative to its loudest bin). Absent: absolute.
   */
  dbReference?: string;
  /** SpecAugment masking of the training inputs ({@link SpecAugmentMasks}). Absent: off. */
  specAugment?: SpecAugmentMasks;
  /** Seed of the split, the augmentations and the training. */
  seed: number;
  /** Class names, in the model's output order. */
  classes: string[];
  /** Accuracy on the evaluated examples (0–1). */
  accuracy: number;
  /**
   * UAR, unweighted average recall (0–1): the mean recall over the classes present in the
   * evaluated data (`macro.recall` when every class is); the figure SER papers report beside
   * accuracy, blind to class imbalance.
   */
  uar: number;
  /** Confusion counts: row = actual, column = predicted. */
  confusion: number[][];
  /** Row-normalised confusion, % of each actual class. */
  confusionPercent: number[][];
  /** Per-class scores, in class order. */
  perClass: ClassRow[];
  /** Unweighted mean over classes. */
  macro: Scores;
  /** Support-weighted mean over classes. */
  weighted: Scores;
  /** Training history (empty for `evaluate`). */
  epochs: EpochRow[];
  /** Epoch whose weights were kept (0 for `evaluate`). */
  bestEpoch: number;
  /**
   * Epochs a checkpoint held when this run resumed training from it (Ctrl-C, then the same
   * command); `seconds.train` counts the resumed part only, `epochs[].seconds` every epoch.
   * Absent: trained in one run.
   */
  resumedAfterEpoch?: number;
  /** Wall time of each phase, seconds; `train` is null for `evaluate` (nothing trained). */
  seconds: { extract: number; train: number | null; evaluate: number; total: number };
  /**
   * TensorFlow.js backend and native TensorFlow version; `oneDnn`: whether native TensorFlow ran
   * its oneDNN kernels (null: wasm/cpu or unknown; absent in reports before 0.2), which the
   * training time depends on.
   */
  backend: { name: string; tensorflowVersion: string | null; oneDnn?: boolean | null };
  /** ISO date. */
  createdAt: string;
}

/** Files {@link writeReport} writes, by role. */
export interface ReportFiles {
  json: string;
  markdown: string;
  confusionSvg: string;
  confusionPng: string;
  trainingCurvesPng: string | null;
  spectrogramPng: string | null;
}

/** An example log-mel spectrogram to draw: mel-major `[nMels][nFrames]` dB values. */
export interface SpectrogramInput {
  values: Float32Array;
  nMels: number;
  nFrames: number;
  /** Caption, e.g. the file name and its label. */
  title: string;
  /** Seconds per frame (hop / sample rate), for the time axis. */
  secondsPerFrame: number;
}

/** {@link SerReport}'s `seen.speakers`: the unseen files by speakers the model heard, and the rest. */
export interface SeenSpeakers {
  /**
   * How the heard speakers are known: `model`, the training speakers its metadata records for
   * this corpus (exact); `evaluated-files`, the speakers of the evaluated files it was trained on
   * (a lower bound: the `other` speakers may still have files among its training files).
   */
  basis: 'model' | 'evaluated-files';
  /** Speakers of unseen files whom the model heard in training (sorted ids). */
  heard: string[];
  /** Unseen files by those speakers. */
  heardFiles: number;
  /** The unseen files' other speakers (sorted ids): never heard, when `basis` is `model`. */
  other: string[];
  /** Unseen files by the other speakers. */
  otherFiles: number;
  /** Accuracy on the other speakers' files (null when there are none). */
  otherAccuracy: number | null;
  /** UAR on the other speakers' files (null when there are none). */
  otherUar: number | null;
}
