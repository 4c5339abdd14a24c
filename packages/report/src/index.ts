/** `@serkit/report`: the evaluation report of serkit. Only re-exports. */
export { confusionMatrixSpec, spectrogramSpec, trainingCurvesSpec } from './charts.js';
export { reportToMarkdown } from './markdown.js';
export { renderSvg, svgToPng } from './render.js';
export { type TimelineInput, type TimelineWindow, timelineSpec } from './timeline.js';
export type * from './types.js';
export { writeReport } from './write.js';
