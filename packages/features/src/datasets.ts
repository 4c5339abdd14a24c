import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { SerkitError } from './errors.js';

/** The eight RAVDESS speech emotions, by code 01..08 (SPEC §6). */
export const RAVDESS_LABELS = [
  'neutral',
  'calm',
  'happy',
  'sad',
  'angry',
  'fearful',
  'disgust',
  'surprised',
] as const;

/** The seven EMO-DB emotions (SPEC §6), in the order anger, boredom, disgust, fear, happiness, sadness, neutral. */
export const EMODB_LABELS = [
  'anger',
  'boredom',
  'disgust',
  'fear',
  'happiness',
  'sadness',
  'neutral',
] as const;

/** EMO-DB emotion letter (German initial) → label. */
export const EMODB_LETTERS: Readonly<Record<string, (typeof EMODB_LABELS)[number]>> = Object.freeze(
  {
    W: 'anger',
    L: 'boredom',
    E: 'disgust',
    A: 'fear',
    F: 'happiness',
    T: 'sadness',
    N: 'neutral',
  },
);

/** A corpus naming scheme; `'auto'` detects it from the file names. */
export type DatasetKind = 'auto' | 'ravdess' | 'emodb' | 'folders';

/** Label and speaker of one file. */
export interface FileLabel {
  /** Emotion label, or null when the file does not follow the scheme. */
  label: string | null;
  /** Speaker id (RAVDESS actor `"01"`…`"24"`, EMO-DB speaker `"03"`…`"16"`), or null when unknown. */
  speaker: string | null;
}

/** Everything a RAVDESS file name encodes (`MM-VV-EE-II-SS-RR-AA.wav`). */
export interface RavdessName extends FileLabel {
  label: (typeof RAVDESS_LABELS)[number];
  speaker: string;
  /** 01 full-AV, 02 video-only, 03 audio-only. */
  modality: number;
  /** 01 speech, 02 song. */
  vocalChannel: number;
  /** Emotion code 1..8. */
  emotion: number;
  /** 1 normal, 2 strong. */
  intensity: number;
  /** Statement 1 or 2. */
  statement: number;
  /** Repetition 1 or 2. */
  repetition: number;
  /** Actor 1..24 (odd male, even female). */
  actor: number;
}

/** Everything an EMO-DB file name encodes (`SSTTTEV.wav`, e.g. `03a01Fa.wav`). */
export interface EmodbName extends FileLabel {
  label: (typeof EMODB_LABELS)[number];
  speaker: string;
  /** Text code, e.g. `a01`. */
  text: string;
  /** Emotion letter (W, L, E, A, F, T, N). */
  letter: string;
  /** Version letter. */
  version: string;
}

/**
 * File extensions a folder walk picks up (compared case-insensitively): the containers the
 * native decoder reads. The format itself is recognised from the file's bytes, not its name.
 */
export const AUDIO_EXTENSIONS: readonly string[] = [
  'wav',
  'wave',
  'flac',
  'mp3',
  'ogg',
  'oga',
  'aif',
  'aiff',
  'aifc',
  'caf',
  'm4a',
  'mp4',
];

const EXT = `\\.(?:${AUDIO_EXTENSIONS.join('|')})`;
const AUDIO_FILE_RE = new RegExp(`${EXT}$`, 'i');
// Matched against the name without its audio extension (see `audioStem`).
const RAVDESS_RE = /^(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$/;
// The emotion and version letters keep their case (`W` is the emotion, `a` the version).
const EMODB_RE = /^(\d{2})([ab]\d{2})([WLEAFTN])([a-z])$/;

/** The file name without its directory and audio extension, or null for a non-audio name. */
function audioStem(path: string): string | null {
  const name = basename(path);
  const m = AUDIO_FILE_RE.exec(name);
  return m ? name.slice(0, m.index) : null;
}

/**
 * Parse a RAVDESS file name (the directory part is ignored).
 *
 * @returns the decoded fields, or null when the name does not follow the scheme.
 * @example
 * parseRavdessName('03-01-05-01-02-01-12.wav'); // { label: 'angry', speaker: '12', … }
 */
export function parseRavdessName(path: string): RavdessName | null {
  const m = RAVDESS_RE.exec(audioStem(path) ?? '');
  if (!m) return null;
  const [modality, vocalChannel, emotion, intensity, statement, repetition, actor] = m
    .slice(1)
    .map(Number);
  if (
    modality < 1 ||
    modality > 3 ||
    vocalChannel < 1 ||
    vocalChannel > 2 ||
    emotion < 1 ||
    emotion > 8 ||
    intensity < 1 ||
    intensity > 2 ||
    statement < 1 ||
    statement > 2 ||
    repetition < 1 ||
    repetition > 2 ||
    actor < 1
  ) {
    return null;
  }
  return {
    label: RAVDESS_LABELS[emotion - 1],
    speaker: m[7],
    modality,
    vocalChannel,
    emotion,
    intensity,
    statement,
    repetition,
    actor,
  };
}

/**
 * Parse an EMO-DB file name (the directory part is ignored).
 *
 * @returns the decoded fields, or null when the name does not follow the scheme.
 * @example
 * parseEmodbName('03a01Fa.wav'); // { label: 'happiness', speaker: '03', text: 'a01', … }
 */
export function parseEmodbName(path: string): EmodbName | null {
  const m = EMODB_RE.exec(audioStem(path) ?? '');
  if (!m) return null;
  return {
    label: EMODB_LETTERS[m[3]],
    speaker: m[1],
    text: m[2],
    letter: m[3],
    version: m[4],
  };
}

/** A file found by {@link listWavFiles}, with the input it came from. */
export interface WavEntry {
  /** Path of the file (as given, or joined under the given folder). */
  path: string;
  /** The folder it was found under, or null when the file itself was an input. */
  root: string | null;
}

function walk(dir: string, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true });
  for (const e of entries) {
    const p = `${dir}${dir.endsWith(sep) ? '' : sep}${e.name}`;
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      try {
        const s = statSync(p);
        isDir = s.isDirectory();
        isFile = s.isFile();
      } catch {
        continue;
      }
    }
    if (isDir) walk(p, out);
    else if (isFile && AUDIO_FILE_RE.test(e.name)) out.push(p);
  }
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Expand inputs to WAV files: a file is kept as given (whatever its
 * extension), a folder is walked recursively for audio files ({@link AUDIO_EXTENSIONS},
 * case-insensitive),
 * sorted by path (code-unit order, so the result is the same on every
 * machine). Inputs keep their order.
 *
 * @throws {SerkitError} code `ERR_SER_IO` for an input that does not exist.
 */
