import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DEFAULT_PRETRAINED_MODEL,
  isPretrainedModelName,
  MODEL_FILES,
  PRETRAINED_MODELS,
  pretrainedModelDir,
} from '@serkit/model';
import { type CliContext, UsageError } from './context.js';

/** The model a `--model` value names. */
export interface ModelRef {
  /** Folder holding `model.json`, `weights.bin` and `metadata.json`. */
  dir: string;
  /** The pretrained model's name (`ravdess`, `emodb`), or null for a folder from `ser train`. */
  pretrained: string | null;
}

/**
 * Resolve `--model`: a folder written by `ser train` (one holding `metadata.json`), or the name
 * of a shipped pretrained model; without a value, the default pretrained model (announce it
 * with {@link announceDefaultModel} once the inputs are known to be usable).
 *
 * @throws UsageError naming the value when it is neither, or the package to install when the
 *   pretrained model is not installed.
 */
export function resolveModelRef(value: string | undefined): ModelRef {
  if (value === undefined) {
    const name = DEFAULT_PRETRAINED_MODEL;
    return { dir: pretrainedDir(name), pretrained: name };
  }
  if (existsSync(join(value, MODEL_FILES.metadata))) return { dir: value, pretrained: null };
  if (isPretrainedModelName(value)) return { dir: pretrainedDir(value), pretrained: value };
  const names = Object.keys(PRETRAINED_MODELS).join(', ');
  const stat = statSync(value, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) {
    // A file of a model folder (metadata.json, model.json…): name the folder to give instead.
    const folder = dirname(value);
    throw new UsageError(
      existsSync(join(folder, MODEL_FILES.metadata))
        ? `--model ${value}: a file; --model takes the model's folder, ${folder}`
        : `--model ${value}: a file, not a model folder or a pretrained model name (${names})`,
    );
  }
  const what = stat ? `not a model folder (no ${MODEL_FILES.metadata})` : 'no such folder';
  throw new UsageError(`--model ${value}: ${what}, and not a pretrained model name (${names})`);
}

/**
 * Without `--model` (`value` undefined), say in one line on stderr, prefixed `ser <command>:`,
 * which pretrained model answers and how to choose another. Called after the inputs were
 * checked, so that a usage error stays the only line a wrong command prints.
 */
export function announceDefaultModel(
  value: string | undefined,
  ctx: CliContext,
  command: string,
): void {
  if (value !== undefined) return;
  const name = DEFAULT_PRETRAINED_MODEL;
  ctx.stderr.write(
    `ser ${command}: using the pretrained model \`${name}\` (${PRETRAINED_MODELS[name].language}; choose another with --model emodb or --model <dir>)\n`,
  );
}

function pretrainedDir(name: string): string {
  try {
    return pretrainedModelDir(name);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
