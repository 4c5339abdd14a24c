/**
 * Inference for a CRNN built by `buildCrnn` as tfjs ops, one call per op: the engine for
 * backends without a TensorFlow session (wasm, cpu) and the fallback of `createPredictor`.
 *
 * - Batch norms are folded into the convolutions (`fold.ts`); only the convolution and the
 *   pool touch full-resolution activations.
 * - On tfjs-node the BiLSTM runs as one native `BlockLSTMV2` kernel per direction instead of
 *   tfjs's per-time-step composition of a dozen small ops (`benchmarks/model/profile.mjs`).
 *
 * Same results as `model.predict` up to float rounding. Models of another structure (or
 * LSTMs with other activations) fall back to the layers' own `apply`.
 */

import type * as TF from '@tensorflow/tfjs';
import { requireFromTfjsNode, type Tf } from './backend.js';
import {
  type BiLstmWeights,
  biLstmWeights,
  disposeBiLstm,
  disposeBlocks,
  foldBlocks,
  isTimeMajorReshape,
  type NativeLstm,
} from './fold.js';
import { type NativeBackend, nativeBackend } from './fused.js';

// biome-ignore lint/suspicious/noExplicitAny: tfjs layer internals are untyped.
type Any = any;

/** tfjs-node's `Int64Scalar`: an int64 scalar its backend passes to TensorFlow as is. */
type Int64Scalar = new (value: number) => object;

/** The network after the convolution blocks: tfjs layers, or a native BiLSTM step. */
type Stage = { layer: Any } | BiLstmWeights;

/** A prepared inference graph; `run` must be called inside `tf.tidy`. */
export interface FoldedGraph {
  run: (x: TF.Tensor4D) => TF.Tensor;
  dispose: () => void;
  /** True when the BiLSTM runs as native BlockLSTMV2 kernels (tfjs-node). */
  nativeLstm: boolean;
}

/**
 * Tensors that depend only on shapes (the int64 sequence length, zero states), made once and
 * kept until `dispose`: each would otherwise cost an op per call.
 */
class ShapeConstants {
  private readonly kept = new Map<string, TF.Tensor>();
  private readonly int64Scalar: Int64Scalar | null;
  constructor(
    private readonly tf: Tf,
    private readonly be: NativeBackend,
  ) {
    this.int64Scalar =
      (requireFromTfjsNode('dist/int64_tensors.js') as { Int64Scalar?: Int64Scalar } | null)
        ?.Int64Scalar ?? null;
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
    const native = be ? biLstmWeights(tf, layers[i]) : null;
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
    disposeBlocks(tf, folded.blocks);
    for (const s of stages) {
      if (!('layer' in s)) disposeBiLstm(tf, s);
    }
    constants?.dispose();
  };
  return { run, dispose, nativeLstm: stages.some((s) => !('layer' in s)) };
}
