import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDirAtomicSync } from './atomic-dir.js';

const tmp = mkdtempSync(join(tmpdir(), 'serkit-atomic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('writeDirAtomicSync', () => {
  it('removes the temporary folders of killed writers, and only theirs', () => {
    // A pid that no longer runs: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const stale = join(tmp, `.lib.tmp-${dead}-0a1b2c3d`);
    const live = join(tmp, `.lib.tmp-${process.ppid}-0a1b2c3d`);
    for (const d of [stale, live]) {
      mkdirSync(d);
      writeFileSync(join(d, 'half-written.so'), 'x');
    }
    writeDirAtomicSync(join(tmp, 'lib'), (dir) => writeFileSync(join(dir, 'done'), 'ok'));
    expect(existsSync(join(tmp, 'lib', 'done'))).toBe(true);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true); // its writer (this test's parent) still runs
    expect(readdirSync(tmp).sort()).toEqual([`.lib.tmp-${process.ppid}-0a1b2c3d`, 'lib']);
  });
});
