/** `@serkit/report`: the evaluation report of serkit. Only re-exports. */
export { confusionMatrixSpec, spectrogramSpec, trainingCurvesSpec } from './charts.js';
export { classesPresent } from './classes.js';
export {
  type CrossvalFold,
  type CrossvalReport,
  type CrossvalReportFiles,
  crossvalSpec,
  crossvalToMarkdown,
  type MeanStd,
  writeCrossvalReport,
} from './crossval.js';
export { reportToMarkdown } from './markdown.js';
export {
  PAPER_MISPRINT,
  PAPER_RESULTS,
  PAPER_SOURCE,
  type PaperAverage,
  type PaperBaseline,
  type PaperClassRow,
  type PaperCorpus,
  type PaperCorpusName,
  type PaperResult,
  paperBaseline,
} from './paper.js';
export { type PredictionRow, predictionsSpec } from './predictions-chart.js';
export { renderSvg, svgToPng } from './render.js';
export { seenSpeakersSentence } from './speakers.js';
export { type TimelineInput, type TimelineWindow, timelineSpec } from './timeline.js';
export type * from './types.js';
export { writeReport } from './write.js';
