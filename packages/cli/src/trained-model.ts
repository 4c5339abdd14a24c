/** Loading a trained model's folder for `ser evaluate`, `ser predict` and `--windows`. */
import { loadModel, type ModelMetadata, readMetadataChecked } from '@serkit/model';
import { UsageError } from './context.js';

/**
 * Read a model folder's metadata, checked against `model.json`'s input shape before any
 * feature is extracted for it; an unreadable or inconsistent model is a one-line usage error.
 */
export function readModelMetadata(dir: string): ModelMetadata {
  try {
    return readMetadataChecked(dir);
  } catch (err) {
    throw new UsageError(`cannot use model ${dir}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Load the model with the DSP options it was trained with. */
export async function loadTrainedModel(dir: string, meta: ModelMetadata) {
  try {
    return (await loadModel(dir, { dsp: meta.dsp })).model;
  } catch (err) {
    throw new UsageError(`cannot use model ${dir}: ${(err as Error).message.split('\n')[0]}`);
  }
}
