/**
 * Mel filterbank, as `librosa.filters.mel(norm='slaney')` with the Slaney or
 * HTK mel scale, and its application to a power spectrogram. Weights are
 * computed in float64 and stored as float32 like librosa's; each filter's
 * non-zero span is kept so that applying it touches only those bins.
 */

/** Mel scale of the filterbank. */
export type MelScale = 'slaney' | 'htk';

const F_SP = 200 / 3;
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27;

/** Hz → mel (librosa `hz_to_mel`). */
export function hzToMel(hz: number, scale: MelScale = 'slaney'): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + hz / 700);
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOGSTEP : hz / F_SP;
}

/** Mel → Hz (librosa `mel_to_hz`). */
export function melToHz(mel: number, scale: MelScale = 'slaney'): number {
  if (scale === 'htk') return 700 * (10 ** (mel / 2595) - 1);
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** A triangular, area-normalised (Slaney) mel filterbank. */
export class MelFilterbank {
  /** Number of mel bands. */
  readonly nMels: number;
  /** STFT bins each filter spans (`nFft / 2 + 1`). */
  readonly nBins: number;
  /** Weights, mel-major `[nMels][nBins]`. */
  readonly weights: Float32Array;
  private readonly spanStart: Int32Array;
  private readonly spanEnd: Int32Array;

  constructor(
    sampleRate: number,
    nFft: number,
    nMels: number,
    fmin: number,
    fmax: number,
    scale: MelScale = 'slaney',
  ) {
    const nBins = Math.floor(nFft / 2) + 1;
    this.nMels = nMels;
    this.nBins = nBins;
    // fmin/fmax are float32 options in the native core.
    const minMel = hzToMel(Math.fround(fmin), scale);
    const maxMel = hzToMel(Math.fround(fmax), scale);
    const nPoints = nMels + 2;
    const step = (maxMel - minMel) / (nPoints - 1);
    const melF = new Float64Array(nPoints);
    for (let i = 0; i < nPoints; i++) {
      melF[i] = melToHz(i === nPoints - 1 ? maxMel : minMel + i * step, scale);
    }
    this.weights = new Float32Array(nMels * nBins);
    this.spanStart = new Int32Array(nMels);
    this.spanEnd = new Int32Array(nMels);
    for (let m = 0; m < nMels; m++) {
      const lo = melF[m];
      const mid = melF[m + 1];
      const hi = melF[m + 2];
      const enorm = 2 / (hi - lo);
      let first = nBins;
      let last = -1;
      for (let k = 0; k < nBins; k++) {
        const f = (k * sampleRate) / nFft;
        const lower = (f - lo) / (mid - lo);
        const upper = (hi - f) / (hi - mid);
        const w = Math.max(0, Math.min(lower, upper)) * enorm;
        if (w > 0) {
          this.weights[m * nBins + k] = w;
          if (k < first) first = k;
          last = k;
        }
      }
      if (first <= last) {
        this.spanStart[m] = first;
        this.spanEnd[m] = last + 1;
      }
    }
  }

  /**
   * Mel power `out[m][t] = Σ_k w[m][k] · power[t][k]`; `power` frame-major
   * `[nFrames][nBins]`, `out` mel-major `[nMels][nFrames]`.
   */
  apply(
    power: Float32Array,
    nFrames: number,
    out: Float32Array = new Float32Array(this.nMels * nFrames),
  ): Float32Array {
    const { nBins, weights } = this;
    if (power.length !== nFrames * nBins) throw new RangeError('power must be [nFrames][nBins]');
    if (out.length !== this.nMels * nFrames) throw new RangeError('out must be [nMels][nFrames]');
    for (let m = 0; m < this.nMels; m++) {
      const a = this.spanStart[m];
      const b = this.spanEnd[m];
      const wBase = m * nBins;
      const oBase = m * nFrames;
      for (let t = 0; t < nFrames; t++) {
        const pBase = t * nBins;
        let s = 0;
        for (let k = a; k < b; k++) s += weights[wBase + k] * power[pBase + k];
        out[oBase + t] = s;
      }
    }
    return out;
  }
}
