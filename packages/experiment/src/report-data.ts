/** The mapping of a classification report onto `report.json` (schema `serkit-report/1`). */
import type { ClassificationReport } from '@serkit/model';
import type { SerReport } from '@serkit/report';

/** The fields of a {@link SerReport} that describe the run rather than its scores. */
export type RunDescription = Omit<
  SerReport,
  | 'schema'
  | 'classes'
  | 'accuracy'
  | 'uar'
  | 'confusion'
  | 'confusionPercent'
  | 'perClass'
  | 'macro'
  | 'weighted'
>;

/**
 * Turn a classification report and the run's description into `report.json`'s object.
 * UAR (unweighted average recall) is the mean of the per-class recalls, `macro.recall`.
 */
export function toSerReport(r: ClassificationReport, run: RunDescription): SerReport {
  return {
    schema: 'serkit-report/1',
    ...run,
    classes: r.classNames,
    accuracy: r.accuracy,
    uar: r.macro.recall,
    confusion: r.confusion,
    confusionPercent: r.confusionPercent,
    perClass: r.perClass.map((s, i) => ({ name: r.classNames[i], ...s })),
    macro: r.macro,
    weighted: r.weighted,
  };
}
