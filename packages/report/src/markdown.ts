import type { ClassRow, Scores, SerReport } from './types.js';

const pct = (x: number): string => (100 * x).toFixed(2);
const fixed = (x: number): string => x.toFixed(2);

function scoreRow(name: string, s: Scores): string {
  return `| ${name} | ${fixed(s.precision)} | ${fixed(s.recall)} | ${fixed(s.f1)} | ${s.support} |`;
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
  lines.push(
    `- Accuracy: **${pct(report.accuracy)} %** on ${split.test} ${report.kind === 'train' ? 'held-out' : ''} utterances`.replace(
      '  ',
      ' ',
    ),
  );
  lines.push(
    `- Data: ${dataset.files} files from ${dataset.roots.join(', ')}${dataset.failed ? ` (${dataset.failed} could not be read)` : ''}`,
  );
  if (report.kind === 'train') {
    const speakers = split.testSpeakers?.length
      ? `; test speakers ${split.testSpeakers.join(', ')}`
      : '';
    const obtained =
      split.testFraction != null && split.testFraction !== split.testSize
        ? ` asked, ${(100 * split.testFraction).toFixed(1)} % obtained`
        : '';
    lines.push(
      `- Split: ${split.kind}, test size ${split.testSize}${obtained} — train ${split.train}, validation ${split.validation}, test ${split.test}${speakers}`,
    );
    if (split.note) lines.push(`- Note: ${split.note}`);
    lines.push(
      `- Augmentation: ${report.augment.enabled ? `${report.augment.names.join(', ')} (${report.augment.copies} spectrograms per training file)` : 'none'}`,
    );
    lines.push(
      `- Training: ${report.epochs.length} epochs, best epoch ${report.bestEpoch}, seed ${report.seed}`,
    );
  }
  if (report.seen) {
    const { files, unseen, unseenAccuracy, unseenMacroF1 } = report.seen;
    lines.push(
      files === 0
        ? '- Seen in training: none of the evaluated files'
        : `- Seen in training: **${files} of ${split.test}** evaluated files were the model's training or validation files; ${
            unseenAccuracy === null
              ? 'none is unseen'
              : `on the ${unseen} unseen files only: accuracy **${pct(unseenAccuracy)} %**, macro F1 ${fixed(unseenMacroF1 ?? 0)}`
          }`,
    );
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
    `- Backend: ${report.backend.name}${report.backend.tensorflowVersion ? ` (TensorFlow ${report.backend.tensorflowVersion})` : ''}`,
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
  return `${lines.join('\n')}\n`;
}
