#!/usr/bin/env node
// `npm start`: the whole method on the demo set the repository ships (demo/emodb, 42 EMO-DB
// clips, see demo/README.md): extract → train a few epochs → evaluate → predict, with the
// `ser` CLI exactly as a user runs it. The model and its report land in out/demo-model.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  `\ndone in ${((performance.now() - t0) / 1000).toFixed(0)} s. Report: ${join(model, 'report.md')} (confusion-matrix.png, training-curves.png, spectrogram.png)\n` +
    'Training on 28 clips only shows the pipeline working end to end; see benchmarks/RESULTS.md for real training runs.\n',
);
