import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  checkExperimentFolder,
  defaultCacheDir,
  ExperimentError,
  ExperimentInterrupted,
  loadLabelledFiles,
  runExperiment,
  type SplitProtocol,
  withoutTrailingSeparators,
  writeExperiment,
} from '@serkit/experiment';
import type { DatasetKind } from '@serkit/features';
import type { BackendRequest, DbReference } from '@serkit/model';
import type { Command } from 'commander';
import { loadTrainingBackend } from '../backend.js';
import { type CliContext, EXIT, Interrupted, UsageError } from '../context.js';
import { cliError, experimentProgress, writeLoadEvents } from '../experiment-progress.js';
import { OPTIONS, requiredOption } from '../options.js';
import { ensureWritableDir } from '../out-dir.js';
import { summary } from '../report-output.js';

/**
 * What an earlier run left in `out` (`earlier`: its files, from `checkExperimentFolder`), for
 * the note: `a model trained <createdAt>`, `a model`, or `an earlier run's files`. Null when
 * there is nothing.
 */
function earlierRun(out: string, earlier: readonly string[]): string | null {
  if (earlier.length === 0) return null;
  if (!earlier.includes('metadata.json')) return "an earlier run's report (no model)";
  try {
    const m = JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')) as {
      createdAt?: unknown;
    };
    return typeof m?.createdAt === 'string' ? `a model trained ${m.createdAt}` : 'a model';
  } catch {
    return 'a model';
  }
}

/** Parsed options of `ser train`. */
export interface TrainCliOptions {
  data: string[];
  out: string;
  dataset: DatasetKind;
  split: SplitProtocol;
  testSize: number;
  /** `--test-speakers`: hold out exactly these speakers (speaker split). */
  testSpeakers?: string[];
  /** `--validation-speakers`: early stopping on these training speakers' files. */
  validationSpeakers?: string[];
  /** `--validation-split`: how the validation part is carved (default: as `split`). */
  validationSplit?: SplitProtocol;
  /** `--db-reference`: dB reference of the model's inputs. */
  dbReference: DbReference;
  augment: boolean;
  /** `--spec-augment`: SpecAugment masking of the training inputs. */
  specAugment?: boolean;
  epochs: number;
  patience: number;
  seed: number;
  backend?: BackendRequest;
  jobs: number;
  cache: boolean;
  json: boolean;
}

/**
 * `ser train`: `runExperiment` of `@serkit/experiment` (split, validation carve-out, cached
 * extraction, augmentation of the training files, training with early stopping, evaluation)
 * with progress on stderr; the model and its report replace `out` together. Interrupted runs
 * resume from the checkpoint in `<out>.checkpoint`.
 *
 * @returns 0, 1 when some files could not be used (the rest was), 130 when interrupted.
 */
export async function runTrain(opts: TrainCliOptions, ctx: CliContext): Promise<number> {
  // `model/`, `model/.` and `model` are one folder (and `link/` the link, not its target).
  const out = withoutTrailingSeparators(opts.out);
  ensureWritableDir(out);
  // The checkpoint and the staged folder are made beside it.
  ensureWritableDir(dirname(resolve(out)), 'the folder of --out');
  const checkpointDir = `${out}.checkpoint`;
  const interrupted = (done: number) =>
    new Interrupted(
      done > 0
        ? `interrupted after epoch ${done}; ${out} was not written; run the same command again to resume from ${checkpointDir}`
        : `interrupted in epoch 1; nothing was written`,
    );
  const progress = experimentProgress('train', ctx);
  try {
    const files = (() => {
      try {
        return loadLabelledFiles(opts.data, opts.dataset);
      } catch (err) {
        throw cliError(err);
      }
    })();
    // Replaced as a whole at the end: refused now if that would lose anything but a run's files.
    const earlier = (() => {
      try {
        return checkExperimentFolder(out);
      } catch (err) {
        throw cliError(err);
      }
    })();
    // Before extraction, and before the data's notes: without native TensorFlow, training is
    // refused at once, in one line.
    const backend = await loadTrainingBackend(ctx, opts.backend, 'train');
    writeLoadEvents(files, true, ctx);
    const previous = earlierRun(out, earlier);
    if (previous) {
      ctx.stderr.write(
        `ser: note: ${out} holds ${previous}; this run replaces it when it ends (interrupt before then to keep it)\n`,
      );
    }
    const result = await runExperiment(
      {
        data: files,
        roots: opts.data,
        split: opts.split,
        testSize: opts.testSize,
        testSpeakers: opts.testSpeakers,
        validationSpeakers: opts.validationSpeakers,
        validationSplit: opts.validationSplit,
        dbReference: opts.dbReference,
        augment: opts.augment,
        specAugment: opts.specAugment === true,
        epochs: opts.epochs,
        patience: opts.patience,
        seed: opts.seed,
        jobs: opts.jobs,
        cacheDir: opts.cache ? defaultCacheDir() : null,
        checkpointDir,
      },
      {
        onProgress: progress.onProgress,
        signal: ctx.signal,
        loadBackend: async () => backend,
      },
    );
    progress.stop();
    let names: string[];
    try {
      names = await writeExperiment(out, result, { signal: ctx.signal }).catch((err) => {
        // Something came into --out during training: the run is kept in its checkpoint.
        if (err instanceof ExperimentError) {
          throw new UsageError(
            `${err.message.replace(/; choose a new or empty folder$/, '')}; the trained run is kept in ${checkpointDir}: move what is named in parentheses out of ${out} and run the same command again to write it`,
          );
        }
        throw err;
      });
    } finally {
      result.model.dispose();
    }
    if (opts.json) ctx.stdout.write(`${JSON.stringify(result.report)}\n`);
    else ctx.stdout.write(summary(result.report, out, names));
    return result.failed > 0 ? EXIT.FAILED : EXIT.OK;
  } catch (err) {
    if (err instanceof ExperimentInterrupted) throw interrupted(err.epochsDone);
    throw cliError(err);
  } finally {
    progress.stop();
  }
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
    .addOption(OPTIONS.validationSplit())
    .addOption(OPTIONS.dbReference())
    .addOption(OPTIONS.augment())
    .addOption(OPTIONS.specAugment())
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
