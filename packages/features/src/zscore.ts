import { SerkitError } from './errors.js';

/**
 * One mean and one standard deviation over every value of the training
 * spectrograms (SPEC §2): stored with the model and applied to every input at
 * evaluation and prediction time.
 */
export interface ZScoreStats {
  /** Mean of all values. */
  mean: number;
  /** Population standard deviation of all values (never 0: a constant input gives 1). */
  std: number;
  /** Number of values the statistics were computed from. */
  count: number;
}

function check(features: Float32Array, featureLen: number): number {
  if (!(Number.isInteger(featureLen) && featureLen > 0)) {
    throw new SerkitError(
      'ERR_SER_INVALID_ARG',
      `featureLen must be a positive integer, received ${featureLen}`,
    );
  }
  if (features.length % featureLen !== 0) {
    throw new SerkitError(
      'ERR_SER_INVALID_ARG',
      `features has ${features.length} values, not a multiple of featureLen ${featureLen}`,
    );
  }
  return features.length / featureLen;
}

/**
 * Fit the z-score statistics on the training rows only.
 *
 * @param features Stacked spectrograms `[nRows][featureLen]` (e.g. `[N][128·259]`).
 * @param featureLen Values per row (`nMels · nFrames`).
 * @param rows Indices of the training rows; all rows when omitted.
 * @example
 * const stats = fitZScore(batch.features, 128 * 259, trainRows);
 */
export function fitZScore(
  features: Float32Array,
  featureLen: number,
  rows?: Iterable<number>,
): ZScoreStats {
  const nRows = check(features, featureLen);
  const indices = rows ? [...rows] : Array.from({ length: nRows }, (_, i) => i);
  if (indices.length === 0) {
    throw new SerkitError('ERR_SER_INVALID_ARG', 'cannot fit z-score statistics on zero rows');
  }
  // Two passes in float64: exact enough for millions of float32 values.
  let sum = 0;
  for (const r of indices) {
    if (!(Number.isInteger(r) && r >= 0 && r < nRows)) {
      throw new SerkitError('ERR_SER_INVALID_ARG', `row ${r} is out of range 0..${nRows - 1}`);
    }
    const row = features.subarray(r * featureLen, (r + 1) * featureLen);
    for (let i = 0; i < row.length; i++) sum += row[i];
  }
  const count = indices.length * featureLen;
  const mean = sum / count;
  let sq = 0;
  for (const r of indices) {
    const row = features.subarray(r * featureLen, (r + 1) * featureLen);
    for (let i = 0; i < row.length; i++) {
      const d = row[i] - mean;
      sq += d * d;
    }
  }
  const std = Math.sqrt(sq / count);
  return { mean, std: std > 0 && Number.isFinite(std) ? std : 1, count };
}

/**
 * Apply z-score statistics: `(x − mean) / std` for every value.
 *
 * @param features Values to normalise (any length).
 * @param stats Statistics from {@link fitZScore}.
 * @param out Destination (may be `features` itself for in-place); a new array by default.
 */
export function applyZScore(
  features: Float32Array,
  stats: Pick<ZScoreStats, 'mean' | 'std'>,
  out: Float32Array = new Float32Array(features.length),
): Float32Array {
  if (out.length !== features.length) {
    throw new SerkitError(
      'ERR_SER_INVALID_ARG',
      `out has ${out.length} values, expected ${features.length}`,
    );
  }
  if (!(Number.isFinite(stats.mean) && Number.isFinite(stats.std) && stats.std > 0)) {
    throw new SerkitError(
      'ERR_SER_INVALID_ARG',
      `invalid z-score statistics: mean ${stats.mean}, std ${stats.std}`,
    );
  }
  const { mean } = stats;
  const inv = 1 / stats.std;
  for (let i = 0; i < features.length; i++) out[i] = (features[i] - mean) * inv;
  return out;
}
