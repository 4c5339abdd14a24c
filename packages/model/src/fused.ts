/**
 * Native fused batch normalisation and ReLU for training on tfjs-node.
 *
 * tfjs-layers trains BatchNormalization with separate moments, normalise and (composite)
 * gradient ops on full-size activations; Keras runs TensorFlow's FusedBatchNormV3 and
 * FusedBatchNormGradV3. This layer is tfjs's own BatchNormalization (same weights, same
 * serialised class name `BatchNormalization`, so saved models load anywhere) whose training
 * call runs those two native kernels (`nativeKernels` of `tfjs-node-internals.ts`), wrapped in
 * `tf.customGrad`. Inference and non-native backends use the inherited code. The ReLU layer
 * likewise back-propagates with the native ReluGrad.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Tf } from './backend.js';
import {
  type BatchNormFields,
  type KernelAttr,
  type LayerVariable,
  layerFields,
  type NativeKernels,
  nativeKernels,
  type ReluFields,
} from './tfjs-node-internals.js';

// biome-ignore lint/suspicious/noExplicitAny: tfjs's layer classes and customGrad arguments are untyped.
type Any = any;

/** What `tf.customGrad` passes its function: the inputs, then `save` for the gradient. */
export type GradArgs<Inputs extends TF.Tensor[]> = [...Inputs, (saved: TF.Tensor[]) => void];

function bnAttrs(epsilon: number): KernelAttr[] {
  return [
    { name: 'T', dtype: 'float32' },
    { name: 'U', dtype: 'float32' },
    { name: 'epsilon', float: epsilon },
    { name: 'data_format', string: 'NHWC' },
    { name: 'is_training', bool: true },
  ];
}

/**
 * Training-mode batch norm of NHWC `x` over N, H, W with native kernels. Returns y and calls
 * `onStats(mean, biasedVariance)` (tensors valid during the call) for the moving averages.
 */
function fusedBatchNormTraining(
  tf: Tf,
  be: NativeKernels,
  x: TF.Tensor4D,
  gamma: TF.Tensor1D,
  beta: TF.Tensor1D,
  epsilon: number,
  onStats: (mean: TF.Tensor1D, variance: TF.Tensor1D) => void,
): TF.Tensor4D {
  const attrs = bnAttrs(epsilon);
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  const f = tf.customGrad((...args: Any[]) => {
    const [xi, g, b, save] = args as GradArgs<[TF.Tensor4D, TF.Tensor1D, TF.Tensor1D]>;
    const empty = tf.tensor1d([], 'float32');
    const outs = be.run('FusedBatchNormV3', attrs, [xi, g, b, empty, empty], 6);
    empty.dispose();
    // outs: y, batch_mean, batch_variance (Bessel-corrected), reserve_space_1..3
    const biased = n > 1 ? tf.mul(outs[2], (n - 1) / n) : outs[2];
    onStats(outs[1] as TF.Tensor1D, biased as TF.Tensor1D);
    save([xi, g, outs[3], outs[4], outs[5]]);
    return {
      value: outs[0],
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
        const [sx, sg, r1, r2, r3] = saved;
        const gr = be.run('FusedBatchNormGradV3', attrs, [dy, sx, sg, r1, r2, r3], 5);
        gr[3].dispose();
        gr[4].dispose();
        return [gr[0], gr[1], gr[2]];
      },
    };
  });
  return f(x, gamma, beta) as TF.Tensor4D;
}

function reluTraining(tf: Tf, be: NativeKernels, x: TF.Tensor): TF.Tensor {
  const attrs: KernelAttr[] = [{ name: 'T', dtype: 'float32' }];
  const f = tf.customGrad((...args: Any[]) => {
    const [xi, save] = args as [TF.Tensor, (t: TF.Tensor[]) => void];
    const y = be.run('Relu', attrs, [xi], 1)[0];
    save([y]);
    return {
      value: y,
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) =>
        be.run('ReluGrad', attrs, [dy, saved[0]], 1)[0],
    };
  });
  return f(x) as TF.Tensor;
}

const classCache = new WeakMap<object, Any>();
const reluCache = new WeakMap<object, Any>();

/**
 * A `tf.layers.reLU` factory whose layers back-propagate with TensorFlow's native ReluGrad
 * (one pass instead of tfjs's step·cast·multiply) on tfjs-node; tfjs's own layer otherwise.
 */
export function fusedReLU(tf: Tf, args: Parameters<Tf['layers']['reLU']>[0]) {
  let Fused = reluCache.get(tf);
  if (!Fused) {
    const Base = (tf.layers.reLU({}) as Any).constructor;
    Fused = class extends Base {
      call(inputs: TF.Tensor | TF.Tensor[], kwargs: Any) {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as TF.Tensor;
        const be = kwargs?.training ? nativeKernels(tf) : null;
        const self = be ? layerFields<ReluFields>(tf, this) : null;
        if (!be || !self || self.maxValue != null || x.dtype !== 'float32')
          return super.call(inputs, kwargs);
        return reluTraining(tf, be, x);
      }
    };
    reluCache.set(tf, Fused);
  }
  return new Fused(args) as TF.layers.Layer;
}

/**
 * A `tf.layers.batchNormalization` factory whose layers train with native fused kernels when
 * the backend is tfjs-node (4-D input, channel axis last, center and scale on); otherwise the
 * layer behaves exactly like tfjs's own.
 */
export function fusedBatchNormalization(
  tf: Tf,
  args: Parameters<Tf['layers']['batchNormalization']>[0],
) {
  let Fused = classCache.get(tf);
  if (!Fused) {
    const Base = (tf.layers.batchNormalization({}) as Any).constructor;
    Fused = class extends Base {
      call(inputs: TF.Tensor | TF.Tensor[], kwargs: Any) {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as TF.Tensor;
        const be = kwargs?.training ? nativeKernels(tf) : null;
        const self = be ? layerFields<BatchNormFields>(tf, this) : null;
        if (!be || !self) return super.call(inputs, kwargs);
        const axis = self.axis === -1 ? x.rank - 1 : self.axis;
        if (x.rank !== 4 || axis !== 3 || !self.center || !self.scale || x.dtype !== 'float32') {
          return super.call(inputs, kwargs);
        }
        return tf.tidy(() => {
          const momentum = self.momentum;
          const update = (v: LayerVariable, value: TF.Tensor) => {
            const orig = v.read();
            v.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - momentum)));
          };
          return fusedBatchNormTraining(
            tf,
            be,
            x as TF.Tensor4D,
            self.gamma.read() as TF.Tensor1D,
            self.beta.read() as TF.Tensor1D,
            self.epsilon,
            (mean, variance) => {
              update(self.movingMean, mean);
              update(self.movingVariance, variance);
            },
          );
        });
      }
    };
    classCache.set(tf, Fused);
  }
  return new Fused(args) as TF.layers.Layer;
}
