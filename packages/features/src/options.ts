import { invalidOption, SerkitError } from './errors.js';
import { optionAccepts, optionTable } from './option-table.js';
import { DEFAULT_DSP_OPTIONS, type DspOptions } from './types.js';

/** DSP engine: the Rust addon (`'native'`, default) or the pure-TypeScript one (`'js'`). */
export type EngineName = 'native' | 'js';

/** Partial options as accepted by every public function: missing fields take SPEC defaults. */
export type DspOptionsInput = Partial<DspOptions>;

/** Names of every DSP option, in SPEC order (the core's option table). */
export const DSP_OPTION_NAMES = optionTable().map((s) => s.name) as (keyof DspOptions)[];

/**
 * Merge `options` over the SPEC defaults ({@link DEFAULT_DSP_OPTIONS}) and
 * validate every field with the Rust core's option table ({@link optionTable}).
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
      const near = DSP_OPTION_NAMES.find((n) => n.toLowerCase() === key.toLowerCase());
      throw new SerkitError(
        'ERR_SER_INVALID_OPTION',
        `unknown option \`${key}\`${near ? ` (did you mean \`${near}\`?)` : ''}: the DSP options are ${DSP_OPTION_NAMES.join(', ')}`,
      );
    }
  }
  const merged = { ...DEFAULT_DSP_OPTIONS } as DspOptions;
  for (const key of DSP_OPTION_NAMES) {
    const value = options[key];
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  const all = merged as unknown as Record<string, unknown>;
  for (const spec of optionTable()) {
    if (!optionAccepts(spec, all[spec.name], all)) {
      throw invalidOption(spec.name, spec.allowed, all[spec.name]);
    }
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
