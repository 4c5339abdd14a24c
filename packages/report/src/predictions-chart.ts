import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG } from './charts.js';

/** One file's prediction, as `ser predict --json` prints it. */
export interface PredictionRow {
  /** File path (the chart shows its base name). */
  path: string;
  /** Most probable class. */
  label: string;
  /** Probability of every class, 0–1. */
  probabilities: Record<string, number>;
  /** The true class, when known: its row is marked ✓ or ✗. */
  actual?: string;
}

/**
 * Heat map of predicted emotion probabilities: one row per file, one column per class, colour
 * and label = probability in %; the most probable class is outlined. With `actual` set, the
 * row name ends in ✓ (right) or ✗ (wrong, with the true class).
 *
 * @param classes column order (the model's class names).
 */
export function predictionsSpec(
  rows: readonly PredictionRow[],
  classes: readonly string[],
  title = 'Emotion probabilities',
): TopLevelSpec {
  const name = (r: PredictionRow) => {
    const base = r.path.split(/[\\/]/).at(-1) ?? r.path;
    if (r.actual === undefined) return base;
    return r.actual === r.label ? `${base} ✓` : `${base} ✗ (${r.actual})`;
  };
  const files = rows.map(name);
  const values = rows.flatMap((r, i) =>
    classes.map((c) => {
      const p = 100 * (r.probabilities[c] ?? 0);
      return { file: files[i], class: c, percent: p, best: c === r.label, text: p.toFixed(0) };
    }),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 56 * classes.length,
    height: 26 * rows.length,
    data: { values },
    encoding: {
      x: {
        field: 'class',
        type: 'nominal',
        sort: [...classes],
        title: 'Emotion (%)',
        axis: { labelAngle: -40, orient: 'top' },
      },
      y: { field: 'file', type: 'nominal', sort: files, title: null, axis: { labelLimit: 480 } },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'percent',
            type: 'quantitative',
            title: 'probability %',
            scale: { scheme: 'oranges', domain: [0, 100] },
          },
          stroke: { condition: { test: 'datum.best', value: 'black' }, value: null },
          strokeWidth: { condition: { test: 'datum.best', value: 2 }, value: 0 },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'text' },
          color: { condition: { test: 'datum.percent > 55', value: 'white' }, value: 'black' },
        },
      },
    ],
    config: CHART_CONFIG,
  } as TopLevelSpec;
}
