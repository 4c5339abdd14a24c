/**
 * The pure-TypeScript DSP engine (`engine: 'js'`): the same functions, shapes,
 * errors and codes as the native engine, computed by {@link JsLogMelExtractor}.
 * Sync calls run on the calling thread; async calls run in a worker pool.
 * Importing this module registers the engine under the name `'js'`.
 */
import { type DspEngine, registerEngine } from '../engine.js';
import { abortError } from '../errors.js';
import type { DspOptions } from '../types.js';
import { decodeWavJs, readWavJs } from './decode.js';
import { JsLogMelExtractor } from './pipeline.js';
import { extractFilesJs, runShared } from './pool.js';

let cached: { key: string; ex: JsLogMelExtractor } | undefined;

/** A cached extractor for `o` (plans are reused while the options stay the same). */
function extractorFor(o: DspOptions): JsLogMelExtractor {
  const key = JSON.stringify(o);
  if (cached?.key !== key) cached = { key, ex: new JsLogMelExtractor(o) };
  return cached.ex;
}

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
    return extractFilesJs(paths, o, { threads: run.threads, onProgress: run.onProgress, signal });
  },
};

registerEngine(jsEngine);
