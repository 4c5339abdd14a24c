/**
 * SpecAugment's time and frequency masking (Park et al., "SpecAugment: A Simple Data
 * Augmentation Method for Automatic Speech Recognition", Interspeech 2019, §2), without time
 * warping: an opt-in regulariser of {@link train} (`specAugment`), applied to each training batch
 * after the z-score, so a masked cell becomes 0, the training mean.
 */
import type { SpecAugmentOptions } from './types.js';

/**
 * Defaults of {@link SpecAugmentOptions}: 2 frequency masks of 0 … 16 mel bands and 2 time masks
 * of 0 … 26 frames (≈ 0.3 s at hop 512 and 44.1 kHz) per training spectrogram and epoch.
 */
export const SPEC_AUGMENT_DEFAULTS: Readonly<SpecAugmentOptions> = Object.freeze({
  frequencyMasks: 2,
  maxFrequencyWidth: 16,
  timeMasks: 2,
  maxTimeWidth: 26,
});

const KEYS = ['frequencyMasks', 'maxFrequencyWidth', 'timeMasks', 'maxTimeWidth'] as const;

/**
 * Check masking options against an input of `h` mel bands × `w` frames: mask counts are
 * integers ≥ 0, widths integers below the axis they mask. One-line errors naming the option
 * (`<name>.<field>`), its allowed range and the value received.
 *
 * @returns the four fields alone, in a fixed order (for fingerprints and reports).
 */
export function checkSpecAugmentOptions(
  opts: unknown,
  h: number,
  w: number,
  name = 'specAugment',
): SpecAugmentOptions {
  if (!opts || typeof opts !== 'object') {
    throw new Error(
      `${name}: expected false or { ${KEYS.join(', ')} }, got ${JSON.stringify(opts)}`,
    );
  }
  const o = opts as Record<string, unknown>;
  const ranges: Record<(typeof KEYS)[number], [number, string]> = {
    frequencyMasks: [Number.POSITIVE_INFINITY, 'an integer ≥ 0'],
    maxFrequencyWidth: [h - 1, `an integer in 0…${h - 1} (narrower than the ${h} mel bands)`],
    timeMasks: [Number.POSITIVE_INFINITY, 'an integer ≥ 0'],
    maxTimeWidth: [w - 1, `an integer in 0…${w - 1} (narrower than the ${w} frames)`],
  };
  for (const k of KEYS) {
    const v = o[k];
    const [max, want] = ranges[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      throw new Error(`${name}.${k}: expected ${want}, got ${JSON.stringify(v)}`);
    }
  }
  return {
    frequencyMasks: o.frequencyMasks as number,
    maxFrequencyWidth: o.maxFrequencyWidth as number,
    timeMasks: o.timeMasks as number,
    maxTimeWidth: o.maxTimeWidth as number,
  };
}

/**
 * Mask `count` spectrograms of `batch` in place (layout [count][h][w]: `h` mel bands, `w`
 * frames, mel-major, as {@link train} feeds the model), each independently: `frequencyMasks`
 * times, a width f uniform in 0 … `maxFrequencyWidth` and a first band uniform in 0 … h − f,
 * then rows [first, first + f) set to 0; then `timeMasks` times the same over frames with
 * `maxTimeWidth`, columns set to 0 in every band. Masks may overlap. Two draws of `rand` per
 * mask (width, then start), example after example, so the same generator state gives the same
 * masks.
 *
 * @param rand Generator of floats in [0, 1), e.g. {@link seededRandom}.
 * @throws Error for options {@link checkSpecAugmentOptions} refuses, or a batch that is not
 *   `count × h × w` values.
 */
export function applySpecAugment(
  batch: Float32Array,
  count: number,
  h: number,
  w: number,
  opts: SpecAugmentOptions,
  rand: () => number,
): void {
  const per = h * w;
  if (!Number.isInteger(count) || count < 0 || batch.length !== count * per) {
    throw new Error(
      `applySpecAugment: expected ${count} × ${h} × ${w} = ${count * per} values, got ${batch.length}`,
    );
  }
  const o = checkSpecAugmentOptions(opts, h, w);
  for (let e = 0; e < count; e++) {
    const base = e * per;
    for (let m = 0; m < o.frequencyMasks; m++) {
      const f = Math.floor(rand() * (o.maxFrequencyWidth + 1));
      const f0 = Math.floor(rand() * (h - f + 1));
      batch.fill(0, base + f0 * w, base + (f0 + f) * w);
    }
    for (let m = 0; m < o.timeMasks; m++) {
      const t = Math.floor(rand() * (o.maxTimeWidth + 1));
      const t0 = Math.floor(rand() * (w - t + 1));
      if (t === 0) continue;
      for (let row = base; row < base + per; row += w) batch.fill(0, row + t0, row + t0 + t);
    }
  }
}