export function listWavFiles(inputs: readonly string[]): WavEntry[] {
  const out: WavEntry[] = [];
  for (const input of inputs) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(input);
    } catch {
      throw new SerkitError('ERR_SER_IO', `${input}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      const files: string[] = [];
      walk(input, files);
      files.sort(byCodeUnit);
      for (const path of files) out.push({ path, root: input });
    } else {
      out.push({ path: input, root: null });
    }
  }
  return out;
}

/**
 * The label of a file under the one-folder-per-label scheme
 * (`<root>/<label>/…/*.wav`): the first folder below `root`, or the file's
 * parent folder when it was given directly.
 */
export function folderLabel(entry: WavEntry): string | null {
  if (entry.root !== null) {
    const rel = relative(resolve(entry.root), resolve(entry.path));
    const parts = rel.split(sep);
    return parts.length >= 2 ? parts[0] : null;
  }
  const parent = basename(dirname(resolve(entry.path)));
  return parent === '' ? null : parent;
}

/**
 * Detect the naming scheme of a set of files: `'ravdess'` or `'emodb'` when
 * more than half of the names follow that scheme (so a few stray or broken
 * files do not change the answer), otherwise `'folders'`.
 */
export function detectDataset(paths: readonly string[]): Exclude<DatasetKind, 'auto'> {
  if (paths.length === 0) return 'folders';
  let ravdess = 0;
  let emodb = 0;
  for (const p of paths) {
    if (parseRavdessName(p)) ravdess++;
    else if (parseEmodbName(p)) emodb++;
  }
  if (ravdess * 2 > paths.length && ravdess >= emodb) return 'ravdess';
  if (emodb * 2 > paths.length) return 'emodb';
  return 'folders';
}

/**
 * Label and speaker of one file under a naming scheme. A file whose name does
 * not follow the scheme gets `{ label: null, speaker: null }`; under
 * `'folders'` the speaker is always null.
 */
export function labelFile(entry: WavEntry, kind: Exclude<DatasetKind, 'auto'>): FileLabel {
  switch (kind) {
    case 'ravdess': {
      const r = parseRavdessName(entry.path);
      return r ? { label: r.label, speaker: r.speaker } : { label: null, speaker: null };
    }
    case 'emodb': {
      const e = parseEmodbName(entry.path);
      return e ? { label: e.label, speaker: e.speaker } : { label: null, speaker: null };
    }
    case 'folders':
      return { label: folderLabel(entry), speaker: null };
    default:
      throw new SerkitError('ERR_SER_INVALID_ARG', `unknown dataset kind '${kind as string}'`);
  }
}

/** One labelled file of a dataset. */
export interface DatasetItem extends FileLabel {
  /** Path of the WAV file. */
  path: string;
}

/** A list of labelled files and the scheme that labelled them. */
export interface Dataset {
  /** The scheme used (resolved when `'auto'` was asked). */
  kind: Exclude<DatasetKind, 'auto'>;
  /** Files in input order (folders expanded, sorted). */
  items: DatasetItem[];
  /** Distinct labels: the SPEC §6 set for RAVDESS/EMO-DB, else sorted folder names. */
  labels: string[];
}

/** The allowed `--dataset` values. */
export const DATASET_KINDS: readonly DatasetKind[] = ['auto', 'ravdess', 'emodb', 'folders'];

/**
 * Expand `inputs` (files and folders) and label every file.
 *
 * @example
 * const ds = loadDataset(['../shared/data/ravdess']);
 * ds.kind; // 'ravdess'
 * ds.items[0]; // { path: '…/03-01-01-01-01-01-01.wav', label: 'neutral', speaker: '01' }
 */
export function loadDataset(inputs: readonly string[], kind: DatasetKind = 'auto'): Dataset {
  if (!DATASET_KINDS.includes(kind)) {
    throw new SerkitError(
      'ERR_SER_INVALID_ARG',
      `invalid dataset '${kind}': expected one of ${DATASET_KINDS.join(', ')}`,
    );
  }
  const entries = listWavFiles(inputs);
  const resolved = kind === 'auto' ? detectDataset(entries.map((e) => e.path)) : kind;
  const items = entries.map((e) => ({ path: e.path, ...labelFile(e, resolved) }));
  let labels: string[];
  if (resolved === 'ravdess') labels = [...RAVDESS_LABELS];
  else if (resolved === 'emodb') labels = [...EMODB_LABELS];
  else {
    labels = [...new Set(items.map((i) => i.label).filter((l): l is string => l !== null))].sort(
      byCodeUnit,
    );
  }
  return { kind: resolved, items, labels };
}
