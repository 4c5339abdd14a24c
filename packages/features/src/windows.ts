/**
 * Windows of long recordings and of live input: each window goes through the same
 * per-utterance pipeline the model was trained on (SPEC §1–2: trim relative to the window,
 * Wiener, fix length, log-mel). Computed by the native engine's `stream` module in bounded
 * memory; see `ser predict --window` and `--stream`.
 */

import type * as Native from '@serkit/dsp-native';
import { loadNative } from './engine.js';
import { abortError, normalizeError, SerkitError } from './errors.js';
import { type DspOptionsInput, type EngineName, resolveDspOptions } from './options.js';

/** Default window length, seconds: the model's input length (SPEC §1 fix length). */
export const DEFAULT_WINDOW_SECONDS = 3;
/** Default hop between window starts, seconds. */
export const DEFAULT_HOP_SECONDS = 1;
/**
 * Least speech a window must keep after trimming to be classified, seconds. Less is marked
 * `too-short`: the network would see mostly zero padding, and a confident label on a click
 * or a breath is worse than none.
 */
export const MIN_WINDOW_SPEECH_SECONDS = 0.5;

/** How a recording is cut into windows. */
export interface WindowOptions {
  /** Window length, seconds, in [0.001, 86400]. @default {@link DEFAULT_WINDOW_SECONDS} */
  window?: number;
  /** Hop between window starts, seconds, in [0.001, 86400]. @default {@link DEFAULT_HOP_SECONDS} */
  hop?: number;
  /** Least speech after trimming, seconds (≥ 0). @default {@link MIN_WINDOW_SPEECH_SECONDS} */
  minSpeech?: number;
}

/**
 * What became of a window: `speech` (pre-processed, has a spectrogram); `silent` (no trim
 * frame within `trimTopDb` of the loudest frame of the recording — of the recording so far,
 * for live input); `too-short` (its trim frames within `trimTopDb` of that loudest frame add up
 * to less than `minSpeech` seconds, digital silence never counting, or less than that is left
 * after the window's own trim: a faint tail before digital silence is not a window of speech).
 */
export type WindowStatus = 'speech' | 'silent' | 'too-short';

/** One window of a recording. */
export interface AudioWindow {
  /** Start, seconds from the start of the recording. */
  start: number;
  /** End, seconds (the last window ends at the end of the recording). */
  end: number;
  /** What became of it. */
  status: WindowStatus;
  /** Seconds kept by the trim (0 when silent). */
  speechSeconds: number;
  /**
   * Waveform envelope for plots: minimum and maximum sample of each
   * {@link ENVELOPE_SECONDS} slice from `start`, interleaved (before any processing).
   */
  envelope: Float32Array;
}

/** Width of one slice of {@link AudioWindow.envelope}, seconds. */
export const ENVELOPE_SECONDS = 0.05;

/** Windows in order, with the log-mel spectrograms of the `speech` ones. */
export interface WindowBatch {
  /** Windows `[k·hop, k·hop + window)` (starts at the nearest sample: no drift), in order. */
  windows: AudioWindow[];
  /**
   * `[nSpeech][nMels][nFrames]` float32 log-mel dB (before z-score): the i-th spectrogram
   * belongs to the i-th window whose status is `speech`.
   */
  features: Float32Array;
}

/** How {@link fileWindows} runs. */
export interface FileWindowsRun {
  /** Only `'native'` computes windows. @default 'native' */
  engine?: EngineName;
  /** Windows per batch (each holds one 128 × 259 spectrogram, 130 kB). @default 32 */
  batchSize?: number;
  /** Cancels the work; the generator then throws an `AbortError`. */
  signal?: AbortSignal;
}

function native(engine: EngineName | undefined): typeof Native {
  if (engine === 'js') {
    throw new SerkitError(
      'ERR_SER_ENGINE_UNAVAILABLE',
      'windows of long recordings and live input need the native engine (engine: native)',
    );
  }
  return loadNative();
}

