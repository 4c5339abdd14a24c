import {
  type CrossValidationConfig,
  crossValidate,
  defaultCacheDir,
  ExperimentInterrupted,
  loadLabelledFiles,
  type SplitProtocol,
} from '@serkit/experiment';
import type { DatasetKind } from '@serkit/features';
import type { BackendRequest, DbReference } from '@serkit/model';
import type { CrossvalReport } from '@serkit/report';
import type { Command } from 'commander';
import { loadTrainingBackend } from '../backend.js';
import { type CliContext, EXIT, Interrupted } from '../context.js';
import { cliError, experimentProgress, writeLoadEvents } from '../experiment-progress.js';
import { OPTIONS, requiredOption } from '../options.js';
import { ensureReportFolder, ensureWritableDir } from '../out-dir.js';
import { classCount } from '../report-output.js';

/** Parsed options of `ser crossval`. */
export interface CrossvalCliOptions {
  data: string[];
  out: string;
  dataset: DatasetKind;
  split: SplitProtocol;
  folds: number | 'loso';
  augment: boolean;
  /** `--spec-augment`: SpecAugment masking of the training inputs. */
  specAugment?: boolean;
  /** `--validation-split`: how the validation part is carved (default: as `split`). */
  validationSplit?: SplitProtocol;
  /** `--db-reference`: dB reference of the models' inputs. */
  dbReference: DbReference;
  epochs: number;
  patience: number;
  seed: number;
  seeds?: number[];
  backend?: BackendRequest;
  jobs: number;
  cache: boolean;
  json: boolean;
}

/** The one-line summary on stdout (without `--json`). */
export function crossvalSummary(r: CrossvalReport, out: string): string {
  const p = (x: number) => (100 * x).toFixed(2);
  const s = r.summary;
  const classes = classCount(s.perClass, 'the').text;
  return `accuracy ${p(s.accuracy.mean)} ± ${p(s.accuracy.std)} %, UAR ${p(s.uar.mean)} ± ${p(s.uar.std)} % over ${r.folds.length} folds (${classes})\nreport: ${out}/report.md (report.md, report.json, crossval.svg, crossval.png; one folder per fold)\n`;
}

/**
 * `ser crossval`: `crossValidate` of `@serkit/experiment` (stratified K-fold, speaker K-fold or
 * leave-one-speaker-out, repeated per seed), each fold's report in `<out>/fold-<i>/`, the
 * summary in `<out>/report.{md,json}` and `crossval.png`. Ctrl-C stops cleanly; the same
 * command resumes at the first unfinished fold.
 *
 * @returns 0, 1 when some files could not be used, 130 when interrupted.
 */
export async function runCrossval(opts: CrossvalCliOptions, ctx: CliContext): Promise<number> {
  ensureWritableDir(opts.out);
  ensureReportFolder(
    opts.out,
    'crossval',
    ['report.md', 'report.json', 'crossval.svg', 'crossval.png'],
    (r) => typeof r.schema === 'string' && r.schema.startsWith('serkit-crossval/'),
  );
  const progress = experimentProgress('crossval', ctx);
  try {
    const files = loadLabelledFiles(opts.data, opts.dataset);
    // Before extraction, and before the data's notes: without native TensorFlow, training is
    // refused at once, in one line.
    const backend = await loadTrainingBackend(ctx, opts.backend, 'crossval');
    writeLoadEvents(files, true, ctx);
    const config: CrossValidationConfig = {
      data: files,
      roots: opts.data,
      out: opts.out,
      split: opts.split,
      folds: opts.folds,
      augment: opts.augment,
      specAugment: opts.specAugment === true,
      validationSplit: opts.validationSplit,
      dbReference: opts.dbReference,
      epochs: opts.epochs,
      patience: opts.patience,
      seed: opts.seed,
      ...(opts.seeds ? { seeds: opts.seeds } : {}),
      jobs: opts.jobs,
      cacheDir: opts.cache ? defaultCacheDir() : null,
    };
    const report = await crossValidate(config, {
      onProgress: progress.onProgress,
      signal: ctx.signal,
      loadBackend: async () => backend,
    });
    progress.stop();
    const { writeCrossvalReport } = await import('@serkit/report');
    await writeCrossvalReport(opts.out, report);
    if (opts.json) ctx.stdout.write(`${JSON.stringify(report)}\n`);
    else ctx.stdout.write(crossvalSummary(report, opts.out));
    return report.dataset.failed > 0 ? EXIT.FAILED : EXIT.OK;
  } catch (err) {
    if (err instanceof ExperimentInterrupted) {
      throw new Interrupted(
        `interrupted; the finished folds are kept in ${opts.out}; run the same command again to resume at the first unfinished fold`,
      );
    }
    throw cliError(err);
  } finally {
    progress.stop();
  }
}

/** Register `ser crossval`. */
export function registerCrossval(
  program: Command,
  ctx: CliContext,
  setExit: (code: number) => void,
): void {
  const cmd = program
    .command('crossval')
    .description(
      'cross-validate the CRNN (stratified K-fold, speaker K-fold or leave-one-speaker-out): a report per fold and accuracy/UAR mean ± std',
    );
  requiredOption(cmd, OPTIONS.data());
  requiredOption(cmd, OPTIONS.out('folder for the per-fold reports and the summary'));
  cmd
    .addOption(OPTIONS.dataset())
    .addOption(OPTIONS.split())
    .addOption(OPTIONS.folds())
    .addOption(OPTIONS.augment())
    .addOption(OPTIONS.specAugment())
    .addOption(OPTIONS.validationSplit())
    .addOption(OPTIONS.dbReference())
    .addOption(OPTIONS.epochs())
    .addOption(OPTIONS.patience())
    .addOption(OPTIONS.seed())
    .addOption(OPTIONS.seeds())
    .addOption(OPTIONS.backend())
    .addOption(OPTIONS.jobs())
    .addOption(OPTIONS.noCache())
    .addOption(OPTIONS.json('print the summary as one JSON object (serkit-crossval/1) on stdout'))
    .action(async (o: CrossvalCliOptions) => {
      setExit(await runCrossval(o, ctx));
    });
}
