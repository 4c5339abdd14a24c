/**
 * Inference for a CRNN built by `buildCrnn`, prepared once and reused for every call.
 *
 * - Each block's batch norm is folded into its convolution, and the per-channel shift + ReLU
 *   move after the max-pool: `relu(maxPool(s·conv(x, W) + t)) = relu(maxPool(conv(x, W·s)) + t)`
 *   (max-pooling commutes with adding a per-channel constant and with ReLU). Only the
 *   convolution and the pool touch full-resolution activations.
 * - On tfjs-node the BiLSTM runs as one native `BlockLSTMV2` kernel per direction instead of
 *   tfjs's per-time-step composition of a dozen small ops (`benchmarks/model/profile.mjs`).
 *
 * Same results as `model.predict` up to float rounding. Models of another structure (or
 * LSTMs with other activations) fall back to the layers' own `apply`.
 */

import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs';
import { currentBackendInfo, loadBackend, type Tf } from './backend.js';
import { type NativeBackend, nativeBackend } from './fused.js';
import type { Predictor, ZScore } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: tfjs layer internals are untyped.
type Any = any;

interface FoldedBlock {
  kernel: TF.Tensor4D;
  shift: TF.Tensor1D;
  pool: [number, number];
  strides: [number, number];
  padding: 'valid' | 'same';
}

/** Weights of one LSTM direction in BlockLSTMV2's layout. */
interface NativeLstm {
  /** `[inputs + units, 4·units]`: kernel over recurrent kernel, gates i, f, c, o (as Keras). */
  w: TF.Tensor2D;
  b: TF.Tensor1D;
}

/** The network after the convolution blocks: tfjs layers, or a native BiLSTM step. */
type Stage = { layer: Any } | { forward: NativeLstm; backward: NativeLstm; units: number };

/** A prepared inference graph; `run` must be called inside `tf.tidy`. */
export interface FoldedGraph {
  run: (x: TF.Tensor4D) => TF.Tensor;
  dispose: () => void;
  /** True when the BiLSTM runs as native BlockLSTMV2 kernels (tfjs-node). */
  nativeLstm: boolean;
}

function foldBlocks(tf: Tf, model: TF.LayersModel): { blocks: FoldedBlock[]; next: number } | null {
  const byName = new Map(model.layers.map((l) => [l.name, l as Any]));
  const blocks: FoldedBlock[] = [];
  let n = 1;
  while (byName.has(`conv${n}`)) {
    const conv = byName.get(`conv${n}`);
    const bn = byName.get(`bn${n}`);
    const relu = byName.get(`relu${n}`);
    const pool = byName.get(`pool${n}`);
    if (!bn || !relu || !pool) return null;
    const cc = conv.getConfig();
    const bc = bn.getConfig();
    const pc = pool.getConfig();
    const rc = relu.getConfig();
    const ok =
      cc.padding === 'same' &&
      cc.useBias &&
      cc.activation === 'linear' &&
      (cc.strides as number[]).every((s) => s === 1) &&
      (cc.dilationRate as number[]).every((d) => d === 1) &&
      (bc.axis === -1 || bc.axis === 3) &&
      bc.center &&
      bc.scale &&
      rc.maxValue == null &&
      pool.getClassName() === 'MaxPooling2D';
    if (!ok) return null;
    const [w, b] = conv.getWeights() as [TF.Tensor4D, TF.Tensor1D];
    const [gamma, beta, mean, variance] = bn.getWeights() as TF.Tensor1D[];
    const folded = tf.tidy(() => {
      const s = tf.div(gamma, tf.sqrt(tf.add(variance, bc.epsilon as number)));
      return {
        kernel: tf.keep(tf.mul(w, s) as TF.Tensor4D),
        shift: tf.keep(tf.add(beta, tf.mul(tf.sub(b, mean), s)) as TF.Tensor1D),
      };
    });
    blocks.push({
      ...folded,
      pool: pc.poolSize as [number, number],
      strides: pc.strides as [number, number],
      padding: pc.padding as 'valid' | 'same',
    });
    n++;
  }
  if (blocks.length === 0) return null;
  const next = model.layers.findIndex((l) => l.name === `pool${n - 1}`) + 1;
  return { blocks, next };
}

