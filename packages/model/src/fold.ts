/**
 * Inference weights of a CRNN built by `buildCrnn`, prepared for the inference graphs
 * (`ops-graph.ts`, `session-graph.ts`).
 *
 * Each block's batch norm is folded into its convolution, and the per-channel shift + ReLU
 * move after the max-pool: `relu(maxPool(s·conv(x, W) + t)) = relu(maxPool(conv(x, W·s)) + t)`
 * (max-pooling commutes with adding a per-channel constant and with ReLU).
 */
import type * as TF from '@tensorflow/tfjs';
import type { Tf } from './backend.js';

// biome-ignore lint/suspicious/noExplicitAny: tfjs layer internals are untyped.
type Any = any;

/** One conv block with its batch norm folded in: `relu(maxPool(conv(x, kernel)) + shift)`. */
export interface FoldedBlock {
  kernel: TF.Tensor4D;
  shift: TF.Tensor1D;
  pool: [number, number];
  strides: [number, number];
  padding: 'valid' | 'same';
}

/** Weights of one LSTM direction in BlockLSTMV2's layout. */
export interface NativeLstm {
  /** `[inputs + units, 4·units]`: kernel over recurrent kernel, gates i, f, c, o (as Keras). */
  w: TF.Tensor2D;
  b: TF.Tensor1D;
}

/** The BiLSTM's weights in BlockLSTMV2's layout, one set per direction. */
export interface BiLstmWeights {
  forward: NativeLstm;
  backward: NativeLstm;
  units: number;
}

/**
 * Fold each `conv{n}/bn{n}/relu{n}/pool{n}` block of `model` (as `buildCrnn` names them).
 * Returns the folded blocks (new tensors, the caller disposes them) and the index of the first
 * layer after them, or null when the model does not have that structure.
 */
export function foldBlocks(
  tf: Tf,
  model: TF.LayersModel,
): { blocks: FoldedBlock[]; next: number } | null {
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
export function biLstmWeights(tf: Tf, layer: Any): BiLstmWeights | null {
  if (layer?.getClassName?.() !== 'Bidirectional') return null;
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

/**
 * True when `permute` and `reshape` are buildCrnn's `[N, H, W, C] → [N, W, H·C]` (the last
 * block's output read as W time steps), which one transpose to time-major `[W, N, H, C]` and a
 * reshape replace when a native BiLSTM follows.
 */
export function isTimeMajorReshape(permute: Any, reshape: Any): boolean {
  return (
    permute?.getClassName?.() === 'Permute' &&
    JSON.stringify(permute.getConfig().dims) === '[2,1,3]' &&
    reshape?.getClassName?.() === 'Reshape'
  );
}

/** Free the tensors {@link foldBlocks} made. */
export function disposeBlocks(tf: Tf, blocks: FoldedBlock[]): void {
  for (const b of blocks) tf.dispose([b.kernel, b.shift]);
}

/** Free the tensors {@link biLstmWeights} made. */
export function disposeBiLstm(tf: Tf, w: BiLstmWeights): void {
  tf.dispose([w.forward.w, w.forward.b, w.backward.w, w.backward.b]);
}
