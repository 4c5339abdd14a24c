/** The mapping of a classification report onto `report.json` (schema `serkit-report/1`). */
import { type ClassificationReport, unweightedAverageRecall } from '@serkit/model';
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
 * UAR (unweighted average recall) is the mean recall over the classes present in the
 * evaluated data ({@link unweightedAverageRecall}): `macro.recall` when all are.
 */
export function toSerReport(r: ClassificationReport, run: RunDescription): SerReport {
  return {
    schema: 'serkit-report/1',
    ...run,
    classes: r.classNames,
    accuracy: r.accuracy,
    uar: unweightedAverageRecall(r.confusion),
    confusion: r.confusion,
    confusionPercent: r.confusionPercent,
    perClass: r.perClass.map((s, i) => ({ name: r.classNames[i], ...s })),
    macro: r.macro,
    weighted: r.weighted,
  };
}
