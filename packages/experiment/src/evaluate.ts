/** Evaluation of a trained model: on labelled examples, and on labelled files (`ser evaluate`). */
import { type DatasetKind, nFrames, resolveDspOptions } from '@serkit/features';
import {
  argMaxRows,
  type ClassificationReport,
  classificationReport,
  currentBackendInfo,
  type Examples,
  type ModelMetadata,
  predictProbabilities,
  unweightedAverageRecall,
  type ZScore,
} from '@serkit/model';
import type { SerReport } from '@serkit/report';
import { seenSpeakersSentence } from '@serkit/report/speakers';
import type * as TF from '@tensorflow/tfjs';
import { defaultCacheDir, extractWithCache } from './cache.js';
import { UnknownClassesError } from './errors.js';
import type { ExperimentEvent, RunOptions } from './experiment.js';
import { type LabelledFiles, loadLabelledFiles } from './files.js';
import { toSerReport } from './report-data.js';
import { stackExamples } from './stack.js';

/** What {@link evaluateModel} returns. */
export interface Evaluation {
  /** Accuracy, confusion matrix, per-class and averaged precision/recall/F1 (UAR = macro recall). */
  classification: ClassificationReport;
  /** Predicted class index of each example. */
  predicted: Int32Array;
  /** Class probabilities `[n][K]`, row-major. */
  probabilities: Float32Array;
}

/**
 * Predict `examples` (raw log-mel spectrograms; the model's `zscore` is applied) and score the
 * predictions against their labels.
 *
 * @param model A trained CRNN (from `runExperiment` or `loadModel`).
 * @param examples `x`: n spectrograms `[nMels][nFrames]` back to back; `labels`: n class indices.
 * @param zscore The model's input normalisation.
 * @param classNames K class names, in the model's output order.
 */
export async function evaluateModel(
  model: TF.LayersModel,
  examples: Examples,
  zscore: ZScore,
  classNames: string[],
): Promise<Evaluation> {
  const probabilities = await predictProbabilities(model, examples.x, zscore);
  const predicted = argMaxRows(probabilities, classNames.length);
  return {
    classification: classificationReport(examples.labels, predicted, classNames),
    predicted,
    probabilities,
  };
}

/** What {@link evaluateOnFiles} evaluates. */
export interface FileEvaluationConfig {
  /** The model's metadata (`readMetadata` of `@serkit/model`): classes, z-score, DSP options. */
  metadata: ModelMetadata;
  /**
   * Loads the model, called once the features are extracted (so a bad file list fails before
   * TensorFlow loads); the model is disposed after prediction.
   */
  loadModel: () => Promise<TF.LayersModel>;
  /** Files and/or folders, or files already labelled ({@link loadLabelledFiles}). */
  data: readonly string[] | LabelledFiles;
  /** How labels are read when `data` is paths; default `auto`. */
  dataset?: DatasetKind;
  /** DSP worker threads (0 = every core); default 0. */
  jobs?: number;
  /** Feature cache folder, null for none; default {@link defaultCacheDir}. */
  cacheDir?: string | null;
  /** Folders named in the report; default `data` when it is paths. */
  roots?: string[];
  /** Seed recorded in the report; default the model's. */
  seed?: number;
}

/** What {@link evaluateOnFiles} returns. */
export interface FileEvaluation {
  /** `report.json`'s object (`kind` `evaluate`), with `seen` when the model records its files. */
  report: SerReport;
  /** Files that could not be used (unlabelled, skipped, failed extraction). */
  failed: number;
}

/**
 * Each labelled file's class as an index into the model's outputs (`classNames`).
 *
 * @throws {UnknownClassesError} when the data has classes the model does not know (checked
 *   before any file is read, so a caller can say so before announcing anything else).
 */
export function modelLabels(files: LabelledFiles, classNames: readonly string[]): number[] {
  const modelIndex = new Map(classNames.map((c, i) => [c, i]));
  const unknown = [...new Set(files.labels.map((l) => files.classes[l]))].filter(
    (c) => !modelIndex.has(c),
  );
  if (unknown.length > 0) throw new UnknownClassesError(unknown, classNames);
  return files.labels.map((l) => modelIndex.get(files.classes[l]) as number);
}

/**
 * `ser evaluate` as a function: the report of a trained model on labelled files, features
 * computed with the model's own DSP options (through the cache). When the model records its
 * training files (by content hash), the report says how many evaluated files it has seen and
 * gives the figures on the unseen ones (`seen`), with a notice; when the files' speakers are
 * known, also how many unseen files are by speakers the model heard (its metadata's
 * `trainingSpeakers` for the same corpus, else the speakers of the evaluated files it saw: a lower
 * bound) and the figures on the files by the other speakers (`seen.speakers`).
 *
 * @throws {UnknownClassesError} when the data has classes the model does not know; Error when no
 *   file can be read.
 */
