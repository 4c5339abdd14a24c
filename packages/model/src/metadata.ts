/**
 * The metadata of a saved-model folder (`metadata.json`): file names, versions recorded, reading
 * and checking it, and comparing the DSP options a model was trained with to the caller's.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { currentBackendInfo } from './backend.js';
import { invalidModel } from './errors.js';
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

/** The parts of a tfjs layers `model.json` that serkit reads. */
export interface LayersModelJson {
  modelTopology: Record<string, unknown>;
  weightsManifest: { paths: string[]; weights: TF.io.WeightsManifestEntry[] }[];
}

const asRecord = (v: unknown) =>
  v && typeof v === 'object' ? (v as Record<string, unknown>) : null;

/** The layer configs of a topology (Keras' own files nest the model under `model_config`). */
function topologyLayers(modelJson: unknown): {
  config: Record<string, unknown> | null;
  layers: (Record<string, unknown> | null)[];
} {
  const topology = asRecord(asRecord(modelJson)?.modelTopology);
  const config = asRecord(asRecord(topology?.model_config)?.config ?? topology?.config);
  const layers = Array.isArray(config?.layers) ? config.layers.map(asRecord) : [];
  return { config, layers };
}

/**
 * `[nMels, nFrames]` of the log-mel input that a tfjs layers `model.json` declares: its input
 * layer's `batch_input_shape` (`[null, nMels, nFrames, 1]`), read from the topology without
 * TensorFlow. Null when the topology does not say (another layout, or not one 4-d input).
 */
export function topologyInputShape(modelJson: unknown): [number, number] | null {
  const { layers } = topologyLayers(modelJson);
  const inputs = layers.filter((l) => l?.class_name === 'InputLayer');
  const first = inputs.length === 1 ? inputs[0] : layers[0];
  const shape = asRecord(first?.config)?.batch_input_shape;
  if (inputs.length > 1 || !Array.isArray(shape) || shape.length !== 4) return null;
  const [, h, w] = shape;
  return Number.isInteger(h) && Number.isInteger(w) ? [h, w] : null;
}

/**
 * The number of outputs (classes) a tfjs layers `model.json` declares: the `units` of its one
 * output layer, read without TensorFlow; null when the topology does not say.
 */
export function topologyOutputUnits(modelJson: unknown): number | null {
  const { config, layers } = topologyLayers(modelJson);
  const outputs = Array.isArray(config?.output_layers) ? config.output_layers : [];
  if (outputs.length !== 1 || !Array.isArray(outputs[0])) return null;
  const layer = layers.find((l) => l?.name === outputs[0][0]);
  const units = asRecord(layer?.config)?.units;
  return Number.isInteger(units) ? (units as number) : null;
}

/**
 * Refuse a model whose metadata's DSP options give another log-mel shape than its input
 * `[nMels, nFrames]` (e.g. a hand-edited `nMels`), or whose recorded `inputShape` is not
 * `[nMels, nFrames, 1]`: one-line error naming `metadata.json` and both shapes. The DSP check is
 * skipped when the options do not give a shape.
 */
export function checkInputShape(
  dir: string,
  metadata: ModelMetadata,
  inputShape: readonly [number, number],
): void {
  const expected = dspInputShape(metadata.dsp);
  const [h, w] = inputShape;
  if (expected && (expected[0] !== h || expected[1] !== w)) {
    throw invalidModel(
      `${path.join(dir, MODEL_FILES.metadata)}: its dsp options give ${expected[0]} × ${expected[1]} log-mel inputs, but the model's input is ${h} × ${w}`,
    );
  }
  // The recorded [nMels, nFrames, 1], when there is one, says the same.
  const recorded = metadata.inputShape as unknown;
  if (
    recorded !== undefined &&
    !(Array.isArray(recorded) && recorded[0] === h && recorded[1] === w && recorded[2] === 1)
  ) {
    throw invalidModel(
      `${path.join(dir, MODEL_FILES.metadata)}: inputShape is ${Array.isArray(recorded) ? `[${recorded.map((v) => JSON.stringify(v)).join(', ')}]` : JSON.stringify(recorded)}, but the model's input is [${h}, ${w}, 1]`,
    );
  }
}

/** Refuse a model whose number of outputs is not its number of class names. */
export function checkOutputUnits(dir: string, metadata: ModelMetadata, units: number): void {
  if (units !== metadata.classNames.length) {
    throw invalidModel(
      `${path.join(dir, MODEL_FILES.metadata)}: ${metadata.classNames.length} class names but the model has ${units} outputs`,
    );
  }
}

/**
 * Check a saved-model folder's files against each other without TensorFlow, and return its
 * metadata: `metadata.json` ({@link readMetadata}); `model.json` readable and a tfjs layers
 * model; its input shape against the metadata's DSP options ({@link checkInputShape}); its
 * number of outputs against the class names; every weight float32; every weights file a file
 * inside the folder and, for unquantised weights, as long as the manifest's shapes need. One-line errors naming the file. For callers
 * that want an unusable model refused before they extract features for it; {@link loadModel}
 * runs it too.
 */
