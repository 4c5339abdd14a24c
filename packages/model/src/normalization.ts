/**
 * Input normalisation of the CRNN (SPEC §2): the dB reference of each spectrogram
 * ({@link DbReference}) and one z-score fitted on the training split.
 */
import type { DbReference, ZScore } from './types.js';

/** The allowed {@link DbReference} values. */
export const DB_REFERENCES: readonly DbReference[] = Object.freeze(['absolute', 'utterance-max']);

/** Largest of the `per` values of `x` from index `start`. */
export function exampleMax(x: Float32Array, start: number, per: number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = start; i < start + per; i++) if (x[i] > m) m = x[i];
  return m;
}

/**
 * Fit the input normalisation on training examples: with `dbReference` `'utterance-max'`, each
 * example (`per` values) is first shifted so its maximum is 0 dB; then one mean and one
 * population standard deviation over every value (a std of 0 becomes 1).
 *
 * @param x Examples back to back, `per` values each (log-mel dB, `[nMels][nFrames]`).
 * @throws Error when `x` is empty, not a whole number of examples, or holds NaN/Infinity.
 */
export function fitNormalization(
  x: Float32Array,
  per: number,
  dbReference: DbReference = 'absolute',
): ZScore {
  if (!DB_REFERENCES.includes(dbReference)) {
    throw new Error(
      `dbReference: expected one of ${DB_REFERENCES.join(', ')}, got ${JSON.stringify(dbReference)}`,
    );
  }
  if (x.length === 0 || !(per > 0) || x.length % per !== 0) {
    throw new Error(`fitNormalization: expected whole examples of ${per} values, got ${x.length}`);
  }
  const n = x.length / per;
  const shifts = new Float64Array(n);
  if (dbReference === 'utterance-max')
    for (let e = 0; e < n; e++) shifts[e] = exampleMax(x, e * per, per);
  let s = 0;
  for (let e = 0; e < n; e++) for (let i = e * per; i < (e + 1) * per; i++) s += x[i] - shifts[e];
  const mean = s / x.length;
  let v = 0;
  for (let e = 0; e < n; e++) {
    for (let i = e * per; i < (e + 1) * per; i++) v += (x[i] - shifts[e] - mean) ** 2;
  }
  const std = Math.sqrt(v / x.length);
  if (!Number.isFinite(mean) || !Number.isFinite(std)) {
    throw new Error('fitNormalization: features contain NaN or Infinity');
  }
  const z: ZScore = { mean, std: std > 0 ? std : 1 };
  if (dbReference !== 'absolute') z.dbReference = dbReference;
  return z;
}
