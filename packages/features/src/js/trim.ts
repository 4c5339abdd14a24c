/**
 * Leading and trailing silence removal, as `librosa.effects.trim`: RMS of
 * centred, zero-padded frames, in dB relative to the loudest frame (amin 1e-5),
 * keeping from the first to the last frame louder than `-topDb`. Frame `i`
 * covers samples `[i·hop − frame/2, i·hop + frame/2)`; the kept span is
 * `[first·hop, min(len, (last + 1)·hop))`. Same as `crates/ser-dsp/src/trim.rs`.
 */

/** Power floor of `amplitude_to_db`: amin = 1e-5, squared. */
export const AMIN_POWER = 1e-10;

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
  return boundsFromPowers(framePowers(y, frameLength, hopLength), n, topDb, hopLength);
}

/**
 * Mean square of every trim frame of `y` (frame `i` centred on sample `i·hop`, zero-padded:
 * `1 + (len + 2·(frame/2) − frame) / hop` frames; none for an empty input or a zero frame or
 * hop). Shared by {@link trimBounds} and the minimum-speech rule (`minLength.ts`).
 */
export function framePowers(y: Float32Array, frameLength: number, hopLength: number): Float64Array {
  const n = y.length;
  if (n === 0 || frameLength === 0 || hopLength === 0) return new Float64Array(0);
  const half = Math.floor(frameLength / 2);
  const padded = n + 2 * half;
  if (padded < frameLength) return new Float64Array(0);
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
  for (let f = 0; f < nFrames; f++) {
    const start = f * hopLength - half;
    const s = Math.min(Math.max(start, 0), n);
    const e = Math.min(Math.max(start + frameLength, 0), n);
    powers[f] = (prefix[e] - prefix[s]) / frameLength;
  }
  return powers;
}

/** A frame's mean square in dB, floored at `AMIN_POWER` (-100 dB), as `amplitude_to_db`. */
export function powerDb(p: number): number {
  return 10 * Math.log10(Math.max(p, AMIN_POWER));
}

/** `[start, end)` kept from frame mean squares `powers` of `n` samples (see {@link trimBounds}). */
export function boundsFromPowers(
  powers: Float64Array,
  n: number,
  topDb: number,
  hopLength: number,
): [number, number] {
  if (powers.length === 0) return [0, n];
  let peak = 0;
  for (const p of powers) if (p > peak) peak = p;
  const refDb = powerDb(peak);
  const loud = (p: number) => powerDb(p) - refDb > -topDb;
  let first = -1;
  for (let f = 0; f < powers.length; f++) {
    if (loud(powers[f])) {
      first = f;
      break;
    }
  }
  if (first < 0) return [0, 0];
  let last = first;
  for (let f = powers.length - 1; f >= first; f--) {
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
