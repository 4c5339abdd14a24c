/**
 * Cross-validation (issue 11 §2): stratified K-fold, speaker K-fold or leave-one-speaker-out,
 * repeated per seed; features extracted once per seed for the whole run (the cache); each fold
 * trains on the other folds (validation carved out of them, never out of the test fold),
 * writes its own report under `<out>/fold-<i>/` and is skipped when a rerun finds it done.
 */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classificationReport, SPEC_AUGMENT_DEFAULTS } from '@serkit/model';
import type { CrossvalFold, CrossvalReport, MeanStd } from '@serkit/report';
import { ExperimentError } from './errors.js';
import {
  EXPERIMENT_DEFAULTS,
  type ExperimentConfig,
  type ExperimentEvent,
  extractCorpus,
  type RunOptions,
  runExperiment,
} from './experiment.js';
import { type LabelledFiles, loadEvents, loadLabelledFiles } from './files.js';
import { type Fold, leaveOneSpeakerOut, speakerKFold, stratifiedKFold } from './splits.js';
import { checkExperimentFolder, writeExperiment } from './write.js';

/** What {@link crossValidate} runs. */
export interface CrossValidationConfig
  extends Omit<
    ExperimentConfig,
    'testSplit' | 'testSize' | 'testSpeakers' | 'validationSpeakers' | 'checkpointDir' | 'features'
  > {
  /** Folder of the run: `fold-<i>/` (or `seed-<s>/fold-<i>/`) reports and checkpoints. */
  out: string;
  /** K (≥ 2) or `loso` (leave one speaker out; `split` must be `speaker`); default 5. */
  folds?: number | 'loso';
  /** Repeat the whole run per seed; default `[seed]`. */
  seeds?: number[];
}

/** Progress of a cross-validation: the experiment's events, and fold starts. */
export type CrossValidationEvent =
  | ExperimentEvent
  | { type: 'fold'; fold: number; folds: number; seed: number; resumed: boolean };

/** Default number of folds. */
export const DEFAULT_FOLDS = 5;

/** Mean and sample standard deviation (n − 1; 0 for a single value). */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const v = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(v) };
}

/**
 * The folds of a protocol: `random` + K → {@link stratifiedKFold}, `speaker` + K →
 * {@link speakerKFold}, `speaker` + `loso` → {@link leaveOneSpeakerOut}.
 *
 * @throws {ExperimentError} for `loso` with `random`, or a K the data cannot fill.
 */
export function makeFolds(
  files: Pick<LabelledFiles, 'labels' | 'speakers'>,
  split: 'random' | 'speaker',
  folds: number | 'loso',
  seed: number,
): Fold[] {
  if (folds === 'loso') {
    if (split !== 'speaker') {
      throw new ExperimentError('--folds loso: leaves speakers out; use it with --split speaker');
    }
    return leaveOneSpeakerOut(files.labels, files.speakers);
  }
  return split === 'speaker'
    ? speakerKFold(files.labels, files.speakers, folds, seed)
    : stratifiedKFold(files.labels, folds, seed);
}

/** What a finished fold leaves in its folder for a rerun: `fold.json`. */
interface FoldRecord {
  key: string;
  row: CrossvalFold;
  labels: number[];
  predicted: number[];
}

const FOLD_FILE = 'fold.json';

/**
 * Cross-validate: for each seed and fold, {@link runExperiment} on the fold's split (features
 * extracted once per seed through the cache), its report written under `<out>/fold-<i>/`;
 * then the summary: accuracy and UAR mean ± std over folds (and seeds), the confusion matrix
 * summed over folds, per-class precision/recall/F1 over all test predictions. A fold whose
 * folder already holds the result of the same run is reused (resume after Ctrl-C: the
 * interrupted fold resumes from its checkpoint `<out>/fold-<i>.checkpoint`).
 *
 * @returns the `serkit-crossval/1` report; write it with `writeCrossvalReport` (`@serkit/report`).
 * @throws {ExperimentError} for impossible folds, leakage, or an `out` holding another run.
 * @throws {ExperimentInterrupted} when `signal` aborts.
 */
