import { describe, expect, it } from 'vitest';
import type { CliContext } from './context.js';
import { experimentProgress } from './experiment-progress.js';

/** A context whose stderr is a pipe (no TTY) that keeps what is written. */
function pipeContext(): { ctx: CliContext; lines: () => string[] } {
  let text = '';
  const stream = {
    isTTY: false,
    write: (s: string) => {
      text += s;
    },
  };
  const ctx: CliContext = { stdout: stream, stderr: stream };
  return { ctx, lines: () => text.trimEnd().split('\n') };
}

describe('experimentProgress on a pipe', () => {
  it('counts the files served from the cache beside the ones extracted', () => {
    const { ctx, lines } = pipeContext();
    const { onProgress, stop } = experimentProgress('evaluate', ctx);
    for (const done of [0, 20, 41]) {
      onProgress({ type: 'extract', label: 'extracting', done, total: 41, failed: 0, cached: 1 });
    }
    stop();
    expect(lines().at(-1)).toBe('extracting 41/41 files to extract, 1 from the cache | 0 failed');
  });

  it('says nothing of the cache when it served nothing', () => {
    const { ctx, lines } = pipeContext();
    const { onProgress } = experimentProgress('train', ctx);
    onProgress({ type: 'extract', label: 'extracting', done: 0, total: 3, failed: 0, cached: 0 });
    onProgress({ type: 'extract', label: 'extracting', done: 3, total: 3, failed: 1, cached: 0 });
    expect(lines().at(-1)).toBe('extracting 3/3 files | 1 failed');
  });
});
