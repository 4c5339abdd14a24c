/**
 * Worker module of the JS engine's pool ({@link ./pool.ts}, piscina): runs one task with a
 * the thread's cached extractor (`extractor-cache.ts`) and returns the Float32Array as a transferable.
 * A task whose group was cancelled before it started returns at once without running.
 */
import { Piscina } from 'piscina';
import { extractorFor } from './extractor-cache.js';
import type { PoolReply, PoolTask } from './pool.js';

function compute(task: PoolTask): Float32Array {
  const ex = extractorFor(task.options);
  switch (task.kind) {
    case 'file':
      return ex.extractFile(task.path);
    case 'extract':
      return ex.extract(task.samples, task.sampleRate);
    case 'preprocess':
      return ex.preprocess(task.samples, task.sampleRate);
    case 'logMel':
      return ex.logMel(task.samples);
  }
}

/**
 * Run `task`: its Float32Array, moved (not copied) to the main thread, or the error as data
 * (`code` would not survive the clone of a thrown Error).
 */
export default function run(task: PoolTask): PoolReply | ReturnType<typeof Piscina.move> {
  if (task.cancelled && Atomics.load(task.cancelled, 0) === 1) {
    return { ok: false, message: 'cancelled before it started', code: 'ABORT_ERR' };
  }
  try {
    return Piscina.move(compute(task));
  } catch (err) {
    const e = err as Error & { code?: string };
    return { ok: false, message: e.message, code: e.code ?? 'ERR_SER_INTERNAL' };
  }
}
