import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type BatchProgress,
  type DatasetKind,
  type EngineName,
  extractFiles,
  loadDataset,
  npyHeader,
  SerkitError,
} from '@serkit/features';
import { type Command, Option } from 'commander';
import { type CliContext, EXIT, isAbort, UsageError } from '../context.js';
import { OPTIONS, requiredOption } from '../options.js';
import { ensureWritableDir } from '../out-dir.js';
import { createProgress } from '../progress.js';
import { StagedFiles } from '../staged-files.js';
import { reasonOf, reportWalk } from '../walk-report.js';

/** Parsed options of `ser extract`. */
export interface ExtractOptions {
  /** Output directory (created if missing). */
  out: string;
  /** Naming scheme of the inputs. */
  dataset: DatasetKind;
  /** Worker threads; 0 = every core. */
  jobs: number;
  /** DSP engine; undefined: native, or JS when the addon cannot be loaded. */
  engine?: EngineName;
  /** Print one JSON summary object on stdout. */
  json: boolean;
}

/** Summary printed by `--json`. */
export interface ExtractSummary {
  /** Input files (after walking folders). */
  files: number;
  /** Files extracted. */
  ok: number;
  /** Files that failed. */
  failed: number;
  /**
   * Entries given or found that could not be used at all (missing path, unreadable folder,
   * dangling link), each named on stderr; they make the command exit 1 too.
   */
  skipped: number;
  /** Wall-clock seconds of the extraction. */
  seconds: number;
  /** `files / seconds`. */
  filesPerSecond: number;
}

/** One line of `manifest.jsonl`. */
export interface ManifestLine {
  /** Input file. */
  path: string;
  /** Emotion label, or null when the name/folder gives none. */
  label: string | null;
  /** Speaker id, or null when unknown. */
  speaker: string | null;
  /** Row in `features.npy`, or null when the file failed. */
  row: number | null;
  /** One-line reason when the file failed, else null. */
  error: string | null;
}

/** `mkdir -p` without `recursive: true` (which spins forever on e.g. /proc/x in Node 20). */
function makeDir(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
  } catch {
    const parent = dirname(dir);
    if (parent !== dir) makeDir(parent);
    mkdirSync(dir);
    return;
  }
  throw new Error('not a directory');
}

/**
 * Run `ser extract`: expand the inputs, extract every file's log-mel
 * spectrogram on all cores and write `<out>/features.npy` (float32
 * `[N, nMels, nFrames]`, failed files omitted, input order) and
 * `<out>/manifest.jsonl` (one line per input), each written to a temporary file and renamed into place.
 *
 * @returns the exit code: 0 all ok, 1 some failed, 130 interrupted.
 * @throws {UsageError} for inputs that do not exist or contain no WAV file.
 */
