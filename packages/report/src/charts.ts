import type { TopLevelSpec } from 'vega-lite';
import { matrixToPng } from './raster.js';
import type { EpochRow, SerReport, SpectrogramInput } from './types.js';

const FONT = 'DejaVu Sans';
/** The look every serkit chart shares: the bundled DejaVu Sans, white background, sizes. */
export const CHART_CONFIG = {
  font: FONT,
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 12, titleFontSize: 13 },
  legend: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 15 },
};

/**
 * Confusion-matrix heat map like the paper's Figures 9–13: actual emotion on rows,
 * predicted on columns, colour and label = % of the actual emotion (count beneath).
 */
export function confusionMatrixSpec(
  report: Pick<SerReport, 'classes' | 'confusion' | 'confusionPercent' | 'accuracy'> & {
    dataset: { name: string };
  },
  title = `Confusion matrix — ${report.dataset.name}, accuracy ${(100 * report.accuracy).toFixed(2)} %`,
): TopLevelSpec {
  const values = report.confusionPercent.flatMap((row, i) =>
    row.map((percent, j) => ({
      actual: report.classes[i],
      predicted: report.classes[j],
      percent,
      count: report.confusion[i][j],
      label: `${percent.toFixed(1)}%`,
    })),
  );
  const size = Math.max(260, 56 * report.classes.length);
  const order = report.classes;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: size,
    height: size,
    data: { values },
    encoding: {
      x: {
        field: 'predicted',
        type: 'nominal',
        sort: order,
        title: 'Predicted',
        axis: { labelAngle: -40 },
      },
      y: { field: 'actual', type: 'nominal', sort: order, title: 'Actual' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'percent',
            type: 'quantitative',
            title: '% of actual',
            scale: { scheme: 'blues', domain: [0, 100] },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 12, dy: -6 },
        encoding: {
          text: { field: 'label' },
          color: { condition: { test: 'datum.percent > 55', value: 'white' }, value: 'black' },
        },
      },
      {
        mark: { type: 'text', fontSize: 10, dy: 9 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.percent > 55', value: 'white' }, value: '#444' },
        },
      },
    ],
    config: CHART_CONFIG,
  } as TopLevelSpec;
}

/** Loss and accuracy per epoch, training and validation (the paper's learning curves). */
export function trainingCurvesSpec(epochs: EpochRow[], title = 'Training curves'): TopLevelSpec {
  const values = epochs.flatMap((e) => [
    { epoch: e.epoch, metric: 'loss', split: 'train', value: e.loss },
    { epoch: e.epoch, metric: 'accuracy', split: 'train', value: e.accuracy },
    ...(e.valLoss === null
      ? []
      : [{ epoch: e.epoch, metric: 'loss', split: 'validation', value: e.valLoss }]),
    ...(e.valAccuracy === null
      ? []
      : [{ epoch: e.epoch, metric: 'accuracy', split: 'validation', value: e.valAccuracy }]),
  ]);
  const panel = (metric: string) => ({
    width: 340,
    height: 240,
    transform: [{ filter: `datum.metric === '${metric}'` }],
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: {
        field: 'epoch',
        type: 'quantitative' as const,
        title: 'Epoch',
        axis: { tickMinStep: 1 },
      },
      y: {
        field: 'value',
        type: 'quantitative' as const,
        title: metric === 'loss' ? 'Loss' : 'Accuracy',
      },
      color: { field: 'split', type: 'nominal' as const, title: null },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values },
    hconcat: [panel('loss'), panel('accuracy')],
    config: CHART_CONFIG,
  } as TopLevelSpec;
}

/**
 * A log-mel spectrogram (dB): time on x, mel band on y (low at the bottom), drawn as one
 * raster image (a PNG data URL rendered from the matrix with the `magma` scheme) rather than
 * one rectangle per bin, whose anti-aliased edges leave a grey grid of seams. The dB legend
 * is the same scheme over the matrix's range.
 */
export function spectrogramSpec(input: SpectrogramInput): TopLevelSpec {
  const { values: v, nMels, nFrames } = input;
  if (v.length !== nMels * nFrames) {
    throw new RangeError(
      `spectrogram: expected ${nMels}×${nFrames} = ${nMels * nFrames} values, received ${v.length}`,
    );
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of v) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (!(hi > lo)) hi = lo + 1;
  const png = matrixToPng(v, nMels, nFrames, [lo, hi], 'magma');
  const seconds = nFrames * input.secondsPerFrame;
  const x = {
    type: 'quantitative' as const,
    title: 'Time (s)',
    scale: { domain: [0, seconds], nice: false },
    axis: { grid: false },
  };
  const y = {
    type: 'quantitative' as const,
    title: 'Mel band',
    scale: { domain: [0, nMels], nice: false },
    axis: { grid: false },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title,
    width: 640,
    height: 300,
    layer: [
      {
        data: {
          values: [
            {
              t0: 0,
              t1: seconds,
              m0: 0,
              m1: nMels,
              url: `data:image/png;base64,${png.toString('base64')}`,
            },
          ],
        },
        mark: { type: 'image', aspect: false, align: 'left', baseline: 'top' },
        encoding: {
          x: { field: 't0', ...x },
          x2: { field: 't1' },
          y: { field: 'm1', ...y },
          y2: { field: 'm0' },
          url: { field: 'url', type: 'nominal' },
        },
      },
      {
        // Only for the legend: the colour scale of the image, nothing drawn.
        data: { values: [{ db: lo }, { db: hi }] },
        mark: { type: 'point', opacity: 0 },
        encoding: {
          color: {
            field: 'db',
            type: 'quantitative',
            title: 'dB',
            scale: { scheme: 'magma', domain: [lo, hi], nice: false },
          },
        },
      },
    ],
    config: CHART_CONFIG,
  } as TopLevelSpec;
}
