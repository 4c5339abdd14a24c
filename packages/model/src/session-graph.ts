/**
 * Inference for a CRNN built by `buildCrnn` as one TensorFlow graph run by a TensorFlow session,
 * the way Keras's `predict` runs it, instead of one tfjs op call at a time.
 *
 * The folded weights (`fold.ts`) become constants of a frozen GraphDef, which is written as a
 * variable-free SavedModel to a temporary folder, loaded with tfjs-node's `loadSavedModel` (a
 * TensorFlow session; the folder is removed right after) and run with one `Session::Run` per
 * batch. TensorFlow's graph optimiser (Grappler) then fuses each Conv2D + BiasAdd + ReLU into
 * one oneDNN kernel and the per-op dispatch of eager execution disappears: the four conv blocks
 * were 13.9 of 15 ms per utterance as tfjs ops (`benchmarks/model/profile.mjs`).
 *
 * The GraphDef is written with the protobuf messages tfjs-node itself reads SavedModels with
 * (`dist/proto/api_pb.js`), so no protobuf library or Python is involved.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { requireFromTfjsNode, type Tf } from './backend.js';
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

// biome-ignore lint/suspicious/noExplicitAny: tfjs-node's generated protobuf classes are untyped.
type Any = any;

/** A loaded inference session; results are tfjs tensors the caller disposes. */
export interface SessionGraph {
  /** Class probabilities `[n, K]` of a z-scored batch `[n, h, w, 1]` (any n). */
  run(x: TF.Tensor4D): TF.Tensor2D;
  /** Close the TensorFlow session. */
  dispose(): void;
}

/** TensorFlow's DataType enum values used here (tensorflow/core/framework/types.proto). */
const DT_FLOAT = 1;
const DT_INT32 = 3;
const DT_INT64 = 9;

/**
 * GraphDef version the graph declares: TensorFlow 2.x's range (every op used here exists
 * unchanged since TF 2.4); newer TensorFlow reads older producers as they are.
 */
const GRAPH_DEF_PRODUCER = 1087;

const INPUT = 'log_mel';
const OUTPUT = 'probabilities';

/** One attribute value: a dtype, a list of ints, a string, a scalar or a shape. */
type AttrSpec =
  | { type: number }
  | { ints: number[] }
  | { s: string }
  | { f: number }
  | { b: boolean }
  | { i: number }
  | { shape: number[] };

/** Builds a frozen GraphDef and wraps it in a SavedModel, with tfjs-node's protobuf classes. */
class GraphDefBuilder {
  private readonly nodes: Any[] = [];
  private constants = 0;

  constructor(private readonly pb: Any) {}

  private shape(dims: readonly number[]): Any {
    const s = new this.pb.TensorShape();
    for (const d of dims) {
      const dim = new this.pb.TensorShape.Dim();
      dim.setSize(d);
      s.addDim(dim);
    }
    return s;
  }

  private attr(v: AttrSpec | { tensor: Any }): Any {
    const a = new this.pb.AttrValue();
    if ('type' in v) a.setType(v.type);
    else if ('ints' in v) {
      const list = new this.pb.AttrValue.ListValue();
      for (const i of v.ints) list.addI(i);
      a.setList(list);
    } else if ('s' in v) a.setS(new TextEncoder().encode(v.s));
    else if ('f' in v) a.setF(v.f);
    else if ('b' in v) a.setB(v.b);
    else if ('i' in v) a.setI(v.i);
    else if ('shape' in v) a.setShape(this.shape(v.shape));
    else a.setTensor(v.tensor);
    return a;
  }

  /** Add node `name` running `op` on `inputs` (`name` or `name:k` for output k). */
  node(op: string, name: string, inputs: string[], attrs: Record<string, AttrSpec> = {}): string {
    const n = new this.pb.NodeDef();
    n.setName(name);
    n.setOp(op);
    for (const i of inputs) n.addInput(i);
    const map = n.getAttrMap();
    for (const [k, v] of Object.entries(attrs)) map.set(k, this.attr(v));
    this.nodes.push(n);
    return name;
  }

