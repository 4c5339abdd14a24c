import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportToMarkdown } from './markdown.js';
import type { SerReport } from './types.js';
import { writeReport } from './write.js';

/** A 3-class report whose numbers are checked by hand below. */
function sampleReport(): SerReport {
  const confusion = [
    [8, 2, 0],
    [1, 9, 0],
    [0, 3, 7],
  ];
  return {
    schema: 'serkit-report/1',
    kind: 'train',
    dataset: { name: 'emodb', roots: ['../shared/data/emodb'], files: 150, failed: 0 },
    split: { kind: 'random', testSize: 0.2, train: 108, validation: 12, test: 30 },
    augment: { enabled: false, copies: 1, names: [] },
    seed: 42,
    classes: ['anger', 'boredom', 'sadness'],
    accuracy: 24 / 30,
    uar: 0.8,
    confusion,
    confusionPercent: confusion.map((r) => r.map((v) => (100 * v) / 10)),
    perClass: [
      {
        name: 'anger',
        precision: 8 / 9,
        recall: 0.8,
        f1: (2 * (8 / 9) * 0.8) / (8 / 9 + 0.8),
        support: 10,
      },
      {
        name: 'boredom',
        precision: 9 / 14,
        recall: 0.9,
        f1: (2 * (9 / 14) * 0.9) / (9 / 14 + 0.9),
        support: 10,
      },
      { name: 'sadness', precision: 1, recall: 0.7, f1: (2 * 0.7) / 1.7, support: 10 },
    ],
    macro: { precision: 0.844, recall: 0.8, f1: 0.8, support: 30 },
    weighted: { precision: 0.844, recall: 0.8, f1: 0.8, support: 30 },
    epochs: [
      { epoch: 1, loss: 1.9, accuracy: 0.3, valLoss: 1.8, valAccuracy: 0.35, seconds: 10 },
      { epoch: 2, loss: 1.2, accuracy: 0.6, valLoss: 1.3, valAccuracy: 0.55, seconds: 10 },
    ],
    bestEpoch: 2,
    seconds: { extract: 1, train: 20, evaluate: 1, total: 22 },
    backend: { name: 'tensorflow', tensorflowVersion: '2.21.0' },
    createdAt: '2026-11-25T00:00:00.000Z',
  };
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('reportToMarkdown', () => {
  it('lays out the per-class table and the confusion matrix in %', () => {
    const md = reportToMarkdown(sampleReport());
    expect(md).toContain('Accuracy: **80.00 %**, UAR (unweighted average recall) **80.00 %**');
    expect(md).toContain('| anger | 0.89 | 0.80 | 0.84 | 10 |');
    expect(md).toContain('| sadness | 1.00 | 0.70 | 0.82 | 10 |');
    expect(md).toContain('| **accuracy** | | | 0.80 | 30 |');
    expect(md).toContain('| **sadness** | 0.0 | 30.0 | 70.0 |');
  });
});

describe('writeReport', () => {
  it('writes every file, PNGs and SVG included, and nothing half-written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'serkit-report-'));
    dirs.push(dir);
    const nMels = 16;
    const nFrames = 20;
    const values = Float32Array.from({ length: nMels * nFrames }, (_, i) => -80 + (i % 80));
    const files = await writeReport(dir, sampleReport(), {
      spectrogram: { values, nMels, nFrames, title: 'example', secondsPerFrame: 512 / 44100 },
    });
    expect((await readdir(dir)).sort()).toEqual([
      'confusion-matrix.png',
      'confusion-matrix.svg',
      'report.json',
      'report.md',
      'spectrogram.png',
      'training-curves.png',
    ]);
    const png = await readFile(files.confusionPng);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const svg = await readFile(files.confusionSvg, 'utf8');
    for (const name of ['anger', 'boredom', 'sadness', '70.0%']) expect(svg).toContain(name);
    expect(JSON.parse(await readFile(files.json, 'utf8')).schema).toBe('serkit-report/1');
  });
});
