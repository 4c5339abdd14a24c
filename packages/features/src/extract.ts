import { runBatch } from './batch-run.js';
import { type BatchProgress, type DecodedAudio, getEngine } from './engine.js';
import { normalizeError, SerkitError, throwIfAborted } from './errors.js';
import { type DspOptionsInput, type EngineName, nFrames, resolveDspOptions } from './options.js';

/** How a call runs (not what it computes). */
export interface RunOptions {
  /**
   * DSP engine: `'native'` (the Rust addon) or `'js'` (pure TypeScript, same numbers).
   * @default 'native', or 'js' with a one-line notice when the addon cannot be loaded
   */
  engine?: EngineName;
  /** Cancels the work; the promise then rejects with an `AbortError` (code `ABORT_ERR`). */
  signal?: AbortSignal;
}

/** How a bulk extraction runs. */
export interface BulkOptions extends RunOptions {
  /** Worker threads; 0 or undefined uses every core. */
  threads?: number;
  /**
   * Called on the main thread as files finish (throttled; the last call always
   * has `done === total`). An exception thrown here cancels the batch and
   * rejects the promise with it.
   */
  onProgress?: (progress: BatchProgress) => void;
}

/** Log-mel spectrograms of many files, stacked. */
export interface FeatureBatch {
  /** `[nOk][nMels][nFrames]` float32 log-mel dB (before z-score), input order. */
  features: Float32Array;
  /** Shape of `features`: `[nOk, nMels, nFrames]`. */
  shape: [number, number, number];
  /** Per input: its row in `features`, or -1 when that file failed. */
  rows: Int32Array;
  /** Per input: null, or a one-line error naming the file and the reason. */
  errors: (string | null)[];
  /** Per input: null, or the error code (e.g. `ERR_SER_INVALID_WAV`). */
  codes: (string | null)[];
  /** Files that succeeded. */
  ok: number;
  /** Files that failed. */
  failed: number;
}

/** Audio samples as accepted by the API; anything but a `Float32Array` is copied into one. */
export type Samples = Float32Array | ArrayLike<number>;

function f32(samples: Samples, name = 'samples'): Float32Array {
  if (samples instanceof Float32Array) return samples;
  if (samples && typeof samples === 'object' && typeof samples.length === 'number') {
    return Float32Array.from(samples);
  }
  throw new SerkitError(
    'ERR_SER_INVALID_ARG',
    `invalid argument \`${name}\`: expected a Float32Array or an array of numbers, received ${typeof samples}`,
  );
}

async function settle<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    throw normalizeError(err);
  }
}

function sync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw normalizeError(err);
  }
}

/**
 * Decode the bytes of a WAV file (PCM 8/16/24/32-bit, IEEE float 32/64, any
 * channel count) to a mono waveform (channels averaged, librosa `to_mono`).
 *
 * @throws code `ERR_SER_INVALID_WAV`, `ERR_SER_UNSUPPORTED_ENCODING`, `ERR_SER_EMPTY`, …
 */
export function decodeWav(bytes: Uint8Array, run: RunOptions = {}): DecodedAudio {
  return sync(() => getEngine(run.engine).decodeWav(bytes));
}

/** Read and decode a WAV file; errors name the file. See {@link decodeWav}. */
export function readWav(path: string, run: RunOptions = {}): DecodedAudio {
  return sync(() => getEngine(run.engine).readWav(path));
}

/**
 * Pre-process a waveform (SPEC §1): resample to `sampleRate`, trim silence,
 * Wiener-filter and pad/cut to `durationSeconds` — 132,300 samples by default.
 */
export function preprocessSync(
  samples: Samples,
  sampleRate: number,
  options?: DspOptionsInput,
  run: RunOptions = {},
): Float32Array {
  const o = resolveDspOptions(options);
  return sync(() => getEngine(run.engine).preprocessSync(f32(samples), sampleRate, o));
}

