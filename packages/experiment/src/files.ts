/**
 * The labelled corpus of an experiment: every audio file under the inputs with its class index
 * and speaker, plus what the walk could not use (for the caller to report).
 */
import { type DatasetKind, loadDataset, SerkitError } from '@serkit/features';
import { classList, ExperimentError } from './errors.js';

/** Labelled files, ready to split and extract (what `@serkit/features`' `loadDataset` found). */
export interface LabelledFiles {
  /** Naming scheme found or asked for. */
  kind: Exclude<DatasetKind, 'auto'>;
  /** Class names in model order (SPEC.md §6 for RAVDESS/EMO-DB, sorted folder names else). */
  classes: string[];
  /** Audio files, in walk order. */
  paths: string[];
  /** Class index of each file. */
  labels: number[];
  /** Speaker id of each file (null under `folders`). */
  speakers: (string | null)[];
  /**
   * Entries that could not be used, each a one-line `<path>: <reason>`: files without a label,
   * inputs or folder entries the walk skipped (unreadable folder, dangling link, …).
   */
  problems: string[];
  /** The walk's notices (`<path>: <message>`): duplicates counted once, links not followed again. */
  notices: string[];
}

/** Why a file of each dataset kind has no label (one line after its path). */
const NO_LABEL: Record<LabelledFiles['kind'], string> = {
  ravdess: 'no emotion code in its name (RAVDESS: 03-01-EE-…, EE = 01…08)',
  emodb: 'no emotion letter in its name (EMO-DB: the 6th character, e.g. 03a01Wa)',
  folders: 'no label: not inside a class folder (<root>/<label>/<file>)',
};

/** Where each dataset kind reads its labels, for the error when no file has one. */
const LABELS_FROM: Record<LabelledFiles['kind'], string> = {
  ravdess: 'labels are read from RAVDESS names, 03-01-EE-…',
  emodb: 'labels are read from EMO-DB names, e.g. 03a01Wa',
  folders:
    'labels are read from class folders: give the folder that holds one subfolder per label, or files inside such subfolders',
};

/**
 * Walk `inputs` (files and folders) and label every audio file by `kind`.
 *
 * @param inputs Files and/or folders.
 * @param kind `auto` (default), `ravdess`, `emodb` or `folders` (one folder per label).
 * @throws {ExperimentError} when no labelled file is found, or a path is missing (naming it).
 */
export function loadLabelledFiles(
  inputs: readonly string[],
  kind: DatasetKind = 'auto',
): LabelledFiles {
  let dataset: ReturnType<typeof loadDataset>;
  try {
    dataset = loadDataset(inputs, kind);
  } catch (err) {
    if (err instanceof SerkitError) throw new ExperimentError(err.message);
    throw err;
  }
  if (dataset.items.length === 0) {
    const s = dataset.skipped;
    if (s.length === 0) throw new ExperimentError(`no audio files found in ${inputs.join(', ')}`);
    const more = s.length > 1 ? ` (and ${s.length - 1} more unusable entries)` : '';
    throw new ExperimentError(`${s[0].path}: ${s[0].reason}${more}`);
  }
  const index = new Map(dataset.labels.map((l, i) => [l, i]));
  const out: LabelledFiles = {
    kind: dataset.kind,
    classes: dataset.labels,
    paths: [],
    labels: [],
    speakers: [],
    problems: dataset.skipped.map((s) => `${s.path}: ${s.reason}`),
    notices: dataset.notices.map((n) => `${n.path}: ${n.message}`),
  };
  for (const item of dataset.items) {
    const label = item.label === null ? undefined : index.get(item.label);
    if (label === undefined) {
      out.problems.push(`${item.path}: ${NO_LABEL[dataset.kind]}`);
      continue;
    }
    out.paths.push(item.path);
    out.labels.push(label);
    out.speakers.push(item.speaker);
  }
  if (out.paths.length === 0)
    throw new ExperimentError(
      `no labelled audio files found in ${inputs.join(', ')} (${LABELS_FROM[dataset.kind]})`,
    );
  return out;
}

/** The corpus names of the dataset kinds whose classes are fixed. */
const CORPUS: Partial<Record<LabelledFiles['kind'], string>> = {
  ravdess: 'RAVDESS',
  emodb: 'EMO-DB',
};

/**
 * A notice for training on a corpus's files when some of its classes have no file: the model
 * keeps all the corpus's classes (so it stays compatible with the corpus's other models and
 * data) but cannot learn those. Null when every class has a file, and for `folders` data
 * (whose classes are the folders found).
 */
export function absentClassesNotice(files: LabelledFiles): string | null {
  const corpus = CORPUS[files.kind];
  const present = new Set(files.labels);
  const absent = files.classes.filter((_, k) => !present.has(k));
  if (!corpus || absent.length === 0) return null;
  return `no file of ${classList(absent)}: the model keeps ${corpus}'s ${files.classes.length} classes but cannot learn ${absent.length === 1 ? 'that one' : `those ${absent.length}`}`;
}

/**
 * What loading `files` has to say, in order, as progress events: the walk's notices
 * (`note: …`), the unusable entries (`problem`, `<path>: <reason>`), and when `training`, the
 * corpus classes without files ({@link absentClassesNotice}).
 */
export function loadEvents(
  files: LabelledFiles,
  training: boolean,
): { type: 'notice' | 'problem'; message: string }[] {
  const absent = training ? absentClassesNotice(files) : null;
  return [
    ...files.notices.map((m) => ({ type: 'notice' as const, message: `note: ${m}` })),
    ...files.problems.map((m) => ({ type: 'problem' as const, message: m })),
    ...(absent ? [{ type: 'notice' as const, message: `note: ${absent}` }] : []),
  ];
}
