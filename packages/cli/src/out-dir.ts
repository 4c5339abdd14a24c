import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmdirSync,
  statSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './context.js';

/** The true reason of a file-system error, one line. */
function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  if (e.code === 'EROFS') return 'read-only file system';
  if (e.code === 'ENOTDIR') return 'a parent is not a directory';
  return (e.message ?? String(err)).split('\n')[0];
}

/**
 * Check that `--out <dir>` can be written, before any work starts, leaving nothing behind:
 * `dir` must be a writable folder, or, when it does not exist yet, its nearest existing
 * parent must be (the command creates it when it writes). Writable means a folder can
 * really be made there (one is made and removed at once): permission bits are not enough
 * for root, and pseudo file systems such as `/proc` refuse new entries whatever the bits. Every command that
 * writes calls this first, so a bad `--out` is a usage error (exit 2): nothing is decoded
 * or trained for nothing, and nothing is half-written.
 *
 * @param dir The output folder.
 * @param option The option's name for the message. @default '--out'
 * @throws {UsageError} `cannot write to --out <dir>: <reason>`.
 */
export function ensureWritableDir(dir: string, option = '--out'): void {
  const fail = (reason: string) => new UsageError(`cannot write to ${option} ${dir}: ${reason}`);
  let path = resolve(dir);
  for (;;) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = dirname(path);
      // ENOTDIR: a file stands where a parent folder should be; the walk up names it.
      if ((code === 'ENOENT' || code === 'ENOTDIR') && parent !== path) {
        path = parent;
        continue;
      }
      throw fail(reasonOf(err));
    }
    if (!stat.isDirectory()) {
      throw fail(path === resolve(dir) ? 'it is not a directory' : `${path} is not a directory`);
    }
    const where = (reason: string) => (path === resolve(dir) ? reason : `${path}: ${reason}`);
    try {
      accessSync(path, constants.W_OK | constants.X_OK);
    } catch (err) {
      throw fail(where(reasonOf(err)));
    }
    let probe: string;
    try {
      probe = mkdtempSync(join(path, '.ser-write-check-'));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw fail(
        where(
          e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS'
            ? reasonOf(err)
            : `no folder can be created there (${e.code ?? e.message})`,
        ),
      );
    }
    rmdirSync(probe);
    return;
  }
}

/**
 * Check that the report files `ser <command>` writes into `--out <dir>` under fixed names would
 * only replace an earlier report of the same command: when any of `names` is there, the
 * folder's `report.json` must be a serkit report of that command (`isOwn`). A user's own
 * `report.md`, or a `ser train` model's report, is refused instead of overwritten.
 *
 * @param dir The output folder.
 * @param command The command, for the message (`evaluate`, `crossval`).
 * @param names The files the command writes there.
 * @param isOwn Whether a parsed `report.json` is an earlier report of this command.
 * @throws {UsageError} `cannot write to --out <dir>: it holds report.md (…), which ser <command>
 *   would overwrite; choose another folder`.
 */
export function ensureReportFolder(
  dir: string,
  command: string,
  names: readonly string[],
  isOwn: (report: { schema?: unknown; kind?: unknown }) => boolean,
): void {
  const present = names.filter((n) => existsSync(join(dir, n)));
  if (present.length === 0) return;
  let report: { schema?: unknown; kind?: unknown } | null = null;
  try {
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  } catch {
    report = null;
  }
  if (report !== null && typeof report === 'object' && isOwn(report)) return;
  const schema = typeof report?.schema === 'string' ? report.schema : '';
  const whose = schema.startsWith('serkit-crossval/')
    ? 'a `ser crossval` report'
    : schema.startsWith('serkit-report/') && typeof report?.kind === 'string'
      ? `a \`ser ${report.kind}\` report`
      : `not an earlier \`ser ${command}\` report`;
  throw new UsageError(
    `cannot write to --out ${dir}: it holds ${present.join(', ')} (${whose}), which ser ${command} would overwrite; choose another folder`,
  );
}
