/**
 * The frozen inference graph of a CRNN built by `buildCrnn`, as a SavedModel for the session
 * engine (`session-graph.ts`).
 *
 * The folded weights (`fold.ts`) become constants; each block is Conv2D + BiasAdd + ReLU (one
 * oneDNN kernel after TensorFlow's Grappler) + MaxPool, the BiLSTM is two BlockLSTMV2 nodes and
 * the head a MatMul + BiasAdd + Softmax. Input `log_mel` `[-1, h, w, 1]`, output
 * `probabilities` `[-1, K]`, signature `serving_default`.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Tf } from './backend.js';
import {
  type BiLstmWeights,
  biLstmWeights,
  disposeBiLstm,
  disposeBlocks,
  type FoldedBlock,
  foldBlocks,
  isTimeMajorReshape,
  type NativeLstm,
} from './fold.js';
import { GraphDefBuilder } from './graphdef.js';
import type { TfProto } from './tfjs-node-internals.js';

// biome-ignore lint/suspicious/noExplicitAny: tfjs layer internals are untyped.
type Any = any;

/** Name of the graph's input node. */
export const INPUT = 'log_mel';
/** Name of the graph's output node. */
export const OUTPUT = 'probabilities';

/** The float32 `T` attribute most nodes take. */
const floatT = (g: GraphDefBuilder) => ({ T: { type: g.dt.float32 } });

/** Conv2D + BiasAdd + ReLU (one fused kernel after Grappler) + MaxPool of one folded block. */
function addBlock(g: GraphDefBuilder, x: string, b: FoldedBlock, n: number): string {
  const pool = [1, ...b.pool, 1];
  let y = g.node('Conv2D', `conv${n}`, [x, g.weights(b.kernel)], {
    ...floatT(g),
    strides: { ints: [1, 1, 1, 1] },
    padding: { s: 'SAME' },
    data_format: { s: 'NHWC' },
  });
  y = g.node('BiasAdd', `bias${n}`, [y, g.weights(b.shift)], floatT(g));
  y = g.node('Relu', `relu${n}`, [y], floatT(g));
  return g.node('MaxPool', `pool${n}`, [y], {
    ...floatT(g),
    ksize: { ints: pool },
    strides: { ints: [1, ...b.strides, 1] },
    padding: { s: b.padding.toUpperCase() },
    data_format: { s: 'NHWC' },
  });
}

/** Last output h `[N, units]` of a BlockLSTMV2 over time-major `xs` `[T, N, inputs]`. */
function addLstm(
  g: GraphDefBuilder,
  name: string,
  xs: string,
  steps: number,
  p: NativeLstm,
  zeroState: string,
  noPeephole: string,
): string {
  const seqLenMax = g.constant(BigInt64Array.of(BigInt(steps)), []);
  g.node(
    'BlockLSTMV2',
    name,
    [
      seqLenMax,
      xs,
      zeroState,
      zeroState,
      g.weights(p.w),
      noPeephole,
      noPeephole,
      noPeephole,
      g.weights(p.b),
    ],
    { ...floatT(g), cell_clip: { f: 0 }, use_peephole: { b: false } },
  );
  // Outputs i, cs, f, o, ci, co, h: h of the last step.
  return g.element(`${name}_last`, `${name}:6`, -1);
}

/**
 * The BiLSTM (merge mode concat, last output) over time-major `xs` `[T, N, inputs]`:
 * `[N, 2·units]`, forward then backward.
 */
function addBiLstm(g: GraphDefBuilder, xs: string, steps: number, lstm: BiLstmWeights): string {
  // Zero initial state [N, units], N read from the batch at run time.
  const shape = g.node('Shape', 'sequence_shape', [xs], {
    ...floatT(g),
    out_type: { type: g.dt.int32 },
  });
  const n = g.element('batch_size', shape, 1, g.dt.int32);
  const stateShape = g.node('Pack', 'state_shape', [n, g.ints([lstm.units], true)], {
    T: { type: g.dt.int32 },
    N: { i: 2 },
    axis: { i: 0 },
  });
  const zero = g.constant(Float32Array.of(0), []);
  const zeroState = g.node('Fill', 'zero_state', [stateShape, zero], {
    ...floatT(g),
    index_type: { type: g.dt.int32 },
  });
  const noPeephole = g.constant(new Float32Array(lstm.units), [lstm.units]);
  const reversed = g.node('ReverseV2', 'reversed', [xs, g.ints([0])], {
    ...floatT(g),
    Tidx: { type: g.dt.int32 },
  });
  const forward = addLstm(g, 'lstm_forward', xs, steps, lstm.forward, zeroState, noPeephole);
  const backward = addLstm(
    g,
    'lstm_backward',
    reversed,
    steps,
    lstm.backward,
    zeroState,
    noPeephole,
  );
  return g.node('ConcatV2', 'bilstm', [forward, backward, g.ints([1], true)], {
    ...floatT(g),
    N: { i: 2 },
    Tidx: { type: g.dt.int32 },
  });
}

/**
 * The frozen inference SavedModel of `model`, or null when the model is not `buildCrnn`'s
 * structure (conv blocks, time-major reshape, BiLSTM the native kernel fits, dense softmax).
 */
export function crnnSavedModel(tf: Tf, proto: TfProto, model: TF.LayersModel): Uint8Array | null {
  const folded = foldBlocks(tf, model);
  if (!folded) return null;
  const [permute, reshape, bilstm, dense] = model.layers.slice(folded.next) as Any[];
  const lstm = biLstmWeights(tf, bilstm);
  try {
    const dc = dense?.getConfig();
    const fits =
      model.layers.length === folded.next + 4 &&
      isTimeMajorReshape(permute, reshape) &&
      dense.getClassName() === 'Dense' &&
      dc.activation === 'softmax' &&
      dc.useBias;
    if (!fits || !lstm) return null;
    const [, h, w] = model.inputs[0].shape as number[];
    const [, ph, pw, pc] = model.layers[folded.next - 1].outputShape as number[];
    const k = dc.units as number;

    const g = new GraphDefBuilder(proto);
    let y = g.node('Placeholder', INPUT, [], {
      dtype: { type: g.dt.float32 },
      shape: { shape: [-1, h, w, 1] },
    });
    folded.blocks.forEach((b, i) => {
      y = addBlock(g, y, b, i + 1);
    });
    // [N, H, W, C] → time-major [W, N, H·C], as Permute([2, 1, 3]) + Reshape read it.
    y = g.node('Transpose', 'time_major', [y, g.ints([2, 0, 1, 3])], {
      ...floatT(g),
      Tperm: { type: g.dt.int32 },
    });
    const xs = g.node('Reshape', 'to_sequence', [y, g.ints([pw, -1, ph * pc])], {
      ...floatT(g),
      Tshape: { type: g.dt.int32 },
    });
    y = addBiLstm(g, xs, pw, lstm);
    const [kernel, bias] = dense.getWeights() as TF.Tensor[];
    y = g.node('MatMul', 'logits', [y, g.weights(kernel)], {
      ...floatT(g),
      transpose_a: { b: false },
      transpose_b: { b: false },
    });
    y = g.node('BiasAdd', 'logits_bias', [y, g.weights(bias)], floatT(g));
    g.node('Softmax', OUTPUT, [y], floatT(g));
    return g.savedModel({ name: INPUT, shape: [-1, h, w, 1] }, { name: OUTPUT, shape: [-1, k] });
  } finally {
    disposeBlocks(tf, folded.blocks);
    if (lstm) disposeBiLstm(tf, lstm);
  }
}
