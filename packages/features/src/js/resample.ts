/**
 * Band-limited resampling, the same method as the native engine (rubato's
 * synchronous FFT resampler, as `crates/ser-dsp/src/resample.rs` computes it):
 *
 * - the input is cut into blocks of `nIn` samples (`nIn / nOut = from / to`);
 * - each block is zero-padded to `2·nIn`, transformed, multiplied by the spectrum
 *   of a windowed-sinc low-pass (`nIn` taps, squared Blackman-Harris window,
 *   cutoff just below the lower Nyquist), its spectrum cut or zero-extended to
 *   `nOut + 1` bins, inverse-transformed to `2·nOut` samples and overlap-added;
 * - the filter's delay (`nOut / 2` output samples) is dropped, so the output
 *   lines up sample for sample with librosa's soxr_hq, `ceil(len · to / from)` long.
 *
 * The FFTs are fft.js (via {@link RealFft}); only the method is written here.
 */
import { invalidOption } from '../errors.js';
import { RealFft } from './fft.js';

/**
 * Length of the shorter block the anti-aliasing filter is sized for: puts its transition on
 * soxr HQ's band (91.3–100 % of the lower Nyquist), as `FILTER_BLOCK` in resample.rs.
 */
const FILTER_BLOCK = 300;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Input and output block lengths for `from → to` (both even, see resample.rs). */
export function blockFrames(from: number, to: number): [number, number] {
  const g = gcd(from, to);
  const unitIn = from / g;
  const unitOut = to / g;
  const unit = Math.min(unitIn, unitOut);
  let k = Math.max(1, Math.floor((FILTER_BLOCK + Math.floor(unit / 2)) / unit));
  if ((k * unitIn) % 2 === 1 || (k * unitOut) % 2 === 1) k += 1;
  return [k * unitIn, k * unitOut];
}

/**
 * The coefficients of rubato 5.1.0's cutoff fit for the `BlackmanHarris2` window
 * (`calculate_cutoff` in rubato's `src/windows.rs`): `1 / (k1/n + k2/n² + k3/n³ + 1)`.
 * The native engine holds the same constants, and its test
 * `resample::tests::cutoff_fit_constants_are_rubatos` (rubato exactly 5.1.0 is a
 * dev-dependency of crates/ser-dsp) fails if rubato's own values ever differ from these.
 */
const RUBATO_BH2_CUTOFF_FIT = [13.745202940783823, 121.73532586374934, 5964.163279612051] as const;

/** rubato's fitted cutoff for a squared Blackman-Harris sinc of `n` points (relative to Nyquist). */
function cutoffFor(n: number): number {
  const f = Math.fround;
  const [k1, k2, k3] = RUBATO_BH2_CUTOFF_FIT.map(f);
  const x = f(n);
  return f(1 / f(f(f(k1 / x) + f(k2 / f(x * x))) + f(f(k3 / f(f(x * x) * x)) + 1)));
}

/** Periodic Blackman-Harris window, squared. */
function blackmanHarris2(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = (2 * Math.PI * i) / n;
    const v =
      0.35875 - 0.48829 * Math.cos(x) + 0.14128 * Math.cos(2 * x) - 0.01168 * Math.cos(3 * x);
    w[i] = v * v;
  }
  return w;
}

const sinc = (x: number) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));

/** A resampler for one rate pair; plans, filter and buffers are made once and reused. */
export class Resampler {
  /** Input rate, Hz. */
  readonly fromHz: number;
  /** Output rate, Hz. */
  readonly toHz: number;
  private plan?: {
    nIn: number;
    nOut: number;
    keep: number;
    fwd: RealFft;
    inv: RealFft;
    filtRe: Float64Array;
    filtIm: Float64Array;
    block: Float64Array;
    re: Float64Array;
    im: Float64Array;
    oRe: Float64Array;
    oIm: Float64Array;
    out: Float64Array;
    overlap: Float64Array;
  };

