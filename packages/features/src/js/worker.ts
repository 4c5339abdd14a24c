/**
 * Worker-thread entry of the JS engine's pool ({@link ./pool.ts}): receives
 * tasks, runs them with a {@link JsLogMelExtractor} kept per option set, and
 * posts the Float32Array results back as transferables.
 */
import { parentPort } from 'node:worker_threads';
import type { DspOptions } from '../types.js';
import { JsLogMelExtractor } from './pipeline.js';
import type { PoolReply, PoolTask } from './pool.js';

const extractors = new Map<string, JsLogMelExtractor>();

function extractorFor(options: DspOptions): JsLogMelExtractor {
  const key = JSON.stringify(options);
  let ex = extractors.get(key);
  if (!ex) {
    if (extractors.size >= 4) extractors.clear();
    ex = new JsLogMelExtractor(options);
    extractors.set(key, ex);
  }
  return ex;
}

function run(task: PoolTask): Float32Array {
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

const port = parentPort;
if (!port) throw new Error('serkit JS engine worker: must run in a worker thread');
port.on('message', (task: PoolTask) => {
  let reply: PoolReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const data = run(task);
    reply = { id: task.id, ok: true, data };
    transfer = [data.buffer as ArrayBuffer];
  } catch (err) {
    const e = err as Error & { code?: string };
    reply = { id: task.id, ok: false, message: e.message, code: e.code ?? 'ERR_SER_INTERNAL' };
  }
  port.postMessage(reply, transfer);
});
