#!/usr/bin/env node
// `npm start`, in two parts, with the `ser` CLI exactly as a user runs it:
// A. the shipped pretrained model (`ravdess`, no training) predicts the emotion of the eight
//    RAVDESS clips in demo/ravdess (utterances of its own test part), with a probability chart;
// B. the whole method on the demo set (demo/emodb, 42 EMO-DB clips, see demo/README.md):
//    extract → train a few epochs → evaluate → predict. The model and its report land in
//    out/demo-model.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRavdessName } from '@serkit/features';
import { predictionsSpec, renderSvg, svgToPng } from '@serkit/report';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ser = join(root, 'packages/cli/dist/bin/ser.js');
const data = join(root, 'demo/emodb');
const out = join(root, 'out');
const model = join(out, 'demo-model');
// 40 epochs of ~2 batches: about 75 s here, enough for the model to leave its initial state
// (early stopping may end it sooner); SER_DEMO_EPOCHS overrides.
const epochs = process.env.SER_DEMO_EPOCHS ?? '40';

function step(title, args) {
  process.stderr.write(`\n== ${title}\n$ ser ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [ser, ...args], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    process.stderr.write(`demo: \`ser ${args[0]}\` exited with ${r.status ?? r.signal}\n`);
    process.exit(r.status ?? 1);
  }
}

const t0 = performance.now();
mkdirSync(out, { recursive: true });

// A. The pretrained model: seconds, no training.
const clips = join(root, 'demo/ravdess');
process.stderr.write(
  '\n== A. predict with the shipped pretrained model (no training)\n$ ser predict demo/ravdess --json   (shown: label, probability, and the true label from the file name)\n',
);
const pr = spawnSync(process.execPath, [ser, 'predict', clips, '--json'], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
if (pr.status !== 0) {
  process.stderr.write(`demo: \`ser predict\` exited with ${pr.status ?? pr.signal}\n`);
  process.exit(pr.status ?? 1);
}
const { predictions } = JSON.parse(pr.stdout);
const rows = predictions.map((p) => ({ ...p, actual: parseRavdessName(p.path)?.label }));
for (const r of rows) {
  const name = r.path.split(/[\\/]/).at(-1);
  const mark = r.actual === r.label ? 'right' : `wrong, actually ${r.actual}`;
  process.stderr.write(
    `${name}: ${r.label} ${(100 * r.probabilities[r.label]).toFixed(1)} % (${mark})\n`,
  );
}
const chart = join(out, 'demo-predictions.png');
const classes = Object.keys(rows[0].probabilities);
writeFileSync(
  chart,
  svgToPng(
    await renderSvg(predictionsSpec(rows, classes, 'Pretrained model ravdess on demo/ravdess')),
  ),
);
process.stderr.write(
  `${rows.filter((r) => r.actual === r.label).length}/${rows.length} right; chart: ${chart}\n`,
);

// B. The whole method, trained from scratch on 42 clips.
process.stderr.write('\n== B. the whole method on demo/emodb: extract, train, evaluate, predict\n');
rmSync(model, { recursive: true, force: true });
step('1/4 extract the log-mel spectrograms', [
  'extract',
  data,
  '--out',
  join(out, 'demo-features'),
]);
step(`2/4 train the CRNN for ${epochs} epochs (80:20 stratified split, held-out test report)`, [
  'train',
  '--data',
  data,
  '--out',
  model,
  '--epochs',
  epochs,
  '--seed',
  '7',
]);
step('3/4 evaluate the model on the whole demo set (training files included)', [
  'evaluate',
  '--model',
  model,
  '--data',
  data,
]);
step('4/4 predict three clips', [
  'predict',
  '--model',
  model,
  join(data, '03a01Wa.wav'),
  join(data, '08a02Tb.wav'),
  join(data, '12a01Fb.wav'),
]);
process.stderr.write(
  `\ndone in ${((performance.now() - t0) / 1000).toFixed(0)} s.\n` +
    `A. shipped model ravdess (no training): utterances it never heard, by actors it did (03, 04, 05; demo/README.md): ${chart}\n` +
    `B. model trained here on 28 clips: ${join(model, 'report.md')} (confusion-matrix.png, training-curves.png, spectrogram.png)\n` +
    'Training on 28 clips only shows the pipeline working end to end; see benchmarks/RESULTS.md for real training runs.\n',
);
