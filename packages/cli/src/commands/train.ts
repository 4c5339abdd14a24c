import { existsSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import {
  augmentationName,
  type DatasetKind,
  nFrames,
  PAPER_AUGMENTATIONS,
  resolveDspOptions,
} from '@serkit/features';
import {
  type BackendRequest,
  buildCrnn,
  type ClassificationReport,
  type DbReference,
  type EpochEvent,
  evaluate,
  resolveCrnnOptions,
  saveModel,
  stratifiedSplit,
  TRAIN_DEFAULTS,
  train,
  writeDirAtomic,
} from '@serkit/model';
import type { ReportFiles, SerReport } from '@serkit/report';
import type { Command } from 'commander';
import { loadTensorFlow } from '../backend.js';
import { type CliContext, EXIT, Interrupted, UsageError } from '../context.js';
import { OPTIONS, requiredOption } from '../options.js';
import { ensureWritableDir } from '../out-dir.js';
import { createProgress, type Progress } from '../progress.js';
import { loadLabelledFiles, stack } from '../train/data.js';
import { defaultCacheDir, extractWithCache } from '../train/features.js';
import { type SplitKind, splitFiles } from '../train/split.js';

/** Parsed options of `ser train`. */
export interface TrainCliOptions {
  data: string[];
  out: string;
  dataset: DatasetKind;
  split: SplitKind;
  testSize: number;
  /** `--test-speakers`: hold out exactly these speakers (speaker split). */
  testSpeakers?: string[];
  /** `--validation-speakers`: early stopping on these training speakers' files. */
  validationSpeakers?: string[];
  /** `--db-reference`: dB reference of the model's inputs. */
  dbReference: DbReference;
  augment: boolean;
  epochs: number;
  patience: number;
  seed: number;
  backend?: BackendRequest;
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
    | 'uar'
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
    // UAR, unweighted average recall: the mean of the per-class recalls.
    uar: r.macro.recall,
    confusion: r.confusion,
    confusionPercent: r.confusionPercent,
    perClass: r.perClass.map((s, i) => ({ name: r.classNames[i], ...s })),
    macro: r.macro,
    weighted: r.weighted,
  };
}

/**
 * The human summary of a report (stdout without `--json`): accuracy, and the files written
 * (`files` from `writeReport`, plus any others), or null when nothing was written.
 */
export function summary(report: SerReport, where: string | null, files: string[] = []): string {
  const lines = [
    `accuracy ${(100 * report.accuracy).toFixed(2)} %, UAR ${(100 * report.uar).toFixed(2)} % on ${report.split.test} utterances (${report.classes.length} classes); macro F1 ${report.macro.f1.toFixed(3)}`,
  ];
  if (report.seen && report.seen.files > 0) {
    lines.push(
      report.seen.unseenAccuracy === null
        ? `all ${report.seen.files} files were seen by the model in training`
        : `accuracy ${(100 * report.seen.unseenAccuracy).toFixed(2)} % on the ${report.seen.unseen} files the model never saw (${report.seen.files} were its training or validation files)`,
    );
  }
  if (where) lines.push(`report: ${where}/report.md (${files.join(', ')})`);
  return `${lines.join('\n')}\n`;
}

/** The names of the files `writeReport` wrote, report.md first. */
export function reportFileNames(files: ReportFiles): string[] {
  return [
    files.markdown,
    files.json,
    files.confusionSvg,
    files.confusionPng,
    files.trainingCurvesPng,
    files.spectrogramPng,
  ]
    .filter((f): f is string => f !== null)
    .map((f) => basename(f));
}

/** A stratified 10 % of the training files (originals) for early stopping. */
function validationCarveOut(labels: readonly number[], trainFiles: number[], seed: number) {
  const carve = stratifiedSplit(
    trainFiles.map((i) => labels[i]),
    TRAIN_DEFAULTS.validationFraction,
    seed,
  );
  return {
    fitFiles: carve.train.map((j) => trainFiles[j]),
    valFiles: carve.validation.map((j) => trainFiles[j]),
  };
}

/**
 * `--validation-speakers`: every training file of these speakers validates, the rest trains,
 * so early stopping judges voices the model does not learn from.
 */
