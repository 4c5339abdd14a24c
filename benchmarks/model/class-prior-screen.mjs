#!/usr/bin/env node
// Issue 13 screen: post-hoc class-prior correction of `ser predict --json` output on RAVDESS fold
// models. Each file's probabilities are divided by the training class prior (neutral 1/15, the
// other seven emotions 2/15 each: RAVDESS records neutral at one intensity only; tau = 1, fixed
// before looking) and the arg max is taken again; prints accuracy, UAR and recall per emotion with
// and without it. The emotion is read from the RAVDESS file name (third field).
//
//   node benchmarks/model/class-prior-screen.mjs predictions.json [more.json …]
import { readFileSync } from 'node:fs';

const classes = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];
const prior = classes.map((c) => (c === 'neutral' ? 1 : 2) / 15);
for (const f of process.argv.slice(2)) {
  const j = JSON.parse(readFileSync(f, 'utf8'));
  for (const mode of ['as-is', 'balanced']) {
    const conf = classes.map(() => classes.map(() => 0));
    for (const p of j.predictions) {
      const emo = Number(p.path.split('/').pop().split('-')[2]) - 1;
      let best = -1,
        bi = -1;
      classes.forEach((c, i) => {
        const v = p.probabilities[c] / (mode === 'balanced' ? prior[i] : 1);
        if (v > best) {
          best = v;
          bi = i;
        }
      });
      conf[emo][bi]++;
    }
    const n = conf.flat().reduce((a, b) => a + b, 0);
    const acc = conf.reduce((a, r, i) => a + r[i], 0) / n;
    const rec = conf.map((r, i) => r[i] / r.reduce((a, b) => a + b, 0));
    const uar = rec.reduce((a, b) => a + b, 0) / rec.length;
    console.log(
      f,
      mode,
      'acc',
      (100 * acc).toFixed(2),
      'uar',
      (100 * uar).toFixed(2),
      'recall',
      rec.map((r) => (100 * r).toFixed(0)).join(' '),
    );
  }
}
