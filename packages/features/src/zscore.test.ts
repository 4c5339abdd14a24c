import { describe, expect, it } from 'vitest';
import { applyZScore, fitZScore } from './zscore.js';

describe('z-score', () => {
  it('fits one mean and std on the training rows only', () => {
    // 3 rows of 4 values; row 2 is an outlier that must not leak into the stats.
    const f = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 1000, 1000, 1000, 1000]);
    const s = fitZScore(f, 4, [0, 1]);
    expect(s.mean).toBeCloseTo(4.5, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(5.25), 12);
    expect(s.count).toBe(8);
    const z = applyZScore(f.subarray(0, 8), s);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length);
    expect(mean).toBeCloseTo(0, 6);
    expect(sd).toBeCloseTo(1, 6);
    expect(fitZScore(f, 4).mean).toBeCloseTo((36 + 4000) / 12, 9);
  });

  it('applies in place and guards degenerate input', () => {
    const f = Float32Array.from([3, 3, 3, 3]);
    const s = fitZScore(f, 2);
    expect(s.std).toBe(1);
    expect(applyZScore(f, s, f)).toBe(f);
    expect(Array.from(f)).toEqual([0, 0, 0, 0]);
    expect(() => fitZScore(f, 3)).toThrow(/multiple/);
    expect(() => fitZScore(f, 2, [])).toThrow(/zero rows/);
    expect(() => fitZScore(f, 2, [5])).toThrow(/out of range/);
    expect(() => applyZScore(f, { mean: 0, std: 0 })).toThrow(/invalid z-score/);
  });
});
