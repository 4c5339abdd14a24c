/**
 * The pure-TypeScript DSP engine (`engine: 'js'`): the same functions, shapes,
 * errors and codes as the native engine, computed by {@link JsLogMelExtractor}.
 * Sync calls run on the calling thread; async calls run in a worker pool.
 * Importing this module registers the engine under the name `'js'`.
 */
import { type DspEngine, registerEngine } from '../engine.js';
import { abortError, SerkitError } from '../errors.js';
import { decodeWavJs, readWavJs } from './decode.js';
import { extractorFor } from './extractor-cache.js';
import { extractFilesJs, runShared } from './pool.js';

/** A copy of `samples` that can be transferred to a worker without detaching the caller's array. */
const transferable = (samples: Float32Array): [Float32Array, ArrayBuffer[]] => {
  const copy = samples.slice();
  return [copy, [copy.buffer]];
};

/** The pure-TypeScript engine. */
export const jsEngine: DspEngine = {
  name: 'js',
  decodeWav: (bytes) => decodeWavJs(bytes),
  readWav: (path) => readWavJs(path),
  preprocessSync: (s, sr, o) => extractorFor(o).preprocess(s, sr),
  preprocess: (s, sr, o, signal) => {
    const [samples, transfer] = transferable(s);
    return runShared({ kind: 'preprocess', samples, sampleRate: sr, options: o }, transfer, signal);
  },
  logMelSpectrogramSync: (y, o) => extractorFor(o).logMel(y),
  logMelSpectrogram: (y, o, signal) => {
    const [samples, transfer] = transferable(y);
    return runShared({ kind: 'logMel', samples, options: o }, transfer, signal);
  },
  extractSync: (s, sr, o) => extractorFor(o).extract(s, sr),
  extract: (s, sr, o, signal) => {
    const [samples, transfer] = transferable(s);
    return runShared({ kind: 'extract', samples, sampleRate: sr, options: o }, transfer, signal);
  },
  extractFileSync: (path, o) => extractorFor(o).extractFile(path),
  extractFile: (path, o, signal) => runShared({ kind: 'file', path, options: o }, [], signal),
  extractFiles: async (paths, o, run, signal) => {
    if (signal?.aborted) throw abortError(signal);
    if (run.augment && run.augment.augmentations.length > 0) {
      throw new SerkitError(
        'ERR_SER_ENGINE_UNAVAILABLE',
        "augmentation needs the native engine (engine 'js' does not implement it)",
      );
    }
    return extractFilesJs(paths, o, { threads: run.threads, onProgress: run.onProgress, signal });
  },
};

registerEngine(jsEngine);
