/**
 * One run of the paper's experiment (SPEC.md §3–5): labelled corpus → split → validation
 * carve-out → cached extraction (augmenting the fitting files only) → z-score fitted on the
 * fitting files → training with early stopping → evaluation on the test part → report data.
 */
import { basename } from 'node:path';
import {
  augmentationName,
  type DatasetKind,
  type DspOptions,
  nFrames,
  PAPER_AUGMENTATIONS,
  resolveDspOptions,
} from '@serkit/features';
import {
  type BatchEvent,
  buildCrnn,
  currentBackendInfo,
  type DbReference,
  type EpochEvent,
  loadBackend,
  type ModelMetadata,
  resolveCrnnOptions,
  SPEC_AUGMENT_DEFAULTS,
  TRAIN_DEFAULTS,
  train,
} from '@serkit/model';
import type { SerReport, SpectrogramInput } from '@serkit/report';
import type * as TF from '@tensorflow/tfjs';
import { defaultCacheDir, extractWithCache, sha256File } from './cache.js';
import { classList, ExperimentError, ExperimentInterrupted } from './errors.js';
import { evaluateModel } from './evaluate.js';
import { type LabelledFiles, loadEvents, loadLabelledFiles } from './files.js';
import { assertNoLeakage } from './leakage.js';
import { toSerReport } from './report-data.js';
import { carveValidation, type Split, type SplitProtocol, splitFiles } from './splits.js';
import { stackExamples } from './stack.js';

/** Defaults of {@link ExperimentConfig} (SPEC.md §3–5; `ser train`'s defaults). */
export const EXPERIMENT_DEFAULTS = Object.freeze({
  dataset: 'auto' as DatasetKind,
  split: 'random' as SplitProtocol,
  testSize: 0.2,
  augment: false,
  specAugment: false,
  epochs: TRAIN_DEFAULTS.epochs,
  patience: TRAIN_DEFAULTS.patience,
  seed: TRAIN_DEFAULTS.seed,
  validationFraction: TRAIN_DEFAULTS.validationFraction,
  jobs: 0,
});

/** Spectrograms of every file of a corpus, extracted once (see {@link extractCorpus}). */
export interface CorpusFeatures {
  /** Per file: `copies` spectrograms (original first), or null when extraction failed. */
  perFile: (Float32Array | null)[];
  /** Per file: SHA-256 of its bytes, or null when unreadable. */
  hashes: (string | null)[];
  /** Per file: the one-line error, or null. */
  errors: (string | null)[];
  /** Whether the copies include the paper's augmentations (seeded with `seed`). */
  augment: boolean;
  seed: number;
}

/** What {@link runExperiment} runs. Every field but `data` has a default. */
export interface ExperimentConfig {
  /** Files and/or folders to walk ({@link loadLabelledFiles}), or files already labelled. */
  data: readonly string[] | LabelledFiles;
  /** How labels and speakers are read when `data` is paths; default `auto`. */
  dataset?: DatasetKind;
  /** Test protocol: `random` (stratified, the paper's) or `speaker`; default `random`. */
  split?: SplitProtocol;
  /** Test fraction in (0, 1); default 0.2 (80:20). */
  testSize?: number;
  /**
   * A test split chosen by the caller (e.g. one of {@link stratifiedKFold}'s folds): replaces
   * `testSize`; `split` still says which protocol it follows (for the validation carve-out).
   */
  testSplit?: Split & { fold?: { index: number; of: number; protocol: 'kfold' | 'loso' } };
  /**
   * Speakers held out for the test (speaker protocol): replaces the seeded choice by
   * `testSize` (`ser train --test-speakers`).
   */
  testSpeakers?: readonly string[];
  /**
   * Speakers whose training files validate (`ser train --validation-speakers`): replaces the
   * carve-out by `validationFraction`. Must not be test speakers.
   */
  validationSpeakers?: readonly string[];
  /**
   * How the validation part is carved out of the training part: `random` (stratified by class)
   * or `speaker` (whole training speakers); default: the same as `split`.
   */
  validationSplit?: SplitProtocol;
  /** dB reference of the model's inputs ({@link DbReference}); default `'absolute'` (SPEC). */
  dbReference?: DbReference;
  /** Add the paper's four augmented copies of every fitting file; default false. */
  augment?: boolean;
  /**
   * Mask the training inputs with SpecAugment ({@link SPEC_AUGMENT_DEFAULTS}: 2 frequency masks
   * of 0–16 mel bands and 2 time masks of 0–26 frames per spectrogram and epoch, Park et al.
   * 2019), recorded in the report and the metadata; default false.
   */
  specAugment?: boolean;
  /** Maximum epochs; default 100. */
  epochs?: number;
  /** Early-stopping patience in epochs; default 10. */
  patience?: number;
  /** Seed of the split, the carve-out, the augmentations, the weights and the shuffles; default 42. */
  seed?: number;
  /** Validation fraction of the training part, [0, 1); default 0.1. */
  validationFraction?: number;
  /** DSP worker threads (0 = every core); default 0. */
  jobs?: number;
  /** Feature cache folder, null for none; default {@link defaultCacheDir}. */
  cacheDir?: string | null;
  /** Checkpoint folder: written every epoch, resumed from when it exists; default none. */
  checkpointDir?: string;
  /** Spectrograms extracted beforehand for these files ({@link extractCorpus}). */
  features?: CorpusFeatures;
  /** Folders named in the report (`dataset.roots`); default `data` when it is paths. */
  roots?: string[];
}

