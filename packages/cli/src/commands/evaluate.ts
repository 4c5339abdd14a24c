import { nFrames, resolveDspOptions } from '@serkit/features';
import {
  currentBackendInfo,
  evaluate,
  loadModel,
  type ModelMetadata,
  readMetadata,
} from '@serkit/model';
import { type Command, Option } from 'commander';
import { type CliContext, EXIT, UsageError } from '../context.js';
import { ensureWritableDir } from '../out-dir.js';
import { parseJobs } from '../parse.js';
import { loadLabelledFiles, parseDatasetKind, stack } from '../train/data.js';
import { defaultCacheDir, extractWithCache } from '../train/features.js';
import { summary, toSerReport } from './train.js';

/** Read a model folder's metadata; an unreadable model is a one-line usage error. */
export function readModelMetadata(dir: string): ModelMetadata {
  try {
    return readMetadata(dir);
  } catch (err) {
    throw new UsageError(`cannot use model ${dir}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Load the model with the DSP options it was trained with. */
export async function loadTrainedModel(dir: string, meta: ModelMetadata) {
  try {
    return (await loadModel(dir, { dsp: meta.dsp })).model;
  } catch (err) {
    throw new UsageError(`cannot use model ${dir}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Parsed options of `ser evaluate`. */
export interface EvaluateCliOptions {
  model: string;
  data: string[];
  dataset: 'auto' | 'ravdess' | 'emodb' | 'folders';
  out?: string;
  jobs: number;
  cache: boolean;
  json: boolean;
}

/**
 * `ser evaluate`: the report of a trained model on any labelled data (its classes must be
 * among the model's), features computed with the model's own DSP options.
 */
export async function runEvaluate(opts: EvaluateCliOptions, ctx: CliContext): Promise<number> {
  const now = ctx.now ?? (() => performance.now());
  const t0 = now();
  if (opts.out) ensureWritableDir(opts.out);
  const meta = readModelMetadata(opts.model);
  const files = loadLabelledFiles(opts.data, opts.dataset, ctx);
  const modelIndex = new Map(meta.classNames.map((c, i) => [c, i]));
  const unknown = [...new Set(files.labels.map((l) => files.classes[l]))].filter(
    (c) => !modelIndex.has(c),
  );
  if (unknown.length > 0) {
    throw new UsageError(
      `the data has classes the model does not know: ${unknown.join(', ')} (model classes: ${meta.classNames.join(', ')})`,
    );
  }
  const labels = files.labels.map((l) => modelIndex.get(files.classes[l]) as number);
  const dsp = resolveDspOptions(meta.dsp);
  const featureLen = dsp.nMels * nFrames(dsp);
  const got = await extractWithCache(
    files.paths,
    {
      dsp,
      augment: false,
      seed: 0,
      jobs: opts.jobs,
      cacheDir: opts.cache ? defaultCacheDir() : null,
      label: 'extracting',
      signal: ctx.signal,
    },
    ctx,
  );
  let failed = files.unlabelled;
  for (const e of got.errors) {
    if (e) {
      ctx.stderr.write(`${e}\n`);
      failed++;
    }
  }
  const all = files.paths.map((_, i) => i);
  const data = stack(got.perFile, labels, all, featureLen, 'original');
  if (data.labels.length === 0) throw new UsageError('none of the files could be read');
  const tExtract = now();
  const model = await loadTrainedModel(opts.model, meta);
  const report = await evaluate(
    model,
    { x: data.x, labels: data.labels },
    meta.zscore,
    meta.classNames,
  );
  const tEval = now();
  const backend = currentBackendInfo();
  const serReport = toSerReport(report, {
    kind: 'evaluate',
    dataset: {
      name: files.kind,
      roots: opts.data,
      files: files.paths.length + files.unlabelled,
      failed,
    },
    split: { kind: 'all', testSize: null, train: 0, validation: 0, test: data.labels.length },
    augment: { enabled: false, copies: 1, names: [] },
    seed: meta.seed ?? 0,
    epochs: [],
    bestEpoch: 0,
    seconds: {
      extract: (tExtract - t0) / 1000,
      train: 0,
      evaluate: (tEval - tExtract) / 1000,
      total: (tEval - t0) / 1000,
    },
    backend: {
      name: backend?.name ?? 'unknown',
      tensorflowVersion: backend?.tensorflowVersion ?? null,
    },
    createdAt: new Date().toISOString(),
  });
  if (opts.out) await (await import('@serkit/report')).writeReport(opts.out, serReport);
  if (opts.json) ctx.stdout.write(`${JSON.stringify(serReport)}\n`);
  ctx.stderr.write(summary(serReport, opts.out ?? null));
  model.dispose();
  return failed > 0 ? EXIT.FAILED : EXIT.OK;
}

/** Register `ser evaluate`. */
export function registerEvaluate(
  program: Command,
  ctx: CliContext,
  setExit: (code: number) => void,
): void {
  program
    .command('evaluate')
    .description(
      "a trained model's report (accuracy, confusion matrix, per-class scores) on labelled data",
    )
    .requiredOption('--model <modelDir>', 'folder written by ser train')
    .requiredOption('--data <dir...>', 'labelled WAV files or folders')
    .addOption(
      new Option('--dataset <kind>', 'naming scheme').default('auto').argParser(parseDatasetKind),
    )
    .option('--out <dir>', 'also write report.json, report.md and the confusion-matrix plots here')
    .addOption(
      new Option('--jobs <n>', 'extraction threads (0 = every core)')
        .default(0)
        .argParser(parseJobs),
    )
    .option('--no-cache', 'do not read or write the feature cache')
    .option('--json', 'print the report as one JSON object on stdout', false)
    .action(async (o: EvaluateCliOptions) => {
      setExit(await runEvaluate(o, ctx));
    });
}