/** BlockLSTMV2 weights of a Bidirectional(LSTM) layer, or null when it does not fit the op. */
function nativeBiLstm(tf: Tf, layer: Any): Stage | null {
  if (layer.getClassName?.() !== 'Bidirectional') return null;
  const c = layer.getConfig();
  const inner = c.layer?.config ?? {};
  const fits =
    c.mergeMode === 'concat' &&
    c.layer?.className === 'LSTM' &&
    inner.activation === 'tanh' &&
    inner.recurrentActivation === 'sigmoid' &&
    inner.useBias &&
    !inner.returnSequences &&
    !inner.returnState &&
    !inner.goBackwards &&
    !inner.stateful;
  if (!fits) return null;
  const [k1, r1, b1, k2, r2, b2] = layer.getWeights() as TF.Tensor[];
  const pack = (k: TF.Tensor, r: TF.Tensor, b: TF.Tensor): NativeLstm => ({
    w: tf.concat([k, r], 0) as TF.Tensor2D,
    b: tf.clone(b) as TF.Tensor1D,
  });
  return { forward: pack(k1, r1, b1), backward: pack(k2, r2, b2), units: inner.units as number };
}

/** tfjs-node's (or tfjs-node-gpu's) `Int64Scalar` class, from the package in use. */
function loadInt64Scalar(): (new (value: number) => object) | null {
  const pkg = currentBackendInfo()?.packageName;
  if (!pkg?.startsWith('@tensorflow/tfjs-node')) return null;
  try {
    return createRequire(import.meta.url)(`${pkg}/dist/int64_tensors.js`).Int64Scalar ?? null;
  } catch {
    return null;
  }
}

/**
 * Tensors that depend only on shapes (the int64 sequence length, zero states), made once and
 * kept until `dispose`: each would otherwise cost an op per call.
 */
class ShapeConstants {
  private readonly kept = new Map<string, TF.Tensor>();
  private readonly int64Scalar: (new (value: number) => object) | null;
  constructor(
    private readonly tf: Tf,
    private readonly be: NativeBackend,
  ) {
    this.int64Scalar = loadInt64Scalar();
  }

  private get(key: string, make: () => TF.Tensor): TF.Tensor {
    let t = this.kept.get(key);
    if (!t) {
      t = this.tf.keep(make());
      this.kept.set(key, t);
    }
    return t;
  }

  /**
   * seq_len_max must be int64, which tfjs cannot create: tfjs-node's own `Int64Scalar` (which
   * its backend turns into a TensorFlow int64 tensor per call, no op) when it can be loaded,
   * else a native Cast (kept; tfjs-node then warns once that it stores int64 as int32).
   */
  seqLenMax(t: number): TF.Tensor {
    if (this.int64Scalar) return new this.int64Scalar(t) as TF.Tensor;
    const B = this.be.binding;
    return this.get(`seq${t}`, () =>
      this.tf.tidy(
        () =>
          this.be.executeMultipleOutputs(
            'Cast',
            [
              { name: 'SrcT', type: B.TF_ATTR_TYPE, value: B.TF_INT32 },
              { name: 'DstT', type: B.TF_ATTR_TYPE, value: B.TF_INT64 },
              { name: 'Truncate', type: B.TF_ATTR_BOOL, value: false },
            ],
            [this.tf.scalar(t, 'int32')],
            1,
          )[0],
      ),
    );
  }

  zeros(shape: number[]): TF.Tensor {
    return this.get(`zeros${shape.join('x')}`, () => this.tf.zeros(shape));
  }

