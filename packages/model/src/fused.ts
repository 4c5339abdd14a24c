/**
 * Native fused batch normalisation for training on tfjs-node.
 *
 * tfjs-layers trains BatchNormalization with separate moments, normalise and (composite)
 * gradient ops on full-size activations; Keras runs TensorFlow's FusedBatchNormV3 and
 * FusedBatchNormGradV3. This layer is tfjs's own BatchNormalization (same weights, same
 * serialised class name `BatchNormalization`, so saved models load anywhere) whose training
 * call runs those two native kernels through tfjs-node's backend (`executeMultipleOutputs`),
 * wrapped in `tf.customGrad`. Inference and non-native backends use the inherited code.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Tf } from './backend.js';

// biome-ignore lint/suspicious/noExplicitAny: tfjs-node's backend and layer internals are untyped.
type Any = any;

/** What `tf.customGrad` passes its function: the inputs, then `save` for the gradient. */
type GradArgs<Inputs extends TF.Tensor[]> = [...Inputs, (saved: TF.Tensor[]) => void];

/** tfjs-node's backend, which can run any TensorFlow op by name. */
export interface NativeBackend {
  binding: Any;
  executeMultipleOutputs(name: string, attrs: Any[], inputs: TF.Tensor[], n: number): TF.Tensor[];
}

/** The tfjs-node backend when it is the one in use, else null. */
export function nativeBackend(tf: Tf): NativeBackend | null {
  const b = tf.backend() as Any;
  return b &&
    typeof b.executeMultipleOutputs === 'function' &&
    b.binding?.TF_ATTR_TYPE !== undefined
    ? (b as NativeBackend)
    : null;
}

