import { invalidOption } from './errors.js';
import { DEFAULT_DSP_OPTIONS, type DspOptions } from './types.js';

/** DSP engine: the Rust addon (`'native'`, default) or the pure-TypeScript one (`'js'`). */
export type EngineName = 'native' | 'js';

/** Partial options as accepted by every public function: missing fields take SPEC defaults. */
export type DspOptionsInput = Partial<DspOptions>;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

type Check = (v: unknown, o: DspOptions) => string | null;

function intIn(lo: number, hi: number, extra?: (v: number) => boolean, text?: string): Check {
  return (v) =>
    isInt(v) && v >= lo && v <= hi && (!extra || extra(v))
      ? null
      : (text ?? `an integer in ${lo}..=${hi}`);
}

const CHECKS: { [K in keyof DspOptions]: Check } = {
  sampleRate: intIn(8000, 192000, undefined, 'an integer in 8000..=192000 Hz'),
  trim: (v) => (typeof v === 'boolean' ? null : 'a boolean'),
  trimTopDb: (v) => (isNum(v) && v > 0 ? null : 'a finite number > 0'),
  trimFrameLength: intIn(16, 65536),
  trimHopLength: (v, o) =>
    isInt(v) && v >= 1 && v <= o.trimFrameLength ? null : 'an integer in 1..=trimFrameLength',
  wiener: (v) => (typeof v === 'boolean' ? null : 'a boolean'),
  wienerSize: intIn(1, 1025, (v) => v % 2 === 1, 'an odd integer in 1..=1025'),
  durationSeconds: (v) => (isNum(v) && v > 0 && v <= 600 ? null : 'a number in (0, 600]'),
  nFft: intIn(16, 65536, (v) => v % 2 === 0, 'an even integer in 16..=65536'),
  hopLength: (v, o) => (isInt(v) && v >= 1 && v <= o.nFft ? null : 'an integer in 1..=nFft'),
  nMels: intIn(1, 1024),
  fmin: (v, o) =>
    isNum(v) && v >= 0 && v < o.sampleRate / 2 ? null : 'a number in [0, sampleRate/2)',
  fmax: (v, o) =>
    v === null || (isNum(v) && v > o.fmin && v <= o.sampleRate / 2)
      ? null
      : 'a number in (fmin, sampleRate/2], or null',
  melScale: (v) => (v === 'slaney' || v === 'htk' ? null : "'slaney' or 'htk'"),
  dbRef: (v) => (isNum(v) && v > 0 ? null : 'a finite number > 0'),
  amin: (v) => (isNum(v) && v > 0 ? null : 'a finite number > 0'),
  topDb: (v) => (v === null || (isNum(v) && v >= 0) ? null : 'a finite number >= 0, or null'),
};

/** Names of every DSP option, in SPEC order. */
export const DSP_OPTION_NAMES = Object.keys(DEFAULT_DSP_OPTIONS) as (keyof DspOptions)[];

/**
 * Merge `options` over the SPEC defaults ({@link DEFAULT_DSP_OPTIONS}) and
 * validate every field with the same ranges as the Rust core.
 *
 * `undefined` fields take the default; unknown keys are rejected (they are
 * almost always typos).
 *
 * @throws {SerkitError} code `ERR_SER_INVALID_OPTION`, naming the parameter,
 *   its allowed range and the value received.
 * @example
 * resolveDspOptions({ nMels: 64 }).nFft; // 2048
 */
export function resolveDspOptions(options: DspOptionsInput = {}): DspOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalidOption('options', 'an object', options);
  }
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULT_DSP_OPTIONS)) {
      throw invalidOption(
        key,
        `one of the DSP options (${DSP_OPTION_NAMES.join(', ')})`,
        'an unknown option',
      );
    }
  }
  const merged = { ...DEFAULT_DSP_OPTIONS } as DspOptions;
  for (const key of DSP_OPTION_NAMES) {
    const value = options[key];
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  for (const key of DSP_OPTION_NAMES) {
    const allowed = CHECKS[key](merged[key], merged);
    if (allowed !== null) throw invalidOption(key, allowed, merged[key]);
  }
  return merged;
}

/** Samples of the fixed-length waveform: `round(durationSeconds · sampleRate)` (132,300). */
export function nSamples(o: DspOptions): number {
  return Math.round(o.durationSeconds * o.sampleRate);
}

/** STFT frames of a fixed-length waveform: `1 + nSamples / hopLength` (259). */
export function nFrames(o: DspOptions): number {
  return 1 + Math.floor(nSamples(o) / o.hopLength);
}

/** Shape `[nMels, nFrames]` of one log-mel spectrogram (`[128, 259]` by default). */
export function featureShape(options: DspOptionsInput = {}): [number, number] {
  const o = resolveDspOptions(options);
  return [o.nMels, nFrames(o)];
}