function validationBySpeakers(
  files: { speakers: readonly (string | null)[]; labels: readonly number[]; classes: string[] },
  trainFiles: number[],
  chosen: readonly string[],
  testSpeakers: readonly string[],
) {
  const overlap = chosen.filter((s) => testSpeakers.includes(s));
  if (overlap.length > 0) {
    throw new UsageError(
      `--validation-speakers: speaker ${overlap.join(', ')} is held out for the test; validation comes from the training speakers`,
    );
  }
  const known = [...new Set(trainFiles.map((i) => files.speakers[i]))].filter(
    (s): s is string => s !== null,
  );
  const unknown = chosen.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw new UsageError(
      `--validation-speakers: no training file of speaker ${unknown.join(', ')} (training speakers: ${known.sort().join(', ')})`,
    );
  }
  const valFiles = trainFiles.filter((i) => chosen.includes(files.speakers[i] as string));
  const fitFiles = trainFiles.filter((i) => !chosen.includes(files.speakers[i] as string));
  const fitClasses = new Set(fitFiles.map((i) => files.labels[i]));
  const missing = files.classes.filter((_, c) => !fitClasses.has(c));
  if (fitFiles.length === 0 || missing.length > 0) {
    throw new UsageError(
      `--validation-speakers: no file of class ${missing.join(', ') || 'any'} left for training`,
    );
  }
  return { fitFiles, valFiles };
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
  const split = splitFiles(
    files.labels,
    files.speakers,
    opts.split,
    opts.testSize,
    opts.seed,
    opts.testSpeakers,
  );
  if (split.classesMissingFromTraining?.length) {
    const names = split.classesMissingFromTraining.map((c) => files.classes[c]);
    throw new UsageError(
      `--split speaker: no training file of class ${names.join(', ')} (all are from the held-out speakers ${split.testSpeakers?.join(', ')}); use --split random, another --seed or more speakers`,
    );
  }
  if (split.note) ctx.stderr.write(`ser train: ${split.note}\n`);
  // Validation files come from the training files (originals only, never augmented copies
  // of a validation file in training): early stopping never sees the test files.
  const { fitFiles, valFiles } = opts.validationSpeakers
    ? validationBySpeakers(files, split.train, opts.validationSpeakers, split.testSpeakers ?? [])
    : validationCarveOut(files.labels, split.train, opts.seed);

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
  const hashes: (string | null)[] = new Array(files.paths.length).fill(null);
  let failed = files.unlabelled;
  for (const [list, got] of [
    [heldOut, plain],
    [fitFiles, fit],
  ] as const) {
    list.forEach((fileIndex, j) => {
      perFile[fileIndex] = got.perFile[j];
      hashes[fileIndex] = got.hashes[j];
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

  const backend = await loadTensorFlow(ctx, opts.backend);
  const model = await buildCrnn({ numClasses: files.classes.length, seed: opts.seed });
  const checkpointDir = `${opts.out.replace(/[\\/]+$/, '')}.checkpoint`;
  if (existsSync(checkpointDir)) {
    ctx.stderr.write(`ser train: resuming from ${checkpointDir}\n`);
  }
  const batches = Math.ceil(fitData.labels.length / TRAIN_DEFAULTS.batchSize);
  let bar: Progress | null = null;
  const result = await train(model, { x: fitData.x, labels: fitData.labels }, {
    epochs: opts.epochs,
    patience: opts.patience,
    seed: opts.seed,
    dbReference: opts.dbReference,
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
  const interrupted = () => {
    const done = result.history.length;
    return new Interrupted(
      done > 0
        ? `interrupted after epoch ${done}; ${opts.out} was not written; run the same command again to resume from ${checkpointDir}`
        : `interrupted in epoch 1; nothing was written`,
    );
  };
  if (result.aborted) {
    model.dispose();
    throw interrupted();
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
      // With --test-speakers the fraction is what those speakers make, not a request.
      testSize: opts.testSpeakers ? split.test.length / files.paths.length : opts.testSize,
      testFraction: split.test.length / files.paths.length,
      train: fitFiles.filter((i) => perFile[i] !== null).length,
      validation: valData.labels.length,
      test: testData.labels.length,
      ...(split.testSpeakers ? { testSpeakers: split.testSpeakers } : {}),
      ...(opts.validationSpeakers
        ? { validationSpeakers: [...opts.validationSpeakers].sort() }
        : {}),
      ...(split.note ? { note: split.note } : {}),
    },
    ...(opts.dbReference !== 'absolute' ? { dbReference: opts.dbReference } : {}),
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
  // The files the model learnt from (training + validation), by content, so that
  // `ser evaluate` can say how many of the files it evaluates the model has already seen.
  const seenHashes = [...fitFiles, ...valFiles]
    .filter((i) => perFile[i] !== null)
    .map((i) => hashes[i])
    .filter((h): h is string => h !== null)
    .sort();
  const example = split.test.find((i) => perFile[i] !== null);
  // Vega and resvg load only when a report is written: `ser` starts fast.
  const { writeReport } = await import('@serkit/report');
  if (ctx.signal?.aborted) throw interrupted();
  // Model and report replace <out> together, or not at all.
  let written: ReportFiles | null = null;
  await writeDirAtomic(opts.out, async (tmp) => {
    await saveModel(tmp, model, {
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
      trainingFiles: { sha256: seenHashes },
    });
    written = await writeReport(tmp, serReport, {
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
    if (ctx.signal?.aborted) throw interrupted();
  });
  model.dispose();
  rmSync(checkpointDir, { recursive: true, force: true });
  if (opts.json) ctx.stdout.write(`${JSON.stringify(serReport)}\n`);
  else {
    const names = [
      'model.json',
      'weights.bin',
      'metadata.json',
      ...reportFileNames(written as unknown as ReportFiles),
    ];
    ctx.stdout.write(summary(serReport, opts.out, names));
  }
  return failed > 0 ? EXIT.FAILED : EXIT.OK;
}

/** Register `ser train`. */
export function registerTrain(
  program: Command,
  ctx: CliContext,
  setExit: (code: number) => void,
): void {
  const cmd = program
    .command('train')
    .description(
      'extract, split, augment, train the CRNN, evaluate on the held-out split; write the model and its report',
    );
  requiredOption(cmd, OPTIONS.data());
  requiredOption(cmd, OPTIONS.out('folder for the model and its report'));
  cmd
    .addOption(OPTIONS.dataset())
    .addOption(OPTIONS.split())
    .addOption(OPTIONS.testSize())
    .addOption(OPTIONS.testSpeakers())
    .addOption(OPTIONS.validationSpeakers())
    .addOption(OPTIONS.dbReference())
    .addOption(OPTIONS.augment())
    .addOption(OPTIONS.epochs())
    .addOption(OPTIONS.patience())
    .addOption(OPTIONS.seed())
    .addOption(OPTIONS.backend())
    .addOption(OPTIONS.jobs())
    .addOption(OPTIONS.noCache())
    .addOption(OPTIONS.json('print the report as one JSON object on stdout'))
    .action(async (o: TrainCliOptions) => {
      setExit(await runTrain(o, ctx));
    });
}
