/** How `ser train` and `ser evaluate` print a report's summary on stdout. */
import type { SerReport } from '@serkit/report';

/**
 * The human summary of a report (stdout without `--json`): accuracy and UAR, and the files
 * written (`files`), or nothing about files when `where` is null.
 */
export function summary(report: SerReport, where: string | null, files: string[] = []): string {
  const lines = [
    `accuracy ${(100 * report.accuracy).toFixed(2)} %, UAR ${(100 * report.uar).toFixed(2)} % on ${report.split.test} utterances (${report.classes.length} classes); macro F1 ${report.macro.f1.toFixed(3)}`,
  ];
  if (report.seen && report.seen.files > 0) {
    lines.push(
      report.seen.unseenAccuracy === null
        ? `all ${report.seen.files} files were seen by the model in training`
        : `accuracy ${(100 * report.seen.unseenAccuracy).toFixed(2)} % on the ${report.seen.unseen} files the model never saw (${report.seen.files} were its training or validation files)`,
    );
  }
  const heard = report.seen?.heardSpeakers;
  if (heard && heard.files > 0) {
    lines.push(
      heard.newSpeakerAccuracy === null
        ? `all ${heard.files} unseen files are by speakers the model heard in training: not a speaker-independent figure`
        : `accuracy ${(100 * heard.newSpeakerAccuracy).toFixed(2)} %, UAR ${(100 * (heard.newSpeakerUar ?? 0)).toFixed(2)} % on the ${heard.newSpeakerFiles} files by speakers the model never heard (${heard.files} unseen files are by speakers it heard)`,
    );
  }
  if (where) lines.push(`report: ${where}/report.md (${files.join(', ')})`);
  return `${lines.join('\n')}\n`;
}