  constructor(fromHz: number, toHz: number) {
    for (const [name, hz] of [
      ['fromHz', fromHz],
      ['toHz', toHz],
    ] as const) {
      if (!(Number.isInteger(hz) && hz >= 1000 && hz <= 384000)) {
        throw invalidOption(name, 'an integer in 1000..=384000 Hz', hz);
      }
    }
    this.fromHz = fromHz;
    this.toHz = toHz;
  }

  /** Output samples for `inputLen` input samples: `ceil(len · to / from)` (as rubato computes it). */
  outputLength(inputLen: number): number {
    if (this.fromHz === this.toHz) return inputLen;
    const [nIn, nOut] = blockFrames(this.fromHz, this.toHz);
    return Math.ceil((nOut / nIn) * inputLen);
  }

  private makePlan() {
    const [nIn, nOut] = blockFrames(this.fromHz, this.toHz);
    const cutoff =
      nIn > nOut ? Math.fround(Math.fround(cutoffFor(nOut) * nOut) / nIn) : cutoffFor(nIn);
    const win = blackmanHarris2(nIn);
    const taps = new Float64Array(2 * nIn);
    let sum = 0;
    const centre = Math.floor(nIn / 2);
    for (let x = 0; x < nIn; x++) {
      const v = win[x] * sinc((x - centre) * cutoff);
      taps[x] = v;
      sum += v;
    }
    for (let x = 0; x < nIn; x++) taps[x] = taps[x] / sum / (2 * nIn);
    const fwd = new RealFft(2 * nIn, nIn); // blocks are zero-padded: only nIn inputs are non-zero
    const inv = new RealFft(2 * nOut);
    const filtRe = new Float64Array(nIn + 1);
    const filtIm = new Float64Array(nIn + 1);
    fwd.forward(taps, filtRe, filtIm);
    this.plan = {
      nIn,
      nOut,
      keep: nIn < nOut ? nIn + 1 : nOut,
      fwd,
      inv,
      filtRe,
      filtIm,
      block: new Float64Array(2 * nIn),
      re: new Float64Array(nIn + 1),
      im: new Float64Array(nIn + 1),
      oRe: new Float64Array(nOut + 1),
      oIm: new Float64Array(nOut + 1),
      out: new Float64Array(2 * nOut),
      overlap: new Float64Array(nOut),
    };
    return this.plan;
  }

  /** Resample a whole clip (a copy when the rates are equal). */
  process(input: Float32Array): Float32Array {
    if (this.fromHz === this.toHz) return input.slice();
    if (input.length === 0) return new Float32Array(0);
    const p = this.plan ?? this.makePlan();
    const { nIn, nOut, keep, block, re, im, oRe, oIm, out, overlap, filtRe, filtIm } = p;
    const wanted = this.outputLength(input.length);
    const delay = nOut / 2;
    const result = new Float32Array(wanted);
    overlap.fill(0);
    let produced = 0; // output samples of the stream so far (delay included)
    for (let start = 0; produced < wanted + delay; start += nIn) {
      // One block: input samples (zeros past the end), zero-padded to 2·nIn.
      for (let i = 0; i < nIn; i++) {
        const j = start + i;
        block[i] = j < input.length ? input[j] : 0;
      }
      block.fill(0, nIn);
      p.fwd.forward(block, re, im);
      for (let k = 0; k < keep; k++) {
        const a = re[k];
        const b = im[k];
        oRe[k] = a * filtRe[k] - b * filtIm[k];
        oIm[k] = a * filtIm[k] + b * filtRe[k];
      }
      oRe.fill(0, keep);
      oIm.fill(0, keep);
      p.inv.inverse(oRe, oIm, out);
      for (let i = 0; i < nOut; i++) {
        const t = produced + i - delay;
        if (t >= 0 && t < wanted) result[t] = out[i] + overlap[i];
      }
      overlap.set(out.subarray(nOut));
      produced += nOut;
    }
    return result;
  }
}

/** Resample `input` from `fromHz` to `toHz` (a copy when the rates are equal). */
export function resample(input: Float32Array, fromHz: number, toHz: number): Float32Array {
  return new Resampler(fromHz, toHz).process(input);
}
