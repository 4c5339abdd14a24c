#!/usr/bin/env node
// Diagnostic behind the default batch-norm momentum of @serkit/model (see RESULTS.md,
// "Batch-norm momentum"): trains the CRNN on EMO-DB (stratified 80:20, seed 42) for a few
// epochs with the given momentum and reports, after every epoch, the inference-mode loss
// and accuracy on the held-out 20 % (given as validation data, so early stopping never
// triggers), then the accuracy with batch statistics (training-mode batch norm).
// The held-out part steers nothing here; it is a diagnostic, not a test result.
//
//   node benchmarks/model/bn-momentum.mjs <momentum> [epochs=8] [data=../shared/data/emodb]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractFiles, loadDataset } from '@serkit/features';
import { buildCrnn, loadBackend, stratifiedSplit, train } from '@serkit/model';

const DATA =
  process.argv[4] ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/emodb');
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
const momentum = Number(process.argv[2] ?? 0.9);
const epochs = Number(process.argv[3] ?? 8);
const ds = loadDataset([DATA], 'emodb');
const labelsAll = ds.items.map((it) => ds.labels.indexOf(it.label));
const batch = await extractFiles(ds.items.map((i) => i.path));
const per = 128 * 259;
const split = stratifiedSplit(labelsAll, 0.2, 42);
const pick = (idx) => {
  const x = new Float32Array(idx.length * per);
  for (const [i, r] of idx.entries())
    x.set(batch.features.subarray(r * per, (r + 1) * per), i * per);
  return { x, labels: idx.map((i) => labelsAll[i]) };
};
const tr = pick(split.train),
  te = pick(split.validation);
const tf = await loadBackend();
const model = await buildCrnn({
  numClasses: ds.labels.length,
  seed: 42,
  batchNormMomentum: momentum,
});
const res = await train(model, tr, {
  epochs,
  patience: 1000,
  seed: 42,
  validationData: te,
  onEpochEnd: (e) =>
    console.log(
      `m=${momentum} ep ${e.epoch} loss ${e.loss.toFixed(3)} acc ${e.accuracy.toFixed(3)} test(infer) loss ${e.valLoss.toFixed(3)} acc ${e.valAccuracy.toFixed(3)} ${e.seconds.toFixed(1)}s`,
    ),
});
// test accuracy with batch statistics (training-mode BN) in batches of 16, for comparison
const { mean, std } = res.zscore;
let correct = 0;
for (let i = 0; i < te.labels.length; i += 16) {
  const n = Math.min(16, te.labels.length - i);
  const pred = tf.tidy(() => {
    const x = tf
      .tensor4d(te.x.subarray(i * per, (i + n) * per), [n, 128, 259, 1])
      .sub(mean)
      .div(std);
    return model.apply(x, { training: true }).argMax(-1).dataSync();
  });
  for (let j = 0; j < n; j++) if (pred[j] === te.labels[i + j]) correct++;
}
console.log(
  `m=${momentum} final(best restored ep ${res.bestEpoch}) test acc with batch stats: ${(correct / te.labels.length).toFixed(3)}`,
);
