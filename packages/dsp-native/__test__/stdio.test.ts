import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const INDEX = resolve(import.meta.dirname, '../index.js');

describe('muteStderr / restoreStderr', () => {
  it.skipIf(process.platform === 'win32')(
    'discard what JS and native code write to fd 2 in between, and nothing else',
    () => {
      // A child process, so that this test's own stderr is never touched.
      const script = `
        const fs = require('node:fs');
        const dsp = require(${JSON.stringify(INDEX)});
        process.stderr.write('before\\n');
        const saved = dsp.muteStderr();
        process.stderr.write('muted js\\n');
        fs.writeSync(2, 'muted fd\\n');
        console.error('muted console');
        dsp.restoreStderr(saved);
        process.stderr.write('after\\n');
        process.stdout.write(String(saved > 2));
      `;
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('before\nafter\n');
      expect(r.stdout).toBe('true');
      // -1 (nothing saved) is a no-op.
      const noop = spawnSync(
        process.execPath,
        ['-e', `require(${JSON.stringify(INDEX)}).restoreStderr(-1); console.error('still here')`],
        { encoding: 'utf8' },
      );
      expect(noop.stderr).toBe('still here\n');
    },
  );
});
