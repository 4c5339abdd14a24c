/**
 * Power spectrogram `|STFT|²`, as `librosa.stft(center=True, pad_mode='constant')`
 * with a periodic Hann window of `nFft` samples. The FFT plan (fft.js), the
 * window and the scratch buffers are made once and reused for every signal.
 */
import FFT from 'fft.js';
import { RealFft } from './fft.js';

/** A reusable `|STFT|²` computer for one `(nFft, hop)` pair. */
export class PowerSpectrogram {
  /** FFT size and window length. */
  readonly nFft: number;
  /** Hop, samples. */
  readonly hop: number;
  private readonly window: Float64Array;
  private readonly fft: RealFft;
  private readonly frame: Float64Array;
  /** Power-of-two sizes: two frames per complex fft.js transform (one as the real part, one as the imaginary). */
  private readonly pair?: { fft: FFT; input: Float64Array; output: number[] };

  constructor(nFft: number, hopLength: number) {
    if (!(Number.isInteger(nFft) && nFft >= 2 && nFft % 2 === 0)) {
      throw new RangeError('nFft must be even and >= 2');
    }
    if (!(Number.isInteger(hopLength) && hopLength > 0))
      throw new RangeError('hopLength must be > 0');
    this.nFft = nFft;
    this.hop = hopLength;
    this.fft = new RealFft(nFft);
    // Periodic Hann (scipy.signal.get_window('hann', n, fftbins=True)), stored as float32 like the native one.
    this.window = new Float64Array(nFft);
    for (let i = 0; i < nFft; i++) {
      this.window[i] = Math.fround(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft));
    }
    this.frame = new Float64Array(nFft);
    if (nFft >= 4 && (nFft & (nFft - 1)) === 0) {
      const fft = new FFT(nFft);
      this.pair = { fft, input: new Float64Array(2 * nFft), output: fft.createComplexArray() };
    }
  }

  /** Frequency bins per frame: `nFft / 2 + 1`. */
  get nBins(): number {
    return this.nFft / 2 + 1;
  }

  /** Frames of a signal of `len` samples with centred frames: `1 + floor(len / hop)`. */
  nFrames(len: number): number {
    return 1 + Math.floor(len / this.hop);
  }

  /** `|X|²` of `y`, frame-major `[nFrames][nBins]`, into `out` (a new array by default). */
  process(y: Float32Array, out?: Float32Array): Float32Array {
    const nBins = this.nBins;
    const nFrames = this.nFrames(y.length);
    const result = out ?? new Float32Array(nFrames * nBins);
    if (result.length !== nFrames * nBins)
      throw new RangeError('out must hold nFrames * nBins values');
    const { frame, window, nFft } = this;
    const half = nFft / 2;
    const len = y.length;
    let t = 0;
    if (this.pair) {
      const { fft, input, output } = this.pair;
      for (; t + 1 < nFrames; t += 2) {
        // Frames t and t+1 as the real and imaginary parts of one complex signal.
        for (let part = 0; part < 2; part++) {
          const start = (t + part) * this.hop - half;
          const from = Math.max(0, -start);
          const to = Math.max(from, Math.min(nFft, len - start));
          for (let i = 0; i < from; i++) input[2 * i + part] = 0;
          for (let i = from; i < to; i++) input[2 * i + part] = y[start + i] * window[i];
          for (let i = to; i < nFft; i++) input[2 * i + part] = 0;
        }
        fft.transform(output, input);
        // X1[k] = (Z[k] + conj Z[N−k]) / 2, X2[k] = (Z[k] − conj Z[N−k]) / 2i.
        const b1 = t * nBins;
        const b2 = b1 + nBins;
        for (let k = 0; k < nBins; k++) {
          const nk = k === 0 ? 0 : nFft - k;
          const zr = output[2 * k];
          const zi = output[2 * k + 1];
          const wr = output[2 * nk];
          const wi = output[2 * nk + 1];
          const ar = 0.5 * (zr + wr);
          const ai = 0.5 * (zi - wi);
          const br = 0.5 * (zi + wi);
          const bi = 0.5 * (wr - zr);
          result[b1 + k] = ar * ar + ai * ai;
          result[b2 + k] = br * br + bi * bi;
        }
      }
    }
    for (; t < nFrames; t++) {
      // Frame t covers y[t·hop − nFft/2, t·hop + nFft/2), zeros outside.
      const start = t * this.hop - half;
      const from = Math.max(0, -start);
      const to = Math.min(nFft, len - start);
      frame.fill(0, 0, from);
      for (let i = from; i < to; i++) frame[i] = y[start + i] * window[i];
      frame.fill(0, Math.max(from, to));
      this.fft.forwardPower(frame, result, t * nBins);
    }
    return result;
  }
}
