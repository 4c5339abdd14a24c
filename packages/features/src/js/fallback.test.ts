/**
 * Engine choice through the package API: `engine: 'js'` by name, and the automatic
 * fallback to the JS engine (one-line notice) when the native addon cannot be loaded —
 * simulated in a child process with NAPI_RS_FORCE_WASI=error (the addon's loader then
 * refuses to load the native binding).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractFileSync, getEngine } from '../index.js';
import { dataPath, REPO } from './testing.js';

const file = dataPath('emodb/wav/03a01Fa.wav');
const index = pathToFileURL(join(REPO, 'packages/features/src/index.ts')).href;

function runChild(code: string, env: Record<string, string>) {
  const script = join(mkdtempSync(join(tmpdir(), 'serkit-fallback-')), 'run.mts');
  writeFileSync(script, code);
  return spawnSync(process.execPath, ['--import', 'tsx', script], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    cwd: join(REPO, 'packages/features'),
    timeout: 60_000,
  });
}

describe('engine choice', () => {
  it("engine: 'js' is available by name from the package root", () => {
    expect(getEngine('js').name).toBe('js');
    const js = extractFileSync(file, {}, { engine: 'js' });
    expect(js.length).toBe(128 * 259);
  });

  it('falls back to the JS engine with a one-line notice when the addon cannot load', () => {
    const code = `
      import { extractFileSync, extractFiles } from ${JSON.stringify(index)};
      const a = extractFileSync(${JSON.stringify(file)});
      const b = await extractFiles([${JSON.stringify(file)}], {}, { threads: 1 });
      let named = 'no error';
      try { extractFileSync(${JSON.stringify(file)}, {}, { engine: 'native' }); } catch (e) { named = e.code; }
      console.log(JSON.stringify({ n: a.length, ok: b.ok, first: a[500], named }));`;
    const r = runChild(code, { NAPI_RS_FORCE_WASI: 'error' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out).toMatchObject({ n: 128 * 259, ok: 1, named: 'ERR_SER_ENGINE_UNAVAILABLE' });
    expect(out.first).toBe(extractFileSync(file, {}, { engine: 'js' })[500]);
    const notices = r.stderr.split('\n').filter((l) => l.startsWith('serkit:'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/could not be loaded.*using the JS engine/);
  });
});
