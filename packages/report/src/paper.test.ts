/**
 * The embedded copy of the paper's figures (paper.ts) against the transcription in
 * ../shared/paper/tables.json, the mapping of the paper's class names onto serkit's labels,
 * and the paper's result beside a run made with its protocol in report.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EMODB_LABELS, RAVDESS_LABELS } from '@serkit/features';
import { describe, expect, it } from 'vitest';
import { reportToMarkdown } from './markdown.js';
import {
  PAPER_MISPRINT,
  PAPER_RESULTS,
  PAPER_SOURCE,
  type PaperCorpusName,
  paperBaseline,
} from './paper.js';
import type { SerReport } from './types.js';

const TABLES = resolve(import.meta.dirname, '../../../../shared/paper/tables.json');
const haveTables = existsSync(TABLES);
// In CI the shared files are present: a missing file fails there instead of skipping.
if (!haveTables && process.env.CI) throw new Error(`${TABLES}: missing (required in CI)`);
if (!haveTables)
  console.warn(`paper.test.ts: skipping the tables.json comparison: ${TABLES} is absent`);

const corpora: PaperCorpusName[] = ['ravdess', 'emodb'];
const protocols = ['noAugmentation', 'augmentation'] as const;

describe('the embedded paper figures', () => {
  it.skipIf(!haveTables)('equal ../shared/paper/tables.json, value for value', () => {
    const t = JSON.parse(readFileSync(TABLES, 'utf8'));
    expect(PAPER_SOURCE).toBe(t.source);
    for (const c of corpora) {
      expect(PAPER_RESULTS[c].classes, c).toEqual(t[c].classes);
      for (const p of protocols) expect(PAPER_RESULTS[c][p], `${c}.${p}`).toEqual(t[c][p]);
    }
    expect(t.notes.join(' ')).toContain(`Table 2's macro F1 is printed ${PAPER_MISPRINT.printed}`);
  });

  it('are consistent: each row sums to 100 %, its diagonal is the table recall, supports match', () => {
    for (const c of corpora) {
      const k = PAPER_RESULTS[c].classes.length;
      for (const p of protocols) {
        const r = PAPER_RESULTS[c][p];
        expect(r.confusionPercent).toHaveLength(k);
        expect(r.perClass).toHaveLength(k);
        r.confusionPercent.forEach((row, i) => {
          expect(row).toHaveLength(k);
          expect(Math.abs(row.reduce((a, b) => a + b, 0) - 100), `${c}.${p} row ${i}`).toBeLessThan(
            0.03,
          );
          expect(row[i], `${c}.${p} ${r.perClass[i].name}`).toBe(r.perClass[i].recall);
        });
      }
      // Both results of a corpus were measured on the same test files.
      expect(PAPER_RESULTS[c].augmentation.perClass.map((x) => x.support)).toEqual(
        PAPER_RESULTS[c].noAugmentation.perClass.map((x) => x.support),
      );
    }
    expect(PAPER_RESULTS.emodb.noAugmentation.perClass.reduce((a, x) => a + x.support, 0)).toBe(
      107,
    );
    expect(PAPER_RESULTS.ravdess.noAugmentation.perClass.reduce((a, x) => a + x.support, 0)).toBe(
      288,
    );
  });

  it("map the paper's class names onto serkit's labels, one to one", () => {
    const serkit = { ravdess: [...RAVDESS_LABELS], emodb: [...EMODB_LABELS] };
    for (const c of corpora) {
      const { classes, labels, noAugmentation } = PAPER_RESULTS[c];
      expect([...labels].sort(), c).toEqual([...serkit[c]].sort());
      // The figure's name, the table's short name and serkit's label name the same emotion
      // (angry/anger, bored/boredom, fear/fearful, happy/happiness, sad/sadness, surprise/surprised).
      labels.forEach((label, j) => {
        for (const name of [classes[j], noAugmentation.perClass[j].name])
          expect(name.slice(0, 3), `${c}: ${name} → ${label}`).toBe(label.slice(0, 3));
      });
    }
    // The paper's order is not serkit's: EMO-DB puts sadness before neutral in serkit.
    expect(EMODB_LABELS.indexOf('sadness')).toBeLessThan(EMODB_LABELS.indexOf('neutral'));
    expect(PAPER_RESULTS.emodb.labels.indexOf('sadness')).toBeGreaterThan(
      PAPER_RESULTS.emodb.labels.indexOf('neutral'),
    );
  });

  it('are frozen', () => {
    expect(() => {
      (PAPER_RESULTS.emodb.augmentation as { accuracy: number }).accuracy = 100;
    }).toThrow(TypeError);
    expect(PAPER_RESULTS.emodb.augmentation.accuracy).toBe(91.59);
  });
});

/**
 * A synthetic `ser train` report on EMO-DB in serkit's class order, from a confusion matrix
 * whose row sums are the paper's supports (scores computed here from the counts).
 */
