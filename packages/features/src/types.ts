import { optionTable } from './option-table.js';

/**
 * Options of the serkit pre-processing and log-mel pipeline.
 *
 * Every default is the value pinned by SPEC.md §1–2 (the paper's setting, with
 * librosa 0.10 + scipy as the reference semantics). All fields are optional in
 * the public API; {@link DEFAULT_DSP_OPTIONS} fills the rest.
 */
export interface DspOptions {
  /** Sample rate every input is resampled to, in Hz. @default 44100 */
  sampleRate: number;
  /** Remove leading/trailing silence (`librosa.effects.trim`). @default true */
  trim: boolean;
  /** Frames quieter than this many dB below the loudest frame count as silence. @default 60 */
  trimTopDb: number;
  /** Frame length of the trim RMS, in samples. @default 2048 */
  trimFrameLength: number;
  /** Hop of the trim RMS, in samples. @default 512 */
  trimHopLength: number;
  /** Apply `scipy.signal.wiener` after trimming. @default true */
  wiener: boolean;
  /** Wiener window size in samples (odd). @default 3 */
  wienerSize: number;
  /** Length every utterance is padded or cut to, in seconds. @default 3.0 */
  durationSeconds: number;
  /** FFT size (and window length) of the STFT. @default 2048 */
  nFft: number;
  /** STFT hop in samples. @default 512 */
  hopLength: number;
  /** Number of mel bands. @default 128 */
  nMels: number;
  /** Lowest mel filter edge, in Hz. @default 0 */
  fmin: number;
  /** Highest mel filter edge, in Hz; `null` means sampleRate / 2. @default null */
  fmax: number | null;
  /** Mel scale: Slaney (librosa default) or HTK (the formula printed in the paper). @default 'slaney' */
  melScale: 'slaney' | 'htk';
  /** Reference power of 0 dB (`power_to_db(ref=…)`). @default 1.0 */
  dbRef: number;
  /** Floor of the power before the logarithm. @default 1e-10 */
  amin: number;
  /** Dynamic range kept below the peak, in dB; `null` disables the clamp. @default 80 */
  topDb: number | null;
}

/**
 * SPEC.md §1–2 defaults, read from the Rust core's option table (`optionTable()`; its copy
 * `FALLBACK_OPTION_TABLE` when the addon is missing). The `@default`s above are checked
 * against it by a test.
 */
export const DEFAULT_DSP_OPTIONS: Readonly<DspOptions> = Object.freeze(
  Object.fromEntries(optionTable().map((s) => [s.name, s.default])),
) as Readonly<DspOptions>;
