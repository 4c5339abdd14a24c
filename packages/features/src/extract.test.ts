import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getEngine } from './engine.js';
import {
  decodeWav,
  extract,
  extractFile,
  extractFileSync,
  extractFiles,
  extractSync,
  logMelSpectrogram,
  logMelSpectrogramSync,
  preprocess,
  preprocessSync,
  readWav,
} from './extract.js';
import type { BatchProgress } from './index.js';
import { encodeWav } from './testing.js';

const DATA = resolve(import.meta.dirname, '../../../../shared/data');
const ravdess = readdirSync(join(DATA, 'ravdess/Actor_02'))
  .sort()
  .map((f) => join(DATA, 'ravdess/Actor_02', f));
const emodb = readdirSync(join(DATA, 'emodb/wav'))
  .sort()
  .slice(0, 4)
  .map((f) => join(DATA, 'emodb/wav', f));
const LEN = 128 * 259;
const same = (a: Float32Array, b: Float32Array) =>
  a.length === b.length &&
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );

describe('single utterance', () => {
  it('every path to the log-mel spectrogram agrees (RAVDESS 48 kHz, EMO-DB 22.05 kHz)', async () => {
    for (const path of [ravdess[5], emodb[0]]) {
      const a = readWav(path);
      expect(decodeWav(readFileSync(path)).samples.length).toBe(a.samples.length);
      const y = preprocessSync(a.samples, a.sampleRate);
      expect(y.length).toBe(132300);
      const mel = logMelSpectrogramSync(y);
      expect(mel.length).toBe(LEN);
      expect(same(extractSync(a.samples, a.sampleRate), mel)).toBe(true);
      expect(same(extractFileSync(path), mel)).toBe(true);
      expect(same(await preprocess(a.samples, a.sampleRate), y)).toBe(true);
      expect(same(await logMelSpectrogram(y), mel)).toBe(true);
      expect(same(await extract(a.samples, a.sampleRate), mel)).toBe(true);
      expect(same(await extractFile(path), mel)).toBe(true);
    }
  });

  it('accepts plain arrays of samples and honours options', () => {
    const tone = Array.from({ length: 16000 }, (_, i) => Math.sin(i / 5));
    const mel = extractSync(tone, 16000, { nMels: 64, durationSeconds: 1 });
    expect(mel.length).toBe(64 * (1 + Math.floor(44100 / 512)));
  });

  it('validates options in TypeScript before calling the engine', () => {
    expect(() => extractFileSync(ravdess[0], { nMels: 0 })).toThrow(
      'invalid option `nMels`: expected an integer in 1..=1024, received 0',
    );
  });

  it('an already-aborted signal rejects at once with an AbortError', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(extractFile(ravdess[0], {}, { signal: ac.signal })).rejects.toMatchObject({
      name: 'AbortError',
      code: 'ABORT_ERR',
    });
  });

  it("engine 'js' is reported as unavailable until it is registered", () => {
    expect(() => getEngine('js')).toThrow(/DSP engine 'js' is not available/);
    expect(() => extractSync(new Float32Array(10), 44100, {}, { engine: 'js' })).toThrow(
      expect.objectContaining({ code: 'ERR_SER_ENGINE_UNAVAILABLE' }),
    );
  });
});

describe('extractFiles', () => {
  it('stacks the spectrograms in input order with per-file errors and progress', async () => {
    const bad = '/nonexistent/file.wav';
    const paths = [ravdess[0], bad, ...emodb, ravdess[1]];
    const events: BatchProgress[] = [];
    const r = await extractFiles(paths, {}, { threads: 2, onProgress: (p) => events.push(p) });
    expect(r.shape).toEqual([6, 128, 259]);
    expect(r.features.length).toBe(6 * LEN);
    expect(Array.from(r.rows)).toEqual([0, -1, 1, 2, 3, 4, 5]);
    expect(r.ok).toBe(6);
    expect(r.failed).toBe(1);
    expect(r.errors[1]).toMatch(/^\/nonexistent\/file\.wav: cannot read file/);
    expect(r.codes[1]).toBe('ERR_SER_IO');
    expect(same(r.features.subarray(5 * LEN, 6 * LEN), extractFileSync(ravdess[1]))).toBe(true);
    expect(events.at(-1)).toEqual({ done: 7, total: 7, failed: 1 });
    for (let i = 1; i < events.length; i++)
      expect(events[i].done).toBeGreaterThan(events[i - 1].done);
  });

  it('handles an empty list', async () => {
    const r = await extractFiles([]);
    expect(r.shape).toEqual([0, 128, 259]);
    expect(r.features.length).toBe(0);
  });

  it('is cancelled by an AbortSignal', async () => {
    const ac = new AbortController();
    const many = Array.from({ length: 30 }, () => ravdess).flat();
    const p = extractFiles(
      many,
      {},
      { onProgress: (e) => e.done >= 4 && ac.abort(), signal: ac.signal },
    );
    await expect(p).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
  });

  it('an exception in onProgress cancels the batch and rejects with it', async () => {
    const many = Array.from({ length: 30 }, () => ravdess).flat();
    const boom = new Error('boom');
    await expect(
      extractFiles(
        many,
        {},
        {
          onProgress: () => {
            throw boom;
          },
        },
      ),
    ).rejects.toBe(boom);
  });

  it('rejects bad arguments up front', async () => {
    await expect(extractFiles(ravdess, { hopLength: 0 })).rejects.toMatchObject({
      code: 'ERR_SER_INVALID_OPTION',
    });
    await expect(extractFiles(ravdess, {}, { threads: 1.5 })).rejects.toMatchObject({
      code: 'ERR_SER_INVALID_ARG',
    });
  });
});

describe('encodeWav', () => {
  it('round-trips through the decoder for every encoding', () => {
    const y = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7) * 0.9);
    for (const [encoding, tol] of [
      ['pcm8', 1 / 64],
      ['pcm16', 1 / 16384],
      ['pcm24', 1e-6],
      ['pcm32', 1e-7],
      ['float32', 0],
      ['float64', 1e-7],
    ] as const) {
      const a = decodeWav(encodeWav(y, 16000, { encoding }));
      expect(a.samples.length).toBe(1000);
      let err = 0;
      for (let i = 0; i < y.length; i++) err = Math.max(err, Math.abs(a.samples[i] - y[i]));
      expect(err, encoding).toBeLessThanOrEqual(tol);
    }
  });
});
