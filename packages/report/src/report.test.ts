import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { spectrogramSpec } from './charts.js';
import { reportToMarkdown } from './markdown.js';
import { encodePngRgb } from './raster.js';
import { renderSvg } from './render.js';
import type { SeenSpeakers, SerReport } from './types.js';
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
    expect(md).not.toContain('Masking');
    expect(md).not.toContain('classes (UAR over');
  });

  it('says when the data hold fewer classes than the report, and what UAR and macro cover', () => {
    const r = sampleReport();
    const perClass = r.perClass.map((c) => (c.name === 'boredom' ? { ...c, support: 0 } : c));
    const md = reportToMarkdown({ ...r, perClass });
    expect(md).toContain(
      'on 30 held-out utterances of 2 of the 3 classes (UAR over those 2, the macro averages below over all 3)',
    );
  });

  it('names the SpecAugment masking of a run that used it, beside the other training options', () => {
    const masks = { frequencyMasks: 2, maxFrequencyWidth: 16, timeMasks: 2, maxTimeWidth: 26 };
    const md = reportToMarkdown({ ...sampleReport(), specAugment: masks });
    expect(md).toContain(
      "- Augmentation: none of the paper's four\n- Masking: 2 frequency masks of 0–16 mel bands and 2 time masks of 0–26 frames per training spectrogram and epoch (SpecAugment, Park et al. 2019)\n- Training: 2 epochs",
    );
  });
});

/** An evaluation of 30 files, 20 of them seen in training, with `speakers` when given. */
function evaluationReport(speakers?: SeenSpeakers): SerReport {
  return {
    ...sampleReport(),
    kind: 'evaluate',
    split: { kind: 'all', testSize: null, train: 0, validation: 0, test: 30 },
    epochs: [],
    bestEpoch: 0,
    seconds: { extract: 1, train: null, evaluate: 2, total: 3 },
    seen: {
      files: 20,
      unseen: 10,
      unseenAccuracy: 0.6,
      unseenMacroF1: 0.55,
      ...(speakers ? { speakers } : {}),
    },
  };
}

describe('reportToMarkdown: what each kind of run did, and nothing else', () => {
  it('an evaluation names no training time and no training curves, and gives the unseen-only figures', () => {
    const md = reportToMarkdown(evaluationReport());
    expect(md).toContain('- Time: extract 1.0 s, evaluate 2.0 s, total 3.0 s');
    expect(md).not.toMatch(/train \d/);
    expect(md).not.toContain('training-curves.png');
    expect(md).not.toContain('spectrogram.png');
    expect(md).toContain(
      "**20 of 30** evaluated files were the model's training or validation files; on the 10 unseen files only: accuracy **60.00 %**, macro F1 0.55",
    );
    expect(md).not.toContain('- Speakers:');
  });

  it('an evaluation says which unseen files are by speakers the model heard', () => {
    const md = reportToMarkdown(
      evaluationReport({
        basis: 'model',
        heard: ['03'],
        heardFiles: 6,
        other: ['09', '14'],
        otherFiles: 4,
        otherAccuracy: 0.5,
        otherUar: 0.375,
      }),
    );
    expect(md).toContain(
      '- Speakers: 6 of the 10 unseen files are by a speaker the model heard in training (03): not speaker-independent; on the 4 files by speakers it never heard (09, 14): accuracy 50.00 %, UAR 37.50 %',
    );
  });

  it('a speaker split says what it became, and the spectrogram is shown when written', () => {
    const r = sampleReport();
    r.split = {
      ...r.split,
      kind: 'speaker',
      testFraction: 0.5,
      testSpeakers: ['01'],
      note: '--split speaker: held out speaker 01 (15 of 30 files, 50 %, not the 20 % asked): …',
    };
    const md = reportToMarkdown(r, { spectrogram: '03a01Fa.wav (happiness)' });
    expect(md).toContain('test size 0.2 asked, 50.0 % obtained');
    expect(md).toContain('- Note: --split speaker: held out speaker 01 (15 of 30 files, 50 %');
    expect(md).toContain('![03a01Fa.wav (happiness)](spectrogram.png)');
    expect(md).toContain('![Training curves](training-curves.png)');
  });

  it('a fold of a cross-validation asks for no test size and says what it got', () => {
    const r = sampleReport();
    r.split = {
      ...r.split,
      kind: 'speaker',
      testSize: null,
      testFraction: 0.25,
      testSpeakers: ['03', '07', '10'],
      fold: { index: 1, of: 4, protocol: 'kfold' },
    };
    const md = reportToMarkdown(r);
    expect(md).toContain('- Split: speaker, test part 25.0 % of the files — train');
    expect(md).not.toContain('null');
    expect(md).toContain('- Cross-validation: fold 1 of 4 (speaker 4-fold)');
  });
});

/** RGBA pixels of a rendered spec (resvg, as svgToPng renders it). */
async function pixels(svg: string): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const img = new Resvg(svg, { background: 'white', font: { loadSystemFonts: false } }).render();
  return { width: img.width, height: img.height, rgba: new Uint8Array(img.pixels) };
}

describe('spectrogramSpec', () => {
  it('draws the matrix as one seamless image: a constant matrix is one colour, no grid', async () => {
    const nMels = 128;
    const nFrames = 259;
    const svg = await renderSvg(
      spectrogramSpec({
        values: new Float32Array(nMels * nFrames).fill(-40),
        nMels,
        nFrames,
        title: 'flat',
        secondsPerFrame: 512 / 44100,
      }),
    );
    expect(svg.match(/<image/g)).toHaveLength(1);
    const { width, rgba } = await pixels(svg);
    // The plot is 640 × 300 from about (50, 30); sample its middle half.
    const colours = new Set<string>();
    for (let y = 100; y < 250; y++) {
      for (let x = 200; x < 500; x++) {
        const o = (y * width + x) * 4;
        colours.add(`${rgba[o]},${rgba[o + 1]},${rgba[o + 2]}`);
      }
    }
    expect([...colours]).toEqual(['0,0,4']); // magma's darkest, everywhere
  });

  it('puts low mel bands at the bottom, high at the top', async () => {
    const nMels = 128;
    const nFrames = 259;
    const values = new Float32Array(nMels * nFrames);
    for (let m = 0; m < nMels; m++) values.fill(m < 64 ? 0 : -80, m * nFrames, (m + 1) * nFrames);
    const { width, rgba } = await pixels(
      await renderSvg(
        spectrogramSpec({ values, nMels, nFrames, title: 'x', secondsPerFrame: 0.01 }),
      ),
    );
    const at = (x: number, y: number) => rgba[(y * width + x) * 4];
    expect(at(300, 250)).toBeGreaterThan(200); // bottom half: 0 dB, magma's light end
    expect(at(300, 80)).toBeLessThan(10); // top half: -80 dB, dark
  });

  it('encodes a PNG that resvg decodes back to the same pixels', async () => {
    const rgb = Uint8Array.from({ length: 3 * 4 * 3 }, (_, i) => (i * 37) % 256);
    const png = encodePngRgb(4, 3, rgb);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><image width="4" height="3" href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
    const { rgba } = await pixels(svg);
    const back = Array.from({ length: 12 }, (_, p) => [...rgba.subarray(p * 4, p * 4 + 3)]).flat();
    expect(back).toEqual([...rgb]);
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
