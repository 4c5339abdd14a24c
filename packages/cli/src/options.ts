/**
 * The option vocabulary of `ser`: every option is defined once here and means the same in
 * every command that takes it (README "Options" table). Required options are checked after
 * unknown options, so a typo such as `--ot` gets commander's "did you mean --out?" rather
 * than a missing `--out`.
 */
import { DEFAULT_FOLDS } from '@serkit/experiment';
import { DATASET_KINDS } from '@serkit/features';
import { DB_REFERENCES, SPEC_AUGMENT_DEFAULTS, TRAIN_DEFAULTS } from '@serkit/model';
import { type Command, Option } from 'commander';
import {
  parseFolds,
  parseFraction,
  parseIdList,
  parseInteger,
  parseJobs,
  parseSeeds,
} from './parse.js';

/** Backends `--backend` accepts (no aliases). */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'tensorflow-gpu', 'wasm', 'cpu'] as const;

/** The options, by name; each call returns a fresh {@link Option}. */
export const OPTIONS = {
  out: (what: string) => new Option('-o, --out <dir>', what),
  data: () => new Option('--data <paths...>', 'labelled audio files and/or folders'),
  model: () =>
    new Option(
      '-m, --model <name|dir>',
      'pretrained model (ravdess, emodb) or folder written by ser train (default: ravdess)',
    ),
  dataset: () =>
    new Option(
      '-d, --dataset <kind>',
      'how labels and speakers are read: RAVDESS names, EMO-DB names, one folder per label, or auto',
    )
      .choices(DATASET_KINDS as string[])
      .default('auto'),
  jobs: () =>
    new Option('-j, --jobs <n>', 'DSP worker threads (0 = every core)')
      .default(0)
      .argParser(parseJobs),
  backend: () =>
    new Option(
      '--backend <name>',
      'TensorFlow.js backend (default: env SER_BACKEND, else auto: tensorflow-gpu, tensorflow, wasm)',
    ).choices(BACKEND_CHOICES as unknown as string[]),
  split: () =>
    new Option(
      '--split <kind>',
      'how the test files are held out: stratified by class, or whole speakers',
    )
      .choices(['random', 'speaker'])
      .default('random'),
  testSize: () =>
    new Option('--test-size <fraction>', 'fraction of the files held out for the test')
      .default(0.2)
      .argParser(parseFraction),
  testSpeakers: () =>
    new Option(
      '--test-speakers <ids>',
      'hold out exactly these speakers for the test, comma-separated (e.g. 04,10; with --split speaker)',
    )
      .argParser(parseIdList)
      // The speakers named make the test part: a --test-size given beside them would be ignored.
      .conflicts('testSize'),
  validationSpeakers: () =>
    new Option(
      '--validation-speakers <ids>',
      "stop early on these training speakers' files (comma-separated) instead of the part --validation-split carves out",
    ).argParser(parseIdList),
  validationSplit: () =>
    new Option(
      '--validation-split <kind>',
      'how the early-stopping validation part is carved from the training files: stratified by class, or whole speakers (default: as --split)',
    ).choices(['random', 'speaker']),
  dbReference: () =>
    new Option(
      '--db-reference <ref>',
      "dB reference of the model's inputs: as extracted (absolute), or each spectrogram relative to its loudest bin (utterance-max: gain-invariant)",
    )
      .choices(DB_REFERENCES as string[])
      .default('absolute'),
  augment: () =>
    new Option('--augment', "add the paper's four augmented copies of every training file").default(
      false,
    ),
  specAugment: () => {
    const s = SPEC_AUGMENT_DEFAULTS;
    return new Option(
      '--spec-augment',
      `mask ${s.frequencyMasks} random bands of up to ${s.maxFrequencyWidth} mel bands and ${s.timeMasks} spans of up to ${s.maxTimeWidth} frames in every training spectrogram, each epoch (SpecAugment; default: off)`,
    );
  },
  epochs: () =>
    new Option('--epochs <n>', 'maximum epochs')
      .default(TRAIN_DEFAULTS.epochs)
      .argParser(parseInteger(1)),
  patience: () =>
    new Option('--patience <n>', 'early-stopping patience, epochs')
      .default(TRAIN_DEFAULTS.patience)
      .argParser(parseInteger(1)),
  seed: () =>
    new Option('--seed <n>', 'seed of the split, the augmentations and the training')
      .default(TRAIN_DEFAULTS.seed)
      .argParser(parseInteger(0)),
  folds: () =>
    new Option(
      '--folds <k|loso>',
      'K folds (stratified with --split random, by speaker with --split speaker), or loso: leave one speaker out',
    )
      .default(DEFAULT_FOLDS)
      .argParser(parseFolds),
  seeds: () =>
    new Option(
      '--seeds <a,b,c>',
      'repeat the whole cross-validation once per seed (instead of --seed)',
    )
      .argParser(parseSeeds)
      .conflicts('seed'),
  noCache: () =>
    new Option(
      '--no-cache',
      'do not read or write the feature cache ($SER_CACHE_DIR, else ~/.cache/serkit/features)',
    ),
  json: (what = 'print exactly one JSON object on stdout') =>
    new Option('--json', what).default(false),
} as const;

/**
 * Add `option` to `cmd` as a required option: shown as required in `--help`, checked after
 * commander's unknown-option check (commander checks mandatory options first, which turns
 * `--ot x` into "required option '--out' not specified").
 */
export function requiredOption(cmd: Command, option: Option): Command {
  option.description = `${option.description} (required)`;
  cmd.addOption(option);
  cmd.hook('preAction', (thisCommand) => {
    if (thisCommand.getOptionValue(option.attributeName()) === undefined) {
      thisCommand.error(`error: required option '${option.flags}' not specified`, {
        code: 'commander.missingMandatoryOptionValue',
        exitCode: 2,
      });
    }
  });
  return cmd;
}
