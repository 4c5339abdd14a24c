/**
 * The bulk run shared by `extractFiles` and `extractFilesAugmented`: argument checks, progress
 * (an exception in `onProgress` cancels the batch and is rethrown), cancellation, and the call to
 * the chosen engine's `extractFiles`. Internal (not exported by the package index).
 */
import {
  type BatchProgress,
  type EngineAugment,
  type EngineBatchResult,
  getEngine,
} from './engine.js';
import { normalizeError, SerkitError, throwIfAborted } from './errors.js';
import type { BulkOptions } from './extract.js';
import type { DspOptions } from './types.js';

/** Run `paths` through the engine of `bulk.engine` with resolved options `o`. */
export async function runBatch(
  paths: readonly string[],
  o: DspOptions,
  bulk: BulkOptions,
  augment?: EngineAugment,
): Promise<EngineBatchResult> {
  const { signal, onProgress } = bulk;
  if (bulk.threads !== undefined && !(Number.isInteger(bulk.threads) && bulk.threads >= 0)) {
    throw new SerkitError(
      'ERR_SER_INVALID_ARG',
      `invalid argument \`threads\`: expected an integer >= 0, received ${bulk.threads}`,
    );
  }
  throwIfAborted(signal);
  const total = paths.length;
  // One controller for the engine: aborted by the caller's signal or by an
  // exception in onProgress (which must never reach the addon's callback).
  const inner = new AbortController();
  const forward = () => inner.abort(signal?.reason);
  signal?.addEventListener('abort', forward, { once: true });
  let callbackError: unknown;
  let lastDone = -1;
  const report = (p: BatchProgress) => {
    if (callbackError !== undefined || p.done <= lastDone) return;
    lastDone = p.done;
    try {
      onProgress?.(p);
    } catch (err) {
      callbackError = err ?? new Error('onProgress threw');
      inner.abort();
    }
  };
  try {
    const r = await getEngine(bulk.engine).extractFiles(
      [...paths],
      o,
      { threads: bulk.threads, onProgress: onProgress ? report : undefined, augment },
      inner.signal,
    );
    if (callbackError !== undefined) throw callbackError;
    const failed = r.rows.reduce((n, row) => n + (row < 0 ? 1 : 0), 0);
    if (onProgress && lastDone < total) report({ done: total, total, failed });
    if (callbackError !== undefined) throw callbackError;
    return r;
  } catch (err) {
    if (callbackError !== undefined) throw callbackError;
    throw normalizeError(err);
  } finally {
    signal?.removeEventListener('abort', forward);
  }
}
