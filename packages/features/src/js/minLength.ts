/**
 * The shortest input the pipeline labels, as the native core
 * (`crates/ser-dsp/src/min_length.rs`, which explains the choice of 0.5 s): at least
 * {@link MIN_SPEECH_SECONDS} of speech, measured with the trim's frames.
 */
import { SerkitError } from '../errors.js';
import { AMIN_POWER, powerDb } from './trim.js';

/** Minimum speech, in seconds. */
export const MIN_SPEECH_SECONDS = 0.5;

/**
 * Samples of speech in a signal of `n` samples, from its trim frames' mean squares `powers`
 * (frame `i` covers `[i·hop − frame/2, i·hop + frame/2)`): the frames above the -100 dB floor
 * and within `topDb` of `reference` (the loudest frame's mean square). A run of such frames
 * `first..last` is the sound between the quiet frames around it,
 * `[(first − 1)·hop + frame/2, (last + 1)·hop − frame/2)` (from the signal's start, or to its
 * end, when the run reaches it); the runs are added up. As `speech_samples` in the core.
 */
export function speechSamples(
  powers: Float64Array,
  n: number,
  topDb: number,
  frameLength: number,
  hopLength: number,
  reference: number,
): number {
  const refDb = powerDb(reference);
  const half = Math.floor(frameLength / 2);
  const speech = (p: number) => p > AMIN_POWER && powerDb(p) - refDb > -topDb;
  const run = (first: number, last: number, toEnd: boolean) => {
    const start = first === 0 ? 0 : Math.min((first - 1) * hopLength + half, n);
    const end = toEnd ? n : Math.min(Math.max((last + 1) * hopLength - half, 0), n);
    return Math.max(end - start, 0);
  };
  let total = 0;
  let first = -1;
  for (let i = 0; i < powers.length; i++) {
    const loud = speech(powers[i]);
    if (loud && first < 0) first = i;
    else if (!loud && first >= 0) {
      total += run(first, i - 1, false);
      first = -1;
    }
  }
  if (first >= 0) total += run(first, powers.length - 1, true);
  return total;
}

/**
 * Throw `ERR_SER_TOO_SHORT` when a signal of `n` samples at `sampleRate` Hz, with trim frames'
 * mean squares `powers`, holds less than {@link MIN_SPEECH_SECONDS} of speech
 * ({@link speechSamples} relative to its own loudest frame).
 */
export function checkMinSpeech(
  powers: Float64Array,
  n: number,
  topDb: number,
  frameLength: number,
  hopLength: number,
  sampleRate: number,
): void {
  let loudest = 0;
  for (const p of powers) if (p > loudest) loudest = p;
  const seconds = speechSamples(powers, n, topDb, frameLength, hopLength, loudest) / sampleRate;
  if (seconds < MIN_SPEECH_SECONDS) {
    throw new SerkitError(
      'ERR_SER_TOO_SHORT',
      `too short: ${seconds.toFixed(3)} s of speech once silence is left out; at least ${MIN_SPEECH_SECONDS} s is needed for a label`,
    );
  }
}
