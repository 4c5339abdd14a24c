/** Test helpers (not exported from the package index). */

import type * as TF from '@tensorflow/tfjs';
import type { Tf } from './backend.js';
import { seededRandom } from './random.js';
import type { CrnnOptions, Examples } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: serialised layer configs are untyped.
type Any = any;

/** A small CRNN configuration for fast tests: 16 mel × 20 frames, two thin blocks. */
export const TINY: CrnnOptions = {
  numClasses: 3,
  nMels: 16,
  nFrames: 20,
  blocks: [
    { filters: 4, kernel: 3, pool: 2 },
    { filters: 4, kernel: 3, pool: 4 },
  ],
  lstmUnits: 4,
  seed: 7,
};

/** Random data set; with `learnable`, class c has its energy in mel band block c. */
export function randomDataset(
  n: number,
  nMels: number,
  nFrames: number,
  k: number,
  seed: number,
  learnable = false,
): Examples {
  const rand = seededRandom(seed);
  const per = nMels * nFrames;
  const x = new Float32Array(n * per);
  const labels = new Int32Array(n);
  for (let e = 0; e < n; e++) {
    const c = e % k;
    labels[e] = c;
    for (let i = 0; i < per; i++) {
      const band = Math.floor(i / nFrames);
      const hot = learnable && Math.floor((band * k) / nMels) === c;
      x[e * per + i] = -60 + 20 * rand() + (hot ? 30 : 0);
    }
  }
  return { x, labels };
}

/**
 * A copy of `model` whose LSTM uses tfjs's hardSigmoid recurrent activation, as models saved
 * before sigmoid became the default did (the native LSTM kernels do not fit it).
 */
export async function withHardSigmoidLstm(tf: Tf, model: TF.LayersModel): Promise<TF.LayersModel> {
  const topology = model.toJSON(null, false) as {
    config: { layers: { name: string; config: Any }[] };
  };
  const bilstm = topology.config.layers.find((l) => l.name === 'bilstm');
  if (!bilstm) throw new Error('withHardSigmoidLstm: the model has no layer named bilstm');
  bilstm.config.layer.config.recurrent_activation = 'hard_sigmoid';
  const old = await tf.models.modelFromJSON({ modelTopology: topology } as never);
  old.setWeights(model.getWeights());
  return old;
}