  dispose(): void {
    this.tf.dispose([...this.kept.values()]);
    this.kept.clear();
  }
}

/** Last output h of one LSTM direction over `xs` `[T, N, inputs]` with TensorFlow's kernel. */
function runBlockLstm(
  tf: Tf,
  be: NativeBackend,
  constants: ShapeConstants,
  xs: TF.Tensor3D,
  p: NativeLstm,
  units: number,
): TF.Tensor2D {
  const B = be.binding;
  const [t, n] = xs.shape;
  const attrs = [
    { name: 'cell_clip', type: B.TF_ATTR_FLOAT, value: 0 },
    { name: 'use_peephole', type: B.TF_ATTR_BOOL, value: false },
    { name: 'T', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
  ];
  const zeroState = constants.zeros([n, units]);
  const noPeephole = constants.zeros([units]);
  // Outputs: i, cs, f, o, ci, co, h (each [T, N, units]).
  const outs = be.executeMultipleOutputs(
    'BlockLSTMV2',
    attrs,
    [
      constants.seqLenMax(t),
      xs,
      zeroState,
      zeroState,
      p.w,
      noPeephole,
      noPeephole,
      noPeephole,
      p.b,
    ],
    7,
  );
  return tf.reshape(tf.slice(outs[6], [t - 1, 0, 0], [1, n, units]), [n, units]);
}

/**
 * True when `permute` and `reshape` are buildCrnn's `[N, H, W, C] → [N, W, H·C]` (the last
 * block's output read as W time steps), which one transpose to time-major `[W, N, H, C]` and a
 * reshape replace when a native BiLSTM follows.
 */
function isTimeMajorReshape(permute: Any, reshape: Any): boolean {
  return (
    permute?.getClassName?.() === 'Permute' &&
    JSON.stringify(permute.getConfig().dims) === '[2,1,3]' &&
    reshape?.getClassName?.() === 'Reshape'
  );
}

/**
 * Prepare `model` for inference: fold its batch norms and, on tfjs-node, its BiLSTM into
 * native kernels. Returns null when the model does not have the `conv/bn/relu/pool` block
 * structure of `buildCrnn`. Call `dispose()` when done.
 */
export function foldedGraph(tf: Tf, model: TF.LayersModel): FoldedGraph | null {
  const folded = foldBlocks(tf, model);
  if (!folded) return null;
  const be = nativeBackend(tf);
  const constants = be ? new ShapeConstants(tf, be) : null;
  const layers = model.layers.slice(folded.next);
  const stages: (Stage & { timeMajor?: boolean })[] = [];
  for (let i = 0; i < layers.length; i++) {
    const native = be ? nativeBiLstm(tf, layers[i]) : null;
    if (!native) {
      stages.push({ layer: layers[i] });
      continue;
    }
    // Drop the permute + reshape just before it: the LSTM stage makes its time-major input.
    const fuse = i >= 2 && isTimeMajorReshape(layers[i - 2], layers[i - 1]);
    if (fuse && stages.length >= 2) stages.splice(-2, 2);
    stages.push({ ...native, timeMajor: fuse });
  }
  const run = (x: TF.Tensor4D): TF.Tensor => {
    let y: TF.Tensor = x;
    for (const b of folded.blocks) {
      y = tf.conv2d(y as TF.Tensor4D, b.kernel, 1, 'same');
      y = tf.maxPool(y as TF.Tensor4D, b.pool, b.strides, b.padding);
      y = tf.relu(tf.add(y, b.shift));
    }
    for (const s of stages) {
      if ('layer' in s) {
        y = s.layer.apply(y, { training: false }) as TF.Tensor;
      } else {
        let xs: TF.Tensor3D;
        if (s.timeMajor) {
          const [n, h, w, c] = y.shape;
          xs = tf.reshape(tf.transpose(y, [2, 0, 1, 3]), [w, n, h * c]);
        } else {
          xs = tf.transpose(y, [1, 0, 2]) as TF.Tensor3D;
        }
        const lstm = (input: TF.Tensor3D, p: NativeLstm) =>
          runBlockLstm(tf, be as NativeBackend, constants as ShapeConstants, input, p, s.units);
        y = tf.concat([lstm(xs, s.forward), lstm(tf.reverse(xs, 0), s.backward)], 1);
      }
    }
    return y;
  };
  const dispose = () => {
    for (const b of folded.blocks) tf.dispose([b.kernel, b.shift]);
    for (const s of stages) {
      if (!('layer' in s)) tf.dispose([s.forward.w, s.forward.b, s.backward.w, s.backward.b]);
    }
    constants?.dispose();
  };
  return { run, dispose, nativeLstm: stages.some((s) => !('layer' in s)) };
}

/** Copy examples `idx` (of `per` values each) into one z-scored batch buffer. */
export function gather(x: Float32Array, idx: number[], per: number, z: ZScore): Float32Array {
  const out = new Float32Array(idx.length * per);
  const inv = 1 / z.std;
  for (let b = 0; b < idx.length; b++) {
    const src = idx[b] * per;
    const dst = b * per;
    for (let i = 0; i < per; i++) out[dst + i] = (x[src + i] - z.mean) * inv;
  }
  return out;
}

/** Input height and width and the number of classes of a `[n, h, w, 1] → [n, K]` model. */
export function inputDims(model: TF.LayersModel): { h: number; w: number; k: number } {
  const [, h, w] = model.inputs[0].shape as number[];
  const k = (model.outputs[0].shape as number[]).at(-1) as number;
  return { h, w, k };
}

/**
 * A predictor for `model` with its z-score: the folded graph is prepared once, so repeated
 * calls (one utterance at a time, as a service does) pay only for the network itself. The
 * weights are copied at creation: create a new predictor after training the model further.
 *
 * @example
 * const predictor = await createPredictor(model, metadata.zscore);
 * const probs = await predictor.predict(logMel); // [n][K], row-major
 * predictor.dispose();
 */
export async function createPredictor(
  model: TF.LayersModel,
  zscore: ZScore,
  options: { batchSize?: number } = {},
): Promise<Predictor> {
  const tf = await loadBackend();
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`predictor batchSize: expected an integer ≥ 1, got ${batchSize}`);
  }
  if (!Number.isFinite(zscore?.mean) || !(zscore?.std > 0)) {
    throw new Error(
      `predictor zscore: expected a finite mean and a std > 0, got ${JSON.stringify(zscore)}`,
    );
  }
  const { h, w, k } = inputDims(model);
  const per = h * w;
  const graph = foldedGraph(tf, model);
  let disposed = false;
  return {
    numClasses: k,
    async predict(x: Float32Array): Promise<Float32Array> {
      if (disposed) throw new Error('predictor: already disposed');
      if (!(x instanceof Float32Array) || x.length === 0 || x.length % per !== 0) {
        throw new Error(
          `predict x: expected a non-empty Float32Array whose length is a multiple of ${h}×${w} = ${per}, got ${x?.length}`,
        );
      }
      const n = x.length / per;
      const out = new Float32Array(n * k);
      for (let s = 0; s < n; s += batchSize) {
        const m = Math.min(batchSize, n - s);
        const buf = gather(
          x,
          Array.from({ length: m }, (_, i) => s + i),
          per,
          zscore,
        );
        const probs = tf.tidy(() => {
          const xt = tf.tensor4d(buf, [m, h, w, 1]);
          return graph ? graph.run(xt) : (model.predict(xt) as TF.Tensor);
        });
        try {
          // Synchronous read: on tfjs-node the ops above already ran on this thread, and the
          // async path only adds a round trip through the event loop.
          out.set(probs.dataSync(), s * k);
        } finally {
          probs.dispose();
        }
      }
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      graph?.dispose();
    },
  };
}