export async function runExtract(
  inputs: string[],
  opts: ExtractOptions,
  ctx: CliContext,
): Promise<number> {
  const now = ctx.now ?? (() => performance.now());
  ensureWritableDir(opts.out);
  let dataset: ReturnType<typeof loadDataset>;
  try {
    dataset = loadDataset(inputs, opts.dataset);
  } catch (err) {
    if (err instanceof SerkitError) throw new UsageError(err.message);
    throw err;
  }
  const { items } = dataset;
  const skipped = reportWalk(dataset, items.length, inputs, ctx);
  try {
    makeDir(opts.out);
  } catch (err) {
    throw new UsageError(`cannot create output directory ${opts.out}: ${(err as Error).message}`);
  }

  // Progress only on a TTY: on a pipe the batch runs without progress callbacks.
  const bar = ctx.stderr.isTTY
    ? createProgress(
        ctx,
        items.length,
        'extracting [{bar}] {percentage}% | {value}/{total} files | {failed} failed | ETA {eta_formatted}',
        { payload: { failed: 0 } },
      )
    : null;
  const started = now();
  let batch: Awaited<ReturnType<typeof extractFiles>>;
  try {
    batch = await extractFiles(
      items.map((i) => i.path),
      {},
      {
        threads: opts.jobs,
        engine: opts.engine,
        signal: ctx.signal,
        onProgress: bar
          ? (p: BatchProgress) => bar.update(p.done, { failed: p.failed })
          : undefined,
      },
    );
  } catch (err) {
    bar?.stop();
    if (isAbort(err)) {
      ctx.stderr.write('ser extract: interrupted; nothing was written\n');
      return EXIT.INTERRUPTED;
    }
    throw err;
  }
  bar?.stop();
  const seconds = (now() - started) / 1000;

  const manifest: ManifestLine[] = items.map((item, i) => {
    const row = batch.rows[i];
    const raw = batch.errors[i];
    const error = raw === null ? null : reasonOf(item.path, raw);
    return {
      path: item.path,
      label: item.label,
      speaker: item.speaker,
      row: row >= 0 ? row : null,
      error,
    };
  });
  for (const line of manifest) {
    if (line.error !== null) ctx.stderr.write(`${line.path}: ${line.error}\n`);
  }

  if (ctx.signal?.aborted) {
    ctx.stderr.write('ser extract: interrupted; nothing was written\n');
    return EXIT.INTERRUPTED;
  }
  const files = new StagedFiles();
  const npyPath = join(opts.out, 'features.npy');
  const manifestPath = join(opts.out, 'manifest.jsonl');
  try {
    const { features } = batch;
    files.write(npyPath, [
      npyHeader(batch.shape),
      new Uint8Array(features.buffer, features.byteOffset, features.byteLength),
    ]);
    files.write(manifestPath, [manifest.map((l) => `${JSON.stringify(l)}\n`).join('')]);
    files.commit();
  } catch (err) {
    files.discard();
    throw new Error(`cannot write outputs to ${opts.out}: ${(err as Error).message}`);
  }

  const summary: ExtractSummary = {
    files: items.length,
    ok: batch.ok,
    failed: batch.failed,
    skipped,
    seconds: Math.round(seconds * 1000) / 1000,
    filesPerSecond: seconds > 0 ? Math.round((items.length / seconds) * 100) / 100 : 0,
  };
  if (opts.json) {
    ctx.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    ctx.stdout.write(
      `extracted ${summary.ok}/${summary.files} files (${labelSource(dataset.kind, items)}) in ${summary.seconds.toFixed(1)} s` +
        // No rate when nothing was extracted: it would count failures as throughput.
        `${summary.ok > 0 ? ` (${summary.filesPerSecond} files/s)` : ''} → ${npyPath} [${batch.shape.join(', ')}], ${manifestPath}` +
        `${skipped > 0 ? `; ${skipped} ${skipped === 1 ? 'entry' : 'entries'} skipped` : ''}\n`,
    );
  }
  return batch.failed === 0 && skipped === 0 ? EXIT.OK : EXIT.FAILED;
}

/** Register `ser extract` on `program`; the action stores its exit code with `setExit`. */
export function registerExtract(
  program: Command,
  ctx: CliContext,
  setExit: (code: number) => void,
): void {
  const cmd = program
    .command('extract')
    .description(
      'extract log-mel spectrograms (SPEC §1–2) of audio files (WAV, FLAC, MP3, Ogg Vorbis, AIFF, CAF, M4A) and folders into <dir>/features.npy + <dir>/manifest.jsonl',
    )
    .argument('<paths...>', 'audio files and/or folders (walked recursively, sorted)');
  requiredOption(cmd, OPTIONS.out('output directory (created if missing)'));
  cmd
    .addOption(OPTIONS.dataset())
    .addOption(OPTIONS.jobs())
    .addOption(
      new Option(
        '--engine <name>',
        'DSP engine: native (Rust addon) or js (pure TypeScript, same numbers); default native, js when the addon cannot load',
      ).choices(['native', 'js']),
    )
    .addOption(OPTIONS.json('print one JSON summary object on stdout'))
    .action(async (paths: string[], opts: ExtractOptions) => {
      setExit(await runExtract(paths, opts, ctx));
    });
}

/** Where the manifest's labels came from, for the summary line. */
function labelSource(kind: string, items: readonly { label: string | null }[]): string {
  if (items.every((i) => i.label === null)) return 'no labels';
  const from: Record<string, string> = {
    ravdess: 'RAVDESS names',
    emodb: 'EMO-DB names',
    folders: 'parent folder names',
  };
  return `labels from ${from[kind] ?? kind}`;
}
