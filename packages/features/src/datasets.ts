import { type Dirent, lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
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
 * native decoder reads, and a few audio formats it refuses by name (`.opus`, `.wma`, `.au`,
 * `.amr`), so they get a one-line error instead of being left out without a word. The
 * format itself is recognised from the file's bytes, not its name.
 */
export const AUDIO_EXTENSIONS: readonly string[] = [
  'wav',
  'wave',
  'rf64',
  'bwf',
  'flac',
  'mp3',
  'mp2',
  'ogg',
  'oga',
  'aif',
  'aiff',
  'aifc',
  'caf',
  'm4a',
  'mp4',
  'aac',
  'mka',
  'webm',
  'opus',
  'wma',
  'au',
  'snd',
  'amr',
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

/** A file found by {@link listAudioFiles}, with the input it came from. */
export interface AudioEntry {
  /** Path of the file (as given, or joined under the given folder). */
  path: string;
  /** The folder it was found under, or null when the file itself was an input. */
  root: string | null;
}

/** @deprecated Use {@link AudioEntry} (the same shape; every audio format, not only WAV). */
export type WavEntry = AudioEntry;

/** An input or folder entry that could not be used, with the true reason (one line). */
export interface SkippedEntry {
  /** The path as given or found. */
  path: string;
  /** Why, e.g. `cannot read folder: permission denied`, `dangling symbolic link: …`. */
  reason: string;
}

/** Something the walk did on purpose that the user should know (not an error). */
export interface WalkNotice {
  /** The path as given or found. */
  path: string;
  /** E.g. `same file as data/a.wav; counted once`. */
  message: string;
}

/** The result of {@link listAudioFiles}. */
export interface AudioFileList {
  /** Every audio file once, inputs in order, each folder's files sorted by path. */
  files: AudioEntry[];
  /** Entries that could not be used (each one line); the rest were listed. */
  skipped: SkippedEntry[];
  /** Duplicates counted once and links not followed again. */
  notices: WalkNotice[];
}

/** The true reason of a file-system error, one line, without the syscall noise. */
function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or directory';
    case 'ELOOP':
      return 'symbolic link loop (too many levels of symbolic links)';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EIO':
      return 'input/output error';
    default:
      return (e.message ?? String(err)).split('\n')[0];
  }
}

const hasExtension = (name: string) => /\.[^./\\]+$/.test(name);

/** State of one {@link listAudioFiles} call: what was seen, in which order. */
class Walker {
  readonly result: AudioFileList = { files: [], skipped: [], notices: [] };
  /** Real path of every folder walked → the path it was walked as. */
  private readonly dirs = new Map<string, string>();
  /** Real path of every file listed → the path it was listed as. */
  private readonly files = new Map<string, string>();

  /** Resolved path of every entry skipped: one given twice gets one line. */
  private readonly skippedPaths = new Set<string>();

  skip(path: string, reason: string): void {
    const key = resolve(path);
    if (this.skippedPaths.has(key)) return;
    this.skippedPaths.add(key);
    this.result.skipped.push({ path, reason });
  }

