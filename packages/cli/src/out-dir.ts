import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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
 * Check that `--out <dir>` can be written, before any work starts, without creating
 * anything: `dir` must be a writable folder, or, when it does not exist yet, its nearest
 * existing parent must be (the command creates it when it writes). Every command that
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
      if (code === 'ENOENT' && parent !== path) {
        path = parent;
        continue;
      }
      throw fail(reasonOf(err));
    }
    if (!stat.isDirectory()) {
      throw fail(path === resolve(dir) ? 'it is not a directory' : `${path} is not a directory`);
    }
    try {
      accessSync(path, constants.W_OK | constants.X_OK);
    } catch (err) {
      throw fail(path === resolve(dir) ? reasonOf(err) : `${path}: ${reasonOf(err)}`);
    }
    return;
  }
}
