/**
 * The shortest input the pipeline labels, as the native core
 * (`crates/ser-dsp/src/min_length.rs`, which explains the choice of 0.5 s).
 */
import { SerkitError } from '../errors.js';

/** Minimum audio left after trimming silence, in seconds. */
export const MIN_SPEECH_SECONDS = 0.5;

/** Throw `ERR_SER_TOO_SHORT` when `length` samples at `sampleRate` Hz are under {@link MIN_SPEECH_SECONDS}. */
export function checkMinLength(length: number, sampleRate: number): void {
  const seconds = length / sampleRate;
  if (seconds < MIN_SPEECH_SECONDS) {
    throw new SerkitError(
      'ERR_SER_TOO_SHORT',
      `too short: ${seconds.toFixed(3)} s of audio after trimming silence; at least ${MIN_SPEECH_SECONDS} s is needed for a label`,
    );
  }
}