  /** List one input; `root` is the input when it is a folder. */
  input(input: string): void {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(input);
    } catch (err) {
      this.skip(input, this.linkReason(input, err) ?? reasonOf(err));
      return;
    }
    if (!stat.isDirectory()) {
      const real = this.real(input);
      if (real !== null) this.addFiles([{ path: input, real }], null);
      return;
    }
    const real = this.real(input);
    if (real === null) return;
    const seenAs = this.dirs.get(real);
    if (seenAs !== undefined) {
      this.result.notices.push({
        path: input,
        message: `same folder as ${seenAs}, already walked; counted once`,
      });
      return;
    }
    this.dirs.set(real, input);
    const found: string[] = [];
    // Real folders first, then symbolic links, so a link to a folder (or a loop) is the
    // one left out, never the real path.
    const links: string[] = [];
    this.visit(input, found, links);
    while (links.length > 0) this.follow(links.shift() as string, found, links);
    if (found.length === 0) {
      // Not an error beside other inputs (alone, it is "no audio files found"), but said.
      this.result.notices.push({ path: input, message: 'no audio files in this folder' });
    }
    const withReal: { path: string; real: string }[] = [];
    for (const path of found) {
      const r = this.real(path);
      if (r !== null) withReal.push({ path, real: r });
    }
    this.addFiles(withReal, input);
  }

  /** Add files (first seen wins), each folder's in path order. */
  private addFiles(found: { path: string; real: string }[], root: string | null): void {
    const kept: string[] = [];
    for (const { path, real } of found) {
      const first = this.files.get(real);
      if (first !== undefined) {
        this.result.notices.push({ path, message: `same file as ${first}; counted once` });
        continue;
      }
      this.files.set(real, path);
      kept.push(path);
    }
    kept.sort(byCodeUnit);
    for (const path of kept) this.result.files.push({ path, root });
  }

  private real(path: string): string | null {
    try {
      return realpathSync.native(path);
    } catch (err) {
      this.skip(path, reasonOf(err));
      return null;
    }
  }

  /** The reason a symbolic link cannot be followed, or null when `path` is no link. */
  private linkReason(path: string, err: unknown): string | null {
    try {
      if (!lstatSync(path).isSymbolicLink()) return null;
    } catch {
      return null;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      let target = '?';
      try {
        target = readlinkSync(path);
      } catch {}
      return `dangling symbolic link: its target ${target} does not exist`;
    }
    if (code === 'ELOOP') return 'symbolic link loop: the link never resolves';
    return `cannot follow symbolic link: ${reasonOf(err)}`;
  }

  /** Walk `dir`'s real entries; symbolic links are queued in `links`. */
  private visit(dir: string, found: string[], links: string[]): void {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      this.skip(dir, `cannot read folder: ${reasonOf(err)}`);
      return;
    }
    entries.sort((a, b) => byCodeUnit(a.name, b.name));
    for (const e of entries) {
      const p = `${dir}${dir.endsWith(sep) ? '' : sep}${e.name}`;
      if (e.isSymbolicLink()) links.push(p);
      else if (e.isDirectory()) this.enter(p, found, links);
      else if (e.isFile() && AUDIO_FILE_RE.test(e.name)) found.push(p);
    }
  }

  /** Walk a sub-folder unless its real path was walked already. */
  private enter(dir: string, found: string[], links: string[], viaLink = false): void {
    const real = this.real(dir);
    if (real === null) return;
    const seenAs = this.dirs.get(real);
    if (seenAs !== undefined) {
      if (viaLink) {
        this.result.notices.push({
          path: dir,
          message: `symbolic link to ${seenAs}, a folder already walked; not followed again`,
        });
      }
      return;
    }
    this.dirs.set(real, dir);
    this.visit(dir, found, links);
  }

  /** Follow a symbolic link found in a folder. */
  private follow(link: string, found: string[], links: string[]): void {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(link);
    } catch (err) {
      // Report a broken link that may have been audio (or a folder); ignore others.
      let target = '';
      try {
        target = readlinkSync(link);
      } catch {}
      const name = basename(link);
      const relevant =
        AUDIO_FILE_RE.test(name) ||
        AUDIO_FILE_RE.test(target) ||
        !(hasExtension(name) || hasExtension(target));
      if (relevant) this.skip(link, this.linkReason(link, err) ?? reasonOf(err));
      return;
    }
    if (stat.isDirectory()) this.enter(link, found, links, true);
    else if (stat.isFile() && AUDIO_FILE_RE.test(basename(link))) found.push(link);
  }
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Expand inputs to audio files, each real file once.
 *
 * - A file input is kept as given (whatever its extension: the format is recognised by
 *   content when it is decoded).
 * - A folder is walked recursively for {@link AUDIO_EXTENSIONS} (case-insensitive), its
 *   files sorted by path (code-unit order, the same on every machine). Symbolic links are
 *   followed after the real entries, and a folder whose real path was walked already is
 *   not walked again: a link loop (`loop -> .`) is followed at most once.
 * - The same real file reached twice (named twice, or through a link) is listed once, at
 *   its first path, with a notice.
 * - An input folder with no audio file in it gets a notice.
 * - An entry that cannot be used (missing input, unreadable folder, dangling link, link
 *   loop) is reported in `skipped` with the true reason; the rest is listed.
 *
 * Inputs keep their order. Never throws for a bad entry.
 *
 * @example
 * const { files, skipped, notices } = listAudioFiles(['../shared/data/ravdess']);
 */
