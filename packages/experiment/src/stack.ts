/** Stacking per-file spectrograms into the model's example matrix. */
import type { Examples } from '@serkit/model';

/**
 * Stack the spectrograms of the files `indices` (all their copies, or only the originals)
 * with their labels; failed files (null) are left out.
 *
 * @param perFile Per file: `copies × featureLen` values (original first), or null.
 * @param labels Class index of every file.
 * @param featureLen Values per spectrogram (`nMels × nFrames`).
 */
export function stackExamples(
  perFile: readonly (Float32Array | null)[],
  labels: readonly number[],
  indices: readonly number[],
  featureLen: number,
  copies: 'all' | 'original',
): Examples & { labels: Int32Array } {
  const ok = indices.filter((i) => perFile[i] !== null);
  const per = (i: number) =>
    copies === 'all' ? (perFile[i] as Float32Array).length / featureLen : 1;
  const rows = ok.reduce((n, i) => n + per(i), 0);
  const x = new Float32Array(rows * featureLen);
  const y = new Int32Array(rows);
  let r = 0;
  for (const i of ok) {
    const f = perFile[i] as Float32Array;
    for (let c = 0; c < per(i); c++, r++) {
      x.set(f.subarray(c * featureLen, (c + 1) * featureLen), r * featureLen);
      y[r] = labels[i];
    }
  }
  return { x, labels: y };
}
