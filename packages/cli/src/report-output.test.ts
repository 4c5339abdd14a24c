/**
 * The stdout summary of `ser train` and `ser evaluate`: the class count names the classes the
 * data hold when they are fewer than the model's, because UAR averages over those only.
 */
import { classificationReport, unweightedAverageRecall } from '@serkit/model';
import type { SerReport } from '@serkit/report';
import { describe, expect, it } from 'vitest';
import { classCount, summary } from './report-output.js';

const CLASSES = ['neutral', 'calm', 'happy', 'sad'];

/** A report of `predicted` against `actual` (class indices), with what summary() reads. */
function reportOf(actual: number[], predicted: number[]): SerReport {
  const r = classificationReport(actual, predicted, CLASSES);
  return {
    ...r,
    classes: CLASSES,
    uar: unweightedAverageRecall(r.confusion),
    split: { test: actual.length },
  } as unknown as SerReport;
}

describe('summary', () => {
  it('names the class count alone when the data hold every class', () => {
    const line = summary(reportOf([0, 1, 2, 3], [0, 1, 2, 2]), null).split('\n')[0];
    expect(line).toBe('accuracy 75.00 %, UAR 75.00 % on 4 utterances (4 classes); macro F1 0.667');
  });

  it("says which share of the model's classes the data hold, UAR over those, macro F1 over all", () => {
    const report = reportOf([0, 0, 2, 2], [0, 1, 2, 2]);
    expect(summary(report, null)).toMatch(
      /^accuracy 75\.00 %, UAR 75\.00 % on 4 utterances \(2 of the model's 4 classes; UAR over those 2\); macro F1 0\.\d{3} over all 4\n/,
    );
    expect(summary(reportOf([3], [3]), null)).toContain(
      "on 1 utterance (1 of the model's 4 classes; UAR over that class); macro F1 0.250 over all 4",
    );
  });
});

describe('classCount', () => {
  it('is the plain count when every class has support, else the share and what UAR covers', () => {
    const support = (...n: number[]) => n.map((s) => ({ support: s }));
    expect(classCount(support(3, 1, 2), 'the')).toEqual({ text: '3 classes', partial: false });
    expect(classCount(support(3, 0, 2), 'the')).toEqual({
      text: '2 of the 3 classes; UAR over those 2',
      partial: true,
    });
  });
});
