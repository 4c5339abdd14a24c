/**
 * The CRNN of SPEC.md §4 (Table 1 of Yadav, Bastola & Sharma): four blocks of
 * Conv2D(same, stride 1) → BatchNorm → ReLU → MaxPool, then one BiLSTM and Dense(K, softmax).
 */
import type * as TF from '@tensorflow/tfjs';
import { loadBackend } from './backend.js';
import { withoutWarning } from './console-filter.js';
import { fusedBatchNormalization, fusedReLU } from './fused.js';
import { inputConv2d } from './input-conv.js';
import type { ConvBlockSpec, CrnnOptions } from './types.js';

/** Table 1: filters / kernel / pool of the four blocks. */
export const TABLE1_BLOCKS: readonly ConvBlockSpec[] = Object.freeze([
  { filters: 64, kernel: 9, pool: 2 },
  { filters: 64, kernel: 7, pool: 4 },
  { filters: 128, kernel: 5, pool: 4 },
  { filters: 128, kernel: 3, pool: 4 },
]);

/** Defaults of {@link CrnnOptions} (all but `numClasses`). */
export const CRNN_DEFAULTS = Object.freeze({
  nMels: 128,
  nFrames: 259,
  blocks: TABLE1_BLOCKS,
  lstmUnits: 128,
  l2: 1e-4,
  batchNormMomentum: 0.9,
  seed: 42,
});

