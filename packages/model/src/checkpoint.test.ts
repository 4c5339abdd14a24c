import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tf } from './backend.js';
import { CHECKPOINT_FORMAT, readCheckpoint, restoreInterruptedCheckpoint } from './checkpoint.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'serkit-ckpt-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
// Never reached: these checkpoints are refused or absent before any tensor is decoded.
const tf = null as unknown as Tf;

describe('checkpoint files', () => {
  it('none yet: null', () => {
    expect(readCheckpoint(tf, path.join(tmp, 'none'))).toBeNull();
  });

  it('puts back the previous checkpoint a kill left between two renames', () => {
    const dir = path.join(tmp, 'run.checkpoint');
    const old = path.join(tmp, '.run.checkpoint.old-123-abcd');
    fs.mkdirSync(old);
    fs.writeFileSync(path.join(old, 'marker'), 'x');
    restoreInterruptedCheckpoint(dir);
    expect(fs.readFileSync(path.join(dir, 'marker'), 'utf8')).toBe('x');
    expect(fs.existsSync(old)).toBe(false);
  });

  it('refuses a checkpoint of another format or unreadable state, naming the file', () => {
    const dir = path.join(tmp, 'old-format');
    fs.mkdirSync(dir);
    const state = path.join(dir, 'state.json');
    fs.writeFileSync(state, JSON.stringify({ epoch: 1 }));
    expect(() => readCheckpoint(tf, dir)).toThrow(
      `${state}: checkpoint format 1, this serkit reads format ${CHECKPOINT_FORMAT}; remove ${dir} to train from scratch`,
    );
    fs.writeFileSync(state, '{oops');
    expect(() => readCheckpoint(tf, dir)).toThrow(`${state}: unreadable checkpoint`);
  });
});
