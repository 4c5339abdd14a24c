/**
 * Adaptive Wiener filter, as `scipy.signal.wiener(y, mysize)`: local mean `m`
 * and variance `v = E[x²] − m²` over a centred window of `size` samples (zeros
 * beyond the edges, always divided by `size`); noise = mean of `v`; the output
 * is `m` where `v < noise`, else `(y − m)(1 − noise / v) + m`. Float64 like
 * scipy; same as `crates/ser-dsp/src/wiener.rs`.
 */
import { invalidOption, SerkitError } from '../errors.js';

/** The error of an input without any signal (scipy would return NaN: 0 / 0). */
export function silentError(): SerkitError {
  return new SerkitError('ERR_SER_SILENT', 'silent input: every sample is zero');
}

/** Wiener-filter `y` with a window of `size` samples (odd) into `out` (a new array by default). */
export function wiener(
  y: Float32Array,
  size: number,
  out: Float32Array = new Float32Array(y.length),
): Float32Array {
  if (!(Number.isInteger(size) && size >= 1 && size % 2 === 1)) {
    throw invalidOption('wienerSize', 'an odd integer >= 1', size);
  }
  const n = y.length;
  let any = false;
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0) {
      any = true;
      break;
    }
  }
  if (!any) throw silentError();
  const half = (size - 1) / 2;
  const inv = 1 / size;
  const at = (i: number) => (i >= 0 && i < n ? y[i] : 0);
  let sum = 0;
  let sumSq = 0;
  for (let j = -half; j <= half; j++) {
    const v = at(j);
    sum += v;
    sumSq += v * v;
  }
  const mean = new Float64Array(n);
  const variance = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const m = sum * inv;
    const v = sumSq * inv - m * m;
    mean[i] = m;
    variance[i] = v;
    total += v;
    const leaving = at(i - half);
    const entering = at(i + half + 1);
    sum += entering - leaving;
    sumSq += entering * entering - leaving * leaving;
  }
  const noise = total / n;
  for (let i = 0; i < n; i++) {
    const m = mean[i];
    const v = variance[i];
    out[i] = v < noise ? m : (y[i] - m) * (1 - noise / v) + m;
  }
  return out;
}
