/**
 * The JS engine's one extractor cache: the {@link JsLogMelExtractor}s (FFT plans, window, mel
 * filterbank, resamplers) of the most recently used option sets, at most
 * {@link EXTRACTOR_CACHE_SIZE}, the least recently used dropped first. Each thread has its own
 * (the main thread's sync calls, each pool worker's tasks).
 */
import type { DspOptions } from '../types.js';
import { JsLogMelExtractor } from './pipeline.js';

/** Option sets whose extractors are kept per thread. */
export const EXTRACTOR_CACHE_SIZE = 4;

const cache = new Map<string, JsLogMelExtractor>();

/** The cached extractor for options `o` (already resolved), made on first use. */
export function extractorFor(o: DspOptions): JsLogMelExtractor {
  const key = JSON.stringify(o);
  let ex = cache.get(key);
  if (ex) {
    cache.delete(key); // re-inserted below: most recently used last
  } else {
    ex = new JsLogMelExtractor(o);
    if (cache.size >= EXTRACTOR_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  cache.set(key, ex);
  return ex;
}
