import {
  defaultCacheDir,
  evaluateOnFiles,
  loadLabelledFiles,
  modelLabels,
  reportFileNames,
  UnknownClassesError,
} from '@serkit/experiment';
import type { BackendRequest } from '@serkit/model';
import type { Command } from 'commander';
import { loadTensorFlow } from '../backend.js';
import { type CliContext, EXIT, Interrupted, UsageError } from '../context.js';
import { cliError, experimentProgress, writeLoadEvents } from '../experiment-progress.js';
import { announceDefaultModel, resolveModelRef } from '../model-ref.js';
import { OPTIONS, requiredOption } from '../options.js';
import { ensureReportFolder, ensureWritableDir } from '../out-dir.js';
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
  if (opts.out) {
    ensureWritableDir(opts.out);
    ensureReportFolder(
      opts.out,
      'evaluate',
      ['report.md', 'report.json', 'confusion-matrix.svg', 'confusion-matrix.png'],
      (r) =>
        typeof r.schema === 'string' &&
        r.schema.startsWith('serkit-report/') &&
        r.kind === 'evaluate',
    );
  }
  const ref = resolveModelRef(opts.model);
  const meta = readModelMetadata(ref.dir);
  // Without --json the summary on stdout says what the model saw: not twice in a terminal.
  const progress = experimentProgress('evaluate', ctx, { omitSeen: !opts.json });
  let result: Awaited<ReturnType<typeof evaluateOnFiles>>;
  let files: ReturnType<typeof loadLabelledFiles> | undefined;
  try {
    files = loadLabelledFiles(opts.data, opts.dataset);
    // The default model is RAVDESS's (English): EMO-DB data (German) needs --model emodb, even
    // when its classes happen to be among RAVDESS's (neutral, disgust).
    if (opts.model === undefined && files.kind === 'emodb') {
      // Offered only when it would run: every class of the data is one the model knows.
      const present = new Set(files.labels);
      const classes = files.classes.filter((_, k) => present.has(k));
      const anyway = classes.every((c) => meta.classNames.includes(c))
        ? ', or --model ravdess to evaluate the English model on them anyway'
        : '';
      throw new UsageError(
        `the data follow EMO-DB's names (German) and the default model is ravdess (English): use --model emodb${anyway}`,
      );
    }
    // Classes the model does not know: said before the default model is announced, and before
    // the files skipped for want of a label are listed (the one error line says it all).
    modelLabels(files, meta.classNames);
    writeLoadEvents(files, false, ctx);
    announceDefaultModel(opts.model, ctx, 'evaluate');
    result = await evaluateOnFiles(
      {
        metadata: meta,
        data: files,
        roots: opts.data,
        jobs: opts.jobs,
        cacheDir: opts.cache ? defaultCacheDir() : null,
        loadModel: async () => {
          await loadTensorFlow(ctx, opts.backend);
          return loadTrainedModel(ref.dir, meta);
        },
      },
      { onProgress: progress.onProgress, signal: ctx.signal },
    );
  } catch (err) {
    // Labels read from folder names: say so, the folder may just be where the files are.
    if (files?.kind === 'folders' && err instanceof UnknownClassesError) {
      throw new UsageError(
        `${err.message}; the labels are the files' folder names (--dataset folders${opts.dataset === 'auto' ? ', chosen by --dataset auto' : ''})`,
      );
    }
    throw cliError(err);
  } finally {
    progress.stop();
  }
  const { report } = result;
  if (!meta.trainingFiles?.sha256) {
    ctx.stderr.write(
      `ser evaluate: ${ref.dir} does not record its training files (trained by an older serkit): the figures may include files it was trained on\n`,
    );
  }
  if (ctx.signal?.aborted) throw new Interrupted('interrupted; nothing was written');
  const written = opts.out
    ? await (await import('@serkit/report')).writeReport(opts.out, report)
    : null;
  if (opts.json) ctx.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    ctx.stdout.write(summary(report, opts.out ?? null, written ? reportFileNames(written) : []));
  }
  return result.failed > 0 ? EXIT.FAILED : EXIT.OK;
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
      "a trained model's report (accuracy, confusion matrix, per-class scores) on labelled data, with the figures on the files it never saw and on speakers it never heard",
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
