#!/usr/bin/env node
// Test-time augmentation (TTA) diagnostic behind RESULTS.md "test-time augmentation": for each
// speaker fold, loads the model trained without those actors, predicts every held-out file and
// its deterministic augmented copies (the paper's time stretches 1.1 and 0.8 and pitch +1.5
// semitones, plus pitch −1.5 and stretch 0.9), and scores each combination of copies (mean of
// the class probabilities) by accuracy and UAR per fold, with the mean and the sample standard
// deviation over the folds, and the pooled paired counts against the original alone (files
// turned right, files turned wrong).
//
//   node benchmarks/model/test-time-augmentation.mjs <A,B=modelDir> [<A,B=modelDir> ...]
//        [--data ../shared/data/ravdess]
//
// Each model is a `ser train --split speaker --test-speakers A,B` output folder (e.g. the six of
// `node tools/train-pretrained.mjs ravdess --held-out A,B`).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFilesAugmented, loadDataset } from '@serkit/features';
import { createPredictor, loadModel, unweightedAverageRecall } from '@serkit/model';

const args = process.argv.slice(2);
const dataAt = args.indexOf('--data');
const DATA =
  dataAt >= 0
    ? args.splice(dataAt, 2)[1]
    : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/ravdess');
const folds = args.map((a) => {
  const m = /^(\d+(?:,\d+)*)=(.+)$/.exec(a);
  if (!m) throw new Error(`${a}: expected <speakers>=<model dir>, e.g. 04,10=out/model`);
  return { speakers: m[1].split(','), dir: m[2] };
});
if (folds.length === 0) throw new Error('give at least one <speakers>=<model dir>');

// Copy 0 is the file itself; the rest follow in this order.
const COPIES = [
  { name: 'stretch 1.1', aug: { kind: 'timeStretch', value: 1.1 } },
  { name: 'stretch 0.8', aug: { kind: 'timeStretch', value: 0.8 } },
  { name: 'pitch +1.5', aug: { kind: 'pitchShift', value: 1.5 } },
  { name: 'pitch −1.5', aug: { kind: 'pitchShift', value: -1.5 } },
  { name: 'stretch 0.9', aug: { kind: 'timeStretch', value: 0.9 } },
];
const NAMES = ['original', ...COPIES.map((c) => c.name)];
const COMBINATIONS = [
  [0],
  [1],
  [2],
  [3],
  [4],
  [5],
  [0, 1, 2, 3], // the paper's three deterministic training copies
  [0, 1, 2],
  [0, 1],
  [0, 3, 4],
  [0, 1, 2, 3, 4, 5],
];

const ds = loadDataset([DATA], 'ravdess');
const perFold = [];
for (const { speakers, dir } of folds) {
  const items = ds.items.filter((it) => speakers.includes(it.speaker));
  const { model, metadata } = await loadModel(dir);
  const batch = await extractFilesAugmented(
    items.map((it) => it.path),
    metadata.dsp,
    { augmentations: COPIES.map((c) => c.aug) },
  );
  const bad = batch.errors.filter((e) => e !== null);
  if (bad.length > 0) throw new Error(bad.join('\n'));
  const predictor = await createPredictor(model, metadata.zscore);
  const probs = await predictor.predict(batch.features);
  predictor.dispose();
  model.dispose();
  const k = metadata.classNames.length;
  const actual = items.map((it) => metadata.classNames.indexOf(it.label));
  perFold.push({ speakers, probs, k, copies: batch.copiesPerFile, actual });
  process.stderr.write(
    `actors ${speakers.join(' + ')}: ${items.length} files × ${batch.copiesPerFile}\n`,
  );
}

function predictions(fold, combo) {
  const { probs, k, copies, actual } = fold;
  return actual.map((_, i) => {
    let best = 0;
    let bestP = -1;
    for (let c = 0; c < k; c++) {
      let p = 0;
      for (const j of combo) p += probs[(i * copies + j) * k + c];
      if (p > bestP) [best, bestP] = [c, p];
    }
    return best;
  });
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const pct = (x) => (100 * x).toFixed(2);

console.log(
  `| copies averaged | accuracy per fold (${folds.map((f) => f.speakers.join('+')).join(', ')}) | accuracy | UAR | turned right / wrong |`,
);
console.log('| --- | --- | ---: | ---: | ---: |');
for (const combo of COMBINATIONS) {
  const accs = [];
  const uars = [];
  let right = 0;
  let wrong = 0;
  for (const fold of perFold) {
    const pred = predictions(fold, combo);
    const alone = predictions(fold, [0]);
    const ok = pred.map((p, i) => p === fold.actual[i]);
    accs.push(mean(ok.map(Number)));
    const confusion = Array.from({ length: fold.k }, () => new Array(fold.k).fill(0));
    pred.forEach((p, i) => {
      confusion[fold.actual[i]][p] += 1;
    });
    uars.push(unweightedAverageRecall(confusion));
    alone.forEach((p, i) => {
      const was = p === fold.actual[i];
      if (!was && ok[i]) right += 1;
      if (was && !ok[i]) wrong += 1;
    });
  }
  console.log(
    `| ${combo.map((j) => NAMES[j]).join(' + ')} | ${accs.map(pct).join(', ')} | ${pct(mean(accs))} ± ${pct(sd(accs))} | ${pct(mean(uars))} ± ${pct(sd(uars))} | ${right} / ${wrong} |`,
  );
}
