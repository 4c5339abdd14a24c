/**
 * The metadata of a saved-model folder (`metadata.json`): file names, versions recorded, reading
 * and checking it, and comparing the DSP options a model was trained with to the caller's.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { currentBackendInfo } from './backend.js';
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

/**
 * `[nMels, nFrames]` of the log-mel inputs that `dsp` options give, as `@serkit/features`'
 * `featureShape` computes it (`nFrames = 1 + floor(round(durationSeconds · sampleRate) /
 * hopLength)`: `[128, 259]` by default); null when a field is missing or not a number.
 */
export function dspInputShape(dsp: Record<string, unknown>): [number, number] | null {
  const { nMels, durationSeconds, sampleRate, hopLength } = dsp;
  const nums = [nMels, durationSeconds, sampleRate, hopLength];
  if (!nums.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)) return null;
  const samples = Math.round((durationSeconds as number) * (sampleRate as number));
  return [nMels as number, 1 + Math.floor(samples / (hopLength as number))];
}

/**
 * `[nMels, nFrames]` of the log-mel input that a tfjs layers `model.json` declares: its input
 * layer's `batch_input_shape` (`[null, nMels, nFrames, 1]`), read from the topology without
 * TensorFlow. Null when the topology does not say (another layout, or not one 4-d input).
 */
export function topologyInputShape(modelJson: unknown): [number, number] | null {
  const rec = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : null);
  const topology = rec(rec(modelJson)?.modelTopology);
  // Keras' own files nest the model under model_config; tfjs' `save` does not.
  const modelCfg = rec(rec(topology?.model_config)?.config ?? topology?.config);
  const layers = Array.isArray(modelCfg?.layers) ? modelCfg.layers.map(rec) : [];
  const inputs = layers.filter((l) => l?.class_name === 'InputLayer');
  const first = inputs.length === 1 ? inputs[0] : layers[0];
  const shape = rec(first?.config)?.batch_input_shape;
  if (inputs.length > 1 || !Array.isArray(shape) || shape.length !== 4) return null;
  const [, h, w] = shape;
  return Number.isInteger(h) && Number.isInteger(w) ? [h, w] : null;
}

/**
 * Refuse a model whose metadata's DSP options give another log-mel shape than its input
 * `[nMels, nFrames]` (e.g. a hand-edited `nMels`): one-line error naming `metadata.json` and
 * both shapes. Nothing to check when the options do not give a shape.
 */
export function checkInputShape(
  dir: string,
  metadata: ModelMetadata,
  inputShape: readonly [number, number],
): void {
  const expected = dspInputShape(metadata.dsp);
  const [h, w] = inputShape;
  if (expected && (expected[0] !== h || expected[1] !== w)) {
    throw new Error(
      `${path.join(dir, MODEL_FILES.metadata)}: its dsp options give ${expected[0]} × ${expected[1]} log-mel inputs, but the model's input is ${h} × ${w}`,
    );
  }
}

/**
 * Read a saved-model folder's `metadata.json` and check it against `model.json`'s input shape,
 * without TensorFlow: {@link readMetadata} and {@link checkInputShape}, for callers that want a
 * mismatched model refused before they extract features for it. A `model.json` that cannot be
 * read or whose topology does not give a shape is left to {@link loadModel} to report.
 */
export function readMetadataChecked(dir: string): ModelMetadata {
  const metadata = readMetadata(dir);
  let json: unknown;
  try {
    json = readJson(path.join(dir, MODEL_FILES.model));
  } catch {
    return metadata;
  }
  const shape = topologyInputShape(json);
  if (shape) checkInputShape(dir, metadata, shape);
  return metadata;
}

/** Read and parse a JSON file; one-line errors naming the file. */
export function readJson(file: string): unknown {
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
