import { accessSync, constants, mkdtempSync, rmdirSync, statSync } from 'node:fs';
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
