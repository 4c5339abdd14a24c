/** Saving an experiment: the model and its report replace a folder together, or not at all. */
import { lstatSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import {
  basename,
  dirname,
  isAbsolute,
  join,
  normalize,
  parse,
  relative,
  resolve,
} from 'node:path';
import { MODEL_FILES, saveModel, writeDirAtomic } from '@serkit/model';
import type { ReportFiles } from '@serkit/report';
import { ExperimentError, ExperimentInterrupted } from './errors.js';
import type { ExperimentResult } from './experiment.js';

/** Every name {@link writeExperiment} may write into its folder: the model's files, then the report's. */
export const EXPERIMENT_FILES: readonly string[] = Object.freeze([
  ...Object.values(MODEL_FILES),
  'report.md',
  'report.json',
  'confusion-matrix.svg',
  'confusion-matrix.png',
  'training-curves.png',
  'spectrogram.png',
]);

/**
 * Check that {@link writeExperiment} may replace folder `dir` as a whole, losing nothing: `dir`
 * is missing, empty, or holds only the files an experiment writes ({@link EXPERIMENT_FILES}:
 * an earlier run's, and `ownFiles`: the caller's own, written with them), and it is neither the
 * working folder nor one that holds it (symbolic links followed).
 *
 * @returns The earlier run's files found in `dir`, sorted (empty when there are none).
 * @throws {ExperimentError} naming the folder and what is in the way, e.g. `out: holds files
 *   that are not an experiment's (notes.txt, data/): the model and report replace the folder as
 *   a whole; choose a new or empty folder`.
 */
export function checkExperimentFolder(dir: string, ownFiles: readonly string[] = []): string[] {
  // Through symbolic links: a link to the working folder is that folder.
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const abs = resolve(dir);
  const rel = relative(real(abs), real(process.cwd()));
  if (rel === '' || !(rel.startsWith('..') || isAbsolute(rel))) {
    throw new ExperimentError(
      rel === ''
        ? `${dir}: is the working folder: the model and report replace the folder as a whole; name a new folder (e.g. model)`
        : `${dir}: holds the working folder: the model and report replace the folder as a whole; name a new folder`,
    );
  }
  let names: string[];
  try {
    names = readdirSync(abs).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') {
      const exists = (() => {
        try {
          return statSync(abs).isFile();
        } catch {
          return false; // ENOTDIR again: a parent is the file
        }
      })();
      throw new ExperimentError(
        exists ? `${dir}: exists and is not a folder` : `${dir}: a parent is not a folder`,
      );
    }
    throw err;
  }
  const parent = statSync(dirname(abs), { throwIfNoEntry: false });
  if (parent && statSync(abs).dev !== parent.dev) {
    throw new ExperimentError(
      `${dir}: is a mount point, which cannot be replaced as a whole: name a folder inside it (e.g. ${join(dir, 'model')})`,
    );
  }
  const foreign = names.flatMap((n) => {
    const stat = statSync(join(abs, n), { throwIfNoEntry: false });
    if (stat?.isFile() && (EXPERIMENT_FILES.includes(n) || ownFiles.includes(n))) return [];
    return [stat?.isDirectory() ? `${n}/` : n];
  });
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 3).join(', ');
    const more = foreign.length > 3 ? ` and ${foreign.length - 3} more` : '';
    throw new ExperimentError(
      `${dir}: holds ${foreign.length === 1 ? 'a file' : 'files'} that ${foreign.length === 1 ? 'is' : 'are'} not an experiment's (${shown}${more}): the model and report replace the folder as a whole; choose a new or empty folder`,
    );
  }
  return names;
}

/** `dir` without trailing `/` or `\\` (and `a/b/.` as `a/b`), so that a link named `link/` is the link. */
export function withoutTrailingSeparators(dir: string): string {
  const n = normalize(dir);
  const root = parse(resolve(n)).root;
  let p = n;
  while (p.length > 1 && /[\\/]$/.test(p) && resolve(p) !== root) p = p.slice(0, -1);
  return p;
}

/** The names of the files `writeReport` wrote, report.md first. */
export function reportFileNames(files: ReportFiles): string[] {
  return [
    files.markdown,
    files.json,
    files.confusionSvg,
    files.confusionPng,
    files.trainingCurvesPng,
    files.spectrogramPng,
  ]
    .filter((f): f is string => f !== null)
    .map((f) => basename(f));
}

/**
 * Write the model (`model.json`, `weights.bin`, `metadata.json`; unless `model: false`) and
 * its report (`report.md`, `report.json`, charts) into `dir`, replacing it atomically, then
 * remove the run's checkpoint. Vega and resvg load only here.
 *
 * @returns the names of the files written, model files first.
 * @throws {ExperimentInterrupted} when `signal` aborts before `dir` is replaced (it is then
 *   left as it was and the checkpoint kept).
 * @throws {ExperimentError} when `dir` holds anything but an earlier run's files, or is (or
 *   holds) the working folder ({@link checkExperimentFolder}): nothing is written.
 */
export async function writeExperiment(
  dir: string,
  result: ExperimentResult,
  options: {
    model?: boolean;
    signal?: AbortSignal;
    /** More files to write with them (name → UTF-8 text), e.g. a fold's record. */
    files?: Readonly<Record<string, string>>;
  } = {},
): Promise<string[]> {
  const { writeReport } = await import('@serkit/report');
  const epochs = result.report.epochs.length;
  const stop = () => {
    if (options.signal?.aborted) throw new ExperimentInterrupted('interrupted', epochs);
  };
  stop();
  const extra = Object.entries(options.files ?? {});
  const own = extra.map(([name]) => name);
  checkExperimentFolder(dir, own);
  // A link to a folder is followed: the folder it names is replaced, the link stays.
  const target = (() => {
    const plain = withoutTrailingSeparators(dir);
    try {
      return lstatSync(plain).isSymbolicLink() ? realpathSync(plain) : plain;
    } catch {
      return plain;
    }
  })();
  let written: ReportFiles | null = null;
  await writeDirAtomic(target, async (tmp) => {
    if (options.model !== false) await saveModel(tmp, result.model, result.metadata);
    written = await writeReport(tmp, result.report, { spectrogram: result.spectrogram });
    for (const [name, text] of extra) writeFileSync(join(tmp, name), text);
    stop();
    // Again just before the folder is replaced: nothing may have come into it meanwhile.
    checkExperimentFolder(target, own);
  });
  if (result.checkpointDir) rmSync(result.checkpointDir, { recursive: true, force: true });
  const names = reportFileNames(written as unknown as ReportFiles);
  return options.model === false ? names : [...Object.values(MODEL_FILES), ...names];
}
