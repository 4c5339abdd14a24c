/**
 * End-to-end tests of `ser extract` through the built binary (dist/bin/ser.js;
 * Nx builds it before `test`).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readNpy } from '@serkit/features';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../features/src/testing.js';
import { SER_BIN as BIN, batchRunning, runSer } from '../testing.js';

const DATA = resolve(import.meta.dirname, '../../../../../shared/data');
const ACTOR1 = join(DATA, 'ravdess/Actor_01');
const tmp = mkdtempSync(join(tmpdir(), 'serkit-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ser = (...args: string[]) => runSer(args, { timeoutMs: 120_000 });

const manifestOf = (dir: string) =>
  readFileSync(join(dir, 'manifest.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));

const tone = (n: number, sr: number) =>
  Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 330 * i) / sr));

describe('ser extract', () => {
  it('a mixed folder (real RAVDESS + bad files) → exit 1, manifest and npy for the rest', () => {
    const root = join(tmp, 'mixed');
    const actor = join(root, 'Actor_01');
    mkdirSync(actor, { recursive: true });
    const real = readdirSync(ACTOR1).sort().slice(0, 6);
    for (const f of real) copyFileSync(join(ACTOR1, f), join(actor, f));
    const nan = tone(44100, 44100);
    nan[7] = Number.NaN;
    const adpcm = encodeWav(tone(8000, 8000), 8000);
    adpcm.writeUInt16LE(0x0002, 20);
    const bad: Record<string, Uint8Array | string> = {
      'empty.wav': new Uint8Array(0),
      'notes.wav': 'not audio at all\n',
      'adpcm.wav': adpcm,
      'nan.wav': encodeWav(nan, 44100, { encoding: 'float32' }),
      'silent.wav': encodeWav(new Float32Array(22050), 22050),
    };
    for (const [name, bytes] of Object.entries(bad)) writeFileSync(join(root, name), bytes);
    writeFileSync(join(root, 'README.txt'), 'ignored: not a .wav');

    const out = join(tmp, 'out-mixed');
    const r = ser('extract', root, '--out', out, '--json', '--jobs', '2');
    expect(r.code).toBe(1);
    // stdout is exactly one JSON object.
    const summary = JSON.parse(r.stdout);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(summary).toMatchObject({ files: 11, ok: 6, failed: 5, skipped: 0 });
    expect(summary.seconds).toBeGreaterThan(0);
    expect(summary.filesPerSecond).toBeGreaterThan(0);
    // One stderr line per failed file, `path: reason`; no progress bar (not a TTY).
    const errLines = r.stderr.trimEnd().split('\n');
    expect(errLines).toHaveLength(5);
    for (const name of Object.keys(bad)) {
      expect(errLines.some((l) => l.startsWith(`${join(root, name)}: `))).toBe(true);
    }
    expect(r.stderr).toMatch(/adpcm\.wav: unsupported WAV encoding: Microsoft ADPCM/);

    // A missing input is counted (and named) too, and the rest goes on.
    const missing = join(tmp, 'no-such.flac');
    const m = ser('extract', root, missing, '--out', join(tmp, 'out-missing'), '--json');
    expect(m.code).toBe(1);
    expect(JSON.parse(m.stdout)).toMatchObject({ files: 11, ok: 6, failed: 5, skipped: 1 });
    expect(m.stderr).toContain(`${missing}: no such file or directory\n`);

    const manifest = manifestOf(out);
    expect(manifest.map((m) => m.path)).toEqual([
      join(actor, real[0]),
      ...real.slice(1).map((f) => join(actor, f)),
      join(root, 'adpcm.wav'),
      join(root, 'empty.wav'),
      join(root, 'nan.wav'),
      join(root, 'notes.wav'),
      join(root, 'silent.wav'),
    ]);
    expect(manifest.slice(0, 6).map((m) => m.row)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(manifest[0]).toEqual({
      path: join(actor, real[0]),
      label: 'neutral',
      speaker: '01',
      row: 0,
      error: null,
    });
    for (const m of manifest.slice(6)) {
      expect(m.row).toBeNull();
      expect(m.label).toBeNull();
      expect(typeof m.error).toBe('string');
      expect(m.error).not.toContain(m.path);
    }
    expect(manifest.find((m) => m.path.endsWith('silent.wav')).error).toMatch(/silent input/);
    expect(manifest.find((m) => m.path.endsWith('nan.wav')).error).toMatch(/non-finite sample/);

    const npy = readNpy(join(out, 'features.npy'));
    expect(npy.shape).toEqual([6, 128, 259]);
    expect(npy.data.every(Number.isFinite)).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['features.npy', 'manifest.jsonl']);
  });

  it('all files ok → exit 0; explicit files keep their order; labels from EMO-DB names', () => {
    const emodb = join(DATA, 'emodb/wav');
    const files = readdirSync(emodb)
      .sort()
      .slice(0, 3)
      .reverse()
      .map((f) => join(emodb, f));
    const out = join(tmp, 'out-ok');
    const r = ser('extract', ...files, '-o', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^extracted 3\/3 files \(labels from EMO-DB names\)/);
    const manifest = manifestOf(out);
    expect(manifest.map((m) => m.path)).toEqual(files);
    expect(manifest.map((m) => m.row)).toEqual([0, 1, 2]);
    expect(manifest.every((m) => m.label !== null && /^\d\d$/.test(m.speaker))).toBe(true);
    expect(readNpy(join(out, 'features.npy')).shape).toEqual([3, 128, 259]);
  });

  it('--engine js gives the native numbers; without the addon the JS engine is used with one notice', () => {
    const emodb = join(DATA, 'emodb/wav');
    const files = readdirSync(emodb)
      .sort()
      .slice(0, 2)
      .map((f) => join(emodb, f));
    const nat = join(tmp, 'out-native');
    const js = join(tmp, 'out-js');
    expect(ser('extract', ...files, '-o', nat).code).toBe(0);
    const r = ser('extract', ...files, '-o', js, '--engine', 'js');
    expect([r.code, r.stderr]).toEqual([0, '']);
    const a = readNpy(join(nat, 'features.npy')).data;
    const b = readNpy(join(js, 'features.npy')).data;
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
    expect(sum / a.length).toBeLessThan(1e-3);
    const fb = spawnSync(process.execPath, [BIN, 'extract', ...files, '-o', join(tmp, 'out-fb')], {
      encoding: 'utf8',
      env: { ...process.env, NAPI_RS_FORCE_WASI: 'error' },
    });
    expect(fb.status).toBe(0);
    expect(fb.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^serkit: .*could not be loaded.*; using the JS engine/),
    ]);
    expect(ser('extract', ...files, '-o', 'x', '--engine', 'wasm').stderr).toMatch(
      /Allowed choices are native, js/,
    );
  });

  it.each([
    [['extract', '--out', 'x'], /missing required argument 'paths'/],
    [['extract', ACTOR1], /required option '-o, --out <dir>' not specified/],
    [['extract', ACTOR1, '-o', 'x', '--frobnicate'], /unknown option '--frobnicate'/],
    [['extract', ACTOR1, '-o', 'x', '--jobs', 'many'], /--jobs <n>' argument 'many' is invalid/],
    [
      ['extract', ACTOR1, '-o', 'x', '--jobs', '-1'],
      /--jobs <n>' argument '-1' is invalid\. Expected an integer from 0 to 1024 \(0 = every core\)\./,
    ],
    [
      ['extract', ACTOR1, '-o', 'x', '--dataset', 'timit'],
      /Allowed choices are auto, ravdess, emodb, folders/,
    ],
    [
      ['extract', '/no/such/path.wav', '-o', 'x'],
      /\/no\/such\/path\.wav: no such file or directory/,
    ],
    [
      ['extract', join(DATA, 'README.md').replace('README.md', 'emodb/none'), '-o', 'x'],
      /no such file/,
    ],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('usage error %j → exit 2, one line, no stack trace', (args, message) => {
    const r = ser(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^ser: error: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an empty folder is a usage error', () => {
    const empty = join(tmp, 'empty-dir');
    mkdirSync(empty, { recursive: true });
    const r = ser('extract', empty, '-o', join(tmp, 'never'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no audio files found/);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  it('Ctrl-C (SIGINT) aborts, leaves previous outputs untouched and no temp files, exits 130', async () => {
    const out = join(tmp, 'out-sigint');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'features.npy'), 'previous');
    const inputs = Array.from({ length: 15 }, () => join(DATA, 'ravdess'));
    const child = spawn(process.execPath, [BIN, 'extract', ...inputs, '-o', out, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    // Interrupt once the batch runs (its SIGINT handler is installed before that): a fixed
    // delay would race the extraction, which takes only a few seconds on a quiet machine.
    await batchRunning(child.pid as number, 30_000);
    expect(child.exitCode).toBeNull();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(code).toBe(130);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/interrupted; nothing was written/);
    expect(readdirSync(out)).toEqual(['features.npy']);
    expect(readFileSync(join(out, 'features.npy'), 'utf8')).toBe('previous');
  });

  it('--version and --help exit 0', () => {
    expect(ser('--version')).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    const help = ser('extract', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--dataset <kind>/);
  });
});
