/**
 * The cross-validation report (`report.json` of `ser crossval`, schema `serkit-crossval/1`):
 * one row per fold (and seed), accuracy and UAR as mean ± standard deviation, the confusion
 * matrix summed over the folds and per-class scores over all test predictions; its Markdown
 * and its plot (per-fold accuracy/UAR beside the summed confusion matrix).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, confusionMatrixSpec } from './charts.js';
import { presentClassesNote, specAugmentText } from './markdown.js';
import { count } from './plural.js';
import { renderSvg, svgToPng } from './render.js';
import type { ClassRow, Scores, SpecAugmentMasks } from './types.js';

/** One fold of one seed. */
export interface CrossvalFold {
  /** 1-based fold number. */
  fold: number;
  /** Seed of this repetition. */
  seed: number;
  /** Speakers of the test fold (speaker protocols), else null. */
  testSpeakers: string[] | null;
  /** Accuracy on the test fold (0–1). */
  accuracy: number;
  /** UAR on the test fold (0–1). */
  uar: number;
  /** Test files of the fold. */
  files: number;
  /** Epoch whose weights were kept. */
  bestEpoch: number;
  /** The fold's own report folder, relative to the cross-validation folder. */
  dir: string;
}

/** A mean and a sample standard deviation (n − 1; 0 for one value). */
export interface MeanStd {
  mean: number;
  std: number;
}

/** `report.json` of `ser crossval`. */
export interface CrossvalReport {
  schema: 'serkit-crossval/1';
  /** Corpus kind, folders, files found, files that could not be used. */
  dataset: { name: string; roots: string[]; files: number; failed: number };
  /** The protocol: `random` + K (stratified K-fold), `speaker` + K, or `speaker` + `loso`. */
  protocol: {
    split: 'random' | 'speaker';
    folds: number | 'loso';
    seeds: number[];
    augment: boolean;
    /** SpecAugment masking of the training inputs, when on. Absent: off. */
    specAugment?: SpecAugmentMasks;
    epochs: number;
    patience: number;
  };
  /** One row per fold and seed, seed by seed. */
  folds: CrossvalFold[];
  summary: {
    /** Over all folds (and seeds). */
    accuracy: MeanStd;
    uar: MeanStd;
    /** Counts summed over all folds (and seeds): row = actual, column = predicted. */
    confusion: number[][];
    /** Row-normalised summed confusion, % of each actual class. */
    confusionPercent: number[][];
    classes: string[];
    /** Precision, recall, F1 over all test predictions pooled. */
    perClass: ClassRow[];
    macro: Scores;
    weighted: Scores;
    /** Accuracy of all test predictions pooled (0–1). */
    pooledAccuracy: number;
  };
  /** Wall time, seconds. */
  seconds: { total: number };
  createdAt: string;
}

/** Files {@link writeCrossvalReport} writes. */
export interface CrossvalReportFiles {
  json: string;
  markdown: string;
  plotPng: string;
  plotSvg: string;
}

const pct = (x: number) => (100 * x).toFixed(2);

