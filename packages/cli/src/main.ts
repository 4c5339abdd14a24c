/**
 * @serkit/cli — the `ser` command line. `run(args)` is the whole program
 * (returns the exit code); `bin/ser.ts` only wires it to the process.
 * Commands live in `commands/`, one module each: extract, train, evaluate,
 * predict, info and setup.
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { requestedBackend } from './backend.js';
import { registerCrossval } from './commands/crossval.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerExtract } from './commands/extract.js';
import { registerInfo } from './commands/info.js';
import { registerPredict } from './commands/predict.js';
import { registerSetup } from './commands/setup.js';
import { registerTrain } from './commands/train.js';
import { type CliContext, EXIT, Interrupted, isAbort, UsageError } from './context.js';

export type { CrossvalCliOptions } from './commands/crossval.js';
export { runCrossval } from './commands/crossval.js';
export type { EvaluateCliOptions } from './commands/evaluate.js';
export { runEvaluate } from './commands/evaluate.js';
export type { ExtractOptions, ExtractSummary, ManifestLine } from './commands/extract.js';
export { runExtract } from './commands/extract.js';
export type { InfoOutput } from './commands/info.js';
export { runInfo } from './commands/info.js';
export type { Prediction, PredictOutput } from './commands/predict.js';
export { runPredict } from './commands/predict.js';
export type { SetupOutput } from './commands/setup.js';
export { runSetup } from './commands/setup.js';
export type { TrainCliOptions } from './commands/train.js';
export { runTrain } from './commands/train.js';
export type { CliContext, OutStream } from './context.js';
export { EXIT, UsageError } from './context.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const VERBOSE = "also print TensorFlow's own log lines, and stack traces of unexpected errors";

/** Build the commander program; `setExit` receives each action's exit code. */
export function createProgram(ctx: CliContext, setExit: (code: number) => void): Command {
  const program = new Command('ser')
    .description(
      'serkit: speech emotion recognition (CRNN of Yadav, Bastola & Sharma) from WAV, FLAC, MP3, Ogg Vorbis, AIFF, CAF or M4A audio',
    )
    .version(VERSION, '-V, --version')
    .option('--verbose', VERBOSE, false)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      // One line per error: commander's suggestion goes on the error's own line.
      outputError: (s, write) =>
        write(
          (s.startsWith('error:') ? `ser: ${s}` : s).replace(
            /\n\(Did you mean (.*?)\?\)/,
            ' (did you mean $1?)',
          ),
        ),
    });
  registerExtract(program, ctx, setExit);
  registerTrain(program, ctx, setExit);
  registerEvaluate(program, ctx, setExit);
  registerCrossval(program, ctx, setExit);
  registerPredict(program, ctx, setExit);
  registerInfo(program, ctx, setExit);
  registerSetup(program, ctx, setExit);
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput(program.configureOutput());
    sub.option('--verbose', VERBOSE, false);
    // A bad SER_BACKEND is a usage error, said before the command starts (or announces a model).
    if (sub.options.some((o) => o.long === '--backend')) {
      sub.hook('preAction', (c) => {
        requestedBackend(c.getOptionValue('backend'));
      });
    }
  }
  return program;
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/**
 * Run `ser` with `args` (without `node` and the script), writing to
 * `ctx.stdout` / `ctx.stderr`.
 *
 * When `ctx.signal` is not given, SIGINT (Ctrl-C) aborts the running command,
 * which removes its temporary files and exits 130; a second Ctrl-C exits at once.
 *
 * @returns the exit code: 0 ok, 1 some files failed, 2 usage error, 130 interrupted.
 */
export async function run(
  args: string[],
  ctx: CliContext = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let exitCode: number = EXIT.OK;
  let onSigint: (() => void) | undefined;
  if (!ctx.signal) {
    const ac = new AbortController();
    let interrupted = false;
    onSigint = () => {
      if (interrupted) process.exit(EXIT.INTERRUPTED);
      interrupted = true;
      ac.abort();
    };
    process.on('SIGINT', onSigint);
    ctx = { ...ctx, signal: ac.signal };
  }
  const verbose = args.includes('--verbose');
  ctx = { ...ctx, verbose };
  // TensorFlow's INFO and WARNING lines only with --verbose (its own variable wins when set).
  if (process.env.TF_CPP_MIN_LOG_LEVEL === undefined) {
    process.env.TF_CPP_MIN_LOG_LEVEL = verbose ? '0' : '2';
  }
  const command = args.find((a) => !a.startsWith('-')) ?? 'ser';
  try {
    const program = createProgram(ctx, (code) => {
      exitCode = code;
    });
    if (args.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.USAGE;
    }
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every parse error was already printed on one line.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (err instanceof Interrupted) {
      ctx.stderr.write(`ser ${command}: ${firstLine(err.message)}\n`);
      return EXIT.INTERRUPTED;
    }
    if (isAbort(err)) {
      ctx.stderr.write(`ser ${command}: interrupted; nothing was written\n`);
      return EXIT.INTERRUPTED;
    }
    if (err instanceof UsageError) {
      ctx.stderr.write(`ser: error: ${firstLine(err.message)}\n`);
      return EXIT.USAGE;
    }
    const e = err as Error;
    ctx.stderr.write(`ser: error: ${firstLine(e?.message ?? String(err))}\n`);
    if (verbose && e?.stack) ctx.stderr.write(`${e.stack}\n`);
    return EXIT.FAILED;
  } finally {
    if (onSigint) process.off('SIGINT', onSigint);
  }
}
