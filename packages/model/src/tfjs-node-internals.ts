/**
 * Everything serkit uses of `@tensorflow/tfjs-node` (and `-gpu`) beyond its public API, in one
 * place. The native engines need four things tfjs-node has but does not export:
 *
 * | internal                                   | used for                                       | without it                 |
 * | ------------------------------------------ | ---------------------------------------------- | -------------------------- |
 * | backend `executeMultipleOutputs` + binding `TF_ATTR_*`, `TF_FLOAT/INT32/INT64` | native kernels by name: FusedBatchNormV3/GradV3 and ReluGrad in training (`fused.ts`), BlockLSTMV2 in the `ops` engine (`ops-graph.ts`) | tfjs's composite ops (slower) |
 * | binding `TF_Version`                       | `backendInfo().tensorflowVersion`              | `null`                     |
 * | `dist/int64_tensors.js` `Int64Scalar`      | BlockLSTMV2's int64 `seq_len_max` without an op | a native Cast per length  |
 * | `dist/proto/api_pb.js` (GraphDef, SavedModel, `DataType`, …) | the frozen graph of the `session` engine (`session-graph.ts`) | the `ops` engine |
 *
 * {@link inspectTfjsNode} checks all of them once, when the native backend loads, and writes one
 * line to stderr naming whatever is missing and what falls back; `tfjs-node-internals.test.ts`
 * fails when anything is missing, so an upgrade of the pinned tfjs-node (4.22.0, see the package
 * README) that removes one cannot pass unnoticed.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import type { Tf } from './backend.js';

// biome-ignore lint/suspicious/noExplicitAny: tfjs-node's binding and protobuf classes are untyped.
type Any = any;

const require = createRequire(import.meta.url);

/** Data types of native kernel attributes and GraphDef constants. */
export type NativeDtype = 'float32' | 'int32' | 'int64';

/** One attribute of a native kernel call. */
export type KernelAttr =
  | { name: string; dtype: NativeDtype }
  | { name: string; float: number }
  | { name: string; bool: boolean }
  | { name: string; string: string };

/** Native TensorFlow kernels run by name (tfjs-node's `executeMultipleOutputs`). */
export interface NativeKernels {
  /** Run TensorFlow op `op` on `inputs` and return its first `nOutputs` outputs. */
  run(op: string, attrs: KernelAttr[], inputs: TF.Tensor[], nOutputs: number): TF.Tensor[];
  /**
   * An int64 scalar for an op input (tfjs has no int64): tfjs-node's `Int64Scalar` (no op)
   * when present, else a native Cast of an int32 scalar (a tensor the caller disposes).
   */
  int64Scalar(tf: Tf, value: number): { tensor: TF.Tensor; owned: boolean };
}

/** tfjs-node's protobuf classes (`dist/proto/api_pb.js`) and TensorFlow's DataType enum. */
export interface TfProto {
  /** The generated message classes: GraphDef, NodeDef, AttrValue, SavedModel, … */
  pb: Any;
  /** `types.proto` DataType values by tfjs dtype, read from the module's `DataType` enum. */
  dataType: Record<NativeDtype, number>;
  /**
   * GraphDef `versions.producer` a hand-built graph declares: TensorFlow 2.x's range (every op
   * the session graph uses exists unchanged since TF 2.4). Not exposed by tfjs-node.
   */
  graphDefProducer: number;
  /** `tf.node.loadSavedModel`. */
  loadSavedModel: (dir: string, tags: string[], signature: string) => Promise<Any>;
}

/** What {@link inspectTfjsNode} found. */
export interface TfjsNodeInternals {
  /** tfjs-node package directory the internals were read from. */
  packageDir: string;
  /** libtensorflow's version (binding `TF_Version`), or null when missing. */
  tensorflowVersion: string | null;
  /** Native kernels, or null when the backend or binding lacks what they need. */
  kernels: NativeKernels | null;
  /** Protobuf classes for the session engine, or null when missing. */
  proto: TfProto | null;
  /** Each internal that is missing: what, what it is used for, and what happens instead. */
  missing: { what: string; usedFor: string; instead: string }[];
}

/** See `TfProto.graphDefProducer`. */
const GRAPH_DEF_PRODUCER = 1087;

const BINDING_CONSTANTS = [
  'TF_ATTR_TYPE',
  'TF_ATTR_FLOAT',
  'TF_ATTR_BOOL',
  'TF_ATTR_STRING',
  'TF_FLOAT',
  'TF_INT32',
  'TF_INT64',
] as const;

const PROTO_CLASSES = [
  'AttrValue',
  'GraphDef',
  'MetaGraphDef',
  'NodeDef',
  'SavedModel',
  'SignatureDef',
  'Tensor',
  'TensorInfo',
  'TensorShape',
  'VersionDef',
] as const;

const DATA_TYPES: Record<NativeDtype, string> = {
  float32: 'DT_FLOAT',
  int32: 'DT_INT32',
  int64: 'DT_INT64',
};

function tryRequire(dir: string, file: string): Any | null {
  try {
    return require(path.join(dir, file));
  } catch {
    return null;
  }
}

