import { describe, expect, it } from 'vitest';
import {
  accuracy,
  classificationReport,
  confusionMatrix,
  countsFromPercent,
  formatReport,
  perClassScores,
  unweightedAverageRecall,
} from './metrics.js';

// Hand-computed case (also what scikit-learn's classification_report gives):
// actual    0 0 0 1 1 2
// predicted 0 0 1 1 2 2
const actual = [0, 0, 0, 1, 1, 2];
const predicted = [0, 0, 1, 1, 2, 2];

describe('metrics', () => {
  it('confusion matrix: counts (actual rows, predicted columns) and row %', () => {
    const r = classificationReport(actual, predicted, ['a', 'b', 'c']);
    expect(r.confusion).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(r.confusionPercent[0][0]).toBeCloseTo(200 / 3, 10);
    expect(r.confusionPercent[0][1]).toBeCloseTo(100 / 3, 10);
    expect(r.confusionPercent[1]).toEqual([0, 50, 50]);
    expect(r.confusionPercent[2]).toEqual([0, 0, 100]);
  });

  it('per-class precision, recall, F1, support', () => {
    const r = classificationReport(actual, predicted, ['a', 'b', 'c']);
    const want = [
      [1, 2 / 3, 0.8, 3],
      [0.5, 0.5, 0.5, 2],
      [0.5, 1, 2 / 3, 1],
    ];
    r.perClass.forEach((s, i) => {
      expect(s.precision).toBeCloseTo(want[i][0], 12);
      expect(s.recall).toBeCloseTo(want[i][1], 12);
      expect(s.f1).toBeCloseTo(want[i][2], 12);
      expect(s.support).toBe(want[i][3]);
    });
    expect(r.accuracy).toBeCloseTo(4 / 6, 12);
  });

  it('macro and weighted averages', () => {
    const r = classificationReport(actual, predicted, ['a', 'b', 'c']);
    expect(r.macro.precision).toBeCloseTo(2 / 3, 12);
    expect(r.macro.recall).toBeCloseTo((2 / 3 + 0.5 + 1) / 3, 12);
    expect(r.macro.f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
    expect(r.weighted.precision).toBeCloseTo(0.75, 12);
    expect(r.weighted.recall).toBeCloseTo(4 / 6, 12);
    expect(r.weighted.f1).toBeCloseTo((3 * 0.8 + 2 * 0.5 + 2 / 3) / 6, 12);
    expect(r.macro.support).toBe(6);
    expect(r.weighted.support).toBe(6);
  });

  it('a class never predicted / never present scores 0, not NaN', () => {
    const s = perClassScores(confusionMatrix([0, 0, 1], [0, 0, 0], 3));
    expect(s[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(s[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(s[0].precision).toBeCloseTo(2 / 3, 12);
  });

  it('rebuilds counts from row % and supports', () => {
    expect(
      countsFromPercent(
        [
          [75, 25],
          [10, 90],
        ],
        [40, 30],
      ),
    ).toEqual([
      [30, 10],
      [3, 27],
    ]);
  });

  it('bad input: one-line errors naming the parameter', () => {
    expect(() => accuracy([0, 1], [0])).toThrow(/actual has 2 labels but predicted has 1/);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/actual\[1\].*0…2.*3/);
    expect(() => classificationReport([0], [0], [])).toThrow(/classNames/);
    expect(() => perClassScores([[1, 2], [3]])).toThrow(/confusion row 1/);
  });

  it('formats a text report', () => {
    const text = formatReport(classificationReport(actual, predicted, ['a', 'b', 'c']));
    expect(text).toMatch(/precision\s+recall\s+f1-score\s+support/);
    expect(text).toMatch(/weighted avg\s+0\.75\s+0\.67\s+0\.68\s+6/);
  });
});

describe('unweightedAverageRecall', () => {
  it('averages recall over the classes present in the evaluated data only', () => {
    // Class 2 has no evaluated example (its row is empty) but was predicted once.
    const confusion = [
      [3, 1, 0],
      [1, 1, 1],
      [0, 0, 0],
    ];
    expect(unweightedAverageRecall(confusion)).toBeCloseTo((3 / 4 + 1 / 3) / 2, 12);
    const full = [
      [2, 1],
      [0, 3],
    ];
    expect(unweightedAverageRecall(full)).toBeCloseTo((2 / 3 + 1) / 2, 12);
    expect(unweightedAverageRecall([[0]])).toBeNaN();
  });
});
