/**
 * The whole per-utterance pipeline in TypeScript: resample → trim → Wiener →
 * fix length → power STFT → mel → dB, mirroring `LogMelExtractor` of the Rust
 * core (`crates/ser-dsp/src/pipeline.rs`). One extractor holds every plan,
 * filterbank and scratch buffer; make one per worker and reuse it.
 */
import { SerkitError } from '../errors.js';
import { type DspOptionsInput, nFrames, nSamples, resolveDspOptions } from '../options.js';
import type { DspOptions } from '../types.js';
import { inFile, readWavJs } from './decode.js';
import { fixLength } from './fixLength.js';
import { MelFilterbank } from './mel.js';
import { checkMinSpeech } from './minLength.js';
import { Resampler } from './resample.js';
import { PowerSpectrogram } from './stft.js';
import { powerToDbInPlace } from './toDb.js';
import { boundsFromPowers, framePowers } from './trim.js';
import { silentError, wiener } from './wiener.js';

/** Reusable log-mel extractor for one set of options (pure TypeScript). */
export class JsLogMelExtractor {
  /** The options in force (merged over the SPEC defaults and validated). */
  readonly options: DspOptions;
  /** The mel filterbank in use. */
  readonly filterbank: MelFilterbank;
  private readonly resamplers = new Map<number, Resampler>();
  private readonly stft: PowerSpectrogram;
  private power: Float32Array;

  constructor(options: DspOptionsInput = {}) {
    const o = resolveDspOptions(options);
    this.options = o;
    this.stft = new PowerSpectrogram(o.nFft, o.hopLength);
    this.filterbank = new MelFilterbank(
      o.sampleRate,
      o.nFft,
      o.nMels,
      o.fmin,
      o.fmax ?? o.sampleRate / 2,
      o.melScale,
    );
    this.power = new Float32Array(nFrames(o) * this.stft.nBins);
  }

  /** Samples of a fixed-length utterance (132,300 by default). */
  get nSamples(): number {
    return nSamples(this.options);
  }

  /** Floats of one log-mel spectrogram (128 × 259 by default). */
  get featureLength(): number {
    return this.options.nMels * nFrames(this.options);
  }

  /**
   * Resample to the target rate, trim, Wiener-filter and fix the length:
   * exactly {@link nSamples} samples at `options.sampleRate`.
   */
  preprocess(
    samples: Float32Array,
    sampleRate: number,
    out = new Float32Array(this.nSamples),
  ): Float32Array {
    const o = this.options;
    if (out.length !== this.nSamples)
      throw new RangeError(`out must hold ${this.nSamples} samples`);
    if (samples.length === 0)
      throw new SerkitError('ERR_SER_EMPTY', 'no audio samples in the file');
    for (let i = 0; i < samples.length; i++) {
      if (!Number.isFinite(samples[i])) {
        throw new SerkitError(
          'ERR_SER_NON_FINITE',
          `non-finite sample (NaN or Inf) at sample ${i}`,
        );
      }
    }
    let resampled = samples;
    if (sampleRate !== o.sampleRate) {
      let r = this.resamplers.get(sampleRate);
      if (!r) {
        r = new Resampler(sampleRate, o.sampleRate);
        this.resamplers.set(sampleRate, r);
      }
      resampled = r.process(samples);
    }
    const n = resampled.length;
    const powers = framePowers(resampled, o.trimFrameLength, o.trimHopLength);
    const [start, end] = o.trim
      ? boundsFromPowers(powers, n, o.trimTopDb, o.trimHopLength)
      : [0, n];
    const trimmed = resampled.subarray(start, end);
    if (trimmed.every((x) => x === 0)) throw silentError();
    checkMinSpeech(powers, n, o.trimTopDb, o.trimFrameLength, o.trimHopLength, o.sampleRate);
    return fixLength(o.wiener ? wiener(trimmed, o.wienerSize) : trimmed, this.nSamples, out);
  }

  /** Log-mel dB of a waveform at `options.sampleRate`, mel-major `[nMels][1 + len / hop]`. */
  logMel(y: Float32Array, out?: Float32Array): Float32Array {
    const o = this.options;
    const frames = this.stft.nFrames(y.length);
    const need = frames * this.stft.nBins;
    if (this.power.length !== need) this.power = new Float32Array(need);
    this.stft.process(y, this.power);
    const mel: Float32Array = this.filterbank.apply(
      this.power,
      frames,
      out ?? new Float32Array(o.nMels * frames),
    );
    return powerToDbInPlace(mel, o.dbRef, o.amin, o.topDb);
  }

  /** Pre-process and extract: `[nMels][nFrames]` log-mel dB. */
  extract(samples: Float32Array, sampleRate: number, out?: Float32Array): Float32Array {
    return this.logMel(this.preprocess(samples, sampleRate), out);
  }

  /** Read, decode and extract one WAV file; errors name the file. */
  extractFile(path: string, out?: Float32Array): Float32Array {
    const audio = readWavJs(path);
    try {
      return this.extract(audio.samples, audio.sampleRate, out);
    } catch (err) {
      throw inFile(err, path);
    }
  }
}

/** Log-mel spectrogram (SPEC §2) of a waveform already at `options.sampleRate`. */
export function logMelSpectrogramJs(y: Float32Array, options: DspOptionsInput = {}): Float32Array {
  return new JsLogMelExtractor(options).logMel(y);
}

/** The whole front end (SPEC §1–2) on a waveform at any sample rate. */
export function extractJs(
  samples: Float32Array,
  sampleRate: number,
  options: DspOptionsInput = {},
): Float32Array {
  return new JsLogMelExtractor(options).extract(samples, sampleRate);
}
