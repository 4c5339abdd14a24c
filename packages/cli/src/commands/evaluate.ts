import {
  defaultCacheDir,
  ExperimentError,
  evaluateModel,
  extractWithCache,
  loadLabelledFiles,
  reportFileNames,
  stackExamples,
  toSerReport,
} from '@serkit/experiment';
import { nFrames, resolveDspOptions } from '@serkit/features';
import { type BackendRequest, classificationReport } from '@serkit/model';
import type { SerReport } from '@serkit/report';
import type { Command } from 'commander';
import { loadTensorFlow } from '../backend.js';
import { type CliContext, EXIT, Interrupted, UsageError } from '../context.js';
import { resolveModelRef } from '../model-ref.js';
import { OPTIONS, requiredOption } from '../options.js';
import { ensureWritableDir } from '../out-dir.js';
import { createProgress, type Progress } from '../progress.js';
import { summary } from '../report-output.js';
import { loadTrainedModel, readModelMetadata } from '../trained-model.js';

/** Parsed options of `ser evaluate`. */
export interface EvaluateCliOptions {
  /** A pretrained model's name or a folder from `ser train`; default: the default pretrained model. */
  model?: string;
  data: string[];
  dataset: 'auto' | 'ravdess' | 'emodb' | 'folders';
  out?: string;
  jobs: number;
  backend?: BackendRequest;
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
  const ref = resolveModelRef(opts.model, ctx);
  const meta = readModelMetadata(ref.dir);
  let files: ReturnType<typeof loadLabelledFiles>;
  try {
    files = loadLabelledFiles(opts.data, opts.dataset);
  } catch (err) {
    throw err instanceof ExperimentError ? new UsageError(err.message) : err;
  }
  for (const n of files.notices) ctx.stderr.write(`ser: note: ${n}\n`);
  for (const p of files.problems) ctx.stderr.write(`${p}\n`);
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
  let progress: Progress | undefined;
  const got = await extractWithCache(files.paths, {
    dsp,
    augment: false,
    seed: 0,
    jobs: opts.jobs,
    cacheDir: opts.cache ? defaultCacheDir() : null,
    signal: ctx.signal,
    onProgress: (p) => {
      progress ??= createProgress(
        ctx,
        p.total,
        'extracting [{bar}] {value}/{total} files | {failed} failed | ETA {eta_formatted}',
        { lineEverySeconds: 10, payload: { failed: 0 } },
      );
      progress.update(p.done, { failed: p.failed });
    },
  }).finally(() => progress?.stop());
  let failed = files.problems.length;
  for (const e of got.errors) {
    if (e) {
      ctx.stderr.write(`${e}\n`);
      failed++;
    }
  }
  const all = files.paths.map((_, i) => i);
  const ok = all.filter((i) => got.perFile[i] !== null);
  const data = stackExamples(got.perFile, labels, all, featureLen, 'original');
  if (data.labels.length === 0) throw new UsageError('none of the files could be read');
  const tExtract = now();
  const backend = await loadTensorFlow(ctx, opts.backend);
  const model = await loadTrainedModel(ref.dir, meta);
  let evaluation: Awaited<ReturnType<typeof evaluateModel>>;
  try {
    evaluation = await evaluateModel(model, data, meta.zscore, meta.classNames);
  } finally {
    model.dispose();
  }
  const { classification: report, predicted } = evaluation;
  // Which of the evaluated files the model learnt from (training or validation), by content.
  let seen: SerReport['seen'];
  const known = meta.trainingFiles?.sha256;
  if (known) {
    const set = new Set(known);
    const unseenRows = ok
      .map((i, row) => (set.has(got.hashes[i] ?? '') ? -1 : row))
      .filter((r) => r >= 0);
    const nSeen = ok.length - unseenRows.length;
    const unseen =
      unseenRows.length > 0
        ? classificationReport(
            unseenRows.map((r) => data.labels[r]),
            unseenRows.map((r) => predicted[r]),
            meta.classNames,
          )
        : null;
    seen = {
      files: nSeen,
      unseen: unseenRows.length,
      unseenAccuracy: unseen?.accuracy ?? null,
      unseenMacroF1: unseen?.macro.f1 ?? null,
    };
    if (nSeen > 0) {
      ctx.stderr.write(
        `ser evaluate: ${nSeen} of ${ok.length} evaluated files were the model's training or validation files: accuracy ${(100 * report.accuracy).toFixed(2)} % on all, ${unseen ? `${(100 * unseen.accuracy).toFixed(2)} % on the ${unseenRows.length} unseen` : 'no unseen file'}\n`,
      );
    }
  } else {
    ctx.stderr.write(
      `ser evaluate: ${ref.dir} does not record its training files (trained by an older serkit): the figures may include files it was trained on\n`,
    );
  }
  const tEval = now();
  const serReport = toSerReport(report, {
    kind: 'evaluate',
    dataset: {
      name: files.kind,
      roots: opts.data,
      files: files.paths.length + files.problems.length,
      failed,
    },
    split: { kind: 'all', testSize: null, train: 0, validation: 0, test: data.labels.length },
    ...(seen ? { seen } : {}),
    augment: { enabled: false, copies: 1, names: [] },
    seed: meta.seed ?? 0,
    epochs: [],
    bestEpoch: 0,
    seconds: {
      extract: (tExtract - t0) / 1000,
      train: null,
      evaluate: (tEval - tExtract) / 1000,
      total: (tEval - t0) / 1000,
    },
    backend: { name: backend.name, tensorflowVersion: backend.tensorflowVersion },
    createdAt: new Date().toISOString(),
  });
  if (ctx.signal?.aborted) throw new Interrupted('interrupted; nothing was written');
  const written = opts.out
    ? await (await import('@serkit/report')).writeReport(opts.out, serReport)
    : null;
  if (opts.json) ctx.stdout.write(`${JSON.stringify(serReport)}\n`);
  else {
    ctx.stdout.write(summary(serReport, opts.out ?? null, written ? reportFileNames(written) : []));
  }
  return failed > 0 ? EXIT.FAILED : EXIT.OK;
}

/** Register `ser evaluate`. */
export function registerEvaluate(
  program: Command,
  ctx: CliContext,
  setExit: (code: number) => void,
): void {
  const cmd = program
    .command('evaluate')
    .description(
      "a trained model's report (accuracy, confusion matrix, per-class scores) on labelled data",
    );
  requiredOption(cmd, OPTIONS.data());
  cmd
    .addOption(OPTIONS.model())
    .addOption(OPTIONS.dataset())
    .addOption(
      OPTIONS.out(
        'also write report.json, report.md and confusion-matrix.svg/.png into this folder',
      ),
    )
    .addOption(OPTIONS.backend())
    .addOption(OPTIONS.jobs())
    .addOption(OPTIONS.noCache())
    .addOption(OPTIONS.json('print the report as one JSON object on stdout'))
    .action(async (o: EvaluateCliOptions) => {
      setExit(await runEvaluate(o, ctx));
    });
}
