import { classesPresent } from './classes.js';
import { PAPER_RESULTS, PAPER_SOURCE, paperBaseline } from './paper.js';
import { count } from './plural.js';
import { seenSpeakersSentence } from './speakers.js';
import type { ClassRow, Scores, SerReport, SpecAugmentMasks } from './types.js';

const pct = (x: number): string => (100 * x).toFixed(2);
const fixed = (x: number): string => x.toFixed(2);

function scoreRow(name: string, s: Scores): string {
  return `| ${name} | ${fixed(s.precision)} | ${fixed(s.recall)} | ${fixed(s.f1)} | ${s.support} |`;
}

/** {@link SpecAugmentMasks} in words, for a run's and a cross-validation's `report.md`. */
export function specAugmentText(s: SpecAugmentMasks): string {
  return `${count(s.frequencyMasks, 'frequency mask')} of 0–${s.maxFrequencyWidth} mel bands and ${count(s.timeMasks, 'time mask')} of 0–${s.maxTimeWidth} frames per training spectrogram and epoch (SpecAugment, Park et al. 2019)`;
}

/**
 * `report.md`: the run laid out like the paper's Tables 2–5 (per-class precision,
 * recall, F1 and support, with accuracy and macro/weighted averages) and its
 * confusion-matrix figures (in % of each actual class). `figures` says which images sit
 * beside it: the training curves (default: when there is a history) and the spectrogram
 * (its caption; default none).
 */
export function reportToMarkdown(
  report: SerReport,
  figures: { trainingCurves?: boolean; spectrogram?: string | null } = {},
): string {
  const { split, dataset } = report;
  const lines: string[] = [];
  lines.push(`# Speech emotion recognition report — ${dataset.name}`, '');
  const classes = presentClassesNote(report.perClass);
  lines.push(
    `- Accuracy: **${pct(report.accuracy)} %**, UAR (unweighted average recall) **${pct(report.uar)} %** on ${count(split.test, report.kind === 'train' ? 'held-out utterance' : 'utterance')}${classes}`,
  );
  lines.push(
    `- Data: ${count(dataset.files, 'file')} from ${dataset.roots.join(', ')}${dataset.failed ? ` (${dataset.failed} could not be read)` : ''}`,
  );
  if (report.kind === 'train') {
    const speakers = split.testSpeakers?.length
      ? `; test speakers ${split.testSpeakers.join(', ')}`
      : '';
    const obtained =
      split.testFraction != null && split.testFraction !== split.testSize
        ? ` asked, ${(100 * split.testFraction).toFixed(1)} % obtained`
        : '';
    // No fraction is asked for when the test part is a fold or named speakers.
    const size =
      split.testSize == null
        ? `test part ${split.testFraction != null ? `${(100 * split.testFraction).toFixed(1)} % of the files` : 'as given'}`
        : `test size ${Number(split.testSize.toFixed(3))}${obtained}`;
    lines.push(
      `- Split: ${split.kind}, ${size} — train ${split.train}, validation ${split.validation}, test ${split.test}${speakers}`,
    );
    if (split.note) lines.push(`- Note: ${split.note}`);
    if (split.fold) {
      lines.push(
        `- Cross-validation: fold ${split.fold.index} of ${split.fold.of} (${split.fold.protocol === 'loso' ? 'leave one speaker out' : `${split.kind === 'speaker' ? 'speaker' : 'stratified'} ${split.fold.of}-fold`})`,
      );
    }
    if (split.validationKind) {
      lines.push(
        `- Validation (early stopping): ${split.validationKind === 'speaker' ? `whole training speakers ${split.validationSpeakers?.join(', ') ?? ''}` : 'stratified random part of the training files'}${split.validationNote ? ` (${split.validationNote})` : ''}`,
      );
    }
    lines.push(
      `- Augmentation: ${report.augment.enabled ? `${report.augment.names.join(', ')} (${report.augment.copies} spectrograms per training file)` : report.specAugment ? "none of the paper's four" : 'none'}`,
    );
    if (report.specAugment) lines.push(`- Masking: ${specAugmentText(report.specAugment)}`);
    lines.push(
      `- Training: ${count(report.epochs.length, 'epoch')}, best epoch ${report.bestEpoch}, seed ${report.seed}${report.resumedAfterEpoch === undefined ? '' : `; resumed from a checkpoint after epoch ${report.resumedAfterEpoch} (the training time below is the resumed part)`}`,
    );
    if (report.dbReference) {
      lines.push(
        `- Input: log-mel dB relative to each spectrogram's loudest bin (${report.dbReference}), then z-scored`,
      );
    }
  }
  if (report.seen) {
    const { files, unseen, unseenAccuracy, unseenMacroF1 } = report.seen;
    lines.push(
      files === 0
        ? '- Seen in training: none of the evaluated files (compared byte for byte: a re-encoded copy of a training file counts as unseen)'
        : `- Seen in training: **${files} of ${split.test}** evaluated files ${files === 1 ? 'was one of' : 'were'} the model's training or validation files; ${
            unseenAccuracy === null
              ? 'none is unseen'
              : `on the ${count(unseen, 'unseen file')} only: accuracy **${pct(unseenAccuracy)} %**, macro F1 ${fixed(unseenMacroF1 ?? 0)}`
          }`,
    );
    const sentence = report.seen.speakers
      ? seenSpeakersSentence(report.seen.speakers, unseen)
      : null;
    if (sentence) lines.push(`- Speakers: ${sentence}`);
  }
  const s = report.seconds;
  const phases = [
    `extract ${s.extract.toFixed(1)} s`,
    ...(s.train === null ? [] : [`train ${s.train.toFixed(1)} s`]),
    `evaluate ${s.evaluate.toFixed(1)} s`,
    `total ${s.total.toFixed(1)} s`,
  ];
  lines.push(`- Time: ${phases.join(', ')}`);
  lines.push(
    `- Backend: ${report.backend.name}${report.backend.tensorflowVersion ? ` (TensorFlow ${report.backend.tensorflowVersion}${typeof report.backend.oneDnn === 'boolean' ? `, oneDNN ${report.backend.oneDnn ? 'on' : 'off'}` : ''})` : ''}`,
  );
  lines.push('', '## Precision, recall and F1 per emotion', '');
  lines.push('| Emotion | Precision | Recall | F1-score | Support |', '|---|---:|---:|---:|---:|');
  for (const row of report.perClass as ClassRow[]) lines.push(scoreRow(row.name, row));
  const total = report.macro.support;
  lines.push(`| **accuracy** | | | ${fixed(report.accuracy)} | ${total} |`);
  lines.push(
    scoreRow('**macro avg**', report.macro),
    scoreRow('**weighted avg**', report.weighted),
  );
  lines.push(
    '',
    '## Confusion matrix (% of each actual emotion; rows actual, columns predicted)',
    '',
  );
  lines.push(
    `| actual \\ predicted | ${report.classes.join(' | ')} |`,
    `|---|${report.classes.map(() => '---:').join('|')}|`,
  );
  report.confusionPercent.forEach((row, i) => {
    lines.push(`| **${report.classes[i]}** | ${row.map((v) => v.toFixed(1)).join(' | ')} |`);
  });
  lines.push('', '![Confusion matrix](confusion-matrix.png)', '');
  if (figures.trainingCurves ?? report.epochs.length > 0) {
    lines.push('![Training curves](training-curves.png)', '');
  }
  if (figures.spectrogram) {
    lines.push('## Input example', '', `![${figures.spectrogram}](spectrogram.png)`, '');
  }
  lines.push(...besideThePaper(report));
  return `${lines.join('\n')}\n`;
}

