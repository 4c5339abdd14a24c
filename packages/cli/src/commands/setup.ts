import { type SetupResult, setupNativeTensorflow } from '@serkit/model';
import type { Command } from 'commander';
import { type CliContext, EXIT } from '../context.js';

/** `ser setup --json`: the result of `setupNativeTensorflow()` of `@serkit/model`. */
export type SetupOutput = SetupResult;

/**
 * `ser setup`: make native TensorFlow (tfjs-node) work: tfjs-node's own download, else the
 * TensorFlow CPU wheel from PyPI with the binding built from source; idempotent and cached.
 * Steps go to stderr, the outcome to stdout (one line, or with `--json` one JSON object and a
 * newline); exit 0 when `@tensorflow/tfjs-node` works, 1 otherwise.
 */
export async function runSetup(
  opts: { json: boolean; download: boolean; force: boolean },
  ctx: CliContext,
): Promise<number> {
  const r = await setupNativeTensorflow({
    download: opts.download ? undefined : false,
    force: opts.force,
    log: (line, outcome) => {
      // Without --json, the summary on stdout says that tfjs-node works, how and where: the
      // step line that says the same (all of the output when it already worked) is left out.
      if (!opts.json && outcome?.packageName === '@tensorflow/tfjs-node') return;
      ctx.stderr.write(`ser setup: ${line}\n`);
    },
  });
  if (opts.json) ctx.stdout.write(`${JSON.stringify(r)}\n`);
  else {
    const main = r.packages[0];
    ctx.stdout.write(
      r.ok
        ? `native TensorFlow works: ${main?.versions} (${main?.route}; ${main?.location})\n`
        : `native TensorFlow is NOT working (${main?.error}); prediction falls back to wasm, training needs it\n`,
    );
  }
  return r.ok ? EXIT.OK : EXIT.FAILED;
}

/** Register `ser setup`. */
export function registerSetup(
  program: Command,
  ctx: CliContext,
  setExit: (code: number) => void,
): void {
  program
    .command('setup')
    .description(
      'make native TensorFlow work (tfjs-node download, else the PyPI wheel; cached in ~/.cache/serkit)',
    )
    .option('--no-download', "skip tfjs-node's own download and use the PyPI wheel route")
    .option('--force', 'redo the set-up even when native TensorFlow already works', false)
    .option('--json', 'print one JSON object on stdout', false)
    .action(async (o: { json: boolean; download: boolean; force: boolean }) => {
      setExit(await runSetup(o, ctx));
    });
}