function emodbReport(overrides: Partial<SerReport> = {}): SerReport {
  const classes = [...EMODB_LABELS];
  const support = [34, 10, 10, 12, 13, 11, 17]; // serkit order: …, sadness, neutral
  const confusion = support.map((n, i) => classes.map((_, j) => (j === i ? n - 1 : 0)));
  confusion.forEach((row, i) => {
    row[(i + 1) % classes.length] += 1; // one miss per class
  });
  const perClass = classes.map((name, i) => {
    const tp = confusion[i][i];
    const predicted = confusion.reduce((a, r) => a + r[i], 0);
    const precision = tp / predicted;
    const recall = tp / support[i];
    return {
      name,
      precision,
      recall,
      f1: (2 * precision * recall) / (precision + recall),
      support: support[i],
    };
  });
  const total = support.reduce((a, b) => a + b, 0);
  const mean = (f: (r: (typeof perClass)[number]) => number) =>
    perClass.reduce((a, r) => a + f(r), 0) / perClass.length;
  const macro = {
    precision: mean((r) => r.precision),
    recall: mean((r) => r.recall),
    f1: mean((r) => r.f1),
    support: total,
  };
  return {
    schema: 'serkit-report/1',
    kind: 'train',
    dataset: { name: 'emodb', roots: ['emodb-original'], files: 535, failed: 0 },
    split: { kind: 'random', testSize: 0.2, train: 385, validation: 43, test: total },
    augment: { enabled: true, copies: 5, names: ['noise', 'stretch 0.8', 'stretch 1.2', 'pitch'] },
    seed: 42,
    classes,
    accuracy: (total - classes.length) / total,
    uar: macro.recall,
    confusion,
    confusionPercent: confusion.map((r, i) => r.map((v) => (100 * v) / support[i])),
    perClass,
    macro,
    weighted: macro,
    epochs: [],
    bestEpoch: 1,
    seconds: { extract: 1, train: 1, evaluate: 1, total: 3 },
    backend: { name: 'tensorflow', tensorflowVersion: '2.21.0' },
    createdAt: '2026-11-29T00:00:00.000Z',
    ...overrides,
  };
}

