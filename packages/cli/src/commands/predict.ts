import { extractFiles, listAudioFiles, resolveDspOptions } from '@serkit/features';
import { predictProbabilities } from '@serkit/model';
import { type Command, Option } from 'commander';
import { type CliContext, EXIT, UsageError } from '../context.js';
import { parseJobs } from '../parse.js';
import { reportWalk } from '../walk-report.js';
import { loadTrainedModel, readModelMetadata } from './evaluate.js';

/** One prediction of `ser predict --json`. */
export interface Prediction {
  path: string;
  /** The most probable class. */
  label: string;
  /** Probability of every class. */
  probabilities: Record<string, number>;
}

/** `ser predict --json` output. */
export interface PredictOutput {
  predictions: Prediction[];
  /** Files that could not be read, each with its one-line reason. */
  failed: { path: string; error: string }[];
}

/** `ser predict`: the emotion of each WAV file, with every class's probability. */
export async function runPredict(
  wavs: string[],
  opts: { model: string; jobs: number; json: boolean },
  ctx: CliContext,
): Promise<number> {
  const meta = readModelMetadata(opts.model);
  const walk = listAudioFiles(wavs);
  const skipped = reportWalk(walk, walk.files.length, wavs, ctx);
  const paths = walk.files.map((e) => e.path);
  const dsp = resolveDspOptions(meta.dsp);
  const batch = await extractFiles(paths, dsp, { threads: opts.jobs, signal: ctx.signal });
  const out: PredictOutput = { predictions: [], failed: [] };
  if (batch.ok > 0) {
    const model = await loadTrainedModel(opts.model, meta);
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
  paths.forEach((path, i) => {
    const error = batch.errors[i];
    if (error) {
      out.failed.push({ path, error });
      ctx.stderr.write(`${error}\n`);
    }
  });
  if (opts.json) ctx.stdout.write(`${JSON.stringify(out)}\n`);
  else {
    for (const p of out.predictions) {
      ctx.stderr.write(
        `${p.path}: ${p.label} (${(100 * p.probabilities[p.label]).toFixed(1)} %)\n`,
      );
    }
  }
  return out.failed.length > 0 || skipped > 0 ? EXIT.FAILED : EXIT.OK;
}

/** Register `ser predict`. */
export function registerPredict(
  program: Command,
  ctx: CliContext,
  setExit: (code: number) => void,
): void {
  program
    .command('predict')
    .description('the emotion of each WAV file, with the probability of every class')
    .argument('<wav...>', 'WAV files or folders')
    .requiredOption('--model <modelDir>', 'folder written by ser train')
    .addOption(
      new Option('--jobs <n>', 'extraction threads (0 = every core)')
        .default(0)
        .argParser(parseJobs),
    )
    .option(
      '--json',
      'print {"predictions":[{path,label,probabilities}],"failed":[…]} on stdout',
      false,
    )
    .action(async (wavs: string[], o: { model: string; jobs: number; json: boolean }) => {
      setExit(await runPredict(wavs, o, ctx));
    });
}