/** `report.md` of a cross-validation. */
export function crossvalToMarkdown(r: CrossvalReport): string {
  const p = r.protocol;
  const name =
    p.folds === 'loso'
      ? 'leave one speaker out'
      : `${p.split === 'speaker' ? 'speaker' : 'stratified'} ${p.folds}-fold`;
  const s = r.summary;
  const multi = p.seeds.length > 1;
  const lines = [
    `# Cross-validation report — ${r.dataset.name}, ${name}`,
    '',
    `- Accuracy: **${pct(s.accuracy.mean)} ± ${pct(s.accuracy.std)} %**, UAR **${pct(s.uar.mean)} ± ${pct(s.uar.std)} %** (mean ± standard deviation over ${count(r.folds.length, 'fold')}${multi ? ` of ${p.seeds.length} seeds` : ''})${presentClassesNote(s.perClass)}`,
    `- Data: ${count(r.dataset.files, 'file')} from ${r.dataset.roots.join(', ')}${r.dataset.failed ? ` (${r.dataset.failed} could not be used)` : ''}`,
    `- Protocol: ${name}, seed${multi ? 's' : ''} ${p.seeds.join(', ')}, augmentation ${p.augment ? 'on' : 'off'}, at most ${count(p.epochs, 'epoch')}, patience ${p.patience}`,
    ...(p.specAugment ? [`- Masking: ${specAugmentText(p.specAugment)}`] : []),
    `- Time: ${r.seconds.total.toFixed(1)} s`,
    '',
    '## Folds',
    '',
    `| ${multi ? 'Seed | ' : ''}Fold | Test speakers | Test files | Accuracy (%) | UAR (%) | Best epoch | Report |`,
    `|${multi ? '---:|' : ''}---:|---|---:|---:|---:|---:|---|`,
  ];
  for (const f of r.folds) {
    lines.push(
      `| ${multi ? `${f.seed} | ` : ''}${f.fold} | ${f.testSpeakers?.join(', ') ?? '—'} | ${f.files} | ${pct(f.accuracy)} | ${pct(f.uar)} | ${f.bestEpoch} | [${f.dir}/report.md](${f.dir}/report.md) |`,
    );
  }
  lines.push(
    '',
    '## Precision, recall and F1 per emotion (all test predictions)',
    '',
    '| Emotion | Precision | Recall | F1-score | Support |',
    '|---|---:|---:|---:|---:|',
  );
  const row = (n: string, x: Scores) =>
    `| ${n} | ${x.precision.toFixed(2)} | ${x.recall.toFixed(2)} | ${x.f1.toFixed(2)} | ${x.support} |`;
  for (const c of s.perClass) lines.push(row(c.name, c));
  lines.push(
    `| **accuracy** | | | ${s.pooledAccuracy.toFixed(2)} | ${s.macro.support} |`,
    row('**macro avg**', s.macro),
    row('**weighted avg**', s.weighted),
    '',
    '## Confusion matrix summed over the folds (% of each actual emotion; counts in the plot)',
    '',
    `| actual \\ predicted | ${s.classes.join(' | ')} |`,
    `|---|${s.classes.map(() => '---:').join('|')}|`,
  );
  s.confusionPercent.forEach((r2, i) => {
    lines.push(`| **${s.classes[i]}** | ${r2.map((v) => v.toFixed(1)).join(' | ')} |`);
  });
  lines.push('', '![Per-fold accuracy and UAR, summed confusion matrix](crossval.png)', '');
  return `${lines.join('\n')}\n`;
}

/** Per-fold accuracy and UAR (grouped bars) beside the summed confusion matrix. */
export function crossvalSpec(r: CrossvalReport): TopLevelSpec {
  const multi = r.protocol.seeds.length > 1;
  const values = r.folds.flatMap((f) => {
    const fold = multi ? `${f.seed}/${f.fold}` : String(f.fold);
    return [
      { fold, metric: 'accuracy', percent: 100 * f.accuracy },
      { fold, metric: 'UAR', percent: 100 * f.uar },
    ];
  });
  const {
    $schema: _s,
    config: _c,
    ...confusion
  } = confusionMatrixSpec(
    {
      classes: r.summary.classes,
      confusion: r.summary.confusion,
      confusionPercent: r.summary.confusionPercent,
      accuracy: r.summary.pooledAccuracy,
      dataset: { name: r.dataset.name },
    },
    `Confusion matrix summed over ${count(r.folds.length, 'fold')}`,
  ) as unknown as Record<string, unknown>;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    hconcat: [
      {
        title: `Per fold — accuracy ${pct(r.summary.accuracy.mean)} ± ${pct(r.summary.accuracy.std)} %, UAR ${pct(r.summary.uar.mean)} ± ${pct(r.summary.uar.std)} %`,
        width: Math.max(240, 36 * r.folds.length),
        height: 260,
        data: { values },
        mark: 'bar',
        encoding: {
          x: { field: 'fold', type: 'nominal', title: multi ? 'seed/fold' : 'fold', sort: null },
          xOffset: { field: 'metric' },
          y: { field: 'percent', type: 'quantitative', title: '%', scale: { domain: [0, 100] } },
          color: { field: 'metric', type: 'nominal', title: null },
        },
      },
      confusion,
    ],
    config: CHART_CONFIG,
  } as unknown as TopLevelSpec;
}

async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Write `report.json`, `report.md`, `crossval.svg` and `crossval.png` into `dir` (atomically each). */
export async function writeCrossvalReport(
  dir: string,
  report: CrossvalReport,
): Promise<CrossvalReportFiles> {
  await mkdir(dir, { recursive: true });
  const files: CrossvalReportFiles = {
    json: join(dir, 'report.json'),
    markdown: join(dir, 'report.md'),
    plotSvg: join(dir, 'crossval.svg'),
    plotPng: join(dir, 'crossval.png'),
  };
  const svg = await renderSvg(crossvalSpec(report));
  await writeAtomic(files.plotSvg, svg);
  await writeAtomic(files.plotPng, svgToPng(svg));
  await writeAtomic(files.markdown, crossvalToMarkdown(report));
  await writeAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
  return files;
}