export async function evaluateOnFiles(
  config: FileEvaluationConfig,
  run: Omit<RunOptions, 'loadBackend'> = {},
): Promise<FileEvaluation> {
  const emit = (e: ExperimentEvent) => run.onProgress?.(e);
  const t0 = performance.now();
  const meta = config.metadata;
  const labelled = !Array.isArray(config.data);
  const files = labelled
    ? (config.data as LabelledFiles)
    : loadLabelledFiles(config.data as string[], config.dataset ?? 'auto');
  if (!labelled) {
    for (const m of files.notices) emit({ type: 'notice', message: `note: ${m}` });
    for (const m of files.problems) emit({ type: 'problem', message: m });
  }
  const labels = modelLabels(files, meta.classNames);
  const dsp = resolveDspOptions(meta.dsp);
  const featureLen = dsp.nMels * nFrames(dsp);
  const got = await extractWithCache(files.paths, {
    dsp,
    augment: false,
    seed: 0,
    jobs: config.jobs ?? 0,
    cacheDir: config.cacheDir === undefined ? defaultCacheDir() : config.cacheDir,
    signal: run.signal,
    onProgress: (p) => emit({ type: 'extract', label: 'extracting', ...p }),
  });
  let failed = files.problems.length;
  for (const e of got.errors) {
    if (e) {
      emit({ type: 'problem', message: e });
      failed++;
    }
  }
  const all = files.paths.map((_, i) => i);
  const ok = all.filter((i) => got.perFile[i] !== null);
  const data = stackExamples(got.perFile, labels, all, featureLen, 'original');
  if (data.labels.length === 0) {
    // Every file failed (each named in its own 'problem' line): a failure of the inputs, not of
    // the request (`ser evaluate` exits 1, as predict and extract do when every file fails).
    throw new Error(
      files.paths.length === 1
        ? 'the one file could not be read'
        : `none of the ${files.paths.length} files could be read`,
    );
  }
  const tExtract = performance.now();
  const model = await config.loadModel();
  let evaluation: Evaluation;
  try {
    evaluation = await evaluateModel(model, data, meta.zscore, meta.classNames);
  } finally {
    model.dispose();
  }
  const { classification, predicted } = evaluation;
  // Which of the evaluated files the model learnt from (training or validation), by content.
  let seen: SerReport['seen'];
  const known = meta.trainingFiles?.sha256;
  if (known) {
    const set = new Set(known);
    // Per evaluated row: was its file one of the model's training or validation files?
    const seenRow = ok.map((i) => set.has(got.hashes[i] ?? ''));
    const rows = ok.map((_, row) => row);
    const unseenRows = rows.filter((r) => !seenRow[r]);
    const nSeen = ok.length - unseenRows.length;
    /** The classification report of some evaluated rows, null for none. */
    const reportOn = (rows: number[]) =>
      rows.length > 0
        ? classificationReport(
            rows.map((r) => data.labels[r]),
            rows.map((r) => predicted[r]),
            meta.classNames,
          )
        : null;
    const unseen = reportOn(unseenRows);
    seen = {
      files: nSeen,
      unseen: unseenRows.length,
      unseenAccuracy: unseen?.accuracy ?? null,
      unseenMacroF1: unseen?.macro.f1 ?? null,
    };
    // The unseen files' speakers the model heard: its recorded training speakers when it was
    // trained on this corpus, else (a lower bound) the speakers of the evaluated files it saw.
    const speakerOfRow = (row: number) => files.speakers[ok[row]] as string;
    if (ok.every((i) => files.speakers[i] !== null)) {
      const recorded =
        meta.trainingSpeakers?.dataset === files.kind ? meta.trainingSpeakers.ids : null;
      const heard = new Set(recorded ?? rows.filter((r) => seenRow[r]).map(speakerOfRow));
      const otherRows = unseenRows.filter((r) => !heard.has(speakerOfRow(r)));
      const other = reportOn(otherRows);
      const idsOf = (rows: number[]) => [...new Set(rows.map(speakerOfRow))].sort();
      seen.speakers = {
        basis: recorded ? 'model' : 'evaluated-files',
        heard: idsOf(unseenRows.filter((r) => heard.has(speakerOfRow(r)))),
        heardFiles: unseenRows.length - otherRows.length,
        other: idsOf(otherRows),
        otherFiles: otherRows.length,
        otherAccuracy: other?.accuracy ?? null,
        otherUar: other ? unweightedAverageRecall(other.confusion) : null,
      };
    }
    if (nSeen > 0) {
      emit({
        type: 'notice',
        about: 'seen',
        message: `${nSeen === 1 ? `${ok.length === 1 ? 'the evaluated file' : `1 of ${ok.length} evaluated files`} was one of` : `${nSeen} of ${ok.length} evaluated files were`} the model's training or validation files: accuracy ${(100 * classification.accuracy).toFixed(2)} % on all, ${unseen ? `${(100 * unseen.accuracy).toFixed(2)} % on the ${unseenRows.length} unseen` : 'no unseen file'}`,
      });
    }
    const sentence = seen.speakers ? seenSpeakersSentence(seen.speakers, unseenRows.length) : null;
    if (sentence) emit({ type: 'notice', about: 'seen', message: sentence });
  }
  const tEval = performance.now();
  const backend = currentBackendInfo();
  const report = toSerReport(classification, {
    kind: 'evaluate',
    dataset: {
      name: files.kind,
      roots: config.roots ?? (labelled ? [] : [...(config.data as string[])]),
      files: files.paths.length + files.problems.length,
      failed,
    },
    split: { kind: 'all', testSize: null, train: 0, validation: 0, test: data.labels.length },
    ...(seen ? { seen } : {}),
    augment: { enabled: false, copies: 1, names: [] },
    seed: config.seed ?? meta.seed ?? 0,
    epochs: [],
    bestEpoch: 0,
    seconds: {
      extract: (tExtract - t0) / 1000,
      train: null,
      evaluate: (tEval - tExtract) / 1000,
      total: (tEval - t0) / 1000,
    },
    backend: {
      name: backend?.name ?? 'unknown',
      tensorflowVersion: backend?.tensorflowVersion ?? null,
      oneDnn: backend?.oneDnn ?? null,
    },
    createdAt: new Date().toISOString(),
  });
  return { report, failed };
}
