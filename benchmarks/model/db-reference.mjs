#!/usr/bin/env node
// Diagnostic behind `--db-reference utterance-max` of the shipped RAVDESS model (RESULTS.md,
// "dB reference of the inputs"): trains the CRNN without augmentation on RAVDESS with whole
// actors held out — test actors 04 and 10, validation actors 03 and 08 (early stopping), the
// other actors for training — once per dB reference, and prints every epoch and the held-out
// accuracy and UAR as one JSON line at the end.
//
//   node benchmarks/model/db-reference.mjs <absolute|utterance-max> [epochs=20] [patience=6]
//        [data=../shared/data/ravdess]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DSP_OPTIONS, extractFiles, loadDataset } from '@serkit/features';
import { buildCrnn, evaluate, train } from '@serkit/model';

const [reference = 'absolute', epochsArg = '20', patienceArg = '6', dataArg] =
  process.argv.slice(2);
const DATA =
  dataArg ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/ravdess');
const TEST = ['04', '10'];
const VALIDATION = ['03', '08'];
const seed = 42;

const ds = loadDataset([DATA], 'ravdess');
async function part(keep) {
  const items = ds.items.filter((it) => keep(it.speaker));
  const batch = await extractFiles(
    items.map((it) => it.path),
    DEFAULT_DSP_OPTIONS,
  );
  const failed = batch.errors.filter((e) => e !== null);
  if (failed.length > 0) throw new Error(failed.join('\n'));
  return { x: batch.features, labels: Int32Array.from(items, (it) => ds.labels.indexOf(it.label)) };
}
const trainData = await part((s) => !TEST.includes(s) && !VALIDATION.includes(s));
const validationData = await part((s) => VALIDATION.includes(s));
const testData = await part((s) => TEST.includes(s));
process.stderr.write(
  `train ${trainData.labels.length}, validation ${validationData.labels.length} (actors ${VALIDATION}), test ${testData.labels.length} (actors ${TEST}); dbReference ${reference}\n`,
);
const model = await buildCrnn({ numClasses: ds.labels.length, seed });
const result = await train(model, trainData, {
  epochs: Number(epochsArg),
  patience: Number(patienceArg),
  seed,
  dbReference: reference,
  validationData,
  onEpochEnd: (e) => process.stderr.write(`${JSON.stringify(e)}\n`),
});
const report = await evaluate(model, testData, result.zscore, ds.labels);
console.log(
  JSON.stringify({
    dbReference: reference,
    bestEpoch: result.bestEpoch,
    epochs: result.history.length,
    accuracy: report.accuracy,
    uar: report.macro.recall,
    recall: Object.fromEntries(ds.labels.map((l, i) => [l, report.perClass[i].recall])),
  }),
);
