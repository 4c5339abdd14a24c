import { describe, expect, it } from 'vitest';
import { exampleMax, fitNormalization } from './normalization.js';
import { gatherZScored } from './predictor.js';

/** Two log-mel-like examples of 6 values; the second is the first recorded 12 dB louder. */
const quiet = [-80, -62, -55, -40, -31, -47];
const x = Float32Array.from([...quiet, ...quiet.map((v) => v + 12)]);

describe('input normalisation', () => {
  it('absolute: one mean and std over every value, gain moves the inputs', () => {
    const z = fitNormalization(x, 6);
    const mean = [...x].reduce((a, b) => a + b, 0) / x.length;
    expect(z.mean).toBeCloseTo(mean, 5);
    expect(z.dbReference).toBeUndefined();
    const g = gatherZScored(x, [0, 1], 6, z);
    expect(g[6] - g[0]).toBeCloseTo(12 / z.std, 5);
  });

  it('utterance-max: each example re-referenced to its maximum, so a gain change is invisible', () => {
    const z = fitNormalization(x, 6, 'utterance-max');
    expect(z.dbReference).toBe('utterance-max');
    const relative = quiet.map((v) => v - Math.max(...quiet));
    const mean = relative.reduce((a, b) => a + b, 0) / relative.length;
    expect(z.mean).toBeCloseTo(mean, 5);
    const g = gatherZScored(x, [0, 1], 6, z);
    for (let i = 0; i < 6; i++) expect(g[6 + i]).toBeCloseTo(g[i], 5);
    // The loudest bin of every example lands on the same value: (0 − mean) / std.
    expect(exampleMax(g, 0, 6)).toBeCloseTo(-z.mean / z.std, 5);
  });

  it('refuses an unknown reference, NaN and partial examples, naming the problem', () => {
    expect(() => fitNormalization(x, 6, 'peak' as never)).toThrow(
      /dbReference: expected one of absolute, utterance-max, got "peak"/,
    );
    expect(() => fitNormalization(Float32Array.from([1, Number.NaN]), 2)).toThrow(/NaN/);
    expect(() => fitNormalization(x, 5)).toThrow(/whole examples of 5 values, got 12/);
  });
});
