/**
 * Save and load: the tfjs layers format (`model.json` + `weights.bin`, readable by
 * `tf.loadLayersModel`) plus `metadata.json` (`metadata.ts`). Folders are written atomically
 * (`atomic-dir.ts`), so a crash never leaves a half-written model. The training checkpoint has
 * its own module (`checkpoint.ts`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { writeDirAtomic } from './atomic-dir.js';
import { loadBackend } from './backend.js';
import { invalidModel, ModelError } from './errors.js';
import {
  checkInputShape,
  checkModelFolder,
  checkOutputUnits,
  currentVersions,
  diffDspOptions,
  MODEL_FILES,
} from './metadata.js';
import type { ModelMetadata } from './types.js';

export { writeDirAtomic } from './atomic-dir.js';
export {
  checkModelFolder,
  currentVersions,
  diffDspOptions,
  type LayersModelJson,
  MODEL_FILES,
  PACKAGE_VERSION,
  readMetadata,
} from './metadata.js';

function joinWeightData(data: ArrayBuffer | ArrayBuffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data.map((d) => Buffer.from(d)));
  return Buffer.from(data);
}

/** The tfjs layers artifacts (model.json object + weights) of a model. */
async function modelArtifacts(
  tf: typeof TF,
  model: TF.LayersModel,
): Promise<{ json: Record<string, unknown>; weights: Buffer }> {
  let out: { json: Record<string, unknown>; weights: Buffer } | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      out = {
        json: {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: null,
          modelTopology: a.modelTopology,
          weightsManifest: [{ paths: [MODEL_FILES.weights], weights: a.weightSpecs }],
        },
        weights: joinWeightData(a.weightData as ArrayBuffer | ArrayBuffer[]),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!out) throw new Error('model.save produced no artifacts');
  return out;
}

/**
 * Save `model` and `metadata` into folder `dir` atomically (replacing any previous content):
 * `model.json` + `weights.bin` (tfjs layers format) and `metadata.json`.
 * `metadata.versions` and `createdAt` are filled in when missing.
 */
export async function saveModel(
  dir: string,
  model: TF.LayersModel,
  metadata: Omit<ModelMetadata, 'versions' | 'createdAt' | 'format' | 'formatVersion'> &
    Partial<ModelMetadata>,
): Promise<void> {
  if (typeof dir !== 'string' || dir === '')
    throw new Error('saveModel dir: expected a folder path');
  const tf = await loadBackend();
  const k = (model.outputs[0].shape as number[]).at(-1);
  if (!Array.isArray(metadata?.classNames) || metadata.classNames.length !== k) {
    throw new Error(
      `saveModel metadata.classNames: expected ${k} names (the model's outputs), got ${metadata?.classNames?.length}`,
    );
  }
  const full: ModelMetadata = {
    ...metadata,
    format: 'serkit-crnn',
    formatVersion: 1,
    versions: { ...currentVersions(tf), ...(metadata.versions ?? {}) },
    createdAt: metadata.createdAt ?? new Date().toISOString(),
  } as ModelMetadata;
  const { json, weights } = await modelArtifacts(tf, model);
  await writeDirAtomic(dir, async (tmp) => {
    fs.writeFileSync(path.join(tmp, MODEL_FILES.model), JSON.stringify(json));
    fs.writeFileSync(path.join(tmp, MODEL_FILES.weights), weights);
    fs.writeFileSync(path.join(tmp, MODEL_FILES.metadata), `${JSON.stringify(full, null, 2)}\n`);
  });
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** The caller's DSP options; loading refuses a model whose saved options differ. */
  dsp?: Record<string, unknown>;
}

/**
 * Load a folder written by {@link saveModel}. With `options.dsp`, refuses (one-line error
 * listing every differing option) a model trained on features computed differently.
 */
export async function loadModel(
  dir: string,
  options: LoadModelOptions = {},
): Promise<{ model: TF.LayersModel; metadata: ModelMetadata }> {
  if (typeof dir !== 'string' || dir === '')
    throw new Error('loadModel dir: expected a folder path');
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw invalidModel(`${dir}: no such model folder`);
  }
  // Every check that needs no TensorFlow first: a broken folder fails before it loads.
  const { metadata, modelJson: json } = checkModelFolder(dir);
  if (options.dsp) {
    const given = options.dsp as Record<string, unknown>;
    // Options left out are named once, not each as "given (unset)".
    const missing = Object.keys(metadata.dsp)
      .filter((k) => given[k] === undefined)
      .sort();
    const set = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
    const diff = diffDspOptions(metadata.dsp, { ...metadata.dsp, ...set });
    const parts = [
      ...(diff.length > 0
        ? [`model was trained with different DSP options (${diff.join('; ')})`]
        : []),
      ...(missing.length > 0
        ? [
            `the DSP options given leave out ${missing.join(', ')} (pass complete options: resolveDspOptions() of @serkit/features fills in the defaults)`,
          ]
        : []),
    ];
    if (parts.length > 0) {
      throw new ModelError(
        'ERR_SER_DSP_MISMATCH',
        `${path.join(dir, MODEL_FILES.metadata)}: ${parts.join('; ')}`,
      );
    }
  }
  const modelFile = path.join(dir, MODEL_FILES.model);
  const tf = await loadBackend();
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const bins = json.weightsManifest
    .flatMap((g) => g.paths)
    .map((p) => {
      const f = path.join(dir, p);
      try {
        return fs.readFileSync(f);
      } catch {
        throw invalidModel(`${f}: weights file missing`);
      }
    });
  const data = Buffer.concat(bins);
  const weightData = data.buffer.slice(
    data.byteOffset,
    data.byteOffset + data.byteLength,
  ) as ArrayBuffer;
  let model: TF.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }),
    );
  } catch (err) {
    throw invalidModel(`${modelFile}: cannot load (${(err as Error).message.split('\n')[0]})`);
  }
  // Again from the model itself, for topologies the static check cannot read.
  const [, h, w] = model.inputs[0].shape as number[];
  try {
    checkOutputUnits(dir, metadata, (model.outputs[0].shape as number[]).at(-1) as number);
    checkInputShape(dir, metadata, [h, w]);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return { model, metadata };
}