function toNativeWindows(w: WindowOptions): Native.WindowOptions {
  return { window: w.window, hop: w.hop, minSpeech: w.minSpeech };
}

function fromNative(b: Native.WindowBatch): WindowBatch {
  return {
    windows: b.windows.map((w) => ({
      start: w.start,
      end: w.end,
      status: w.status as WindowStatus,
      speechSeconds: w.speechSeconds,
      envelope: w.envelope,
    })),
    features: b.features,
  };
}

/**
 * The windows of one audio file (any format the native decoder reads, any length), in
 * batches, in bounded memory: pass 1 finds the loudest frame of the whole file (the silence
 * reference), pass 2 decodes again and cuts windows `[k·hop, k·hop + window)`, each starting
 * at the sample nearest to `k·hop` seconds (so a hop that is not a whole number of samples,
 * such as 0.125 s at 44.1 kHz, does not drift); the last window ends at the end of the file.
 * A file shorter than one window is one window.
 *
 * @example
 * for await (const batch of fileWindows('call.mp3', model.dsp, { window: 3, hop: 1 })) {
 *   for (const w of batch.windows) console.log(w.start, w.end, w.status);
 * }
 * A file of digital silence (every sample zero) gives only `silent` windows, as live input of
 * zeros does.
 *
 * @throws code `ERR_SER_INVALID_OPTION` for bad options; the file's decoding errors
 *   (`ERR_SER_INVALID_WAV`, `ERR_SER_EMPTY`, …), each naming the file; `ABORT_ERR` when
 *   `run.signal` aborts.
 */
export async function* fileWindows(
  path: string,
  options?: DspOptionsInput,
  windows: WindowOptions = {},
  run: FileWindowsRun = {},
): AsyncGenerator<WindowBatch, void, undefined> {
  const o = resolveDspOptions(options);
  const addon = native(run.engine);
  let reader: Native.FileWindowReader;
  try {
    reader = addon.openFileWindows(path, o, toNativeWindows(windows));
  } catch (err) {
    throw normalizeError(err);
  }
  for (;;) {
    if (run.signal?.aborted) throw abortError(run.signal);
    let batch: Native.WindowBatch;
    try {
      batch = await reader.next(run.batchSize ?? 32, run.signal);
    } catch (err) {
      throw normalizeError(err);
    }
    if (batch.windows.length === 0) return;
    yield fromNative(batch);
  }
}

/**
 * Windows of live input: push mono samples at any rate as they arrive; each window comes
 * back from the `push` that completes it (plus the resampler's delay of a few
 * milliseconds). Silence is measured against the loudest frame so far.
 *
 * @example
 * const live = new LiveWindows(16000, model.dsp);
 * for (const chunk of chunks) for (const w of live.push(chunk).windows) …;
 * live.finish();
 */
export class LiveWindows {
  readonly #reader: Native.LiveWindowReader;

  /**
   * @param sampleRate Rate of the pushed samples, Hz (1000–384000).
   * @param options DSP options of the model (its `sampleRate` is the pipeline's).
   * @param windows Window length, hop and minimum speech.
   * @throws code `ERR_SER_SAMPLE_RATE` or `ERR_SER_INVALID_OPTION`.
   */
  constructor(
    sampleRate: number,
    options?: DspOptionsInput,
    windows: WindowOptions = {},
    engine?: EngineName,
  ) {
    const o = resolveDspOptions(options);
    const addon = native(engine);
    try {
      this.#reader = new addon.LiveWindowReader(sampleRate, o, toNativeWindows(windows));
    } catch (err) {
      throw normalizeError(err);
    }
  }

  /** Mono samples in [-1, 1); the windows they complete. @throws `ERR_SER_NON_FINITE` */
  push(samples: Float32Array): WindowBatch {
    try {
      return fromNative(this.#reader.push(samples));
    } catch (err) {
      throw normalizeError(err);
    }
  }

  /** End of input: the last windows. */
  finish(): WindowBatch {
    try {
      return fromNative(this.#reader.finish());
    } catch (err) {
      throw normalizeError(err);
    }
  }
}
