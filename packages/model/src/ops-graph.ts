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
import type { Tf } from './backend.js';
import {
  type BiLstmWeights,
  biLstmWeights,
  disposeBiLstm,
  disposeBlocks,
  foldBlocks,
  isTimeMajorReshape,
  type NativeLstm,
} from './fold.js';
import { type KernelAttr, type NativeKernels, nativeKernels } from './tfjs-node-internals.js';

// biome-ignore lint/suspicious/noExplicitAny: tfjs layer internals are untyped.
type Any = any;

/** The network after the convolution blocks: tfjs layers, or a native BiLSTM step. */
type Stage = { layer: Any } | BiLstmWeights;

/** The `ops` engine's prepared inference graph; `run` must be called inside `tf.tidy`. */
export interface OpsGraph {
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
  constructor(
    private readonly tf: Tf,
    private readonly be: NativeKernels,
  ) {}

  private get(key: string, make: () => TF.Tensor): TF.Tensor {
    let t = this.kept.get(key);
    if (!t) {
      t = this.tf.keep(make());
      this.kept.set(key, t);
    }
    return t;
  }

  /** seq_len_max, an int64 scalar (tfjs cannot create int64; see `NativeKernels.int64Scalar`). */
  seqLenMax(t: number): TF.Tensor {
    const key = `seq${t}`;
    const kept = this.kept.get(key);
    if (kept) return kept;
    const { tensor, owned } = this.be.int64Scalar(this.tf, t);
    if (owned) this.kept.set(key, this.tf.keep(tensor));
    return tensor;
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
  be: NativeKernels,
  constants: ShapeConstants,
  xs: TF.Tensor3D,
  p: NativeLstm,
  units: number,
): TF.Tensor2D {
  const [t, n] = xs.shape;
  const attrs: KernelAttr[] = [
    { name: 'cell_clip', float: 0 },
    { name: 'use_peephole', bool: false },
    { name: 'T', dtype: 'float32' },
  ];
  const zeroState = constants.zeros([n, units]);
  const noPeephole = constants.zeros([units]);
  // Outputs: i, cs, f, o, ci, co, h (each [T, N, units]).
  const outs = be.run(
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
export function opsGraph(tf: Tf, model: TF.LayersModel): OpsGraph | null {
  const folded = foldBlocks(tf, model);
  if (!folded) return null;
  const be = nativeKernels(tf);
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
          runBlockLstm(tf, be as NativeKernels, constants as ShapeConstants, input, p, s.units);
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

/** @deprecated Renamed {@link OpsGraph} (the graph is not folded; its batch norms are). */
export type FoldedGraph = OpsGraph;
/** @deprecated Renamed {@link opsGraph} (the graph is not folded; its batch norms are). */
export const foldedGraph = opsGraph;
