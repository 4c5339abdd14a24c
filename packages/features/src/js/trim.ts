/**
 * Leading and trailing silence removal, as `librosa.effects.trim`: RMS of
 * centred, zero-padded frames, in dB relative to the loudest frame (amin 1e-5),
 * keeping from the first to the last frame louder than `-topDb`. Frame `i`
 * covers samples `[i·hop − frame/2, i·hop + frame/2)`; the kept span is
 * `[first·hop, min(len, (last + 1)·hop))`. Same as `crates/ser-dsp/src/trim.rs`.
 */

/** Power floor of `amplitude_to_db`: amin = 1e-5, squared. */
const AMIN_POWER = 1e-10;

/**
 * Start and end sample (end exclusive) of the non-silent part of `y`.
 * `[0, 0]` when no frame is loud enough; an all-zero input counts as entirely
 * non-silent, as in librosa.
 */
export function trimBounds(
  y: Float32Array,
  topDb: number,
  frameLength: number,
  hopLength: number,
): [number, number] {
  const n = y.length;
  if (n === 0 || frameLength === 0 || hopLength === 0) return [0, 0];
  const half = Math.floor(frameLength / 2);
  const padded = n + 2 * half;
  if (padded < frameLength) return [0, n];
  const nFrames = 1 + Math.floor((padded - frameLength) / hopLength);
  // Prefix sums of squares (float64): every frame's mean square in O(1).
  const prefix = new Float64Array(n + 1);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const x = y[i];
    acc += x * x;
    prefix[i + 1] = acc;
  }
  const powers = new Float64Array(nFrames);
  let peak = 0;
  for (let f = 0; f < nFrames; f++) {
    const start = f * hopLength - half;
    const s = Math.min(Math.max(start, 0), n);
    const e = Math.min(Math.max(start + frameLength, 0), n);
    const p = (prefix[e] - prefix[s]) / frameLength;
    powers[f] = p;
    if (p > peak) peak = p;
  }
  const refDb = 10 * Math.log10(Math.max(peak, AMIN_POWER));
  const threshold = -topDb;
  const loud = (p: number) => 10 * Math.log10(Math.max(p, AMIN_POWER)) - refDb > threshold;
  let first = -1;
  for (let f = 0; f < nFrames; f++) {
    if (loud(powers[f])) {
      first = f;
      break;
    }
  }
  if (first < 0) return [0, 0];
  let last = first;
  for (let f = nFrames - 1; f >= first; f--) {
    if (loud(powers[f])) {
      last = f;
      break;
    }
  }
  return [first * hopLength, Math.min(n, (last + 1) * hopLength)];
}

/** The non-silent part of `y` (a view, see {@link trimBounds}). */
export function trim(
  y: Float32Array,
  topDb: number,
  frameLength: number,
  hopLength: number,
): Float32Array {
  const [start, end] = trimBounds(y, topDb, frameLength, hopLength);
  return y.subarray(start, end);
}
