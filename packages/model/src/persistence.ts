/**
 * Save and load: the tfjs layers format (`model.json` + `weights.bin`, readable by
 * `tf.loadLayersModel`) plus `metadata.json`. Folders are written atomically (a temp folder in
 * the same parent, then rename), so a crash never leaves a half-written model.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { currentBackendInfo, loadBackend } from './backend.js';
import { DB_REFERENCES } from './normalization.js';
import type { ModelMetadata } from './types.js';

/** Version of this package, recorded in metadata. */
export const PACKAGE_VERSION: string = JSON.parse(
  fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

/** File names inside a saved-model folder. */
export const MODEL_FILES = Object.freeze({
  model: 'model.json',
  weights: 'weights.bin',
  metadata: 'metadata.json',
});

/** A named tensor's description in a `.json` beside a `.bin` (tfjs weight-spec subset). */
export interface TensorSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

/**
 * Write a folder atomically: `fill(tmp)` writes into a fresh temp folder beside `dir`, which then
 * replaces `dir` by rename. On error the temp folder is removed and `dir` is left untouched.
 */
export async function writeDirAtomic(
  dir: string,
  fill: (tmp: string) => Promise<void>,
): Promise<void> {
  const abs = path.resolve(dir);
  const parent = path.dirname(abs);
  fs.mkdirSync(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = path.join(parent, `.${path.basename(abs)}.tmp-${tag}`);
  const old = path.join(parent, `.${path.basename(abs)}.old-${tag}`);
  fs.mkdirSync(tmp);
  try {
    await fill(tmp);
    for (const f of fs.readdirSync(tmp)) {
      const fd = fs.openSync(path.join(tmp, f), 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
    if (fs.existsSync(abs)) {
      if (!fs.statSync(abs).isDirectory()) throw new Error(`${abs}: exists and is not a folder`);
      fs.renameSync(abs, old);
    }
    fs.renameSync(tmp, abs);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (fs.existsSync(old) && !fs.existsSync(abs)) fs.renameSync(old, abs);
    throw err;
  }
  fs.rmSync(old, { recursive: true, force: true });
}

/** Serialise named tensors to (specs, bytes). Reads the data synchronously. */
export function encodeTensors(named: { name: string; tensor: TF.Tensor }[]): {
  specs: TensorSpec[];
  data: Buffer;
} {
  const specs: TensorSpec[] = [];
  const parts: Buffer[] = [];
  for (const { name, tensor } of named) {
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
      throw new Error(`tensor ${name}: dtype ${tensor.dtype} cannot be saved (float32/int32 only)`);
    }
    const v = tensor.dataSync() as Float32Array | Int32Array;
    parts.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    specs.push({ name, shape: [...tensor.shape], dtype: tensor.dtype });
  }
  return { specs, data: Buffer.concat(parts) };
}

/** Inverse of {@link encodeTensors}; the caller owns (and disposes) the returned tensors. */
export function decodeTensors(
  tf: typeof TF,
  specs: TensorSpec[],
  data: Buffer,
  file: string,
): { name: string; tensor: TF.Tensor }[] {
  const out: { name: string; tensor: TF.Tensor }[] = [];
  let off = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const bytes = n * 4;
    if (off + bytes > data.length) {
      for (const o of out) o.tensor.dispose();
      throw new Error(
        `${file}: truncated (tensor ${s.name} needs ${bytes} bytes at ${off}, file has ${data.length})`,
      );
    }
    const copy = new Uint8Array(bytes);
    copy.set(data.subarray(off, off + bytes));
    const values =
      s.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
    out.push({ name: s.name, tensor: tf.tensor(values, s.shape, s.dtype) });
    off += bytes;
  }
  if (off !== data.length) {
    for (const o of out) o.tensor.dispose();
    throw new Error(`${file}: ${data.length - off} bytes left over after ${specs.length} tensors`);
  }
  return out;
}

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

/** Versions recorded in metadata. */
export function currentVersions(tf: typeof TF): Record<string, string | null> {
  const info = currentBackendInfo();
  return {
    '@serkit/model': PACKAGE_VERSION,
    tfjs: tf.version_core,
    tensorflow: info?.tensorflowVersion ?? null,
    backend: info?.name ?? null,
    node: process.versions.node,
  };
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

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Differences between the DSP options a model was trained with and the caller's, one
 * `name: saved X, given Y` string per differing key (keys missing on one side included).
 */
export function diffDspOptions(
  saved: Record<string, unknown>,
  given: Record<string, unknown>,
): string[] {
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(given)])].sort();
  const out: string[] = [];
  for (const k of keys) {
    const a = saved[k];
    const b = given[k];
    if (stable(a) !== stable(b)) {
      out.push(
        `${k}: model has ${a === undefined ? '(unset)' : stable(a)}, given ${b === undefined ? '(unset)' : stable(b)}`,
      );
    }
  }
  return out;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: invalid JSON (${(err as Error).message})`);
  }
}

/** Read and check `metadata.json` of a saved-model folder. */
export function readMetadata(dir: string): ModelMetadata {
  const file = path.join(dir, MODEL_FILES.metadata);
  const m = readJson(file) as ModelMetadata;
  if (m?.format !== 'serkit-crnn')
    throw new Error(`${file}: not a serkit model (format is not "serkit-crnn")`);
  if (m.formatVersion !== 1)
    throw new Error(`${file}: unsupported formatVersion ${m.formatVersion} (expected 1)`);
  if (!Array.isArray(m.classNames) || m.classNames.length < 2) {
    throw new Error(`${file}: classNames must list at least 2 classes`);
  }
  if (!m.zscore || !Number.isFinite(m.zscore.mean) || !(m.zscore.std > 0)) {
    throw new Error(`${file}: zscore must have a finite mean and a positive std`);
  }
  if (m.zscore.dbReference !== undefined && !DB_REFERENCES.includes(m.zscore.dbReference)) {
    throw new Error(
      `${file}: zscore.dbReference must be one of ${DB_REFERENCES.join(', ')}, got ${JSON.stringify(m.zscore.dbReference)}`,
    );
  }
  if (!m.dsp || typeof m.dsp !== 'object') throw new Error(`${file}: dsp options missing`);
  return m;
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
    throw new Error(`${dir}: no such model folder`);
  }
  const metadata = readMetadata(dir);
  if (options.dsp) {
    const diff = diffDspOptions(metadata.dsp, options.dsp);
    if (diff.length > 0) {
      throw new Error(
        `${path.join(dir, MODEL_FILES.metadata)}: model was trained with different DSP options (${diff.join('; ')})`,
      );
    }
  }
  const tf = await loadBackend();
  const modelFile = path.join(dir, MODEL_FILES.model);
  const json = readJson(modelFile) as {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: TF.io.WeightsManifestEntry[] }[];
  };
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(
      `${modelFile}: not a tfjs layers model (modelTopology/weightsManifest missing)`,
    );
  }
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const bins = json.weightsManifest
    .flatMap((g) => g.paths)
    .map((p) => {
      const f = path.join(dir, p);
      try {
        return fs.readFileSync(f);
      } catch {
        throw new Error(`${f}: weights file missing`);
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
    throw new Error(`${modelFile}: cannot load (${(err as Error).message.split('\n')[0]})`);
  }
  const k = (model.outputs[0].shape as number[]).at(-1);
  if (k !== metadata.classNames.length) {
    model.dispose();
    throw new Error(
      `${path.join(dir, MODEL_FILES.metadata)}: ${metadata.classNames.length} class names but the model has ${k} outputs`,
    );
  }
  return { model, metadata };
}