/** {@link preprocessSync} off the main thread. */
export async function preprocess(
  samples: Samples,
  sampleRate: number,
  options?: DspOptionsInput,
  run: RunOptions = {},
): Promise<Float32Array> {
  const o = resolveDspOptions(options);
  throwIfAborted(run.signal);
  return settle(getEngine(run.engine).preprocess(f32(samples), sampleRate, o, run.signal));
}

/**
 * Log-mel spectrogram (SPEC §2) of a waveform already at `options.sampleRate`
 * — normally the fixed-length output of {@link preprocess}: float32 dB,
 * mel-major `[nMels][1 + length / hopLength]` (`[128][259]` for 3 s at 44.1 kHz).
 */
export function logMelSpectrogramSync(
  y: Samples,
  options?: DspOptionsInput,
  run: RunOptions = {},
): Float32Array {
  const o = resolveDspOptions(options);
  return sync(() => getEngine(run.engine).logMelSpectrogramSync(f32(y, 'y'), o));
}

/** {@link logMelSpectrogramSync} off the main thread. */
export async function logMelSpectrogram(
  y: Samples,
  options?: DspOptionsInput,
  run: RunOptions = {},
): Promise<Float32Array> {
  const o = resolveDspOptions(options);
  throwIfAborted(run.signal);
  return settle(getEngine(run.engine).logMelSpectrogram(f32(y, 'y'), o, run.signal));
}

/**
 * The whole front end on a waveform at any sample rate: pre-processing then
 * log-mel, `[nMels][nFrames]` float32 dB before z-score (`[128][259]`).
 *
 * @example
 * const audio = readWav('03-01-05-01-01-01-01.wav');
 * const mel = extractSync(audio.samples, audio.sampleRate); // Float32Array(33152)
 */
export function extractSync(
  samples: Samples,
  sampleRate: number,
  options?: DspOptionsInput,
  run: RunOptions = {},
): Float32Array {
  const o = resolveDspOptions(options);
  return sync(() => getEngine(run.engine).extractSync(f32(samples), sampleRate, o));
}

/** {@link extractSync} off the main thread. */
export async function extract(
  samples: Samples,
  sampleRate: number,
  options?: DspOptionsInput,
  run: RunOptions = {},
): Promise<Float32Array> {
  const o = resolveDspOptions(options);
  throwIfAborted(run.signal);
  return settle(getEngine(run.engine).extract(f32(samples), sampleRate, o, run.signal));
}

/** Read one WAV file and return its log-mel spectrogram; errors name the file. */
export function extractFileSync(
  path: string,
  options?: DspOptionsInput,
  run: RunOptions = {},
): Float32Array {
  const o = resolveDspOptions(options);
  return sync(() => getEngine(run.engine).extractFileSync(path, o));
}

/** {@link extractFileSync} off the main thread. */
export async function extractFile(
  path: string,
  options?: DspOptionsInput,
  run: RunOptions = {},
): Promise<Float32Array> {
  const o = resolveDspOptions(options);
  throwIfAborted(run.signal);
  return settle(getEngine(run.engine).extractFile(path, o, run.signal));
}

/**
 * Extract the log-mel spectrogram of every file in `paths`, on all cores, off
 * the main thread. A file that fails does not fail the batch: its row is -1
 * and its error is reported; the promise rejects only for invalid options, an
 * exception thrown by `onProgress`, or `signal` (with an `AbortError`, code
 * `ABORT_ERR`).
 *
 * @example
 * const batch = await extractFiles(paths, {}, { onProgress: (p) => console.log(p.done, p.total) });
 * batch.shape; // [nOk, 128, 259]
 */
export async function extractFiles(
  paths: readonly string[],
  options?: DspOptionsInput,
  bulk: BulkOptions = {},
): Promise<FeatureBatch> {
  const o = resolveDspOptions(options);
  const r = await runBatch(paths, o, bulk);
  const failed = r.rows.reduce((n, row) => n + (row < 0 ? 1 : 0), 0);
  const ok = paths.length - failed;
  return {
    features: r.features,
    shape: [ok, o.nMels, nFrames(o)],
    rows: r.rows,
    errors: r.errors,
    codes: r.codes,
    ok,
    failed,
  };
}
