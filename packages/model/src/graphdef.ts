/**
 * A frozen TensorFlow GraphDef wrapped in a variable-free SavedModel, written with the protobuf
 * messages tfjs-node itself reads SavedModels with (`TfProto` of `tfjs-node-internals.ts`), so
 * no protobuf library or Python is involved. Data types are TensorFlow's `DataType` enum values
 * read by name from that module (`builder.dt.float32` is `DT_FLOAT`).
 */
import type * as TF from '@tensorflow/tfjs';
import type { NativeDtype, TfProto } from './tfjs-node-internals.js';

// biome-ignore lint/suspicious/noExplicitAny: tfjs-node's generated protobuf classes are untyped.
type Any = any;

/** One attribute value: a dtype, a list of ints, a string, a scalar or a shape. */
export type AttrSpec =
  | { type: number }
  | { ints: number[] }
  | { s: string }
  | { f: number }
  | { b: boolean }
  | { i: number }
  | { shape: number[] };

/** Builds a frozen GraphDef and wraps it in a SavedModel, with tfjs-node's protobuf classes. */
export class GraphDefBuilder {
  private readonly nodes: Any[] = [];
  private constants = 0;
  private readonly pb: Any;
  /** TensorFlow DataType values by name (`types.proto`, from tfjs-node's protobuf module). */
  readonly dt: Record<NativeDtype, number>;

  constructor(private readonly proto: TfProto) {
    this.pb = proto.pb;
    this.dt = proto.dataType;
  }

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
        ? this.dt.float32
        : values instanceof Int32Array
          ? this.dt.int32
          : this.dt.int64;
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
  element(name: string, x: string, i: number, type = this.dt.float32): string {
    const toEnd = i === -1;
    return this.node(
      'StridedSlice',
      name,
      [x, this.ints([i]), this.ints([toEnd ? 0 : i + 1]), this.ints([1])],
      {
        T: { type },
        Index: { type: this.dt.int32 },
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
    versions.setProducer(this.proto.graphDefProducer);
    graph.setVersions(versions);
    const info = (t: { name: string; shape: number[] }) => {
      const ti = new pb.TensorInfo();
      ti.setName(`${t.name}:0`);
      ti.setDtype(this.dt.float32);
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
