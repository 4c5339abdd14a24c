import type { ClassRow, Scores, SerReport } from './types.js';

const pct = (x: number): string => (100 * x).toFixed(2);
const fixed = (x: number): string => x.toFixed(2);

function scoreRow(name: string, s: Scores): string {
  return `| ${name} | ${fixed(s.precision)} | ${fixed(s.recall)} | ${fixed(s.f1)} | ${s.support} |`;
}

/**
 * `report.md`: the run laid out like the paper's Tables 2–5 (per-class precision,
 * recall, F1 and support, with accuracy and macro/weighted averages) and its
 * confusion-matrix figures (in % of each actual class).
 */
export function reportToMarkdown(report: SerReport): string {
  const { split, dataset } = report;
  const lines: string[] = [];
  lines.push(`# Speech emotion recognition report — ${dataset.name}`, '');
  lines.push(
    `- Accuracy: **${pct(report.accuracy)} %**, UAR (unweighted average recall) **${pct(report.uar)} %** on ${split.test} ${report.kind === 'train' ? 'held-out' : ''} utterances`.replace(
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
    lines.push(
      `- Split: ${split.kind}, test size ${split.testSize} — train ${split.train}, validation ${split.validation}, test ${split.test}${speakers}`,
    );
    lines.push(
      `- Augmentation: ${report.augment.enabled ? `${report.augment.names.join(', ')} (${report.augment.copies} spectrograms per training file)` : 'none'}`,
    );
    lines.push(
      `- Training: ${report.epochs.length} epochs, best epoch ${report.bestEpoch}, seed ${report.seed}`,
    );
  }
  lines.push(
    `- Time: extract ${report.seconds.extract.toFixed(1)} s, train ${report.seconds.train.toFixed(1)} s, evaluate ${report.seconds.evaluate.toFixed(1)} s, total ${report.seconds.total.toFixed(1)} s`,
  );
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
  if (report.epochs.length > 0) lines.push('![Training curves](training-curves.png)', '');
  return `${lines.join('\n')}\n`;
}
