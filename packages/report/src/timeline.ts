import type { TopLevelSpec } from 'vega-lite';

/** One classified window of a recording, as `ser predict --window` reports it. */
export interface TimelineWindow {
  /** Start, seconds. */
  start: number;
  /** End, seconds. */
  end: number;
  /** `speech`, `silent` or `too-short`. */
  status: string;
  /** Probability of every class; null for a window that was not classified. */
  probabilities: Record<string, number> | null;
}

/** What {@link timelineSpec} draws. */
export interface TimelineInput {
  /** Title, e.g. the file name. */
  title: string;
  /** Class names, in the model's order (legend order). */
  classes: readonly string[];
  /** Windows in order. */
  windows: readonly TimelineWindow[];
  /**
   * Waveform envelope: `[time s, min, max]` per slice, in time order (any resolution;
   * reduce long recordings to a few thousand slices before plotting).
   */
  envelope: readonly (readonly [number, number, number])[];
}

const FONT = 'DejaVu Sans';
const WIDTH = 900;

/**
 * Timeline of one recording: the waveform envelope on top, the probability of each emotion
 * over time below (one point per window, at the centre of the hop-long slice it stands for);
 * the slice of each window not classified (silent, too short) is shaded grey in both.
 */
export function timelineSpec(input: TimelineInput): TopLevelSpec {
  // Each window stands for the hop-long slice from its start to the next window's start
  // (the last one for the rest): the slices of windows not classified are shaded.
  const slices = input.windows.map((w, i, all) => ({
    window: w,
    start: w.start,
    end: i + 1 < all.length ? Math.min(w.end, all[i + 1].start) : w.end,
  }));
  const unclassified = slices
    .filter((s) => s.window.status !== 'speech')
    .map(({ start, end, window }) => ({ start, end, status: window.status }));
  // One point per classified window, at the centre of the slice it stands for (so that
  // points and shading tile the time axis, as the summary's shares do), and one path per run
  // of classified windows: a line does not cross a shaded gap.
  let run = 0;
  const lines = slices.flatMap(({ window: w, start, end }) => {
    const p = w.probabilities;
    if (!p) {
      run++;
      return [];
    }
    return input.classes.map((c) => ({
      time: (start + end) / 2,
      emotion: c,
      probability: p[c] ?? 0,
      run,
    }));
  });
  const wave = input.envelope.map(([time, min, max]) => ({ time, min, max }));
  const end = Math.max(0, ...input.windows.map((w) => w.end));
  const x = { scale: { domain: [0, end] }, title: 'time (s)' };
  const shade = {
    data: { values: unclassified },
    mark: { type: 'rect', color: '#bbbbbb', opacity: 0.35 },
    encoding: {
      x: { field: 'start', type: 'quantitative', ...x },
      x2: { field: 'end' },
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title,
    vconcat: [
      {
        width: WIDTH,
        height: 110,
        layer: [
          shade,
          {
            data: { values: wave },
            mark: { type: 'area', color: '#4c78a8', opacity: 0.9 },
            encoding: {
              x: { field: 'time', type: 'quantitative', ...x, title: null },
              y: {
                field: 'min',
                type: 'quantitative',
                title: 'waveform',
                scale: { domain: [-1, 1] },
              },
              y2: { field: 'max' },
            },
          },
        ],
      },
      {
        width: WIDTH,
        height: 260,
        layer: [
          shade,
          {
            data: { values: lines },
            mark: { type: 'line', point: lines.length < 600, strokeWidth: 1.6 },
            encoding: {
              x: { field: 'time', type: 'quantitative', ...x },
              y: {
                field: 'probability',
                type: 'quantitative',
                scale: { domain: [0, 1] },
                title: 'probability',
              },
              color: {
                field: 'emotion',
                type: 'nominal',
                sort: [...input.classes],
                scale: { scheme: 'category10' },
                title: 'emotion',
              },
              detail: { field: 'run', type: 'nominal' },
            },
          },
        ],
      },
    ],
    config: {
      font: FONT,
      background: 'white',
      view: { stroke: null },
      axis: { labelFontSize: 11, titleFontSize: 12 },
      legend: { labelFontSize: 11, titleFontSize: 12 },
      title: { fontSize: 14 },
    },
  } as TopLevelSpec;
}
