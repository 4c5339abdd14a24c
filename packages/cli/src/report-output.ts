/** How `ser train` and `ser evaluate` print a report's summary on stdout. */
import type { SerReport } from '@serkit/report';
import { classesPresent } from '@serkit/report/classes';
import { seenSpeakersSentence } from '@serkit/report/speakers';

/**
 * The human summary of a report (stdout without `--json`): accuracy and UAR, and the files
 * written (`files`), or nothing about files when `where` is null.
 */
export function summary(report: SerReport, where: string | null, files: string[] = []): string {
  const classes = classCount(report.perClass, "the model's");
  const all = report.perClass.length;
  const macro = `macro F1 ${report.macro.f1.toFixed(3)}${classes.partial ? ` over all ${all}` : ''}`;
  const lines = [
    `accuracy ${(100 * report.accuracy).toFixed(2)} %, UAR ${(100 * report.uar).toFixed(2)} % on ${report.split.test} utterance${report.split.test === 1 ? '' : 's'} (${classes.text}); ${macro}`,
  ];
  const seen = report.seen;
  if (seen && seen.files > 0) {
    lines.push(
      seen.unseenAccuracy === null
        ? seen.files === 1
          ? 'the 1 file was one of the training or validation files of the model'
          : `${seen.files === 2 ? 'both' : `all ${seen.files}`} files were training or validation files of the model`
        : `accuracy ${(100 * seen.unseenAccuracy).toFixed(2)} % on the ${seen.unseen === 1 ? '1 file' : `${seen.unseen} files`} the model never saw (${seen.files === 1 ? '1 was one of' : `${seen.files} were`} its training or validation files)`,
    );
  }
  const sentence = seen?.speakers ? seenSpeakersSentence(seen.speakers, seen.unseen) : null;
  if (sentence) lines.push(sentence);
  if (where) lines.push(`report: ${where}/report.md (${files.join(', ')})`);
  return `${lines.join('\n')}\n`;
}

/**
 * The class count of a summary line: "8 classes", or, when the data hold fewer classes than
 * `whose` (e.g. "the model's") has, "2 of the model's 8 classes; UAR over those 2", because UAR
 * averages over the classes present (those with `support` > 0) and macro scores over all.
 */
export function classCount(
  perClass: readonly { support: number }[],
  whose: string,
): { text: string; partial: boolean } {
  const c = classesPresent(perClass);
  if (c.present === c.all) return { text: `${c.all} classes`, partial: false };
  return {
    text: `${c.present} of ${whose} ${c.all} classes; UAR over ${c.uarOver}`,
    partial: true,
  };
}
