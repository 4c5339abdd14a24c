/**
 * Power spectrogram `|STFT|²`, as `librosa.stft(center=True, pad_mode='constant')`
 * with a periodic Hann window of `nFft` samples. The FFT plan (fft.js), the
 * window and the scratch buffers are made once and reused for every signal.
 */
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
    for (let t = 0; t < nFrames; t++) {
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
