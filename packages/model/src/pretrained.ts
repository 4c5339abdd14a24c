/**
 * The pretrained models serkit ships, each as its own npm package holding the tfjs layers files
 * and `metadata.json` (`@serkit/model-ravdess`, `@serkit/model-emodb`), found by package
 * resolution so they work wherever npm put them (a project's `node_modules`, a global install,
 * this repository's workspace).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { ModelError } from './errors.js';
import { type LoadModelOptions, loadModel, MODEL_FILES, readMetadata } from './persistence.js';
import type { ModelMetadata } from './types.js';

/** What serkit knows of each pretrained model before it is installed. */
export interface PretrainedModelInfo {
  /** npm package that holds the model files. */
  packageName: string;
  /** Corpus the model was trained on. */
  corpus: string;
  /** Language of the speech it was trained on. */
  language: string;
  /** Licence of the weights (they inherit the training data's terms). */
  weightsLicense: string;
}

/**
 * The pretrained models, by name. `ravdess` (English, 8 emotions) is the default of
 * `ser predict` and `ser evaluate`; `emodb` (German, 7 emotions).
 */
export const PRETRAINED_MODELS = Object.freeze({
  ravdess: {
    packageName: '@serkit/model-ravdess',
    corpus: 'RAVDESS speech (Livingstone & Russo 2018), actors 01–12',
    language: 'English (North American)',
    weightsLicense: 'CC-BY-NC-SA-4.0',
  },
  emodb: {
    packageName: '@serkit/model-emodb',
    corpus: 'Berlin EMO-DB (Burkhardt et al. 2005), original 16 kHz release',
    language: 'German',
    weightsLicense: 'free for research use; cite Burkhardt et al. 2005',
  },
} satisfies Record<string, PretrainedModelInfo>);

/** Name of a shipped pretrained model. */
export type PretrainedModelName = keyof typeof PRETRAINED_MODELS;

/** The model `ser predict` and `ser evaluate` use when no `--model` is given. */
export const DEFAULT_PRETRAINED_MODEL: PretrainedModelName = 'ravdess';

/** Folder, inside a model package, that holds `model.json`, `weights.bin`, `metadata.json`. */
const MODEL_SUBDIR = 'model';

/** Whether `name` is one of {@link PRETRAINED_MODELS}. */
export function isPretrainedModelName(name: string): name is PretrainedModelName {
  return Object.hasOwn(PRETRAINED_MODELS, name);
}

function packageRoot(packageName: string, from: string): string | null {
  try {
    return path.dirname(createRequire(from).resolve(`${packageName}/package.json`));
  } catch {
    return null;
  }
}

/**
 * The folder of an installed pretrained model (`<package>/model`), resolved from this package
 * and, failing that, from the current working directory.
 *
 * @throws {ModelError} `ERR_SER_MODEL_NOT_INSTALLED`: `pretrained model \`emodb\` is not
 *   installed: npm install @serkit/model-emodb` when its package cannot be found;
 *   `ERR_SER_UNKNOWN_MODEL` naming the name when it is not a known model.
 */
export function pretrainedModelDir(name: string): string {
  if (!isPretrainedModelName(name)) {
    throw new ModelError(
      'ERR_SER_UNKNOWN_MODEL',
      `unknown pretrained model \`${name}\`: expected one of ${Object.keys(PRETRAINED_MODELS).join(', ')}`,
    );
  }
  const { packageName } = PRETRAINED_MODELS[name];
  const root =
    packageRoot(packageName, import.meta.url) ??
    packageRoot(packageName, path.join(process.cwd(), 'package.json'));
  const dir = root === null ? null : path.join(root, MODEL_SUBDIR);
  if (dir === null || !fs.existsSync(path.join(dir, MODEL_FILES.metadata))) {
    throw new ModelError(
      'ERR_SER_MODEL_NOT_INSTALLED',
      `pretrained model \`${name}\` is not installed: npm install ${packageName}`,
    );
  }
  return dir;
}

/** One entry of {@link listPretrainedModels}. */
export interface InstalledPretrainedModel extends PretrainedModelInfo {
  name: PretrainedModelName;
  /** Whether its package resolves and holds a model. */
  installed: boolean;
  /** Folder of the model files, when installed. */
  dir: string | null;
  /** Version of its package, when installed. */
  version: string | null;
  /** Class names, when installed. */
  classNames: string[] | null;
}

/** Every shipped pretrained model and whether it is installed here. Never throws. */
export function listPretrainedModels(): InstalledPretrainedModel[] {
  return (Object.keys(PRETRAINED_MODELS) as PretrainedModelName[]).map((name) => {
    const info = PRETRAINED_MODELS[name];
    let dir: string | null = null;
    let version: string | null = null;
    let classNames: string[] | null = null;
    try {
      dir = pretrainedModelDir(name);
      classNames = readMetadata(dir).classNames;
      version = (
        JSON.parse(fs.readFileSync(path.join(dir, '..', 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    } catch {
      dir = null;
    }
    return { name, ...info, installed: dir !== null, dir, version, classNames };
  });
}

/**
 * Load a shipped pretrained model by name.
 *
 * @example
 * const { model, metadata } = await loadPretrained('ravdess');
 * // metadata.classNames: ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised']
 * @param options.dsp the caller's DSP options: a model trained on other options is refused,
 *   naming every differing option (as {@link loadModel}).
 * @throws Error when the model is unknown or its package is not installed (the message names
 *   the package to install).
 */
export async function loadPretrained(
  name: PretrainedModelName,
  options: LoadModelOptions = {},
): Promise<{ model: TF.LayersModel; metadata: ModelMetadata; dir: string }> {
  const dir = pretrainedModelDir(name);
  const { model, metadata } = await loadModel(dir, options);
  return { model, metadata, dir };
}
