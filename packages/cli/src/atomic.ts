import { randomBytes } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Files written under temporary names next to their targets and renamed into
 * place together by {@link AtomicFiles.commit}, so a reader never sees a
 * half-written output; {@link AtomicFiles.discard} removes the temporaries
 * (on error or interruption).
 */
export class AtomicFiles {
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

  /** Rename every temporary file onto its target. */
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