function makeKernels(backend: Any, Int64Scalar: (new (v: number) => object) | null): NativeKernels {
  const B = backend.binding;
  const dtypes: Record<NativeDtype, number> = {
    float32: B.TF_FLOAT,
    int32: B.TF_INT32,
    int64: B.TF_INT64,
  };
  const toNative = (a: KernelAttr) =>
    'dtype' in a
      ? { name: a.name, type: B.TF_ATTR_TYPE, value: dtypes[a.dtype] }
      : 'float' in a
        ? { name: a.name, type: B.TF_ATTR_FLOAT, value: a.float }
        : 'bool' in a
          ? { name: a.name, type: B.TF_ATTR_BOOL, value: a.bool }
          : { name: a.name, type: B.TF_ATTR_STRING, value: a.string };
  const run = (op: string, attrs: KernelAttr[], inputs: TF.Tensor[], n: number): TF.Tensor[] =>
    backend.executeMultipleOutputs(op, attrs.map(toNative), inputs, n);
  return {
    run,
    int64Scalar(tf, value) {
      if (Int64Scalar) return { tensor: new Int64Scalar(value) as TF.Tensor, owned: false };
      const t = tf.tidy(
        () =>
          run(
            'Cast',
            [
              { name: 'SrcT', dtype: 'int32' },
              { name: 'DstT', dtype: 'int64' },
              { name: 'Truncate', bool: false },
            ],
            [tf.scalar(value, 'int32')],
            1,
          )[0],
      );
      return { tensor: t, owned: true };
    },
  };
}

let inspected: { tf: Tf; internals: TfjsNodeInternals } | null = null;

/**
 * Check, once per process, every tfjs-node internal serkit uses (see the module comment) on the
 * loaded tfjs-node backend `tf` from package folder `packageDir`. Writes one line to stderr when
 * something is missing (the engines that need it then fall back); never throws.
 */
export function inspectTfjsNode(tf: Tf, packageDir: string): TfjsNodeInternals {
  if (inspected?.tf === tf) return inspected.internals;
  const missing: TfjsNodeInternals['missing'] = [];
  const backend = tf.backend() as Any;
  const binding = backend?.binding;
  const version = typeof binding?.TF_Version === 'string' ? binding.TF_Version : null;
  if (!version) {
    missing.push({
      what: 'binding.TF_Version',
      usedFor: 'the TensorFlow version in backendInfo()',
      instead: 'tensorflowVersion null',
    });
  }

  const kernelGaps = [
    ...(typeof backend?.executeMultipleOutputs === 'function'
      ? []
      : ['backend.executeMultipleOutputs']),
    ...BINDING_CONSTANTS.filter((k) => typeof binding?.[k] !== 'number').map((k) => `binding.${k}`),
  ];
  if (kernelGaps.length > 0) {
    missing.push({
      what: kernelGaps.join(', '),
      usedFor: 'native kernels (fused batch norm/ReLU in training, BlockLSTMV2 in the ops engine)',
      instead: "tfjs's composite ops",
    });
  }
  const Int64Scalar = tryRequire(packageDir, 'dist/int64_tensors.js')?.Int64Scalar ?? null;
  if (typeof Int64Scalar !== 'function') {
    missing.push({
      what: 'dist/int64_tensors.js Int64Scalar',
      usedFor: "BlockLSTMV2's int64 sequence length",
      instead: 'a native Cast per sequence length',
    });
  }
  const kernels =
    kernelGaps.length === 0
      ? makeKernels(backend, typeof Int64Scalar === 'function' ? Int64Scalar : null)
      : null;

  const pb = tryRequire(packageDir, 'dist/proto/api_pb.js');
  const loadSavedModel = (tf as Any).node?.loadSavedModel;
  const protoGaps = [
    ...(pb ? [] : ['dist/proto/api_pb.js']),
    ...(pb
      ? PROTO_CLASSES.filter((c) => typeof pb[c] !== 'function').map((c) => `api_pb.${c}`)
      : []),
    ...(pb
      ? Object.values(DATA_TYPES)
          .filter((d) => typeof pb.DataType?.[d] !== 'number')
          .map((d) => `api_pb.DataType.${d}`)
      : []),
    ...(typeof loadSavedModel === 'function' ? [] : ['tf.node.loadSavedModel']),
  ];
  if (protoGaps.length > 0) {
    missing.push({
      what: protoGaps.join(', '),
      usedFor: 'the session inference engine (one TensorFlow graph)',
      instead: 'the ops engine',
    });
  }
  const proto: TfProto | null =
    protoGaps.length === 0
      ? {
          pb,
          dataType: {
            float32: pb.DataType.DT_FLOAT,
            int32: pb.DataType.DT_INT32,
            int64: pb.DataType.DT_INT64,
          },
          graphDefProducer: GRAPH_DEF_PRODUCER,
          loadSavedModel: (dir, tags, signature) => loadSavedModel(dir, tags, signature),
        }
      : null;

  if (missing.length > 0) {
    process.stderr.write(
      `serkit: ${packageDir} lacks internals serkit was written against (tfjs-node 4.22.0): ${missing
        .map((m) => `${m.what} (for ${m.usedFor}; using ${m.instead})`)
        .join('; ')}\n`,
    );
  }
  const internals: TfjsNodeInternals = {
    packageDir,
    tensorflowVersion: version,
    kernels,
    proto,
    missing,
  };
  inspected = { tf, internals };
  return internals;
}

