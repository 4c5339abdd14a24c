import { type DatasetKind, loadDataset, SerkitError } from '@serkit/features';
import { type CliContext, UsageError } from '../context.js';
import { reportWalk } from '../walk-report.js';

/** Labelled files of the inputs, ready to split and extract. */
export interface LabelledFiles {
  /** Naming scheme found or asked for. */
  kind: Exclude<DatasetKind, 'auto'>;
  /** Class names in model order (SPEC.md §6 for RAVDESS/EMO-DB, sorted folder names else). */
  classes: string[];
  paths: string[];
  /** Class index of each file. */
  labels: number[];
  speakers: (string | null)[];
  /**
   * Entries that could not be used: files found without a label, and inputs or folder
   * entries the walk skipped (unreadable folder, dangling link, …), each reported on stderr.
   */
  unlabelled: number;
}

/**
 * Walk the inputs and label every WAV file. Files without a label are reported (one line
 * each) and left out; no file at all, or a missing path, is a usage error.
 */
export function loadLabelledFiles(
  inputs: string[],
  kind: DatasetKind,
  ctx: CliContext,
): LabelledFiles {
  let dataset: ReturnType<typeof loadDataset>;
  try {
    dataset = loadDataset(inputs, kind);
  } catch (err) {
    if (err instanceof SerkitError) throw new UsageError(err.message);
    throw err;
  }
  const skipped = reportWalk(dataset, dataset.items.length, inputs, ctx);
  const index = new Map(dataset.labels.map((l, i) => [l, i]));
  const out: LabelledFiles = {
    kind: dataset.kind,
    classes: dataset.labels,
    paths: [],
    labels: [],
    speakers: [],
    unlabelled: skipped,
  };
  for (const item of dataset.items) {
    const label = item.label === null ? undefined : index.get(item.label);
    if (label === undefined) {
      ctx.stderr.write(`${item.path}: no ${dataset.kind} emotion label in its name or folder\n`);
      out.unlabelled++;
      continue;
    }
    out.paths.push(item.path);
    out.labels.push(label);
    out.speakers.push(item.speaker);
  }
  if (out.paths.length === 0)
    throw new UsageError(`no labelled audio files found in ${inputs.join(', ')}`);
  return out;
}

/** Stack the spectrograms of `indices` (all copies, or only the originals) with their labels. */
export function stack(
  perFile: (Float32Array | null)[],
  labels: readonly number[],
  indices: readonly number[],
  featureLen: number,
  copies: 'all' | 'original',
): { x: Float32Array; labels: Int32Array } {
  const ok = indices.filter((i) => perFile[i] !== null);
  const per = (i: number) =>
    copies === 'all' ? (perFile[i] as Float32Array).length / featureLen : 1;
  const rows = ok.reduce((n, i) => n + per(i), 0);
  const x = new Float32Array(rows * featureLen);
  const y = new Int32Array(rows);
  let r = 0;
  for (const i of ok) {
    const f = perFile[i] as Float32Array;
    for (let c = 0; c < per(i); c++, r++) {
      x.set(f.subarray(c * featureLen, (c + 1) * featureLen), r * featureLen);
      y[r] = labels[i];
    }
  }
  return { x, labels: y };
}
