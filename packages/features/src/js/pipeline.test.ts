/** The JS extractor: shapes, errors and options, as the Rust LogMelExtractor. */
import { describe, expect, it } from 'vitest';
import { RealFft } from './fft.js';
import { fixLength } from './fixLength.js';
import { extractJs, JsLogMelExtractor, logMelSpectrogramJs } from './pipeline.js';
import { Resampler, resample } from './resample.js';
import { powerToDbInPlace } from './toDb.js';
import { trimBounds } from './trim.js';
import { wiener } from './wiener.js';

const sine = (freq: number, sr: number, n: number) =>
  new Float32Array(n).map((_, i) => Math.sin((2 * Math.PI * freq * i) / sr));

describe('JsLogMelExtractor', () => {
  it('gives [128 × 259] finite dB within 80 dB of the peak for any length and rate', () => {
    const ex = new JsLogMelExtractor();
    for (const [n, sr] of [
      [12000, 22050],
      [300000, 48000],
      [132300, 44100],
      [8000, 8000],
    ]) {
      const y = new Float32Array(n).map((_, i) => Math.sin(i * 0.01) * 0.3);
      const out = ex.extract(y, sr);
      expect(out.length).toBe(128 * 259);
      let max = Number.NEGATIVE_INFINITY;
      let min = Number.POSITIVE_INFINITY;
      for (const v of out) {
        expect(Number.isFinite(v)).toBe(true);
        max = Math.max(max, v);
        min = Math.min(min, v);
      }
      expect(max - min).toBeLessThanOrEqual(80 + 1e-3);
    }
  });

  it('silent, non-finite and empty inputs are errors with the native codes', () => {
    const ex = new JsLogMelExtractor();
    expect(() => ex.extract(new Float32Array(50000), 44100)).toThrow(
      expect.objectContaining({
        code: 'ERR_SER_SILENT',
        message: 'silent input: every sample is zero',
      }),
    );
    expect(() => ex.extract(new Float32Array([0, Number.NaN]), 44100)).toThrow(
      expect.objectContaining({
        code: 'ERR_SER_NON_FINITE',
        message: 'non-finite sample (NaN or Inf) at sample 1',
      }),
    );
    expect(() => ex.extract(new Float32Array(0), 44100)).toThrow(
      expect.objectContaining({ code: 'ERR_SER_EMPTY' }),
    );
  });

  it('less than 0.5 s of speech is ERR_SER_TOO_SHORT, never a label', () => {
    const ex = new JsLogMelExtractor();
    for (const [y, sr, seconds] of [
      [Float32Array.of(0.5), 44100, '0.000'],
      [sine(440, 16000, 0.49 * 16000), 16000, '0.490'],
    ] as const) {
      expect(() => ex.extract(y, sr)).toThrow(
        expect.objectContaining({
          code: 'ERR_SER_TOO_SHORT',
          message: `too short: ${seconds} s of speech once silence is left out; at least 0.5 s is needed for a label`,
        }),
      );
    }
    // Silence around a 0.3 s tone: what counts is the audio left after trimming.
    const y = new Float32Array(3 * 44100);
    y.set(
      sine(440, 44100, 0.3 * 44100).map((v) => v * 0.5),
      44100,
    );
    expect(() => ex.extract(y, 44100)).toThrow(
      expect.objectContaining({ code: 'ERR_SER_TOO_SHORT' }),
    );
    expect(ex.extract(sine(440, 16000, 0.6 * 16000), 16000)).toHaveLength(128 * 259);
    // Digital zeros between two tones are not speech: 2 × 0.2 s is too short, 2 × 0.3 s is
    // not, as in the core and in its windows.
    const gapped = (seconds: number) => {
      const tone = sine(440, 44100, seconds * 44100).map((v) => v * 0.5);
      const g = new Float32Array(44100 + 2 * tone.length + 0.6 * 44100);
      g.set(tone, 22050);
      g.set(tone, 22050 + tone.length + 0.6 * 44100);
      return g;
    };
    expect(() => ex.extract(gapped(0.2), 44100)).toThrow(
      expect.objectContaining({ code: 'ERR_SER_TOO_SHORT' }),
    );
    expect(ex.extract(gapped(0.3), 44100)).toHaveLength(128 * 259);
  });

  it('invalid options name the parameter', () => {
    expect(() => new JsLogMelExtractor({ nMels: 0 })).toThrow(
      'invalid option `nMels`: expected an integer in 1..=1024, received 0',
    );
  });

  it('honours the options: HTK scale, other sizes, no trim / Wiener / clamp', () => {
    const y = sine(440, 16000, 16000).map((v) => v * 0.5);
    const out = extractJs(y, 16000, {
      sampleRate: 16000,
      nMels: 40,
      nFft: 400,
      hopLength: 160,
      melScale: 'htk',
      trim: false,
      wiener: false,
      topDb: null,
      durationSeconds: 1,
    });
    expect(out.length).toBe(40 * 101);
    const mel = logMelSpectrogramJs(new Float32Array(44100).fill(0.1));
    expect(mel.length).toBe(128 * 87);
  });
});

