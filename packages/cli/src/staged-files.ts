import { randomBytes } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Output files staged under temporary names next to their targets and renamed
 * into place by {@link StagedFiles.commit}, one rename per file: each target is
 * replaced atomically (a reader never sees a half-written file), the set is not
 * (for an instant the first file may be new and the second still old).
 * {@link StagedFiles.discard} removes the temporaries (on error or interruption).
 *
 * Single whole-buffer files elsewhere go through `write-file-atomic`; this class
 * exists because it writes chunks as they are (a `features.npy` of hundreds of MB
 * is never concatenated with its header in memory), which that package cannot.
 */
export class StagedFiles {
  private readonly pending: { tmp: string; target: string }[] = [];

  /**
   * Open a temporary file for `target` and write `chunks` to it in order
   * (chunks are written as they are, without being concatenated in memory).
   */
  write(target: string, chunks: Iterable<Uint8Array | string>): void {
    const tmp = join(
      dirname(target),
      `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    this.pending.push({ tmp, target });
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      for (const chunk of chunks) {
        if (typeof chunk === 'string') writeSync(fd, chunk);
        else {
          let off = 0;
          while (off < chunk.byteLength) off += writeSync(fd, chunk, off, chunk.byteLength - off);
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Rename every temporary file onto its target, in the order they were written. */
  commit(): void {
    for (const { tmp, target } of this.pending) renameSync(tmp, target);
    this.pending.length = 0;
  }

  /** Remove the temporary files not yet committed (never throws). */
  discard(): void {
    for (const { tmp } of this.pending) rmSync(tmp, { force: true });
    this.pending.length = 0;
  }
}
