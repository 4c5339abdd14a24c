/** Pad with zeros at the end, or cut, to a fixed length (`librosa.util.fix_length`). */

/** `y` cut or zero-padded at the end to exactly `n` samples (into `out` when given). */
export function fixLength(
  y: Float32Array,
  n: number,
  out: Float32Array = new Float32Array(n),
): Float32Array {
  if (out.length !== n) throw new RangeError(`fixLength: out must hold ${n} samples`);
  const keep = Math.min(y.length, n);
  out.set(y.subarray(0, keep));
  out.fill(0, keep);
  return out;
}
