import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as Dsp from '../index.js';

const dsp: typeof Dsp = createRequire(import.meta.url)('../index.js');

const DATA = resolve(import.meta.dirname, '../../../../shared/data');
const ACTOR1 = join(DATA, 'ravdess/Actor_01');
const wavs = readdirSync(ACTOR1)
  .filter((f) => f.endsWith('.wav'))
  .sort()
  .map((f) => join(ACTOR1, f));
const STEREO = join(ACTOR1, '03-01-02-01-01-02-01.wav');
const FEATURE_LEN = 128 * 259;

/** The error `fn` throws (an Error); fails the test when `fn` returns. */
function errorOf(fn: () => unknown): NodeJS.ErrnoException {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as NodeJS.ErrnoException;
  }
  throw new Error('expected a throw, but the call returned');
}

function codeOf(fn: () => unknown): string | undefined {
  return errorOf(fn).code;
}

describe('decoding', () => {
  it('reads a RAVDESS file (48 kHz mono) and a stereo one, averaged to mono', () => {
    const a = dsp.readWav(wavs[0]);
    expect(a.sampleRate).toBe(48000);
    expect(a.channels).toBe(1);
    expect(a.samples).toBeInstanceOf(Float32Array);
    expect(a.samples.length).toBeGreaterThan(48000 * 2);
    const s = dsp.readWav(STEREO);
    expect(s.channels).toBe(2);
    const b = dsp.decodeWav(readFileSync(wavs[0]));
    expect(b.samples).toEqual(a.samples);
  });

  it('maps core errors to Error with a code and a one-line message', () => {
    expect(codeOf(() => dsp.decodeWav(Buffer.from('just some text\n')))).toBe(
      'ERR_SER_INVALID_WAV',
    );
    expect(codeOf(() => dsp.decodeWav(new Uint8Array(0)))).toBe('ERR_SER_INVALID_WAV');
    const err = errorOf(() => dsp.readWav('/nonexistent/x.wav'));
    expect(err.code).toBe('ERR_SER_IO');
    expect(err.message).toContain('/nonexistent/x.wav');
    expect(err.message).not.toContain('\n');
  });
});

