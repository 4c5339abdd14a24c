/**
 * The CRNN's first convolution, trained without the input gradient nobody reads.
 *
 * tfjs trains a Conv2D with bias through a fused op whose gradient always computes the input
 * gradient too; for the first layer that is a full Conv2DBackpropInput over the batch of
 * spectrograms (about a fifth of a training step here) whose result is thrown away, since the
 * input is data, not a variable. This layer's training call differentiates only the kernel and
 * the bias (the input gets zeros). Inference, other configurations and serialisation (`Conv2D`)
 * are tfjs's own. Runs on every backend (no native kernel involved).
 */
import type * as TF from '@tensorflow/tfjs';
import type { Tf } from './backend.js';
import type { GradArgs } from './fused.js';
import { type Conv2DFields, layerFields } from './tfjs-node-internals.js';

// biome-ignore lint/suspicious/noExplicitAny: tfjs's layer classes and customGrad arguments are untyped.
type Any = any;

const inputConvCache = new WeakMap<object, Any>();

/**
 * A `tf.layers.conv2d` factory for the layer that reads the model's input (see the module
 * comment): same weights, config and serialised class name as tfjs's own Conv2D.
 */
export function inputConv2d(tf: Tf, args: Parameters<Tf['layers']['conv2d']>[0]) {
  let InputConv = inputConvCache.get(tf);
  if (!InputConv) {
    const Base = (tf.layers.conv2d({ filters: 1, kernelSize: 1 }) as Any).constructor;
    InputConv = class extends Base {
      call(inputs: TF.Tensor | TF.Tensor[], kwargs: Any) {
        const x = (Array.isArray(inputs) ? inputs[0] : inputs) as TF.Tensor4D;
        const self = kwargs?.training ? layerFields<Conv2DFields>(tf, this) : null;
        const plain =
          !self ||
          x.rank !== 4 ||
          x.dtype !== 'float32' ||
          !self.useBias ||
          self.dataFormat !== 'channelsLast' ||
          (self.activation?.getClassName?.() ?? 'linear') !== 'linear' ||
          self.dilationRate.some((d) => d !== 1);
        if (plain) return super.call(inputs, kwargs);
        const strides = self.strides;
        const pad = self.padding;
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
                    tf.Conv2DBackpropFilter,
                    { x: saved[0], dy },
                    { strides, pad, dataFormat: 'NHWC', filterShape: kernel.shape },
                  ) as TF.Tensor,
                tf.sum(dy, [0, 1, 2]),
              ],
            };
          });
          return f(x, self.kernel.read() as TF.Tensor4D, self.bias.read() as TF.Tensor1D);
        });
      }
    };
    inputConvCache.set(tf, InputConv);
  }
  return new InputConv(args) as TF.layers.Layer;
}
