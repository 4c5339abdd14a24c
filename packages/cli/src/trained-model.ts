/** Loading a trained model's folder for `ser evaluate`, `ser predict` and `--windows`. */

import { join } from 'node:path';
import { resolveDspOptions } from '@serkit/features';
import { checkModelFolder, loadModel, MODEL_FILES, type ModelMetadata } from '@serkit/model';
import { UsageError } from './context.js';

/**
 * Read a model folder's metadata and check the folder without TensorFlow, before any feature
 * is extracted for it: its files against each other (`checkModelFolder`) and its DSP options
 * (`resolveDspOptions`). An unreadable or inconsistent model is a one-line usage error naming
 * the folder and the file.
 */
export function readModelMetadata(dir: string): ModelMetadata {
  let meta: ModelMetadata;
  try {
    meta = checkModelFolder(dir).metadata;
  } catch (err) {
    throw new UsageError(`cannot use model ${dir}: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    resolveDspOptions(meta.dsp);
  } catch (err) {
    throw new UsageError(
      `cannot use model ${dir}: ${join(dir, MODEL_FILES.metadata)}: dsp: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  return meta;
}

/** Load the model with the DSP options it was trained with. */
export async function loadTrainedModel(dir: string, meta: ModelMetadata) {
  try {
    return (await loadModel(dir, { dsp: meta.dsp })).model;
  } catch (err) {
    throw new UsageError(`cannot use model ${dir}: ${(err as Error).message.split('\n')[0]}`);
  }
}
