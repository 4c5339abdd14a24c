import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import {
  augmentationName,
  type DatasetKind,
  nFrames,
  PAPER_AUGMENTATIONS,
  resolveDspOptions,
} from '@serkit/features';
import {
  backendInfo,
  buildCrnn,
  type ClassificationReport,
  type EpochEvent,
  evaluate,
  resolveCrnnOptions,
  saveModel,
  stratifiedSplit,
  TRAIN_DEFAULTS,
  train,
} from '@serkit/model';
import type { SerReport } from '@serkit/report';
import { type Command, Option } from 'commander';
import { type CliContext, EXIT, UsageError } from '../context.js';
import { ensureWritableDir } from '../out-dir.js';
import { parseFraction, parseInteger, parseJobs } from '../parse.js';
import { createProgress, type Progress } from '../progress.js';
import { loadLabelledFiles, parseDatasetKind, stack } from '../train/data.js';
import { defaultCacheDir, extractWithCache } from '../train/features.js';
import { type SplitKind, splitFiles } from '../train/split.js';

/** Parsed options of `ser train`. */
export interface TrainCliOptions {
  data: string[];
  out: string;
  dataset: DatasetKind;
  split: SplitKind;
  testSize: number;
  augment: boolean;
  epochs: number;
  patience: number;
  seed: number;
  backend?: string;
  jobs: number;
  cache: boolean;
  json: boolean;
}

/** Turn a classification report into `report.json` rows. */
export function toSerReport(
  r: ClassificationReport,
  rest: Omit<
    SerReport,
    | 'schema'
    | 'classes'
    | 'accuracy'
    | 'confusion'
    | 'confusionPercent'
    | 'perClass'
    | 'macro'
    | 'weighted'
  >,
): SerReport {
  return {
    schema: 'serkit-report/1',
    ...rest,
    classes: r.classNames,
    accuracy: r.accuracy,
    confusion: r.confusion,
    confusionPercent: r.confusionPercent,
    perClass: r.perClass.map((s, i) => ({ name: r.classNames[i], ...s })),
    macro: r.macro,
    weighted: r.weighted,
  };
}