describe('paperBaseline', () => {
  it("matches a run only on the paper's protocol: its corpus, random 80:20, all classes", () => {
    const run = emodbReport();
    expect(paperBaseline(run)).toMatchObject({
      corpus: 'emodb',
      augmented: true,
      result: { figure: 13, table: 5 },
      paperIndex: [0, 1, 2, 3, 4, 6, 5],
    });
    expect(
      paperBaseline({ ...run, augment: { enabled: false, copies: 1, names: [] } }),
    ).toMatchObject({ augmented: false, result: { figure: 10, table: 3 } });
    const split = run.split;
    for (const other of [
      { ...run, split: { ...split, kind: 'speaker' as const } },
      { ...run, split: { ...split, testSize: 0.3 } },
      // A cross-validation fold, even one of five stratified folds (an 80:20 in size).
      { ...run, split: { ...split, fold: { index: 1, of: 5, protocol: 'kfold' as const } } },
      { ...run, split: { ...split, kind: 'all' as const, testSize: null } },
      { ...run, dataset: { ...run.dataset, name: 'folders' } },
      { ...run, classes: run.classes.slice(0, 6) },
      { ...run, classes: run.classes.map((c) => (c === 'fear' ? 'anger' : c)) },
      // SpecAugment masking: not a protocol of the paper's.
      {
        ...run,
        specAugment: { frequencyMasks: 2, maxFrequencyWidth: 16, timeMasks: 2, maxTimeWidth: 26 },
      },
    ]) {
      expect(paperBaseline(other)).toBeNull();
    }
  });

  it('maps RAVDESS in serkit order onto the paper order', () => {
    const b = paperBaseline({
      ...emodbReport(),
      dataset: { name: 'ravdess', roots: ['ravdess'], files: 720, failed: 0 },
      classes: [...RAVDESS_LABELS],
    });
    expect(b?.result.table).toBe(4);
    const paperNames = b?.paperIndex.map((j) => PAPER_RESULTS.ravdess.labels[j]);
    expect(paperNames).toEqual([...RAVDESS_LABELS]);
  });
});

describe("report.md beside the paper's result", () => {
  it("puts the paper's accuracy, UAR, recall per class and confusion matrix beside the run's, in the run's order", () => {
    const run = emodbReport();
    const md = reportToMarkdown(run);
    expect(md).toContain(
      '## Beside the paper — EMO-DB, random 80:20, with augmentation (its Table 5, Figure 13)',
    );
    expect(md).toContain('The paper tested on 107 utterances, this run on 107.');
    // 100 / 107 correct = 93.46 %, paper 91.59 %.
    expect(md).toContain('| Accuracy (%) | 93.46 | 91.59 | +1.87 |');
    expect(md).toContain(`| UAR (%) | ${(100 * run.uar).toFixed(2)} | 90.79 |`);
    // anger: 33/34 = 97.06 % both; sadness: 10/11 = 90.91 % vs the paper's 100 %.
    expect(md).toContain('| anger | 97.06 | 97.06 | ±0.00 | angry |');
    expect(md).toContain('| sadness | 90.91 | 100.00 | −9.09 | sad |');
    expect(md).toContain('| neutral | 94.12 | 88.24 | +5.88 | neutral |');
    // The paper's matrix re-ordered to serkit's columns (…, sadness, neutral).
    expect(md).toContain(
      '| actual \\ predicted | anger | boredom | disgust | fear | happiness | sadness | neutral |',
    );
    expect(md).toContain('| **sadness** | 0.00 | 0.00 | 0.00 | 0.00 | 0.00 | 100.00 | 0.00 |');
    expect(md).toContain('| **neutral** | 0.00 | 11.76 | 0.00 | 0.00 | 0.00 | 0.00 | 88.24 |');
    expect(md).toContain('| **boredom** | 0.00 | 90.00 | 10.00 | 0.00 | 0.00 | 0.00 | 0.00 |');
    expect(md).toContain(
      "The paper's class names → serkit's labels: angry → anger, bored → boredom, happy → happiness, sad → sadness.",
    );
    expect(md).toContain(PAPER_SOURCE);
  });

  it('without augmentation, the Table 3 / Figure 10 figures; on another protocol, no paper section', () => {
    const plain = reportToMarkdown(
      emodbReport({ augment: { enabled: false, copies: 1, names: [] } }),
    );
    expect(plain).toContain('without augmentation (its Table 3, Figure 10)');
    expect(plain).toContain('| Accuracy (%) | 93.46 | 83.18 | +10.28 |');
    const speaker = reportToMarkdown(
      emodbReport({
        split: { kind: 'speaker', testSize: 0.2, train: 1, validation: 1, test: 107 },
      }),
    );
    expect(speaker).not.toContain('Beside the paper');
    expect(speaker).toContain('UAR (unweighted average recall)');
  });
});
