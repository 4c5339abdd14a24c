import { extractFiles, listAudioFiles, resolveDspOptions } from '@serkit/features';
import { type BackendRequest, predictProbabilities } from '@serkit/model';
import type { Command } from 'commander';
import { loadTensorFlow } from '../backend.js';
import { type CliContext, EXIT, UsageError } from '../context.js';
import { announceDefaultModel, resolveModelRef } from '../model-ref.js';
import { OPTIONS } from '../options.js';
import { SEEN_MARK, seenNotice, trainingFileTest } from '../seen-files.js';
import { loadTrainedModel, readModelMetadata } from '../trained-model.js';
import { reasonOf, reportWalk } from '../walk-report.js';
import {
  addWindowOptions,
  runPredictWindowed,
  type WindowCliOptions,
  wantsWindows,
} from './predict-windows.js';

/** One prediction of `ser predict --json`. */
export interface Prediction {
  path: string;
  /** The most probable class. */
  label: string;
  /** Probability of every class. */
  probabilities: Record<string, number>;
  /**
   * The file is one of the model's training or validation files (same bytes), so its
   * probabilities are no test of the model. Present only when the model records its files.
   */
  seen?: boolean;
}

/** `ser predict --json` output. */
export interface PredictOutput {
  /** The model used: its folder, and its name when it is a shipped pretrained model. */
  model: { dir: string; pretrained: string | null };
  predictions: Prediction[];
  /** Files that could not be read, each with its reason (`error`, without the path). */
  failed: { path: string; error: string }[];
}

/** `ser predict`: the emotion of each WAV file, with every class's probability. */
export async function runPredict(
  wavs: string[],
  opts: { model?: string; jobs: number; backend?: BackendRequest; json: boolean },
  ctx: CliContext,
): Promise<number> {
  const ref = resolveModelRef(opts.model);
  const meta = readModelMetadata(ref.dir);
  const walk = listAudioFiles(wavs);
  reportWalk(walk, walk.files.length, wavs, ctx);
  announceDefaultModel(opts.model, ctx, 'predict');
  const paths = walk.files.map((e) => e.path);
  const dsp = resolveDspOptions(meta.dsp);
  const batch = await extractFiles(paths, dsp, { threads: opts.jobs, signal: ctx.signal });
  // Entries the walk could not use (missing, unreadable, dangling links) are failures too.
  const out: PredictOutput = {
    model: ref,
    predictions: [],
    failed: walk.skipped.map((s) => ({ path: s.path, error: s.reason })),
  };
  if (batch.ok > 0) {
    await loadTensorFlow(ctx, opts.backend);
    const model = await loadTrainedModel(ref.dir, meta);
    const p = await predictProbabilities(model, batch.features, meta.zscore);
    model.dispose();
    const k = meta.classNames.length;
    paths.forEach((path, i) => {
      const row = batch.rows[i];
      if (row < 0) return;
      const probs = p.subarray(row * k, (row + 1) * k);
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[c] > probs[best]) best = c;
      out.predictions.push({
        path,
        label: meta.classNames[best],
        probabilities: Object.fromEntries(
          meta.classNames.map((c, j) => [c, Number(probs[j].toFixed(6))]),
        ),
      });
    });
  }
  const isTrainingFile = await trainingFileTest(meta.trainingFiles?.sha256);
  if (isTrainingFile) {
    for (const p of out.predictions) p.seen = isTrainingFile(p.path);
    const notice = seenNotice(out.predictions, opts.json);
    if (notice) ctx.stderr.write(notice);
  }
  paths.forEach((path, i) => {
    const error = batch.errors[i];
    if (error) {
      out.failed.push({ path, error: reasonOf(path, error) });
      ctx.stderr.write(`${error}\n`);
    }
  });
  if (opts.json) ctx.stdout.write(`${JSON.stringify(out)}\n`);
  else {
    for (const p of out.predictions) {
      ctx.stdout.write(
        `${p.path}: ${p.label} (${(100 * p.probabilities[p.label]).toFixed(1)} %)${p.seen ? `, ${SEEN_MARK}` : ''}\n`,
      );
    }
  }
  return out.failed.length > 0 ? EXIT.FAILED : EXIT.OK;
}

/** Register `ser predict`. */
export function registerPredict(
  program: Command,
  ctx: CliContext,
  setExit: (code: number) => void,
): void {
  const cmd = program
    .command('predict')
    .description('the emotion of each audio file, with the probability of every class')
    .argument('[paths...]', 'audio files and/or folders (none with --stream)');
  cmd
    .addOption(OPTIONS.model())
    .addOption(OPTIONS.backend())
    .addOption(OPTIONS.jobs())
    .addOption(
      OPTIONS.json(
        'print {"model":{dir,pretrained},"predictions":[{path,label,probabilities,seen}],"failed":[…]} on stdout',
      ),
    )
    .action(
      async (
        wavs: string[],
        o: { jobs: number; backend?: BackendRequest; json: boolean } & WindowCliOptions,
      ) => {
        if (wantsWindows(o)) return setExit(await runPredictWindowed(wavs, o, ctx));
        if (wavs.length === 0)
          throw new UsageError(
            'missing required argument: paths (audio files or folders, or --stream - for live input)',
          );
        setExit(await runPredict(wavs, o, ctx));
      },
    );
  addWindowOptions(cmd);
}
