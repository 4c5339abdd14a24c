/**
 * Power to decibels, as `librosa.power_to_db`:
 * `10·log10(max(amin, S)) − 10·log10(max(amin, ref))`, then clamped at
 * `max − topDb` when `topDb` is not null. In place.
 */
export function powerToDbInPlace(
  s: Float32Array,
  ref = 1,
  amin = 1e-10,
  topDb: number | null = 80,
): Float32Array {
  const aminF = Math.fround(amin);
  const offset = 10 * Math.log10(Math.max(Math.fround(ref), aminF));
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < s.length; i++) {
    const v = 10 * Math.log10(Math.max(s[i], aminF)) - offset;
    s[i] = v;
    if (s[i] > peak) peak = s[i];
  }
  if (topDb !== null) {
    const floor = Math.fround(peak - topDb);
    for (let i = 0; i < s.length; i++) if (s[i] < floor) s[i] = floor;
  }
  return s;
}