export function listAudioFiles(inputs: readonly string[]): AudioFileList {
  const walker = new Walker();
  for (const input of inputs) walker.input(input);
  return walker.result;
}

/**
 * @deprecated Use {@link listAudioFiles}, which also reports skipped entries and notices.
 * The listed files; throws on the first entry that could not be used.
 * @throws {SerkitError} code `ERR_SER_IO` naming the path and the reason.
 */
export function listWavFiles(inputs: readonly string[]): AudioEntry[] {
  const { files, skipped } = listAudioFiles(inputs);
  if (skipped.length > 0) {
    throw new SerkitError('ERR_SER_IO', `${skipped[0].path}: ${skipped[0].reason}`);
  }
  return files;
}

/**
 * The label of a file under the one-folder-per-label scheme
 * (`<root>/<label>/…/*.wav`): the first folder below `root`, or the file's
 * parent folder when it was given directly.
 */
export function folderLabel(entry: AudioEntry): string | null {
  if (entry.root !== null) {
    const rel = relative(resolve(entry.root), resolve(entry.path));
    const parts = rel.split(sep);
    return parts.length >= 2 ? parts[0] : null;
  }
  const parent = basename(dirname(resolve(entry.path)));
  return parent === '' ? null : parent;
}

/**
 * Detect the naming scheme of a set of files: `'ravdess'` or `'emodb'` when at
 * least half of the names follow that scheme (so stray or broken files, each
 * then reported unlabelled, do not turn folder names into labels), otherwise
 * `'folders'`.
 */
export function detectDataset(paths: readonly string[]): Exclude<DatasetKind, 'auto'> {
  if (paths.length === 0) return 'folders';
  let ravdess = 0;
  let emodb = 0;
  for (const p of paths) {
    if (parseRavdessName(p)) ravdess++;
    else if (parseEmodbName(p)) emodb++;
  }
  if (ravdess > 0 && ravdess * 2 >= paths.length && ravdess >= emodb) return 'ravdess';
  if (emodb > 0 && emodb * 2 >= paths.length) return 'emodb';
  return 'folders';
}

/**
 * Label and speaker of one file under a naming scheme. A file whose name does
 * not follow the scheme gets `{ label: null, speaker: null }`; under
 * `'folders'` the speaker is always null.
 */
export function labelFile(entry: AudioEntry, kind: Exclude<DatasetKind, 'auto'>): FileLabel {
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
  /** Path of the audio file. */
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
  /** Entries that could not be used, with their reasons (see {@link listAudioFiles}). */
  skipped: SkippedEntry[];
  /** Duplicates counted once and links not followed again. */
  notices: WalkNotice[];
}

/** The allowed `--dataset` values. */
export const DATASET_KINDS: readonly DatasetKind[] = ['auto', 'ravdess', 'emodb', 'folders'];

/**
 * Expand `inputs` (files and folders, see {@link listAudioFiles}) and label every file.
 * Entries that cannot be used are returned in `skipped`, never thrown.
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
  const { files: entries, skipped, notices } = listAudioFiles(inputs);
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
  return { kind: resolved, items, labels, skipped, notices };
}
