/**
 * The CLI face of `@serkit/experiment`: its progress events as bars and lines on stderr, its
 * errors as the CLI's (exit 2 for a usage error, 130 for an interruption).
 */
import {
  type CrossValidationEvent,
  ExperimentError,
  ExperimentInterrupted,
  type LabelledFiles,
  loadEvents,
} from '@serkit/experiment';
import { CheckpointMismatchError } from '@serkit/model';
import { type CliContext, UsageError } from './context.js';
import { createProgress, type Progress } from './progress.js';

/**
 * Write what loading `files` has to say ({@link loadEvents}) on stderr: notices as
 * `ser: note: …`, unusable entries as their own `<path>: <reason>` line; `training` adds the
 * corpus classes without files.
 */
export function writeLoadEvents(files: LabelledFiles, training: boolean, ctx: CliContext): void {
  for (const e of loadEvents(files, training)) {
    ctx.stderr.write(e.type === 'notice' ? `ser: ${e.message}\n` : `${e.message}\n`);
  }
}

/**
 * A progress handler for `runExperiment`/`crossValidate` that prints notices as
 * `ser <command>: <line>`, unusable files as their own line, extraction and batches as
 * progress bars and one line per epoch. Call `stop()` when the run ends (or throws).
 * `omitSeen`: leave out the notices about what the model saw of the evaluated files
 * (`about: 'seen'`), for a command whose stdout summary says the same.
 */
export function experimentProgress(
  command: string,
  ctx: CliContext,
  { omitSeen = false }: { omitSeen?: boolean } = {},
): { onProgress: (e: CrossValidationEvent) => void; stop: () => void } {
  let bar: Progress | null = null;
  let barKind = '';
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  const onProgress = (e: CrossValidationEvent) => {
    switch (e.type) {
      case 'notice':
        if (omitSeen && e.about === 'seen') return;
        stop();
        ctx.stderr.write(
          e.message.startsWith('note: ') ? `ser: ${e.message}\n` : `ser ${command}: ${e.message}\n`,
        );
        return;
      case 'problem':
        ctx.stderr.write(`${e.message}\n`);
        return;
      case 'fold':
        stop();
        ctx.stderr.write(
          `ser ${command}: fold ${e.fold}/${e.folds}${e.seed !== undefined ? ` (seed ${e.seed})` : ''}${e.resumed ? ': done in an earlier run, reused' : ''}\n`,
        );
        return;
      case 'extract':
        if (barKind !== `extract:${e.label}` || !bar) {
          stop();
          barKind = `extract:${e.label}`;
          bar = createProgress(
            ctx,
            e.total,
            `${e.label} [{bar}] {value}/{total} files{cached} | {failed} failed | ETA {eta_formatted}`,
            {
              lineEverySeconds: 10,
              payload: {
                failed: 0,
                cached: e.cached > 0 ? ` to extract, ${e.cached} from the cache` : '',
              },
            },
          );
        }
        bar.update(e.done, { failed: e.failed });
        if (e.done === e.total) {
          stop();
          barKind = '';
        }
        return;
      case 'batch':
        if (barKind !== `epoch:${e.epoch}` || !bar) {
          stop();
          barKind = `epoch:${e.epoch}`;
          bar = createProgress(
            ctx,
            e.batches,
            `epoch ${e.epoch} [{bar}] {value}/{total} batches | loss {loss} | acc {acc} | ETA {eta_formatted}`,
            { payload: { loss: '-', acc: '-' } },
          );
        }
        bar.update(e.batch, { loss: e.loss.toFixed(3), acc: e.accuracy.toFixed(3) });
        return;
      case 'epoch':
        stop();
        barKind = '';
        ctx.stderr.write(
          `epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(4)}${Number.isNaN(e.valLoss) ? '' : ` | val loss ${e.valLoss.toFixed(4)} val acc ${e.valAccuracy.toFixed(4)}`} | ${e.seconds.toFixed(1)} s${e.best ? ' *' : ''}\n`,
        );
        return;
    }
  };
  return { onProgress, stop };
}

/**
 * An experiment's {@link ExperimentError}, and a checkpoint of another run in the way, as the
 * CLI's usage error (exit 2); others unchanged.
 */
export function cliError(err: unknown): unknown {
  if (err instanceof ExperimentError) return new UsageError(err.message);
  if (err instanceof CheckpointMismatchError) {
    return new UsageError(
      `${err.dir}: checkpoint is from a different run (${err.differences.join('; ')}): remove it to start over`,
    );
  }
  return err;
}

export { ExperimentInterrupted };