export function checkModelFolder(dir: string): {
  metadata: ModelMetadata;
  modelJson: LayersModelJson;
} {
  const metadata = readMetadata(dir);
  const modelFile = path.join(dir, MODEL_FILES.model);
  const json = readJson(modelFile) as Partial<LayersModelJson> | null;
  if (!asRecord(json?.modelTopology) || !Array.isArray(json?.weightsManifest)) {
    throw invalidModel(
      `${modelFile}: not a tfjs layers model (modelTopology/weightsManifest missing)`,
    );
  }
  const modelJson = json as LayersModelJson;
  const shape = topologyInputShape(modelJson);
  if (shape) checkInputShape(dir, metadata, shape);
  const units = topologyOutputUnits(modelJson);
  if (units !== null) checkOutputUnits(dir, metadata, units);
  for (const group of modelJson.weightsManifest) {
    const paths = Array.isArray(group?.paths) ? group.paths : [];
    const specs = Array.isArray(group?.weights) ? group.weights : [];
    // The CRNN's weights are all float32: another dtype is a corrupt manifest.
    const odd = specs.find((w) => w?.dtype !== 'float32');
    if (odd) {
      throw invalidModel(
        `${modelFile}: weight ${JSON.stringify(odd?.name)} has dtype ${JSON.stringify(odd?.dtype)}; serkit models' weights are float32`,
      );
    }
    let size = 0;
    for (const p of paths) {
      const f = path.join(dir, String(p));
      const rel = path.relative(dir, f);
      if (rel.startsWith('..') || path.isAbsolute(rel)) {
        throw invalidModel(
          `${modelFile}: weights path ${JSON.stringify(p)} is outside the model folder`,
        );
      }
      let stat: fs.Stats;
      try {
        stat = fs.statSync(f);
      } catch {
        throw invalidModel(`${f}: weights file missing`);
      }
      if (!stat.isFile()) throw invalidModel(`${f}: not a file`);
      size += stat.size;
    }
    const quantized = specs.some((w) => w?.quantization);
    const need = specs.reduce(
      (n, w) => n + 4 * (Array.isArray(w?.shape) ? w.shape.reduce((a, b) => a * b, 1) : Number.NaN),
      0,
    );
    if (!quantized && Number.isFinite(need) && size !== need) {
      throw invalidModel(
        `${path.join(dir, String(paths[0] ?? MODEL_FILES.weights))}: ${size} bytes of weights, but model.json's manifest needs ${need}`,
      );
    }
  }
  return { metadata, modelJson };
}

/** Read and parse a JSON file; one-line errors naming the file. */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw invalidModel(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    // One line: V8's message can quote the text around the error, newlines included.
    throw invalidModel(
      `${file}: invalid JSON (${(err as Error).message.replace(/\s*\n\s*/g, ' ')})`,
    );
  }
}

/** Read and check `metadata.json` of a saved-model folder. */
export function readMetadata(dir: string): ModelMetadata {
  const file = path.join(dir, MODEL_FILES.metadata);
  const m = readJson(file) as ModelMetadata;
  if (m?.format !== 'serkit-crnn')
    throw invalidModel(`${file}: not a serkit model (format is not "serkit-crnn")`);
  if (m.formatVersion !== 1)
    throw invalidModel(`${file}: unsupported formatVersion ${m.formatVersion} (expected 1)`);
  if (!Array.isArray(m.classNames) || m.classNames.length < 2) {
    throw invalidModel(`${file}: classNames must list at least 2 classes`);
  }
  const bad = m.classNames.find((c) => typeof c !== 'string' || c === '');
  if (bad !== undefined) {
    throw invalidModel(
      `${file}: class names must be non-empty strings, got ${JSON.stringify(bad)}`,
    );
  }
  const twice = m.classNames.find((c, k) => m.classNames.indexOf(c) !== k);
  if (twice !== undefined)
    throw invalidModel(`${file}: duplicate class name ${JSON.stringify(twice)}`);
  const numClasses = (m.crnn as { numClasses?: unknown } | undefined)?.numClasses;
  if (numClasses !== undefined && numClasses !== m.classNames.length) {
    throw invalidModel(
      `${file}: crnn.numClasses is ${JSON.stringify(numClasses)} but classNames lists ${m.classNames.length} classes`,
    );
  }
  if (!m.zscore || !Number.isFinite(m.zscore.mean) || !(m.zscore.std > 0)) {
    throw invalidModel(`${file}: zscore must have a finite mean and a positive std`);
  }
  if (m.zscore.dbReference !== undefined && !DB_REFERENCES.includes(m.zscore.dbReference)) {
    throw invalidModel(
      `${file}: zscore.dbReference must be one of ${DB_REFERENCES.join(', ')}, got ${JSON.stringify(m.zscore.dbReference)}`,
    );
  }
  if (!m.dsp || typeof m.dsp !== 'object') throw invalidModel(`${file}: dsp options missing`);
  return m;
}