export async function crossValidate(
  config: CrossValidationConfig,
  run: RunOptions & { onProgress?: (e: CrossValidationEvent) => void } = {},
): Promise<CrossvalReport> {
  const t0 = performance.now();
  const c = { ...EXPERIMENT_DEFAULTS, folds: DEFAULT_FOLDS as number | 'loso', ...config };
  const seeds = c.seeds?.length ? c.seeds : [c.seed];
  const emit = (e: CrossValidationEvent) => run.onProgress?.(e);
  const labelled = !Array.isArray(c.data);
  const files = labelled
    ? (c.data as LabelledFiles)
    : loadLabelledFiles(c.data as string[], c.dataset);
  if (!labelled) {
    for (const e of loadEvents(files, true)) emit(e);
  }
  const roots = c.roots ?? (labelled ? [] : [...(c.data as string[])]);
  const rows: CrossvalFold[] = [];
  const labels: number[] = [];
  const predicted: number[] = [];
  let failed = files.problems.length;
  let features: Awaited<ReturnType<typeof extractCorpus>> | null = null;
  // Every fold of every seed with its folder (`<out>/[seed-<s>/]fold-<i>`).
  const plan = seeds.map((seed) => {
    const base = seeds.length > 1 ? `seed-${seed}/` : '';
    return {
      seed,
      folds: makeFolds(files, c.split, c.folds, seed).map((f) => ({
        f,
        dir: `${base}fold-${f.fold}`,
      })),
    };
  });
  // Each fold folder is replaced as a whole when its fold runs: refuse now, before any fold
  // trains, one that holds anything but a fold's files.
  for (const { folds } of plan) {
    for (const { dir } of folds) checkExperimentFolder(join(c.out, dir), [FOLD_FILE]);
  }
  for (const { seed, folds } of plan) {
    for (const { f, dir } of folds) {
      const foldDir = join(c.out, dir);
      const key = createHash('sha256')
        .update(
          JSON.stringify({
            files: files.paths,
            test: f.test,
            split: c.split,
            folds: c.folds,
            seed,
            augment: c.augment,
            epochs: c.epochs,
            patience: c.patience,
            validationFraction: c.validationFraction,
            // Only when not the default, so folds finished before these options were
            // part of the key are still reused.
            ...(c.specAugment ? { specAugment: true } : {}),
            ...(c.dbReference && c.dbReference !== 'absolute'
              ? { dbReference: c.dbReference }
              : {}),
          }),
        )
        .digest('hex');
      const record = readFoldRecord(foldDir);
      if (record) {
        if (record.key !== key) {
          throw new ExperimentError(
            `${foldDir}: holds a fold of another cross-validation (other data, folds or options); remove ${c.out} or choose another --out`,
          );
        }
        emit({ type: 'fold', fold: f.fold, folds: folds.length, seed, resumed: true });
        rows.push(record.row);
        labels.push(...record.labels);
        predicted.push(...record.predicted);
        continue;
      }
      // Features once per seed (once for the whole run without augmentation).
      if (!features || (c.augment && features.seed !== seed)) {
        features = await extractCorpus(
          files,
          { augment: c.augment, seed, jobs: c.jobs, cacheDir: c.cacheDir },
          run,
        );
        failed = files.problems.length + features.errors.filter((e) => e !== null).length;
      }
      emit({ type: 'fold', fold: f.fold, folds: folds.length, seed, resumed: false });
      const result = await runExperiment(
        {
          ...c,
          data: files,
          roots,
          seed,
          testSplit: {
            ...f,
            fold: {
              index: f.fold,
              of: folds.length,
              protocol: c.folds === 'loso' ? 'loso' : 'kfold',
            },
          },
          features: { ...features, seed: c.augment ? seed : features.seed },
          checkpointDir: `${foldDir}.checkpoint`,
        },
        // Per-file problems were reported once, at extraction.
        { ...run, onProgress: (e) => e.type !== 'problem' && emit(e) },
      );
      const row: CrossvalFold = {
        fold: f.fold,
        seed,
        testSpeakers: f.testSpeakers ?? null,
        accuracy: result.report.accuracy,
        uar: result.report.uar,
        files: result.report.split.test,
        bestEpoch: result.report.bestEpoch,
        dir,
      };
      const rec: FoldRecord = {
        key,
        row,
        labels: [...result.test.labels],
        predicted: [...result.test.predicted],
      };
      // The record goes in with the fold's report: a fold folder has both or neither.
      try {
        await writeExperiment(foldDir, result, {
          model: false,
          signal: run.signal,
          files: { [FOLD_FILE]: `${JSON.stringify(rec)}\n` },
        });
      } finally {
        result.model.dispose();
      }
      rows.push(row);
      labels.push(...rec.labels);
      predicted.push(...rec.predicted);
    }
  }
  const pooled = classificationReport(labels, predicted, files.classes);
  return {
    schema: 'serkit-crossval/1',
    dataset: {
      name: files.kind,
      roots,
      files: files.paths.length + files.problems.length,
      failed,
    },
    protocol: {
      split: c.split,
      folds: c.folds,
      seeds,
      augment: c.augment,
      ...(c.specAugment ? { specAugment: { ...SPEC_AUGMENT_DEFAULTS } } : {}),
      epochs: c.epochs,
      patience: c.patience,
    },
    folds: rows,
    summary: {
      accuracy: meanStd(rows.map((r) => r.accuracy)),
      uar: meanStd(rows.map((r) => r.uar)),
      confusion: pooled.confusion,
      confusionPercent: pooled.confusionPercent,
      classes: files.classes,
      perClass: pooled.perClass.map((s, i) => ({ name: files.classes[i], ...s })),
      macro: pooled.macro,
      weighted: pooled.weighted,
      pooledAccuracy: pooled.accuracy,
    },
    seconds: { total: (performance.now() - t0) / 1000 },
    createdAt: new Date().toISOString(),
  };
}

function readFoldRecord(dir: string): FoldRecord | null {
  const f = join(dir, FOLD_FILE);
  if (!existsSync(f)) return null;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as FoldRecord;
  } catch {
    return null; // Half-written by an older crash: the fold runs again.
  }
}