describe('stages', () => {
  it('resample, trimBounds, wiener, fixLength, melFilterbank', () => {
    const y = new Float32Array(48000).map(
      (_, i) => Math.sin(i / 10) * (i > 10000 && i < 30000 ? 1 : 0),
    );
    expect(dsp.resample(y, 48000, 44100).length).toBe(44100);
    expect(dsp.resample(y, 44100, 44100)).toEqual(y);
    const { start, end } = dsp.trimBounds(y);
    expect(start).toBeGreaterThan(5000);
    expect(end).toBeLessThan(35000);
    expect(dsp.wiener(y).length).toBe(y.length);
    expect(codeOf(() => dsp.wiener(new Float32Array(10)))).toBe('ERR_SER_SILENT');
    expect(codeOf(() => dsp.wiener(y, 4))).toBe('ERR_SER_INVALID_OPTION');
    expect(dsp.fixLength(y, 10)).toEqual(y.subarray(0, 10));
    expect(dsp.fixLength(y, 50000).length).toBe(50000);
    const fb = dsp.melFilterbank();
    expect([fb.nMels, fb.nBins]).toEqual([128, 1025]);
    expect(fb.weights.length).toBe(128 * 1025);
    expect(dsp.featureShape()).toEqual({
      nMels: 128,
      nFrames: 259,
      nSamples: 132300,
      sampleRate: 44100,
    });
  });

  it("melFilterbank passes on librosa's empty-filter warning", () => {
    const ok = dsp.melFilterbank();
    expect(ok.warnings).toEqual([]);
    expect(ok.emptyBands).toEqual([]);
    const fb = dsp.melFilterbank({ sampleRate: 22050, nFft: 256, hopLength: 64, nMels: 128 });
    expect(fb.emptyBands.length).toBeGreaterThan(0);
    for (const m of fb.emptyBands) {
      expect(fb.weights.subarray(m * fb.nBins, (m + 1) * fb.nBins).every((w) => w === 0)).toBe(
        true,
      );
    }
    expect(fb.warnings).toHaveLength(1);
    expect(fb.warnings[0]).toMatch(
      /^empty filters detected in mel frequency basis: \d+ of 128 bands/,
    );
  });

  it('logMelSpectrogram checks its input in the core: empty and NaN', () => {
    expect(codeOf(() => dsp.logMelSpectrogramSync(new Float32Array(0)))).toBe('ERR_SER_EMPTY');
    const y = new Float32Array(5000).fill(0.1);
    y[1234] = Number.NaN;
    const err = errorOf(() => dsp.logMelSpectrogramSync(y));
    expect(err.code).toBe('ERR_SER_NON_FINITE');
    expect(err.message).toMatch(/sample 1234/);
  });

  it('preprocess + logMelSpectrogram equals extract equals extractFile', async () => {
    const a = dsp.readWav(wavs[3]);
    const fixed = dsp.preprocessSync(a.samples, a.sampleRate);
    expect(fixed.length).toBe(132300);
    const mel = dsp.logMelSpectrogramSync(fixed);
    expect(mel.length).toBe(FEATURE_LEN);
    const ex = dsp.extractSync(a.samples, a.sampleRate);
    const file = dsp.extractFileSync(wavs[3]);
    expect(ex).toEqual(mel);
    expect(file).toEqual(mel);
    expect(await dsp.preprocess(a.samples, a.sampleRate)).toEqual(fixed);
    expect(await dsp.logMelSpectrogram(fixed)).toEqual(mel);
    expect(await dsp.extract(a.samples, a.sampleRate)).toEqual(mel);
    expect(await dsp.extractFile(wavs[3])).toEqual(mel);
    let max = -Infinity;
    let min = Infinity;
    for (const v of mel) {
      expect(Number.isFinite(v)).toBe(true);
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    expect(max - min).toBeLessThanOrEqual(80 + 1e-3);
  });

  it('async errors carry the same code', async () => {
    await expect(dsp.extractFile('/nonexistent.wav')).rejects.toMatchObject({ code: 'ERR_SER_IO' });
    await expect(dsp.extract(new Float32Array(1000), 44100)).rejects.toMatchObject({
      code: 'ERR_SER_SILENT',
    });
  });
});

describe('options', () => {
  it('names the parameter, the allowed range and the value received', () => {
    for (const [opts, name] of [
      [{ nMels: 0 }, 'nMels'],
      [{ nMels: 1.5 }, 'nMels'],
      [{ sampleRate: -1 }, 'sampleRate'],
      [{ wienerSize: 2 }, 'wienerSize'],
      [{ melScale: 'mel' }, 'melScale'],
      [{ fmax: 1e9 }, 'fmax'],
      [{ durationSeconds: Number.NaN }, 'durationSeconds'],
    ] as const) {
      const err = errorOf(() =>
        dsp.extractSync(new Float32Array(10), 44100, opts as Dsp.DspOptions),
      );
      expect(err.code, name).toBe('ERR_SER_INVALID_OPTION');
      expect(err.message).toMatch(new RegExp(`\`${name}\`: expected .+, received .+`));
    }
  });

  it('resolves defaults from the core', () => {
    const o = dsp.resolveOptions({ nMels: 64, fmax: null, topDb: null });
    expect(o).toMatchObject({
      nMels: 64,
      sampleRate: 44100,
      fmax: null,
      topDb: null,
      melScale: 'slaney',
    });
    expect(dsp.featureShape({ nMels: 64, durationSeconds: 1 }).nFrames).toBe(
      1 + Math.floor(44100 / 512),
    );
  });
});

describe('extractFiles', () => {
  it('extracts in input order, with per-file errors and progress', async () => {
    const paths = [wavs[0], '/nonexistent.wav', wavs[1], STEREO];
    const events: Dsp.BatchProgress[] = [];
    const r = await dsp.extractFiles(paths, {}, { threads: 2, onProgress: (p) => events.push(p) });
    expect(Array.from(r.rows)).toEqual([0, -1, 1, 2]);
    expect(r.features.length).toBe(3 * FEATURE_LEN);
    expect(r.errors[0]).toBeNull();
    expect(r.errors[1]).toMatch(/^\/nonexistent\.wav: /);
    expect(r.codes[1]).toBe('ERR_SER_IO');
    expect(r.features.subarray(FEATURE_LEN, 2 * FEATURE_LEN)).toEqual(dsp.extractFileSync(wavs[1]));
    // Progress events arrive on the main thread; give the queue a tick.
    await new Promise((res) => setTimeout(res, 20));
    expect(events.length).toBeGreaterThan(0);
    expect(events.at(-1)).toEqual({ done: 4, total: 4, failed: 1 });
  });

  it('does not block the event loop and can be aborted', async () => {
    const many = Array.from({ length: 40 }, () => wavs).flat();
    const ac = new AbortController();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const p = dsp.extractFiles(
      many,
      {},
      { onProgress: (e) => e.done >= 8 && ac.abort() },
      ac.signal,
    );
    await expect(p).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });

  it('rejects invalid options before starting', () => {
    expect(codeOf(() => dsp.extractFiles(wavs, { nFft: 3 }))).toBe('ERR_SER_INVALID_OPTION');
    expect(codeOf(() => dsp.extractFiles(wavs, {}, { threads: -2 }))).toBe('ERR_SER_INVALID_ARG');
  });
});

describe('loading without a binary', () => {
  // A copy of the package's JS files in a folder with no .node file beside them.
  function loadCopy(withSources: boolean): NodeJS.ErrnoException {
    const dir = mkdtempSync(join(tmpdir(), 'serkit-dsp-native-'));
    try {
      for (const f of ['index.js', 'napi-loader.js', 'package.json']) {
        copyFileSync(resolve(import.meta.dirname, '..', f), join(dir, f));
      }
      if (withSources) writeFileSync(join(dir, 'Cargo.toml'), '[package]\n');
      return errorOf(() => createRequire(join(dir, 'index.js'))('./index.js'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('in a clone (sources beside it) says to run npm run build', () => {
    const e = loadCopy(true);
    expect(e.code).toBe('ERR_SERKIT_NO_NATIVE_BINARY');
    expect(e.message).toBe(
      '@serkit/dsp-native: the addon is not built yet in this clone: run `npm run build` (a few minutes; needs a Rust toolchain)',
    );
    expect(e.cause).toBeUndefined();
  });

  it('as an installed package names the missing per-platform package', () => {
    const e = loadCopy(false);
    expect(e.code).toBe('ERR_SERKIT_NO_NATIVE_BINARY');
    expect(e.message).toMatch(
      /^@serkit\/dsp-native: no prebuilt binary for \S+ is installed \(@serkit\/dsp-native-/,
    );
  });
});
