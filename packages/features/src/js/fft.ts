/**
 * Real FFTs of any even size on top of fft.js (radix-4, power-of-two sizes
 * only). A real transform of size n is one complex transform of size n/2 (the
 * usual even/odd packing); that complex transform is fft.js itself for a power
 * of two, and Bluestein's chirp-z algorithm otherwise (a circular convolution
 * done with fft.js transforms of the next power of two ≥ n − 1). Plans,
 * chirps and buffers are made once per size.
 */
import FFT from 'fft.js';

const isPow2 = (n: number) => n > 1 && (n & (n - 1)) === 0;

/** An unnormalised complex DFT of size `n` (sign −i), float64, interleaved re/im buffers. */
class ComplexDft {
  /** Interleaved input (2n numbers), filled by the caller. */
  readonly input: Float64Array;
  /** Interleaved output (2n numbers), written by {@link forward}. Plain arrays: fft.js writes them faster than typed arrays. */
  readonly output: number[];
  private readonly n: number;
  private readonly nonzero: number;
  private readonly fft?: FFT;
  private readonly m: number = 0;
  private readonly big?: FFT;
  private readonly chirp?: Float64Array;
  private readonly filterF?: Float64Array;
  private readonly a?: number[];
  private readonly af?: number[];

  /**
   * @param n Transform size.
   * @param nonzero Inputs past this index are always zero (a shorter convolution suffices).
   */
  constructor(n: number, nonzero = n) {
    this.n = n;
    this.nonzero = Math.max(1, Math.min(n, nonzero));
    this.input = new Float64Array(2 * n);
    this.output = new Array<number>(2 * n).fill(0);
    if (n === 1) return;
    if (isPow2(n)) {
      this.fft = new FFT(n);
      return;
    }
    // Outputs 0..n−1 of the convolution of `nonzero` inputs with the chirp on −(nonzero−1)..n−1.
    let m = 2;
    while (m < n + this.nonzero - 1) m *= 2;
    this.m = m;
    this.big = new FFT(m);
    // chirp[k] = exp(−iπk²/n), k² reduced mod 2n so that the phase stays exact.
    const chirp = new Float64Array(2 * n);
    const twoN = 2 * n;
    for (let k = 0; k < n; k++) {
      const k2 = (k * k) % twoN; // exact: k < 2^26 for every size used here
      const phase = (Math.PI * k2) / n;
      chirp[2 * k] = Math.cos(phase);
      chirp[2 * k + 1] = -Math.sin(phase);
    }
    this.chirp = chirp;
    const b = new Float64Array(2 * m);
    for (let k = 0; k < n; k++) {
      b[2 * k] = chirp[2 * k];
      b[2 * k + 1] = -chirp[2 * k + 1];
      if (k > 0 && k < this.nonzero) {
        b[2 * (m - k)] = chirp[2 * k];
        b[2 * (m - k) + 1] = -chirp[2 * k + 1];
      }
    }
    const filterF = new Float64Array(2 * m);
    const tmp = this.big.createComplexArray();
    this.big.transform(tmp, b);
    filterF.set(tmp);
    for (let i = 0; i < 2 * m; i++) filterF[i] /= m;
    this.filterF = filterF;
    this.a = this.big.createComplexArray();
    this.af = this.big.createComplexArray();
  }

  /** Forward DFT of {@link input} into {@link output}. */
  forward(): number[] {
    const { n, input, output } = this;
    if (n === 1) {
      output[0] = input[0];
      output[1] = input[1];
      return output;
    }
    if (this.fft) {
      this.fft.transform(output, input);
      return output;
    }
    const m = this.m;
    const c = this.chirp as Float64Array;
    const ff = this.filterF as Float64Array;
    const a = this.a as number[];
    const af = this.af as number[];
    const big = this.big as FFT;
    const nz = 2 * this.nonzero;
    for (let k = 0; k < nz; k += 2) {
      const xr = input[k];
      const xi = input[k + 1];
      a[k] = xr * c[k] - xi * c[k + 1];
      a[k + 1] = xr * c[k + 1] + xi * c[k];
    }
    a.fill(0, nz);
    big.transform(af, a);
    for (let k = 0; k < 2 * m; k += 2) {
      const ar = af[k];
      const ai = af[k + 1];
      const br = ff[k];
      const bi = ff[k + 1];
      // Conjugated product: the forward transform below then computes the inverse one.
      af[k] = ar * br - ai * bi;
      af[k + 1] = -(ar * bi + ai * br);
    }
    big.transform(a, af);
    for (let k = 0; k < 2 * n; k += 2) {
      const yr = a[k];
      const yi = -a[k + 1];
      output[k] = yr * c[k] - yi * c[k + 1];
      output[k + 1] = yr * c[k + 1] + yi * c[k];
    }
    return output;
  }
}

/**
 * A real FFT of even size `n`: forward `n` reals → bins `0..n/2`, inverse
 * bins `0..n/2` → `n` reals, both unnormalised (like realfft / rustfft).
 */