/** Something the caller may show while an experiment runs. */
export type ExperimentEvent =
  /**
   * One line worth telling (split note, validation fallback, resuming from a checkpoint).
   * `about: 'seen'`: what the model saw of the evaluated files and speakers, which the report's
   * `seen` also holds (a caller printing the report's summary may leave these out).
   */
  | { type: 'notice'; message: string; about?: 'seen' }
  /** One line naming a file or entry that could not be used (the run goes on without it). */
  | { type: 'problem'; message: string }
  /** Extraction progress of the files not in the cache (`cached`: the others). */
  | { type: 'extract'; label: string; done: number; total: number; failed: number; cached: number }
  | ({ type: 'batch' } & BatchEvent)
  | ({ type: 'epoch' } & EpochEvent);

/** Progress callback and cancellation of {@link runExperiment} and {@link crossValidate}. */
export interface RunOptions {
  onProgress?: (e: ExperimentEvent) => void;
  /** Stops extraction or training (after the current batch; the checkpoint stays resumable). */
  signal?: AbortSignal;
  /**
   * Loads TensorFlow.js once the split and the extraction are done (e.g. to choose the backend
   * or mute its start-up lines); default: `loadBackend()` of `@serkit/model`.
   */
  loadBackend?: () => Promise<unknown>;
}

/** What {@link runExperiment} returns: a trained model and its report data. */
export interface ExperimentResult {
  /** The trained model (best validation epoch); the caller disposes it. */
  model: TF.LayersModel;
  /** `report.json`'s object. */
  report: SerReport;
  /** The metadata {@link writeExperiment} saves beside the model. */
  metadata: Omit<ModelMetadata, 'versions' | 'createdAt' | 'format' | 'formatVersion'>;
  /** A test spectrogram for the report's figure (none when no test file could be read). */
  spectrogram?: SpectrogramInput;
  /** Test labels and predictions (class indices), row for row. */
  test: { labels: Int32Array; predicted: Int32Array };
  /** Files that could not be used (unlabelled, skipped by the walk, failed extraction). */
  failed: number;
  /** The checkpoint folder used, if any ({@link writeExperiment} removes it). */
  checkpointDir?: string;
}

const isLabelled = (d: ExperimentConfig['data']): d is LabelledFiles =>
  !Array.isArray(d) && typeof (d as LabelledFiles).kind === 'string';

/**
 * Extract every file of `files` once (through the cache): with `augment`, the paper's four
 * augmented copies follow each original. Serves all folds of a cross-validation.
 */
export async function extractCorpus(
  files: LabelledFiles,
  opts: {
    augment: boolean;
    seed: number;
    jobs?: number;
    cacheDir?: string | null;
    dsp?: DspOptions;
  },
  run: RunOptions = {},
): Promise<CorpusFeatures> {
  const dsp = opts.dsp ?? resolveDspOptions({});
  const label = opts.augment ? 'extracting + augmenting' : 'extracting';
  const got = await extractWithCache(files.paths, {
    dsp,
    augment: opts.augment,
    seed: opts.seed,
    jobs: opts.jobs ?? 0,
    cacheDir: opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir,
    signal: run.signal,
    onProgress: (p) => run.onProgress?.({ type: 'extract', label, ...p }),
  });
  return { ...got, augment: opts.augment, seed: opts.seed };
}

