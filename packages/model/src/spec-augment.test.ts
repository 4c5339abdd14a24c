import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.js';
import {
  applySpecAugment,
  checkSpecAugmentOptions,
  SPEC_AUGMENT_DEFAULTS,
} from './spec-augment.js';
import type { SpecAugmentOptions } from './types.js';

const H = 20; // mel bands (rows)
const W = 30; // frames (columns)
const PER = H * W;

/** `count` examples whose every cell is non-zero and distinct: 1, 2, 3, … */
function ramp(count: number): Float32Array {
  return Float32Array.from({ length: count * PER }, (_, i) => i + 1);
}

/** Maximal runs of consecutive indices `[first, length]` in an ascending list. */
function runs(sorted: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && last[0] + last[1] === i) last[1]++;
    else out.push([i, 1]);
  }
  return out;
}

/** The rows and columns of example `e` that are entirely 0. */
function zeroLines(x: Float32Array, e: number): { rows: number[]; cols: number[] } {
  const at = (r: number, c: number) => x[e * PER + r * W + c];
  const rows = [...Array(H).keys()].filter((r) => [...Array(W).keys()].every((c) => !at(r, c)));
  const cols = [...Array(W).keys()].filter((c) => [...Array(H).keys()].every((r) => !at(r, c)));
  return { rows, cols };
}

