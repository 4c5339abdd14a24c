import type { Augmentation } from '@serkit/dsp-native';
import { runBatch } from './batch-run.js';
import { SerkitError } from './errors.js';
import type { BulkOptions } from './extract.js';
import { type DspOptionsInput, nFrames, resolveDspOptions } from './options.js';

export type { Augmentation } from '@serkit/dsp-native';

/**
 * The paper's four training copies (SPEC.md §3): noise 0.1, time stretch 1.1 and 0.8,
 * pitch shift +1.5 semitones.
 */
export const PAPER_AUGMENTATIONS: readonly Augmentation[] = Object.freeze([
  { kind: 'noise', value: 0.1 },
  { kind: 'timeStretch', value: 1.1 },
  { kind: 'timeStretch', value: 0.8 },
  { kind: 'pitchShift', value: 1.5 },
]);

/** A short stable name of an augmentation, e.g. `noise0.1`, `stretch0.8`, `pitch+1.5`. */
export function augmentationName(a: Augmentation): string {
  if (a.kind === 'noise') return `noise${a.value}`;
  if (a.kind === 'timeStretch') return `stretch${a.value}`;
  return `pitch${a.value >= 0 ? '+' : ''}${a.value}`;
}

/** How {@link extractFilesAugmented} runs. */
export interface AugmentedBulkOptions extends BulkOptions {
  /** Copies to add after each file's own spectrogram. @default PAPER_AUGMENTATIONS */
  augmentations?: readonly Augmentation[];
  /** Seed of the random draws; file `i` draws from `(seed, i)`. @default 0 */
  seed?: number;
  /** One seed per path replacing `(seed, i)` (e.g. from each file's content hash). */
  fileSeeds?: readonly number[];
}

/** Spectrograms of many files, each followed by its augmented copies. */
export interface AugmentedBatch {
  /** `[nOk · copiesPerFile][nMels][nFrames]`: file after file, original first. */
  features: Float32Array;
  /** Shape of `features`. */
  shape: [number, number, number];
  /** Spectrograms per successful file: 1 + the number of augmentations. */
  copiesPerFile: number;
  /** Per input: the row of its original spectrogram, or -1 when the file failed. */
  rows: Int32Array;
  /** Per input: null, or a one-line error naming the file and the reason. */
  errors: (string | null)[];
  /** Files that succeeded. */
  ok: number;
  /** Files that failed. */
  failed: number;
}

/**
 * Extract every file's log-mel spectrogram and its augmented copies (SPEC.md §3) in one
 * pass on all cores, through the same engine interface and bulk run as {@link extractFiles}
 * (progress, cancellation, `threads`, `engine`): the copies are made from the trimmed,
 * Wiener-filtered waveform, then fixed in length and turned into log-mels like the original.
 * Use it on the training split only, after the split. Only the native engine augments (the
 * JS engine rejects with `ERR_SER_ENGINE_UNAVAILABLE`).
 *
 * @example
 * const batch = await extractFilesAugmented(trainPaths, {}, { seed: 42 });
 * batch.copiesPerFile; // 5
 */
export async function extractFilesAugmented(
  paths: readonly string[],
  options?: DspOptionsInput,
  bulk: AugmentedBulkOptions = {},
): Promise<AugmentedBatch> {
  const o = resolveDspOptions(options);
  if (bulk.fileSeeds && bulk.fileSeeds.length !== paths.length) {
    throw new SerkitError(
      'ERR_SER_INVALID_ARG',
      `invalid argument \`fileSeeds\`: expected one seed per path (${paths.length}), received ${bulk.fileSeeds.length}`,
    );
  }
  const r = await runBatch(paths, o, bulk, {
    augmentations: [...(bulk.augmentations ?? PAPER_AUGMENTATIONS)],
    seed: bulk.seed ?? 0,
    fileSeeds: bulk.fileSeeds ? [...bulk.fileSeeds] : undefined,
  });
  const failed = r.rows.reduce((n, row) => n + (row < 0 ? 1 : 0), 0);
  const ok = paths.length - failed;
  return {
    features: r.features,
    shape: [ok * r.copiesPerFile, o.nMels, nFrames(o)],
    copiesPerFile: r.copiesPerFile,
    rows: r.rows,
    errors: r.errors,
    ok,
    failed,
  };
}
