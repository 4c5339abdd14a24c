import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unzip } from './setup-wheel.js';

const tmp = mkdtempSync(join(tmpdir(), 'serkit-unzip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('unzip (the wheel extraction of ser setup)', () => {
  it('extracts the wanted entries of a real archive, under its watchdog', async () => {
    const zip = join(tmp, 'w.whl');
    const py = `import zipfile
with zipfile.ZipFile(${JSON.stringify(zip)}, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('tensorflow/libtensorflow_cc.so.2', b'\\x7fELF' + bytes(100000))
    z.writestr('tensorflow/include/tf.h', '#define TF 1\\n')
    z.writestr('tensorflow/python/unwanted.py', 'x = 1\\n')
`;
    const r = spawnSync('python3', ['-c', py]);
    expect(r.status, String(r.stderr)).toBe(0);
    const out = join(tmp, 'out');
    const n = await unzip(zip, out, (name) => !name.includes('python'), 1_000);
    expect(n).toBe(2);
    expect(readFileSync(join(out, 'tensorflow/include/tf.h'), 'utf8')).toBe('#define TF 1\n');
    expect(readFileSync(join(out, 'tensorflow/libtensorflow_cc.so.2')).length).toBe(100004);
    expect(existsSync(join(out, 'tensorflow/python'))).toBe(false);
  });
});
