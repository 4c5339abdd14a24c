/**
 * Whole-folder replacement, the one helper serkit uses for it (single files go through the
 * `write-file-atomic` package): the new content is written into a fresh temporary folder beside
 * the target, its files are fsynced, then it replaces the target by rename (the previous folder is
 * first renamed to `.<name>.old-<tag>` and removed afterwards). A crash never leaves a
 * half-written folder under the target's name; between the two renames only `.<name>.old-*`
 * exists (`train.ts` recovers a checkpoint from it).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

interface Staging {
  abs: string;
  tmp: string;
  old: string;
}

/** Whether process `pid` runs on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the temporary folders that killed writers of `abs` left beside it
 * (`.<name>.tmp-<pid>-<tag>` of a process that no longer runs): a `ser setup` stopped while
 * extracting libtensorflow would otherwise leave a gigabyte behind on every attempt.
 */
function sweepStale(abs: string): void {
  const prefix = `.${path.basename(abs)}.tmp-`;
  for (const name of fs.readdirSync(path.dirname(abs))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) {
      fs.rmSync(path.join(path.dirname(abs), name), { recursive: true, force: true });
    }
  }
}

function stage(dir: string): Staging {
  const abs = path.resolve(dir);
  const parent = path.dirname(abs);
  fs.mkdirSync(parent, { recursive: true });
  sweepStale(abs);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = path.join(parent, `.${path.basename(abs)}.tmp-${tag}`);
  const old = path.join(parent, `.${path.basename(abs)}.old-${tag}`);
  fs.mkdirSync(tmp);
  return { abs, tmp, old };
}

function fsyncFiles(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isFile()) continue;
    const fd = fs.openSync(path.join(dir, e.name), 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}

function commit({ abs, tmp, old }: Staging): void {
  fsyncFiles(tmp);
  if (fs.existsSync(abs)) {
    if (!fs.statSync(abs).isDirectory()) throw new Error(`${abs}: exists and is not a folder`);
    fs.renameSync(abs, old);
  }
  fs.renameSync(tmp, abs);
  fs.rmSync(old, { recursive: true, force: true });
}

function rollback({ abs, tmp, old }: Staging): void {
  fs.rmSync(tmp, { recursive: true, force: true });
  if (fs.existsSync(old) && !fs.existsSync(abs)) fs.renameSync(old, abs);
}

/**
 * Write folder `dir` atomically: `fill(tmp)` writes into a fresh temporary folder beside `dir`,
 * which then replaces `dir` (any previous content) by rename. On error the temporary folder is
 * removed, `dir` is left as it was and the error is rethrown; temporary folders of earlier
 * writers that were killed are removed first.
 * @throws Error `<dir>: exists and is not a folder` when `dir` is a file.
 */
export async function writeDirAtomic(
  dir: string,
  fill: (tmp: string) => Promise<void>,
): Promise<void> {
  const s = stage(dir);
  try {
    await fill(s.tmp);
    commit(s);
  } catch (err) {
    rollback(s);
    throw err;
  }
}

/** Synchronous {@link writeDirAtomic}. */
export function writeDirAtomicSync(dir: string, fill: (tmp: string) => void): void {
  const s = stage(dir);
  try {
    fill(s.tmp);
    commit(s);
  } catch (err) {
    rollback(s);
    throw err;
  }
}