/** The internals of the loaded tfjs-node backend, or null when `tf` is another backend. */
export function tfjsNodeInternals(tf: Tf): TfjsNodeInternals | null {
  return inspected && inspected.tf === tf && tf.getBackend() === 'tensorflow'
    ? inspected.internals
    : null;
}

/** Native kernels when `tf` runs on tfjs-node and they are all there, else null. */
export function nativeKernels(tf: Tf): NativeKernels | null {
  return tfjsNodeInternals(tf)?.kernels ?? null;
}

/** A tfjs-layers weight variable (`LayerVariable`, not exported by tfjs). */
export interface LayerVariable {
  read(): TF.Tensor;
  write(value: TF.Tensor): void;
}

/** Private fields of tfjs's BatchNormalization layer read by `fused.ts`. */
export interface BatchNormFields {
  axis: number;
  center: boolean;
  scale: boolean;
  momentum: number;
  epsilon: number;
  gamma: LayerVariable;
  beta: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

/** Private field of tfjs's ReLU layer read by `fused.ts`. */
export interface ReluFields {
  maxValue: number | null | undefined;
}

/** Private fields of tfjs's Conv2D layer read by `input-conv.ts`. */
export interface Conv2DFields {
  useBias: boolean;
  dataFormat: string;
  activation: { getClassName(): string };
  dilationRate: number[];
  strides: [number, number];
  padding: 'same' | 'valid';
  kernel: LayerVariable;
  bias: LayerVariable;
}

const layerChecks = new WeakMap<object, string[]>();

/**
 * The tfjs-layers private fields and kernel names the training layers of `fused.ts` and
 * `input-conv.ts` rely on that are missing from `tf` (checked once per namespace on freshly
 * built layers; one stderr line when any is). Empty on tfjs 4.22.0.
 */
export function missingLayerInternals(tf: Tf): string[] {
  let missing = layerChecks.get(tf);
  if (missing) return missing;
  missing = [];
  const built = (layer: TF.layers.Layer): Any => {
    layer.build([1, 2, 2, 1]);
    return layer;
  };
  const isVar = (v: Any) => typeof v?.read === 'function' && typeof v?.write === 'function';
  const bn = built(tf.layers.batchNormalization({}));
  for (const k of ['axis', 'momentum', 'epsilon'] as const) {
    if (typeof bn[k] !== 'number') missing.push(`BatchNormalization.${k}`);
  }
  for (const k of ['center', 'scale'] as const) {
    if (typeof bn[k] !== 'boolean') missing.push(`BatchNormalization.${k}`);
  }
  for (const k of ['gamma', 'beta', 'movingMean', 'movingVariance'] as const) {
    if (!isVar(bn[k])) missing.push(`BatchNormalization.${k}`);
  }
  const relu = tf.layers.reLU({ maxValue: 6 }) as Any;
  if (relu.maxValue !== 6) missing.push('ReLU.maxValue');
  const conv = built(tf.layers.conv2d({ filters: 1, kernelSize: 1 }));
  if (typeof conv.useBias !== 'boolean') missing.push('Conv2D.useBias');
  if (typeof conv.dataFormat !== 'string') missing.push('Conv2D.dataFormat');
  if (typeof conv.activation?.getClassName !== 'function') missing.push('Conv2D.activation');
  for (const k of ['dilationRate', 'strides'] as const) {
    if (!Array.isArray(conv[k])) missing.push(`Conv2D.${k}`);
  }
  if (typeof conv.padding !== 'string') missing.push('Conv2D.padding');
  for (const k of ['kernel', 'bias'] as const) {
    if (!isVar(conv[k])) missing.push(`Conv2D.${k}`);
  }
  for (const w of [...bn.weights, ...conv.weights]) w.dispose();
  if (
    typeof tf.Conv2DBackpropFilter !== 'string' ||
    !tf.getKernel(tf.Conv2DBackpropFilter, tf.getBackend())
  ) {
    missing.push(`kernel Conv2DBackpropFilter on backend ${tf.getBackend()}`);
  }
  if (missing.length > 0) {
    process.stderr.write(
      `serkit: tfjs ${tf.version_layers} lacks layer internals serkit was written against (tfjs 4.22.0): ${missing.join(', ')}; training uses tfjs's own layers\n`,
    );
  }
  layerChecks.set(tf, missing);
  return missing;
}

/** `layer`'s private fields as `T` when {@link missingLayerInternals} found them all, else null. */
export function layerFields<T>(tf: Tf, layer: object): T | null {
  return missingLayerInternals(tf).length === 0 ? (layer as unknown as T) : null;
}