describe('applySpecAugment', () => {
  const one: SpecAugmentOptions = {
    frequencyMasks: 1,
    maxFrequencyWidth: 5,
    timeMasks: 1,
    maxTimeWidth: 7,
  };

  it('masks whole mel rows and whole frame columns with 0, widths within 0…max, nothing else', () => {
    const n = 400;
    const orig = ramp(n);
    const x = orig.slice();
    applySpecAugment(x, n, H, W, one, seededRandom(3));
    const fWidths = new Set<number>();
    const tWidths = new Set<number>();
    const rowsHit = new Set<number>();
    const colsHit = new Set<number>();
    const wrong: number[] = [];
    for (let e = 0; e < n; e++) {
      const { rows, cols } = zeroLines(x, e);
      // One mask per axis: the zero rows (columns) are one run no wider than the maximum.
      const rr = runs(rows);
      const cr = runs(cols);
      expect(rr.length).toBeLessThanOrEqual(1);
      expect(cr.length).toBeLessThanOrEqual(1);
      fWidths.add(rr[0]?.[1] ?? 0);
      tWidths.add(cr[0]?.[1] ?? 0);
      for (const r of rows) rowsHit.add(r);
      for (const c of cols) colsHit.add(c);
      // Every cell is either in a masked row or column (and 0), or untouched.
      for (let r = 0; r < H; r++) {
        for (let c = 0; c < W; c++) {
          const i = e * PER + r * W + c;
          if (x[i] !== (rows.includes(r) || cols.includes(c) ? 0 : orig[i])) wrong.push(i);
        }
      }
    }
    expect(wrong).toEqual([]);
    // Widths are drawn from 0 … max inclusive; masks reach both edges of each axis.
    expect([...fWidths].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...tWidths].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rowsHit.size).toBe(H);
    expect(colsHit.size).toBe(W);
  });

  it('masks each example independently, and at most count × max lines per axis', () => {
    const n = 50;
    const x = ramp(n);
    const opts = { frequencyMasks: 2, maxFrequencyWidth: 4, timeMasks: 3, maxTimeWidth: 3 };
    applySpecAugment(x, n, H, W, opts, seededRandom(11));
    const patterns = new Set<string>();
    for (let e = 0; e < n; e++) {
      const { rows, cols } = zeroLines(x, e);
      expect(rows.length).toBeLessThanOrEqual(2 * 4);
      expect(cols.length).toBeLessThanOrEqual(3 * 3);
      for (const [, len] of runs(rows)) expect(len).toBeLessThanOrEqual(2 * 4);
      patterns.add(JSON.stringify({ rows, cols }));
    }
    expect(patterns.size).toBeGreaterThan(n / 2);
  });

  it('gives the same masks for the same seed, others for another seed', () => {
    const a = ramp(8);
    const b = ramp(8);
    const c = ramp(8);
    applySpecAugment(a, 8, H, W, one, seededRandom(42));
    applySpecAugment(b, 8, H, W, one, seededRandom(42));
    applySpecAugment(c, 8, H, W, one, seededRandom(43));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('changes nothing with width 0, no masks, or no examples', () => {
    for (const opts of [
      { frequencyMasks: 3, maxFrequencyWidth: 0, timeMasks: 3, maxTimeWidth: 0 },
      { frequencyMasks: 0, maxFrequencyWidth: 5, timeMasks: 0, maxTimeWidth: 7 },
    ]) {
      const x = ramp(10);
      applySpecAugment(x, 10, H, W, opts, seededRandom(1));
      expect(x).toEqual(ramp(10));
    }
    const empty = new Float32Array(0);
    applySpecAugment(empty, 0, H, W, one, seededRandom(1));
    expect(empty.length).toBe(0);
  });

  it('only frequency masks leave every column partly intact; only time masks every row', () => {
    const x = ramp(30);
    applySpecAugment(
      x,
      30,
      H,
      W,
      { ...one, timeMasks: 0, maxFrequencyWidth: H - 1 },
      seededRandom(5),
    );
    for (let e = 0; e < 30; e++) expect(zeroLines(x, e).cols).toEqual([]);
    const y = ramp(30);
    applySpecAugment(y, 30, H, W, { ...one, frequencyMasks: 0 }, seededRandom(5));
    for (let e = 0; e < 30; e++) expect(zeroLines(y, e).rows).toEqual([]);
  });

  it('refuses a batch of another size', () => {
    expect(() => applySpecAugment(new Float32Array(PER + 1), 1, H, W, one, Math.random)).toThrow(
      'applySpecAugment: expected 1 × 20 × 30 = 600 values, got 601',
    );
  });
});

describe('checkSpecAugmentOptions', () => {
  it('accepts the defaults on the real input (128 × 259) and returns the four fields', () => {
    expect(SPEC_AUGMENT_DEFAULTS).toEqual({
      frequencyMasks: 2,
      maxFrequencyWidth: 16,
      timeMasks: 2,
      maxTimeWidth: 26,
    });
    expect(Object.isFrozen(SPEC_AUGMENT_DEFAULTS)).toBe(true);
    expect(checkSpecAugmentOptions({ ...SPEC_AUGMENT_DEFAULTS, extra: 1 }, 128, 259)).toEqual(
      SPEC_AUGMENT_DEFAULTS,
    );
  });

  it.each([
    [{ frequencyMasks: -1 }, 'specAugment.frequencyMasks: expected an integer ≥ 0, got -1'],
    [{ timeMasks: 1.5 }, 'specAugment.timeMasks: expected an integer ≥ 0, got 1.5'],
    [
      { maxFrequencyWidth: 20 },
      'specAugment.maxFrequencyWidth: expected an integer in 0…19 (narrower than the 20 mel bands), got 20',
    ],
    [
      { maxTimeWidth: -2 },
      'specAugment.maxTimeWidth: expected an integer in 0…29 (narrower than the 30 frames), got -2',
    ],
    [
      { maxTimeWidth: '3' },
      'specAugment.maxTimeWidth: expected an integer in 0…29 (narrower than the 30 frames), got "3"',
    ],
    [
      { maxTimeWidth: undefined },
      'specAugment.maxTimeWidth: expected an integer in 0…29 (narrower than the 30 frames), got undefined',
    ],
  ])('refuses %j naming the option, its range and the value', (bad, message) => {
    const opts = { frequencyMasks: 1, maxFrequencyWidth: 5, timeMasks: 1, maxTimeWidth: 7, ...bad };
    expect(() => checkSpecAugmentOptions(opts, H, W)).toThrow(message);
    expect(() => applySpecAugment(ramp(1), 1, H, W, opts as never, Math.random)).toThrow(message);
  });

  it('refuses a value that is not an object', () => {
    expect(() => checkSpecAugmentOptions(true, H, W, 'train option specAugment')).toThrow(
      'train option specAugment: expected false or { frequencyMasks, maxFrequencyWidth, timeMasks, maxTimeWidth }, got true',
    );
  });
});
