import { describe, expect, it } from 'vitest';
import { renderSvg } from './render.js';
import { timelineSpec } from './timeline.js';

const p = (a: number) => ({ anger: a, calm: 1 - a });

describe('timelineSpec', () => {
  it('draws one path per run of classified windows, so no line crosses a shaded gap', async () => {
    const windows = [
      { start: 0, end: 3, status: 'speech', probabilities: p(0.9) },
      { start: 1, end: 4, status: 'speech', probabilities: p(0.8) },
      { start: 2, end: 5, status: 'silent', probabilities: null },
      { start: 3, end: 6, status: 'too-short', probabilities: null },
      { start: 4, end: 7, status: 'speech', probabilities: p(0.2) },
      { start: 5, end: 8, status: 'speech', probabilities: p(0.1) },
    ];
    const spec = timelineSpec({
      title: 'gaps',
      classes: ['anger', 'calm'],
      windows,
      envelope: [[0, -0.5, 0.5]],
    }) as unknown as {
      vconcat: { layer: { data: { values: { run?: number; time?: number }[] } }[] }[];
    };
    const lines = spec.vconcat[1].layer[1].data.values;
    const runs = [...new Set(lines.map((l) => l.run))];
    expect(runs).toHaveLength(2);
    const [before, after] = runs.map((r) => lines.filter((l) => l.run === r).map((l) => l.time));
    // Points at the centres of the slices the windows stand for ([0, 1), [1, 2) | [4, 5),
    // [5, 8)), none inside the shaded slices [2, 4).
    expect(before).toEqual([0.5, 0.5, 1.5, 1.5]);
    expect(after).toEqual([4.5, 4.5, 6.5, 6.5]);
    // Two runs × two emotions: four line paths in the picture.
    const svg = await renderSvg(spec as never);
    expect(svg.match(/aria-roledescription="line mark"/g)?.length ?? 0).toBe(4);
  });
});