describe('stages', () => {
  it('RealFft matches a direct DFT for power-of-two and Bluestein sizes', () => {
    for (const n of [8, 12, 30, 64, 4116 / 6]) {
      const x = new Float64Array(n).map((_, i) => Math.sin(i * 1.3) + (i % 3) * 0.1);
      const fft = new RealFft(n);
      const re = new Float64Array(n / 2 + 1);
      const im = new Float64Array(n / 2 + 1);
      fft.forward(x, re, im);
      for (let k = 0; k <= n / 2; k++) {
        let sr = 0;
        let si = 0;
        for (let t = 0; t < n; t++) {
          sr += x[t] * Math.cos((2 * Math.PI * k * t) / n);
          si -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
        }
        expect(Math.abs(re[k] - sr) + Math.abs(im[k] - si)).toBeLessThan(1e-9 * n);
      }
      const back = new Float64Array(n);
      fft.inverse(re, im, back);
      for (let t = 0; t < n; t++) expect(back[t] / n).toBeCloseTo(x[t], 10);
    }
  });

  it('resampling: length and alignment as librosa, identity at equal rates', () => {
    const y = resample(sine(440, 48000, 48000), 48000, 44100);
    expect(y.length).toBe(44100);
    const want = sine(440, 44100, 44100);
    let err = 0;
    for (let i = 2000; i < 42000; i++) err = Math.max(err, Math.abs(y[i] - want[i]));
    expect(err).toBeLessThan(1e-3);
    const x = sine(100, 44100, 1001);
    expect(Array.from(resample(x, 44100, 44100))).toEqual(Array.from(x));
    expect(resample(x, 22050, 44100).length).toBe(2002);
    expect(resample(x.subarray(0, 7), 48000, 44100).length).toBe(7);
    expect(() => new Resampler(0, 44100)).toThrow(/invalid option `fromHz`/);
  });

  it('trim, Wiener, fix length and dB behave like the core', () => {
    const sr = 8000;
    const y = new Float32Array(3 * sr);
    for (let i = 0; i < sr; i++) y[sr + i] = Math.sin(i * 0.3) * 0.5;
    const [start, end] = trimBounds(y, 60, 2048, 512);
    expect(start % 512).toBe(0);
    expect(start).toBeLessThanOrEqual(sr);
    expect(end).toBeGreaterThanOrEqual(2 * sr);
    expect(trimBounds(new Float32Array(5000), 60, 2048, 512)).toEqual([0, 5000]);
    // scipy.signal.wiener([1, 2, 3, 10, 3, 2, 1], 3), by hand.
    const w = wiener(new Float32Array([1, 2, 3, 10, 3, 2, 1]), 3);
    const m = [1, 2, 5, 16 / 3, 5, 2, 1];
    const sq = [5 / 3, 14 / 3, 113 / 3, 118 / 3, 113 / 3, 14 / 3, 5 / 3];
    const v = m.map((mi, i) => sq[i] - mi * mi);
    const noise = v.reduce((a, b) => a + b) / 7;
    const yv = [1, 2, 3, 10, 3, 2, 1];
    m.forEach((mi, i) => {
      const want = v[i] < noise ? mi : (yv[i] - mi) * (1 - noise / v[i]) + mi;
      expect(w[i]).toBeCloseTo(want, 5);
    });
    expect(Array.from(fixLength(new Float32Array([1, 2]), 4))).toEqual([1, 2, 0, 0]);
    expect(Array.from(fixLength(new Float32Array([1, 2, 3]), 2))).toEqual([1, 2]);
    const db = powerToDbInPlace(new Float32Array([1, 0.1, 1e-12, 100]), 1, 1e-10, 80);
    for (const [i, want] of [0, -10, -60, 20].entries()) expect(db[i]).toBeCloseTo(want, 4);
  });
});