function posInt(v: unknown, name: string, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new Error(`${name}: expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Validate options and fill defaults; throws a one-line error naming the bad parameter. */
export function resolveCrnnOptions(options: CrnnOptions): Required<CrnnOptions> {
  if (options === null || typeof options !== 'object') {
    throw new Error('crnn options: expected an object with numClasses');
  }
  const o = { ...CRNN_DEFAULTS, ...options } as Required<CrnnOptions>;
  posInt(o.numClasses, 'crnn option numClasses', 2);
  posInt(o.nMels, 'crnn option nMels');
  posInt(o.nFrames, 'crnn option nFrames');
  posInt(o.lstmUnits, 'crnn option lstmUnits');
  if (typeof o.seed !== 'number' || !Number.isInteger(o.seed)) {
    throw new Error(`crnn option seed: expected an integer, got ${JSON.stringify(o.seed)}`);
  }
  if (typeof o.l2 !== 'number' || !Number.isFinite(o.l2) || o.l2 < 0) {
    throw new Error(`crnn option l2: expected a finite number ≥ 0, got ${JSON.stringify(o.l2)}`);
  }
  const m = o.batchNormMomentum;
  if (typeof m !== 'number' || !(m >= 0 && m < 1)) {
    throw new Error(
      `crnn option batchNormMomentum: expected a number in [0, 1), got ${JSON.stringify(m)}`,
    );
  }
  if (!Array.isArray(o.blocks) || o.blocks.length === 0) {
    throw new Error('crnn option blocks: expected a non-empty array of {filters, kernel, pool}');
  }
  let h = o.nMels;
  let w = o.nFrames;
  o.blocks.forEach((b, i) => {
    posInt(b?.filters, `crnn option blocks[${i}].filters`);
    posInt(b?.kernel, `crnn option blocks[${i}].kernel`);
    posInt(b?.pool, `crnn option blocks[${i}].pool`);
    h = Math.floor(h / b.pool);
    w = Math.floor(w / b.pool);
    if (h < 1 || w < 1) {
      throw new Error(
        `crnn option blocks[${i}].pool: input ${o.nMels}×${o.nFrames} is pooled down to nothing`,
      );
    }
  });
  return { ...o, blocks: o.blocks.map((b) => ({ ...b })) };
}

/** Implementation choices of {@link buildCrnn} that do not change the model. */
export interface CrnnBuildOptions {
  /**
   * Train batch norm and ReLU with TensorFlow's native FusedBatchNormV3/GradV3 and ReluGrad
   * kernels on tfjs-node (same results as tfjs's composite ops, faster); default true.
   * No effect on other backends or at inference.
   */
  fusedBatchNorm?: boolean;
  /**
   * Train the first convolution without the gradient with respect to the model's input (data,
   * not a variable), which tfjs's fused conv gradient computes anyway; default true.
   */
  skipInputGradient?: boolean;
}

/**
 * tfjs-layers' "Orthogonal initializer is being called on a matrix with more than 2000 (…)
 * elements: Slowness may result." console warning, dropped while the BiLSTM is built. The
 * BiLSTM's two 128 × 512 recurrent kernels trigger it once each (~0.1 s of QR, not slow); it
 * was the only line of a `ser train` run that serkit did not write. The initial values stay
 * tfjs's seeded orthogonal ones, and `model.json` keeps its standard `Orthogonal` initializer
 * (Bidirectional re-creates its layers from their config, so a quieter initializer instance
 * would not survive).
 */
const ORTHOGONAL_WARNING = /^Orthogonal initializer is being called/;

/**
 * Build the (uncompiled) CRNN. Layer names: `conv1…4`, `bn1…4`, `relu1…4`, `pool1…4`,
 * `to_sequence` (the last block's [H, W, C] read as W time steps of H·C), `bilstm`, `output`.
 * With the defaults and K = 8: 825,288 parameters.
 */
export async function buildCrnn(
  options: CrnnOptions,
  build: CrnnBuildOptions = {},
): Promise<TF.LayersModel> {
  const o = resolveCrnnOptions(options);
  const fused = build.fusedBatchNorm ?? true;
  const skipInputGradient = build.skipInputGradient ?? true;
  const tf = await loadBackend();
  let seed = o.seed;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const reg = () => (o.l2 > 0 ? tf.regularizers.l2({ l2: o.l2 }) : undefined);

  const input = tf.input({ shape: [o.nMels, o.nFrames, 1], name: 'log_mel' });
  let x: TF.SymbolicTensor = input;
  o.blocks.forEach((b, i) => {
    const n = i + 1;
    const convArgs = {
      name: `conv${n}`,
      filters: b.filters,
      kernelSize: b.kernel,
      strides: 1,
      padding: 'same' as const,
      kernelInitializer: init(),
      kernelRegularizer: reg(),
    };
    const conv =
      n === 1 && skipInputGradient ? inputConv2d(tf, convArgs) : tf.layers.conv2d(convArgs);
    x = conv.apply(x) as TF.SymbolicTensor;
    const bnArgs = { name: `bn${n}`, axis: -1, momentum: o.batchNormMomentum };
    const bn = fused ? fusedBatchNormalization(tf, bnArgs) : tf.layers.batchNormalization(bnArgs);
    x = bn.apply(x) as TF.SymbolicTensor;
    const relu = fused ? fusedReLU(tf, { name: `relu${n}` }) : tf.layers.reLU({ name: `relu${n}` });
    x = relu.apply(x) as TF.SymbolicTensor;
    x = tf.layers
      .maxPooling2d({ name: `pool${n}`, poolSize: b.pool, strides: b.pool, padding: 'valid' })
      .apply(x) as TF.SymbolicTensor;
  });
  const [, h, w, c] = x.shape as number[];
  x = tf.layers.permute({ name: 'time_major', dims: [2, 1, 3] }).apply(x) as TF.SymbolicTensor;
  x = tf.layers
    .reshape({ name: 'to_sequence', targetShape: [w, h * c] })
    .apply(x) as TF.SymbolicTensor;
  const bilstm = tf.layers.bidirectional({
    name: 'bilstm',
    mergeMode: 'concat',
    layer: tf.layers.lstm({
      name: 'lstm',
      units: o.lstmUnits,
      kernelInitializer: init(),
      recurrentInitializer: tf.initializers.orthogonal({ seed: seed++, gain: 1 }),
      // Keras's default; tfjs defaults to hardSigmoid.
      recurrentActivation: 'sigmoid',
      kernelRegularizer: reg(),
    }) as TF.RNN,
  });
  x = withoutWarning(ORTHOGONAL_WARNING, () => bilstm.apply(x) as TF.SymbolicTensor);
  const output = tf.layers
    .dense({
      name: 'output',
      units: o.numClasses,
      activation: 'softmax',
      kernelInitializer: init(),
      kernelRegularizer: reg(),
    })
    .apply(x) as TF.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'serkit_crnn' });
}

/** Each layer's name and output shape without the batch axis (for checks and `summary`). */
export function layerShapes(model: TF.LayersModel): { name: string; shape: number[] }[] {
  return model.layers.map((l) => ({
    name: l.name,
    shape: (l.outputShape as (number | null)[]).slice(1) as number[],
  }));
}