/** A difference of percentages, signed, at the printed 2 decimals (±0.00 when it rounds to 0). */
function signed(x: number): string {
  const v = Number(x.toFixed(2));
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(2)}`;
}

/**
 * The paper's accuracy, UAR, recall per emotion and confusion matrix beside the run's, when
 * the run follows one of the paper's protocols ({@link paperBaseline}); nothing otherwise.
 * The paper's classes are shown under the run's label names and in the run's class order.
 */
function besideThePaper(report: SerReport): string[] {
  const base = paperBaseline(report);
  if (!base) return [];
  const { result: paper, paperIndex } = base;
  const corpus = PAPER_RESULTS[base.corpus];
  const paperTest = paper.perClass.reduce((a, r) => a + r.support, 0);
  const lines = [
    `## Beside the paper — ${report.dataset.name === 'emodb' ? 'EMO-DB' : 'RAVDESS'}, random 80:20, ${base.augmented ? 'with' : 'without'} augmentation (its Table ${paper.table}, Figure ${paper.figure})`,
    '',
    `${PAPER_SOURCE}. The paper tested on ${paperTest} utterances, this run on ${report.split.test}.`,
    '',
    '| | This run | Paper | Difference |',
    '|---|---:|---:|---:|',
    `| Accuracy (%) | ${pct(report.accuracy)} | ${paper.accuracy.toFixed(2)} | ${signed(100 * report.accuracy - paper.accuracy)} |`,
    `| UAR (%) | ${pct(report.uar)} | ${paper.macro.recall.toFixed(2)} | ${signed(100 * report.uar - paper.macro.recall)} |`,
    '',
    "| Emotion | Recall, this run (%) | Recall, paper (%) | Difference | Paper's name |",
    '|---|---:|---:|---:|---|',
  ];
  report.perClass.forEach((row, i) => {
    const p = paper.perClass[paperIndex[i]];
    lines.push(
      `| ${row.name} | ${pct(row.recall)} | ${p.recall.toFixed(2)} | ${signed(100 * row.recall - p.recall)} | ${p.name} |`,
    );
  });
  lines.push(
    '',
    `The paper's confusion matrix (Figure ${paper.figure}; % of each actual emotion as printed, rows actual, columns predicted; classes in this run's order):`,
    '',
    `| actual \\ predicted | ${report.classes.join(' | ')} |`,
    `|---|${report.classes.map(() => '---:').join('|')}|`,
  );
  report.classes.forEach((name, i) => {
    const cells = paperIndex.map((j) => paper.confusionPercent[paperIndex[i]][j].toFixed(2));
    lines.push(`| **${name}** | ${cells.join(' | ')} |`);
  });
  // The paper names a class in its figures and (shorter) in its tables; say which is which.
  const renamed = new Map<string, string>();
  corpus.labels.forEach((label, j) => {
    for (const name of [corpus.classes[j], paper.perClass[j].name])
      if (name !== label) renamed.set(name, label);
  });
  if (renamed.size > 0) {
    const pairs = [...renamed].map(([name, label]) => `${name} → ${label}`);
    lines.push('', `The paper's class names → serkit's labels: ${pairs.join(', ')}.`);
  }
  lines.push('');
  return lines;
}

/**
 * UAR averages over the classes present in the data, the macro row over all: when some class
 * has no example (`support` 0), " of 2 of the 7 classes (UAR over those 2, the macro averages
 * below over all 7)"; else "".
 */
export function presentClassesNote(perClass: readonly { support: number }[]): string {
  const c = classesPresent(perClass);
  if (c.present === c.all) return '';
  return ` of ${c.present} of the ${c.all} classes (UAR over ${c.uarOver}, the macro averages below over all ${c.all})`;
}
