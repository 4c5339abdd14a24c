import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CrossvalReport, crossvalToMarkdown, writeCrossvalReport } from './crossval.js';

const tmp = mkdtempSync(join(tmpdir(), 'serkit-cvreport-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const report: CrossvalReport = {
  schema: 'serkit-crossval/1',
  dataset: { name: 'emodb', roots: ['../shared/data/emodb'], files: 20, failed: 0 },
  protocol: {
    split: 'speaker',
    folds: 'loso',
    seeds: [42],
    augment: false,
    epochs: 3,
    patience: 10,
  },
  folds: [
    {
      fold: 1,
      seed: 42,
      testSpeakers: ['03'],
      accuracy: 0.8,
      uar: 0.75,
      files: 10,
      bestEpoch: 2,
      dir: 'fold-1',
    },
    {
      fold: 2,
      seed: 42,
      testSpeakers: ['08'],
      accuracy: 0.6,
      uar: 0.5,
      files: 10,
      bestEpoch: 3,
      dir: 'fold-2',
    },
  ],
  summary: {
    accuracy: { mean: 0.7, std: Math.SQRT2 / 10 },
    uar: { mean: 0.625, std: 0.125 * Math.SQRT2 },
    confusion: [
      [9, 1],
      [5, 5],
    ],
    confusionPercent: [
      [90, 10],
      [50, 50],
    ],
    classes: ['anger', 'neutral'],
    perClass: [
      { name: 'anger', precision: 9 / 14, recall: 0.9, f1: 0.75, support: 10 },
      { name: 'neutral', precision: 5 / 6, recall: 0.5, f1: 0.625, support: 10 },
    ],
    macro: { precision: 0.74, recall: 0.7, f1: 0.69, support: 20 },
    weighted: { precision: 0.74, recall: 0.7, f1: 0.69, support: 20 },
    pooledAccuracy: 0.7,
  },
  seconds: { total: 12.5 },
  createdAt: '2026-11-29T00:00:00.000Z',
};

describe('the cross-validation report', () => {
  it('gives mean ± std, the fold table, pooled scores and the summed confusion matrix', () => {
    const md = crossvalToMarkdown(report);
    expect(md).toContain('# Cross-validation report — emodb, leave one speaker out');
    expect(md).toContain(
      '- Accuracy: **70.00 ± 14.14 %**, UAR **62.50 ± 17.68 %** (mean ± standard deviation over 2 folds)',
    );
    expect(md).toContain(
      '| 1 | 03 | 10 | 80.00 | 75.00 | 2 | [fold-1/report.md](fold-1/report.md) |',
    );
    expect(md).toContain('| anger | 0.64 | 0.90 | 0.75 | 10 |');
    expect(md).toContain('| **neutral** | 50.0 | 50.0 |');
    expect(md).not.toContain('Masking');
    expect(md).not.toContain('UAR over');
  });

  it('says when the data hold fewer classes than the corpus, and what UAR and macro cover', () => {
    const perClass = [
      ...report.summary.perClass,
      { ...report.summary.perClass[0], name: 'fear', support: 0 },
    ];
    const md = crossvalToMarkdown({ ...report, summary: { ...report.summary, perClass } });
    expect(md).toContain(
      '(mean ± standard deviation over 2 folds) of 2 of the 3 classes (UAR over those 2, the macro averages below over all 3)',
    );
  });

  it('names the SpecAugment masking when the folds used it', () => {
    const masks = { frequencyMasks: 2, maxFrequencyWidth: 16, timeMasks: 1, maxTimeWidth: 26 };
    const md = crossvalToMarkdown({
      ...report,
      protocol: { ...report.protocol, specAugment: masks },
    });
    expect(md).toContain(
      '- Masking: 2 frequency masks of 0–16 mel bands and 1 time mask of 0–26 frames per training spectrogram and epoch (SpecAugment, Park et al. 2019)\n- Time:',
    );
  });

  it('writes report.json, report.md and the plot', async () => {
    const files = await writeCrossvalReport(tmp, report);
    expect(JSON.parse(readFileSync(files.json, 'utf8'))).toEqual(report);
    expect(readFileSync(files.plotPng).subarray(1, 4).toString()).toBe('PNG');
    const svg = readFileSync(files.plotSvg, 'utf8');
    expect(svg).toContain('Confusion matrix summed over 2 folds');
    expect(svg).toContain('accuracy 70.00 ± 14.14 %');
  });
});