/**
 * Run the experiment once: split (or the given `testSplit`), carve the validation part out of
 * the training part ({@link carveValidation}), refuse leakage ({@link assertNoLeakage}),
 * extract with the cache (augmenting the fitting files only), train the CRNN with early
 * stopping (z-score fitted on the fitting files), evaluate on the test part.
 *
 * @returns the trained model, its report data and metadata; save them with {@link writeExperiment}.
 * @throws {ExperimentError} for an impossible split (a class without training files, no
 *   speaker ids for a speaker split, too few readable files) or leakage, one line each.
 * @throws {ExperimentInterrupted} when `signal` aborts (training resumes from `checkpointDir`).
 */
export async function runExperiment(
  config: ExperimentConfig,
  run: RunOptions = {},
): Promise<ExperimentResult> {
  const c = { ...EXPERIMENT_DEFAULTS, ...config };
  const emit = (e: ExperimentEvent) => run.onProgress?.(e);
  const t0 = performance.now();
  const files = isLabelled(c.data) ? c.data : loadLabelledFiles(c.data, c.dataset);
  if (!isLabelled(c.data)) {
    for (const e of loadEvents(files, true)) emit(e);
  }
  const roots = c.roots ?? (isLabelled(c.data) ? [] : [...c.data]);
  const split =
    c.testSplit ??
    splitFiles(files.labels, files.speakers, c.split, c.testSize, c.seed, c.testSpeakers);
  const overlap = (c.validationSpeakers ?? []).filter((s) => split.testSpeakers?.includes(s));
  if (overlap.length > 0) {
    throw new ExperimentError(
      `--validation-speakers: speaker ${overlap.join(', ')} is held out for the test; validation comes from the training speakers`,
    );
  }
  const where = c.testSplit?.fold ? `fold ${c.testSplit.fold.index}` : `--split ${c.split}`;
  if (split.classesMissingFromTraining?.length) {
    const names = split.classesMissingFromTraining.map((k) => files.classes[k]);
    const one = names.length === 1;
    const addFiles = `add files of ${one ? 'that class' : 'those classes'}`;
    let why: string;
    if (split.testSpeakers) {
      const held = `${split.testSpeakers.length === 1 ? 'speaker' : 'speakers'} ${split.testSpeakers.join(', ')}`;
      why = ` (all are from the held-out ${held}); ${c.testSpeakers ? 'hold out other --test-speakers, or use --split random' : 'use --split random, another --seed or more speakers'}`;
    } else if (c.testSplit) {
      why = `; ${addFiles}`;
    } else {
      why = ` (--test-size ${c.testSize} takes all of ${one ? 'its' : 'their'} files); lower --test-size or ${addFiles}`;
    }
    throw new ExperimentError(`${where}: no training file of ${classList(names)}${why}`);
  }
  if (!c.testSplit && split.test.length === 0) {
    // A stratified fraction is rounded per class: 20 % of a class of 2 files is no file.
    const largest = Math.max(
      ...files.classes.map((_, k) => files.labels.filter((l) => l === k).length),
    );
    throw new ExperimentError(
      `${where}: the test part is empty: --test-size ${c.testSize} of each class rounds to no file (the largest class has ${largest} file${largest === 1 ? '' : 's'}); raise --test-size or add files`,
    );
  }
  if (split.note) emit({ type: 'notice', message: split.note });
  const carve = carveValidation(
    split.train,
    files.labels,
    files.speakers,
    c.validationSplit ?? c.split,
    c.validationFraction,
    c.seed,
    c.validationSpeakers,
    files.classes,
  );
  if (carve.note) emit({ type: 'notice', message: carve.note });
  const hashes = c.features?.hashes ?? files.paths.map(sha256File);
  assertNoLeakage(files.paths, hashes, split.train, split.test, where);

  const dsp = resolveDspOptions({});
  const featureLen = dsp.nMels * nFrames(dsp);
  const perFile: (Float32Array | null)[] = new Array(files.paths.length).fill(null);
  let failed = files.problems.length;
  if (c.features) {
    if (c.features.augment !== c.augment || (c.augment && c.features.seed !== c.seed)) {
      throw new ExperimentError(
        `features: extracted with augment ${c.features.augment} seed ${c.features.seed}, the run asks augment ${c.augment} seed ${c.seed}`,
      );
    }
    const used = new Set([...split.train, ...split.test]);
    c.features.perFile.forEach((f, i) => {
      perFile[i] = f;
      const err = c.features?.errors[i];
      if (err && used.has(i)) {
        emit({ type: 'problem', message: err });
        failed++;
      }
    });
  } else {
    const cacheDir = c.cacheDir === undefined ? defaultCacheDir() : c.cacheDir;
    const common = { dsp, seed: c.seed, jobs: c.jobs, cacheDir, signal: run.signal };
    const heldOut = [...carve.validation, ...split.test];
    const parts = [
      { list: heldOut, augment: false, label: 'extracting test/validation' },
      {
        list: carve.fit,
        augment: c.augment,
        label: c.augment ? 'extracting + augmenting training' : 'extracting training',
      },
    ];
    for (const part of parts) {
      const got = await extractWithCache(
        part.list.map((i) => files.paths[i]),
        {
          ...common,
          augment: part.augment,
          onProgress: (p) => emit({ type: 'extract', label: part.label, ...p }),
        },
        part.list.map((i) => hashes[i]),
      );
      part.list.forEach((fileIndex, j) => {
        perFile[fileIndex] = got.perFile[j];
        if (got.errors[j]) {
          emit({ type: 'problem', message: got.errors[j] as string });
          failed++;
        }
      });
    }
  }
  const tExtract = performance.now();
  const fitData = stackExamples(perFile, files.labels, carve.fit, featureLen, 'all');
  const valData = stackExamples(perFile, files.labels, carve.validation, featureLen, 'original');
  const testData = stackExamples(perFile, files.labels, split.test, featureLen, 'original');
  if (fitData.labels.length === 0 || testData.labels.length === 0) {
    throw new ExperimentError(
      `no readable file left in the ${fitData.labels.length === 0 ? 'training' : 'test'} part (each unreadable file is named above)`,
    );
  }

  if (valData.labels.length === 0) {
    emit({
      type: 'notice',
      message: `validation: no validation file (too few training files to carve ${c.validationFraction} out): training runs ${c.epochs === 1 ? 'its one epoch' : `all ${c.epochs} epochs`} without early stopping`,
    });
  }
  await (run.loadBackend ?? loadBackend)();
  const model = await buildCrnn({ numClasses: files.classes.length, seed: c.seed });
  const specAugment = c.specAugment ? { ...SPEC_AUGMENT_DEFAULTS } : false;
  let resumedAfterEpoch: number | undefined;
  const result = await train(model, fitData, {
    epochs: c.epochs,
    patience: c.patience,
    seed: c.seed,
    dbReference: c.dbReference,
    specAugment,
    checkpointDir: c.checkpointDir,
    // Too few files for a validation part: train for the given epochs without early stopping.
    ...(valData.labels.length > 0 ? { validationData: valData } : { validationFraction: 0 }),
    signal: run.signal,
    onBatchEnd: (e) => emit({ type: 'batch', ...e }),
    onEpochEnd: (e) => emit({ type: 'epoch', ...e }),
    onResume: (e) => {
      resumedAfterEpoch = e.epoch;
      emit({
        type: 'notice',
        message: `resuming from ${e.checkpointDir} (${e.epoch} epoch${e.epoch === 1 ? '' : 's'} done)`,
      });
    },
  });
  if (result.aborted) {
    model.dispose();
    throw new ExperimentInterrupted('training interrupted', result.history.length);
  }
  const tTrain = performance.now();
  const { classification, predicted } = await evaluateModel(
    model,
    testData,
    result.zscore,
    files.classes,
  );
  const tEval = performance.now();
  const augment = {
    enabled: c.augment,
    copies: c.augment ? 1 + PAPER_AUGMENTATIONS.length : 1,
    names: c.augment ? PAPER_AUGMENTATIONS.map(augmentationName) : [],
  };
  const backend = currentBackendInfo();
  const report = toSerReport(classification, {
    kind: 'train',
    dataset: {
      name: files.kind,
      roots,
      files: files.paths.length + files.problems.length,
      failed,
    },
    split: {
      kind: c.split,
      // With chosen test speakers the fraction is what they make, not a request.
      testSize: c.testSplit
        ? null
        : c.testSpeakers
          ? split.test.length / files.paths.length
          : c.testSize,
      testFraction: split.test.length / files.paths.length,
      train: carve.fit.filter((i) => perFile[i] !== null).length,
      validation: valData.labels.length,
      test: testData.labels.length,
      ...(split.testSpeakers ? { testSpeakers: split.testSpeakers } : {}),
      ...(split.note ? { note: split.note } : {}),
      validationKind: carve.kind,
      ...(carve.speakers ? { validationSpeakers: carve.speakers } : {}),
      ...(carve.note ? { validationNote: carve.note } : {}),
      ...(c.testSplit?.fold ? { fold: c.testSplit.fold } : {}),
    },
    augment,
    ...(c.dbReference && c.dbReference !== 'absolute' ? { dbReference: c.dbReference } : {}),
    ...(specAugment ? { specAugment } : {}),
    seed: c.seed,
    epochs: result.history.map((e) => ({
      epoch: e.epoch,
      loss: e.loss,
      accuracy: e.accuracy,
      valLoss: Number.isNaN(e.valLoss) ? null : e.valLoss,
      valAccuracy: Number.isNaN(e.valAccuracy) ? null : e.valAccuracy,
      seconds: e.seconds,
    })),
    bestEpoch: result.bestEpoch,
    ...(resumedAfterEpoch === undefined ? {} : { resumedAfterEpoch }),
    seconds: {
      extract: (tExtract - t0) / 1000,
      train: (tTrain - tExtract) / 1000,
      evaluate: (tEval - tTrain) / 1000,
      total: (tEval - t0) / 1000,
    },
    backend: {
      name: backend?.name ?? 'unknown',
      tensorflowVersion: backend?.tensorflowVersion ?? null,
      oneDnn: backend?.oneDnn ?? null,
    },
    createdAt: new Date().toISOString(),
  });
  // The files the model learnt from (fitting + validation), by content, so that an evaluation
  // can say how many of its files the model has already seen.
  const learnt = [...carve.fit, ...carve.validation].filter((i) => perFile[i] !== null);
  const learntSpeakers = learnt.map((i) => files.speakers[i]);
  const seenHashes = learnt
    .map((i) => hashes[i])
    .filter((h): h is string => h !== null)
    .sort();
  const example = split.test.find((i) => perFile[i] !== null);
  return {
    model,
    report,
    metadata: {
      classNames: files.classes,
      zscore: result.zscore,
      dsp: { ...dsp },
      inputShape: [dsp.nMels, nFrames(dsp), 1],
      crnn: resolveCrnnOptions({ numClasses: files.classes.length, seed: c.seed }),
      dataset: { name: files.kind, roots, files: files.paths.length },
      split: { ...report.split, seed: c.seed },
      seed: c.seed,
      training: {
        epochs: result.history.length,
        bestEpoch: result.bestEpoch,
        augment,
        ...(specAugment ? { specAugment } : {}),
      },
      trainingFiles: { sha256: seenHashes },
      ...(learntSpeakers.every((s): s is string => s !== null)
        ? {
            trainingSpeakers: {
              dataset: files.kind,
              ids: [...new Set(learntSpeakers as string[])].sort(),
            },
          }
        : {}),
    },
    ...(example === undefined
      ? {}
      : {
          spectrogram: {
            values: (perFile[example] as Float32Array).subarray(0, featureLen),
            nMels: dsp.nMels,
            nFrames: nFrames(dsp),
            title: `${basename(files.paths[example])} (${files.classes[files.labels[example]]}), log-mel dB`,
            secondsPerFrame: dsp.hopLength / dsp.sampleRate,
          },
        }),
    test: { labels: testData.labels, predicted },
    failed,
    ...(c.checkpointDir ? { checkpointDir: c.checkpointDir } : {}),
  };
}