/** One-paragraph human summary of a report, for stderr. */
export function summary(report: SerReport, where: string | null): string {
  const lines = [
    `accuracy ${(100 * report.accuracy).toFixed(2)} % on ${report.split.test} utterances (${report.classes.length} classes); macro F1 ${report.macro.f1.toFixed(3)}`,
  ];
  if (where)
    lines.push(
      `report: ${where}/report.md (confusion-matrix.png, training-curves.png, report.json)`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * `ser train`: split the labelled files, extract (with the feature cache), augment the
 * training split, train the CRNN with early stopping on a validation part of the training
 * files, evaluate on the held-out files, and write the model and its report into `out`.
 * Interrupted runs resume from the checkpoint in `<out>.checkpoint`.
 *
 * @returns 0, 1 when some files could not be used (the rest was), 130 when interrupted.
 */
export async function runTrain(opts: TrainCliOptions, ctx: CliContext): Promise<number> {
  const now = ctx.now ?? (() => performance.now());
  const t0 = now();
  ensureWritableDir(opts.out);
  const files = loadLabelledFiles(opts.data, opts.dataset, ctx);
  const split = splitFiles(files.labels, files.speakers, opts.split, opts.testSize, opts.seed);
  // Validation files come from the training files (originals only, never augmented copies
  // of a validation file in training): early stopping never sees the test files.
  const trainLabels = split.train.map((i) => files.labels[i]);
  const carve = stratifiedSplit(trainLabels, TRAIN_DEFAULTS.validationFraction, opts.seed);
  const fitFiles = carve.train.map((j) => split.train[j]);
  const valFiles = carve.validation.map((j) => split.train[j]);

  const dsp = resolveDspOptions({});
  const featureLen = dsp.nMels * nFrames(dsp);
  const cacheDir = opts.cache ? defaultCacheDir() : null;
  const common = { dsp, seed: opts.seed, jobs: opts.jobs, cacheDir, signal: ctx.signal };
  const heldOut = [...valFiles, ...split.test];
  const plain = await extractWithCache(
    heldOut.map((i) => files.paths[i]),
    { ...common, augment: false, label: 'extracting test/validation' },
    ctx,
  );
  const fit = await extractWithCache(
    fitFiles.map((i) => files.paths[i]),
    {
      ...common,
      augment: opts.augment,
      label: opts.augment ? 'extracting + augmenting training' : 'extracting training',
    },
    ctx,
  );
  const perFile: (Float32Array | null)[] = new Array(files.paths.length).fill(null);
  let failed = files.unlabelled;
  for (const [list, got] of [
    [heldOut, plain],
    [fitFiles, fit],
  ] as const) {
    list.forEach((fileIndex, j) => {
      perFile[fileIndex] = got.perFile[j];
      if (got.errors[j]) {
        ctx.stderr.write(`${got.errors[j]}\n`);
        failed++;
      }
    });
  }
  const tExtract = now();
  const fitData = stack(perFile, files.labels, fitFiles, featureLen, 'all');
  const valData = stack(perFile, files.labels, valFiles, featureLen, 'original');
  const testData = stack(perFile, files.labels, split.test, featureLen, 'original');
  if (fitData.labels.length === 0 || testData.labels.length === 0) {
    throw new UsageError('not enough readable files to train and test (need some in both splits)');
  }

  const backend = await backendInfo(opts.backend ? { backend: opts.backend as never } : {});
  const model = await buildCrnn({ numClasses: files.classes.length, seed: opts.seed });
  const checkpointDir = `${opts.out.replace(/[\\/]+$/, '')}.checkpoint`;
  const batches = Math.ceil(fitData.labels.length / TRAIN_DEFAULTS.batchSize);
  let bar: Progress | null = null;
  const result = await train(model, { x: fitData.x, labels: fitData.labels }, {
    epochs: opts.epochs,
    patience: opts.patience,
    seed: opts.seed,
    checkpointDir,
    // Too few files for a validation part: train for the given epochs without early stopping.
    ...(valData.labels.length > 0
      ? { validationData: { x: valData.x, labels: valData.labels } }
      : { validationFraction: 0 }),
    signal: ctx.signal,
    onBatchEnd: (e) => {
      bar ??= createProgress(
        ctx,
        batches,
        `epoch ${e.epoch}/${opts.epochs} [{bar}] {value}/{total} batches | loss {loss} | acc {acc} | ETA {eta_formatted}`,
        {
          payload: { loss: '-', acc: '-' },
        },
      );
      bar.update(e.batch, { loss: e.loss.toFixed(3), acc: e.accuracy.toFixed(3) });
    },
    onEpochEnd: (e: EpochEvent) => {
      bar?.stop();
      bar = null;
      ctx.stderr.write(
        `epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(4)}${Number.isNaN(e.valLoss) ? '' : ` | val loss ${e.valLoss.toFixed(4)} val acc ${e.valAccuracy.toFixed(4)}`} | ${e.seconds.toFixed(1)} s${e.best ? ' *' : ''}\n`,
      );
    },
  } as Parameters<typeof train>[2]);
  (bar as Progress | null)?.stop();
  if (result.aborted) {
    ctx.stderr.write(
      `ser: interrupted; run the same command again to resume from ${checkpointDir}\n`,
    );
    return EXIT.INTERRUPTED;
  }
  const tTrain = now();
  const report = await evaluate(
    model,
    { x: testData.x, labels: testData.labels },
    result.zscore,
    files.classes,
  );
  const tEval = now();
  const serReport = toSerReport(report, {
    kind: 'train',
    dataset: {
      name: files.kind,
      roots: opts.data,
      files: files.paths.length + files.unlabelled,
      failed,
    },
    split: {
      kind: opts.split,
      testSize: opts.testSize,
      train: fitFiles.length,
      validation: valFiles.length,
      test: testData.labels.length,
      ...(split.testSpeakers ? { testSpeakers: split.testSpeakers } : {}),
    },
    augment: {
      enabled: opts.augment,
      copies: opts.augment ? 1 + PAPER_AUGMENTATIONS.length : 1,
      names: opts.augment ? PAPER_AUGMENTATIONS.map(augmentationName) : [],
    },
    seed: opts.seed,
    epochs: result.history.map((e) => ({
      epoch: e.epoch,
      loss: e.loss,
      accuracy: e.accuracy,
      valLoss: Number.isNaN(e.valLoss) ? null : e.valLoss,
      valAccuracy: Number.isNaN(e.valAccuracy) ? null : e.valAccuracy,
      seconds: e.seconds,
    })),
    bestEpoch: result.bestEpoch,
    seconds: {
      extract: (tExtract - t0) / 1000,
      train: (tTrain - tExtract) / 1000,
      evaluate: (tEval - tTrain) / 1000,
      total: (tEval - t0) / 1000,
    },
    backend: { name: backend.name, tensorflowVersion: backend.tensorflowVersion },
    createdAt: new Date().toISOString(),
  });
  await saveModel(opts.out, model, {
    classNames: files.classes,
    zscore: result.zscore,
    dsp: { ...dsp },
    inputShape: [dsp.nMels, nFrames(dsp), 1],
    crnn: resolveCrnnOptions({ numClasses: files.classes.length, seed: opts.seed }),
    dataset: { name: files.kind, roots: opts.data, files: files.paths.length },
    split: { ...serReport.split, seed: opts.seed },
    seed: opts.seed,
    training: {
      epochs: result.history.length,
      bestEpoch: result.bestEpoch,
      augment: serReport.augment,
    },
  });
  const example = split.test.find((i) => perFile[i] !== null);
  // Vega and resvg load only when a report is written: `ser` starts fast.
  const { writeReport } = await import('@serkit/report');
  await writeReport(opts.out, serReport, {
    spectrogram:
      example === undefined
        ? undefined
        : {
            values: (perFile[example] as Float32Array).subarray(0, featureLen),
            nMels: dsp.nMels,
            nFrames: nFrames(dsp),
            title: `${basename(files.paths[example])} (${files.classes[files.labels[example]]}), log-mel dB`,
            secondsPerFrame: dsp.hopLength / dsp.sampleRate,
          },
  });
  rmSync(checkpointDir, { recursive: true, force: true });
  if (opts.json) ctx.stdout.write(`${JSON.stringify(serReport)}\n`);
  ctx.stderr.write(summary(serReport, opts.out));
  return failed > 0 ? EXIT.FAILED : EXIT.OK;
}

/** Register `ser train`. */
export function registerTrain(
  program: Command,
  ctx: CliContext,
  setExit: (code: number) => void,
): void {
  program
    .command('train')
    .description(
      'extract, split, augment, train the CRNN, evaluate on the held-out split; write the model and its report',
    )
    .requiredOption('--data <dir...>', 'labelled WAV files or folders')
    .requiredOption('--out <modelDir>', 'folder for the model and its report')
    .addOption(
      new Option('--dataset <kind>', 'naming scheme').default('auto').argParser(parseDatasetKind),
    )
    .addOption(
      new Option('--split <kind>', 'held-out split')
        .choices(['random', 'speaker'])
        .default('random'),
    )
    .addOption(
      new Option('--test-size <fraction>', 'fraction held out for the test')
        .default(0.2)
        .argParser(parseFraction),
    )
    .option('--augment', "add the paper's four augmented copies of every training file", false)
    .addOption(
      new Option('--epochs <n>', 'maximum epochs')
        .default(TRAIN_DEFAULTS.epochs)
        .argParser(parseInteger(1)),
    )
    .addOption(
      new Option('--patience <n>', 'early-stopping patience, epochs')
        .default(TRAIN_DEFAULTS.patience)
        .argParser(parseInteger(1)),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the split, augmentations and training')
        .default(TRAIN_DEFAULTS.seed)
        .argParser(parseInteger(0)),
    )
    .addOption(
      new Option(
        '--backend <name>',
        'TensorFlow.js backend (default: env SER_BACKEND, else auto)',
      ).choices(['auto', 'tensorflow-gpu', 'gpu', 'tensorflow', 'node', 'wasm', 'cpu']),
    )
    .addOption(
      new Option('--jobs <n>', 'extraction threads (0 = every core)')
        .default(0)
        .argParser(parseJobs),
    )
    .option(
      '--no-cache',
      'do not read or write the feature cache ($SER_CACHE_DIR or ~/.cache/serkit/features)',
    )
    .option('--json', 'print the report as one JSON object on stdout', false)
    .action(async (o: Omit<TrainCliOptions, 'data'> & { data: string[] }) => {
      setExit(await runTrain(o, ctx));
    });
}
