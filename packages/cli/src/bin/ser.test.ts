import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SER_BIN } from '../testing.js';

const DEMO = resolve(import.meta.dirname, '../../../../demo/emodb');

describe('ser as a process', () => {
  it('stops quietly when the reader closes the pipe early (ser predict … | head)', async () => {
    const child = spawn(process.execPath, [SER_BIN, 'predict', '--model', 'emodb', DEMO], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader goes away before the first line: every write to stdout fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(code).toBe(0);
  }, 120_000);
});