export class RealFft {
  /** Transform size. */
  readonly size: number;
  private readonly forwardOnly: boolean;
  private readonly half: ComplexDft;
  private readonly pow2?: FFT;
  private readonly spec?: number[];
  /** e^{−2πik/n}, k = 0..n/2, interleaved. */
  private readonly twiddle: Float64Array;

  /**
   * @param n Transform size (even).
   * @param nonzero Forward inputs past this index are always zero (lets a non-power-of-two
   *   transform use a shorter convolution); the inverse must then not be used.
   */
  constructor(n: number, nonzero = n) {
    if (!(Number.isInteger(n) && n >= 2 && n % 2 === 0)) {
      throw new RangeError(`RealFft: size must be an even integer >= 2, received ${n}`);
    }
    this.size = n;
    this.forwardOnly = nonzero < n;
    this.half = new ComplexDft(n / 2, Math.ceil(nonzero / 2));
    if (isPow2(n) && n >= 4) {
      this.pow2 = new FFT(n);
      this.spec = this.pow2.createComplexArray();
    }
    this.twiddle = new Float64Array(n + 2);
    for (let k = 0; k <= n / 2; k++) {
      this.twiddle[2 * k] = Math.cos((2 * Math.PI * k) / n);
      this.twiddle[2 * k + 1] = -Math.sin((2 * Math.PI * k) / n);
    }
  }

  /** Forward transform of `input` (`size` reals) into bins `0..size/2` of `re` and `im`. */
  forward(input: Float64Array, re: Float64Array, im: Float64Array): void {
    const n = this.size;
    const h = n / 2;
    if (this.pow2) {
      const s = this.spec as number[];
      this.pow2.realTransform(s, input);
      for (let k = 0; k <= h; k++) {
        re[k] = s[2 * k];
        im[k] = s[2 * k + 1];
      }
      return;
    }
    const z = this.half.input;
    z.set(input.subarray(0, n));
    const Z = this.half.forward();
    const w = this.twiddle;
    for (let k = 0; k <= h; k++) {
      const k1 = k === h ? 0 : k;
      const k2 = k === 0 ? 0 : h - k;
      const ar = Z[2 * k1];
      const ai = Z[2 * k1 + 1];
      const br = Z[2 * k2];
      const bi = -Z[2 * k2 + 1]; // conj(Z[h − k])
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai + bi);
      // O = (Z[k] − conj(Z[h−k])) / 2i
      const dr = 0.5 * (ar - br);
      const di = 0.5 * (ai - bi);
      const or = di;
      const oi = -dr;
      const wr = w[2 * k];
      const wi = w[2 * k + 1];
      re[k] = er + wr * or - wi * oi;
      im[k] = ei + wr * oi + wi * or;
    }
  }

  /** `|X[k]|²` of the forward transform of `input`, k = 0..size/2, into `out` from `offset`. */
  forwardPower(input: Float64Array, out: Float32Array, offset: number): void {
    const h = this.size / 2;
    if (this.pow2) {
      const s = this.spec as number[];
      this.pow2.realTransform(s, input);
      for (let k = 0; k <= h; k++) {
        const a = s[2 * k];
        const b = s[2 * k + 1];
        out[offset + k] = a * a + b * b;
      }
      return;
    }
    if (!this.powRe || !this.powIm) {
      this.powRe = new Float64Array(h + 1);
      this.powIm = new Float64Array(h + 1);
    }
    const re = this.powRe;
    const im = this.powIm;
    this.forward(input, re, im);
    for (let k = 0; k <= h; k++) out[offset + k] = re[k] * re[k] + im[k] * im[k];
  }

  private powRe?: Float64Array;
  private powIm?: Float64Array;

  /**
   * Inverse transform of bins `0..size/2` (the imaginary parts of DC and
   * Nyquist are ignored), unnormalised, into `out` (`size` reals).
   */
  inverse(re: Float64Array, im: Float64Array, out: Float64Array): void {
    if (this.forwardOnly)
      throw new Error('RealFft: this plan was made for sparse forward transforms only');
    const n = this.size;
    const h = n / 2;
    const w = this.twiddle;
    const Z = this.half.input;
    // Z[k] = (X[k] + X[k+h]) + i·W^{−k}(X[k] − X[k+h]), X[k+h] = conj(X[h−k]);
    // built conjugated, so that the forward transform gives conj(z).
    for (let k = 0; k < h; k++) {
      const xr = re[k];
      const xi = k === 0 ? 0 : im[k];
      const yr = re[h - k];
      const yi = k === 0 ? 0 : -im[h - k];
      const sr = xr + yr;
      const si = xi + yi;
      const dr = xr - yr;
      const di = xi - yi;
      // W^{−k} = conj(twiddle[k])
      const wr = w[2 * k];
      const wi = -w[2 * k + 1];
      const tr = wr * dr - wi * di;
      const ti = wr * di + wi * dr;
      Z[2 * k] = sr - ti;
      Z[2 * k + 1] = -(si + tr);
    }
    const z = this.half.forward();
    for (let t = 0; t < h; t++) {
      out[2 * t] = z[2 * t];
      out[2 * t + 1] = -z[2 * t + 1];
    }
  }
}
