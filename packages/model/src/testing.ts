/** Test helpers (not exported from the package index). */

import { seededRandom } from './train.js';
import type { CrnnOptions, Dataset } from './types.js';

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
): Dataset {
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