function bnAttrs(be: NativeBackend, epsilon: number) {
  const B = be.binding;
  return [
    { name: 'T', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
    { name: 'U', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT },
    { name: 'epsilon', type: B.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: B.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: B.TF_ATTR_BOOL, value: true },
  ];
}

/**
 * Training-mode batch norm of NHWC `x` over N, H, W with native kernels. Returns y and calls
 * `onStats(mean, biasedVariance)` (tensors valid during the call) for the moving averages.
 */
function fusedBatchNormTraining(
  tf: Tf,
  be: NativeBackend,
  x: TF.Tensor4D,
  gamma: TF.Tensor1D,
  beta: TF.Tensor1D,
  epsilon: number,
  onStats: (mean: TF.Tensor1D, variance: TF.Tensor1D) => void,
): TF.Tensor4D {
  const attrs = bnAttrs(be, epsilon);
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  const f = tf.customGrad((...args: Any[]) => {
    const [xi, g, b, save] = args as GradArgs<[TF.Tensor4D, TF.Tensor1D, TF.Tensor1D]>;
    const empty = tf.tensor1d([], 'float32');
    const outs = be.executeMultipleOutputs('FusedBatchNormV3', attrs, [xi, g, b, empty, empty], 6);
    empty.dispose();
    // outs: y, batch_mean, batch_variance (Bessel-corrected), reserve_space_1..3
    const biased = n > 1 ? tf.mul(outs[2], (n - 1) / n) : outs[2];
    onStats(outs[1] as TF.Tensor1D, biased as TF.Tensor1D);
    save([xi, g, outs[3], outs[4], outs[5]]);
    return {
      value: outs[0],
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => {
        const [sx, sg, r1, r2, r3] = saved;
        const gr = be.executeMultipleOutputs(
          'FusedBatchNormGradV3',
          attrs,
          [dy, sx, sg, r1, r2, r3],
          5,
        );
        gr[3].dispose();
        gr[4].dispose();
        return [gr[0], gr[1], gr[2]];
      },
    };
  });
  return f(x, gamma, beta) as TF.Tensor4D;
}

function reluTraining(tf: Tf, be: NativeBackend, x: TF.Tensor): TF.Tensor {
  const B = be.binding;
  const attrs = [{ name: 'T', type: B.TF_ATTR_TYPE, value: B.TF_FLOAT }];
  const f = tf.customGrad((...args: Any[]) => {
    const [xi, save] = args as [TF.Tensor, (t: TF.Tensor[]) => void];
    const y = be.executeMultipleOutputs('Relu', attrs, [xi], 1)[0];
    save([y]);
    return {
      value: y,
      gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) =>
        be.executeMultipleOutputs('ReluGrad', attrs, [dy, saved[0]], 1)[0],
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
        const self = this as Any;
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as TF.Tensor;
        const be = kwargs?.training ? nativeBackend(tf) : null;
        if (!be || self.maxValue != null || x.dtype !== 'float32')
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
        const self = this as Any;
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as TF.Tensor;
        const be = kwargs?.training ? nativeBackend(tf) : null;
        const axis = self.axis === -1 ? x.rank - 1 : self.axis;
        if (
          !be ||
          x.rank !== 4 ||
          axis !== 3 ||
          !self.center ||
          !self.scale ||
          x.dtype !== 'float32'
        ) {
          return super.call(inputs, kwargs);
        }
        return tf.tidy(() => {
          const momentum = self.momentum as number;
          const update = (v: Any, value: TF.Tensor) => {
            const orig = v.read() as TF.Tensor;
            v.write(tf.sub(orig, tf.mul(tf.sub(orig, value), 1 - momentum)));
          };
          return fusedBatchNormTraining(
            tf,
            be,
            x as TF.Tensor4D,
            self.gamma.read(),
            self.beta.read(),
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

const inputConvCache = new WeakMap<object, Any>();

/**
 * A `tf.layers.conv2d` factory for the layer that reads the model's input. tfjs trains a
 * Conv2D with bias through a fused op whose gradient always computes the input gradient too;
 * for the first layer that is a full Conv2DBackpropInput over the batch of spectrograms (about
 * a fifth of a training step here) whose result is thrown away, since the input is data, not a
 * variable. This layer's training call differentiates only the kernel and the bias (the input
 * gets zeros). Inference, other configurations and serialisation (`Conv2D`) are tfjs's own.
 */
export function inputConv2d(tf: Tf, args: Parameters<Tf['layers']['conv2d']>[0]) {
  let InputConv = inputConvCache.get(tf);
  if (!InputConv) {
    const Base = (tf.layers.conv2d({ filters: 1, kernelSize: 1 }) as Any).constructor;
    InputConv = class extends Base {
      call(inputs: TF.Tensor | TF.Tensor[], kwargs: Any) {
        const self = this as Any;
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as TF.Tensor4D;
        const plain =
          !kwargs?.training ||
          x.rank !== 4 ||
          x.dtype !== 'float32' ||
          !self.useBias ||
          self.dataFormat !== 'channelsLast' ||
          (self.activation?.getClassName?.() ?? 'linear') !== 'linear' ||
          (self.dilationRate as number[]).some((d) => d !== 1);
        if (plain) return super.call(inputs, kwargs);
        const strides = self.strides as [number, number];
        const pad = self.padding as 'same' | 'valid';
        return tf.tidy(() => {
          const f = tf.customGrad((...a: Any[]) => {
            const [xi, kernel, bias, save] = a as GradArgs<[TF.Tensor4D, TF.Tensor4D, TF.Tensor1D]>;
            save([xi]);
            return {
              value: tf.add(tf.conv2d(xi, kernel, strides, pad), bias),
              gradFunc: (dy: TF.Tensor, saved: TF.Tensor[]) => [
                tf.zerosLike(saved[0]),
                tf
                  .engine()
                  .runKernel(
                    'Conv2DBackpropFilter',
                    { x: saved[0], dy },
                    { strides, pad, dataFormat: 'NHWC', filterShape: kernel.shape },
                  ) as TF.Tensor,
                tf.sum(dy, [0, 1, 2]),
              ],
            };
          });
          return f(x, self.kernel.read(), self.bias.read());
        });
      }
    };
    inputConvCache.set(tf, InputConv);
  }
  return new InputConv(args) as TF.layers.Layer;
}
