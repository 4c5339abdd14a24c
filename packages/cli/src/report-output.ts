/** How `ser train` and `ser evaluate` print a report's summary on stdout. */
import type { SerReport } from '@serkit/report';
import { seenSpeakersSentence } from '@serkit/report/speakers';

/**
 * The human summary of a report (stdout without `--json`): accuracy and UAR, and the files
 * written (`files`), or nothing about files when `where` is null.
 */
export function summary(report: SerReport, where: string | null, files: string[] = []): string {
  // UAR averages over the classes present in the data: say so when the model knows more.
  const present = report.perClass.filter((c) => c.support > 0).length;
  const classes =
    present < report.classes.length
      ? `${present} of the model's ${report.classes.length} classes; UAR over ${present === 1 ? 'that one' : `those ${present}`}`
      : `${report.classes.length} classes`;
  const lines = [
    `accuracy ${(100 * report.accuracy).toFixed(2)} %, UAR ${(100 * report.uar).toFixed(2)} % on ${report.split.test} utterance${report.split.test === 1 ? '' : 's'} (${classes}); macro F1 ${report.macro.f1.toFixed(3)}`,
  ];
  const seen = report.seen;
  if (seen && seen.files > 0) {
    lines.push(
      seen.unseenAccuracy === null
        ? seen.files === 1
          ? 'the 1 file was seen by the model in training'
          : `all ${seen.files} files were seen by the model in training`
        : `accuracy ${(100 * seen.unseenAccuracy).toFixed(2)} % on the ${seen.unseen === 1 ? '1 file' : `${seen.unseen} files`} the model never saw (${seen.files === 1 ? '1 was one of' : `${seen.files} were`} its training or validation files)`,
    );
  }
  const sentence = seen?.speakers ? seenSpeakersSentence(seen.speakers, seen.unseen) : null;
  if (sentence) lines.push(sentence);
  if (where) lines.push(`report: ${where}/report.md (${files.join(', ')})`);
  return `${lines.join('\n')}\n`;
}
