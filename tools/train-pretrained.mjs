#!/usr/bin/env node
// Retrain a shipped pretrained model from ../shared/data with its exact recipe, and put it into
// its package (packages/model-<name>/model/…):
//
//   npm run build && node tools/train-pretrained.mjs ravdess   # or: emodb
//
// The recipe is `ser train` on a speaker split: whole speakers are held out for the test, so the
// report's accuracy and UAR are speaker-independent (early stopping uses each recipe's own
// validation part: for ravdess a stratified 10 % of the training actors' files). The shipped
// weights are the model of that run (trained on the other speakers), so the figures in the
// model card are the shipped model's own. metadata.json gets a `recipe` record: this command,
// the `ser train` arguments, the serkit version and the SHA-256 of the training file list (each
// file's path relative to the data folder and the SHA-256 of its bytes).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '@serkit/features';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The exact `ser train` options of each shipped model. */
const RECIPES = {
  ravdess: {
    data: '../shared/data/ravdess',
    // Actors 04 and 10 are the test (as in the first version of this model), the validation
    // part is a stratified 10 % of the other actors' files, and the inputs are gain-invariant
    // (utterance-max dB): users' recordings come at any level (RESULTS.md, "Pretrained RAVDESS
    // model, second round"). Up to 20 epochs with patience 5 (RESULTS.md, "third round": the
    // 8-epoch cap of the second round had stopped a validation loss that was still falling).
    args: [
      '--split',
      'speaker',
      '--test-speakers',
      '04,10',
      '--validation-split',
      'random',
      '--db-reference',
      'utterance-max',
      '--augment',
      '--epochs',
      '20',
      '--patience',
      '5',
      '--seed',
      '42',
    ],
  },
  emodb: {
    data: '../shared/data/emodb-original',
    args: [
      '--split',
      'speaker',
      '--test-size',
      '0.2',
      '--epochs',
      '40',
      '--patience',
      '8',
      '--seed',
      '42',
    ],
  },
};

function fileListSha256(dataDir) {
  const ds = loadDataset([dataDir]);
  const lines = ds.items
    .map((item) => {
      const sha = createHash('sha256').update(readFileSync(item.path)).digest('hex');
      return `${relative(dataDir, item.path).split('\\').join('/')}\t${sha}`;
    })
    .sort();
  return {
    files: lines.length,
    sha256: createHash('sha256')
      .update(`${lines.join('\n')}\n`)
      .digest('hex'),
  };
}

// `--from <dir>`: install the model of a run already made with this recipe's exact command.
const [name, flag, from] = process.argv.slice(2);
const recipe = RECIPES[name];
if (!recipe || (flag !== undefined && (flag !== '--from' || !from))) {
  process.stderr.write(
    `usage: node tools/train-pretrained.mjs ${Object.keys(RECIPES).join('|')} [--from <runDir>]\n`,
  );
  process.exit(2);
}
const out = from ?? join(root, 'out', 'pretrained', name);
const trainArgs = ['train', '--data', recipe.data, '--out', out, ...recipe.args];
if (!from) {
  process.stderr.write(`$ ser ${trainArgs.join(' ')}\n`);
  const r = spawnSync(
    process.execPath,
    [join(root, 'packages/cli/dist/bin/ser.js'), ...trainArgs],
    { stdio: 'inherit', cwd: root },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
install(name, out, trainArgs);

/** Copy a finished run's model into its package and record the recipe in its metadata. */
function install(modelName, runDir, args) {
  const pkgDir = join(root, 'packages', `model-${modelName}`);
  const modelDir = join(pkgDir, 'model');
  mkdirSync(modelDir, { recursive: true });
  for (const f of ['model.json', 'weights.bin']) copyFileSync(join(runDir, f), join(modelDir, f));
  for (const f of ['confusion-matrix.png', 'training-curves.png']) {
    copyFileSync(join(runDir, f), join(pkgDir, f));
  }
  // The report's input example (a 0.5 MB spectrogram image of one test file) is not shipped.
  const evaluation = readFileSync(join(runDir, 'report.md'), 'utf8').replace(
    /\n## Input example\n[\s\S]*$/,
    '\n',
  );
  writeFileSync(join(pkgDir, 'EVALUATION.md'), evaluation);
  const meta = JSON.parse(readFileSync(join(runDir, 'metadata.json'), 'utf8'));
  const version = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')).version;
  meta.recipe = {
    command: `node tools/train-pretrained.mjs ${modelName}`,
    serTrain: `ser ${args.map((a) => (a === runDir ? `out/pretrained/${modelName}` : a)).join(' ')}`,
    serkitVersion: version,
    trainingData: {
      folder: RECIPES[modelName].data,
      ...fileListSha256(join(root, RECIPES[modelName].data)),
    },
  };
  writeFileSync(join(modelDir, 'metadata.json'), `${JSON.stringify(meta, null, 2)}\n`);
  const report = JSON.parse(readFileSync(join(runDir, 'report.json'), 'utf8'));
  process.stderr.write(
    `installed ${pkgDir}: held-out speakers ${report.split.testSpeakers?.join(', ')}, accuracy ${(100 * report.accuracy).toFixed(2)} %, UAR ${(100 * report.macro.recall).toFixed(2)} %\n`,
  );
}