  /** A Const node holding `values` (float32, int32 or int64) of `shape`. */
  constant(values: Float32Array | Int32Array | BigInt64Array, shape: readonly number[]): string {
    const dtype =
      values instanceof Float32Array
        ? DT_FLOAT
        : values instanceof Int32Array
          ? DT_INT32
          : DT_INT64;
    const t = new this.pb.Tensor();
    t.setDtype(dtype);
    t.setTensorShape(this.shape(shape));
    t.setTensorContent(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    const n = new this.pb.NodeDef();
    const name = `const_${this.constants++}`;
    n.setName(name);
    n.setOp('Const');
    n.getAttrMap().set('dtype', this.attr({ type: dtype }));
    n.getAttrMap().set('value', this.attr({ tensor: t }));
    this.nodes.push(n);
    return name;
  }

  /** A float32 Const node with the values of tensor `t`. */
  weights(t: TF.Tensor): string {
    return this.constant(t.dataSync() as Float32Array, t.shape);
  }

  /** `x[i]` along axis 0 (a negative `i` counts from the end): a StridedSlice dropping axis 0. */
  element(name: string, x: string, i: number, type = DT_FLOAT): string {
    const toEnd = i === -1;
    return this.node(
      'StridedSlice',
      name,
      [x, this.ints([i]), this.ints([toEnd ? 0 : i + 1]), this.ints([1])],
      {
        T: { type },
        Index: { type: DT_INT32 },
        begin_mask: { i: 0 },
        end_mask: { i: toEnd ? 1 : 0 },
        ellipsis_mask: { i: 0 },
        new_axis_mask: { i: 0 },
        shrink_axis_mask: { i: 1 },
      },
    );
  }

  /** An int32 Const node: a vector, or a scalar when `scalar`. */
  ints(values: number[], scalar = false): string {
    return this.constant(Int32Array.from(values), scalar ? [] : [values.length]);
  }

  /** Serialized SavedModel (tag `serve`, signature `serving_default`: `input` → `output`). */
  savedModel(
    input: { name: string; shape: number[] },
    output: { name: string; shape: number[] },
  ): Uint8Array {
    const pb = this.pb;
    const graph = new pb.GraphDef();
    for (const n of this.nodes) graph.addNode(n);
    const versions = new pb.VersionDef();
    versions.setProducer(GRAPH_DEF_PRODUCER);
    graph.setVersions(versions);
    const info = (t: { name: string; shape: number[] }) => {
      const ti = new pb.TensorInfo();
      ti.setName(`${t.name}:0`);
      ti.setDtype(DT_FLOAT);
      ti.setTensorShape(this.shape(t.shape));
      return ti;
    };
    const signature = new pb.SignatureDef();
    signature.setMethodName('tensorflow/serving/predict');
    signature.getInputsMap().set(input.name, info(input));
    signature.getOutputsMap().set(output.name, info(output));
    const meta = new pb.MetaGraphDef();
    const metaInfo = new pb.MetaGraphDef.MetaInfoDef();
    metaInfo.addTags('serve');
    meta.setMetaInfoDef(metaInfo);
    meta.setGraphDef(graph);
    meta.getSignatureDefMap().set('serving_default', signature);
    const saved = new pb.SavedModel();
    saved.setSavedModelSchemaVersion(1);
    saved.addMetaGraphs(meta);
    return saved.serializeBinary();
  }
}

const F = { T: { type: DT_FLOAT } };

/** Conv2D + BiasAdd + ReLU (one fused kernel after Grappler) + MaxPool of one folded block. */
function addBlock(g: GraphDefBuilder, x: string, b: FoldedBlock, n: number): string {
  const pool = [1, ...b.pool, 1];
  let y = g.node('Conv2D', `conv${n}`, [x, g.weights(b.kernel)], {
    ...F,
    strides: { ints: [1, 1, 1, 1] },
    padding: { s: 'SAME' },
    data_format: { s: 'NHWC' },
  });
  y = g.node('BiasAdd', `bias${n}`, [y, g.weights(b.shift)], F);
  y = g.node('Relu', `relu${n}`, [y], F);
  return g.node('MaxPool', `pool${n}`, [y], {
    ...F,
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
    { ...F, cell_clip: { f: 0 }, use_peephole: { b: false } },
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
  const shape = g.node('Shape', 'sequence_shape', [xs], { ...F, out_type: { type: DT_INT32 } });
  const n = g.element('batch_size', shape, 1, DT_INT32);
  const stateShape = g.node('Pack', 'state_shape', [n, g.ints([lstm.units], true)], {
    T: { type: DT_INT32 },
    N: { i: 2 },
    axis: { i: 0 },
  });
  const zero = g.constant(Float32Array.of(0), []);
  const zeroState = g.node('Fill', 'zero_state', [stateShape, zero], {
    ...F,
    index_type: { type: DT_INT32 },
  });
  const noPeephole = g.constant(new Float32Array(lstm.units), [lstm.units]);
  const reversed = g.node('ReverseV2', 'reversed', [xs, g.ints([0])], {
    ...F,
    Tidx: { type: DT_INT32 },
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
    ...F,
    N: { i: 2 },
    Tidx: { type: DT_INT32 },
  });
}

/**
 * The frozen inference SavedModel of `model`, or null when the model is not `buildCrnn`'s
 * structure (conv blocks, time-major reshape, BiLSTM the native kernel fits, dense softmax).
 */
function crnnSavedModel(tf: Tf, pb: Any, model: TF.LayersModel): Uint8Array | null {
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

    const g = new GraphDefBuilder(pb);
    let y = g.node('Placeholder', INPUT, [], {
      dtype: { type: DT_FLOAT },
      shape: { shape: [-1, h, w, 1] },
    });
    folded.blocks.forEach((b, i) => {
      y = addBlock(g, y, b, i + 1);
    });
    // [N, H, W, C] → time-major [W, N, H·C], as Permute([2, 1, 3]) + Reshape read it.
    y = g.node('Transpose', 'time_major', [y, g.ints([2, 0, 1, 3])], {
      ...F,
      Tperm: { type: DT_INT32 },
    });
    const xs = g.node('Reshape', 'to_sequence', [y, g.ints([pw, -1, ph * pc])], {
      ...F,
      Tshape: { type: DT_INT32 },
    });
    y = addBiLstm(g, xs, pw, lstm);
    const [kernel, bias] = dense.getWeights() as TF.Tensor[];
    y = g.node('MatMul', 'logits', [y, g.weights(kernel)], {
      ...F,
      transpose_a: { b: false },
      transpose_b: { b: false },
    });
    y = g.node('BiasAdd', 'logits_bias', [y, g.weights(bias)], F);
    g.node('Softmax', OUTPUT, [y], F);
    return g.savedModel({ name: INPUT, shape: [-1, h, w, 1] }, { name: OUTPUT, shape: [-1, k] });
  } finally {
    disposeBlocks(tf, folded.blocks);
    if (lstm) disposeBiLstm(tf, lstm);
  }
}

/**
 * Load `model` (a `buildCrnn` CRNN) as a TensorFlow session. Resolves to null when the backend
 * is not tfjs-node / tfjs-node-gpu or the model is not `buildCrnn`'s structure; rejects when
 * TensorFlow refuses the graph or the temporary folder cannot be written.
 */
export async function sessionGraph(tf: Tf, model: TF.LayersModel): Promise<SessionGraph | null> {
  const pb = requireFromTfjsNode('dist/proto/api_pb.js');
  const loadSavedModel = (tf as Any).node?.loadSavedModel;
  if (!pb || typeof loadSavedModel !== 'function') return null;
  const bytes = crnnSavedModel(tf, pb, model);
  if (!bytes) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serkit-graph-'));
  let saved: Any;
  try {
    fs.writeFileSync(path.join(dir, 'saved_model.pb'), bytes);
    saved = await loadSavedModel(dir, ['serve'], 'serving_default');
  } finally {
    // The session holds the graph; the file is not read again.
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return {
    run: (x) => saved.predict(x) as TF.Tensor2D,
    dispose: () => saved.dispose(),
  };
}
