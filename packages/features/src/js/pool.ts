/**
 * A `worker_threads` pool for the JS engine: N workers, each with its own
 * extractor plans; tasks are handed out one at a time to the next idle worker
 * (so fast and slow files balance), results come back as transferred
 * Float32Array buffers. Used by {@link extractFilesJs} (bulk, with progress and
 * AbortSignal; one pool per thread count, kept warm between calls) and by the
 * JS engine's async single calls (one shared pool). Idle workers never keep
 * the process alive; {@link closeJsPools} stops them all.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BatchProgress, EngineBatchResult } from '../engine.js';
import { abortError, SerkitError, type SerkitErrorCode } from '../errors.js';
import { type DspOptionsInput, nFrames, resolveDspOptions } from '../options.js';
import type { DspOptions } from '../types.js';

/** A task for a worker. */
export type PoolTask = { id: number; options: DspOptions } & (
  | { kind: 'file'; path: string }
  | { kind: 'extract' | 'preprocess'; samples: Float32Array; sampleRate: number }
  | { kind: 'logMel'; samples: Float32Array }
);

/** A task without the id the pool assigns. */
export type PoolTaskInput = PoolTask extends infer T
  ? T extends PoolTask
    ? Omit<T, 'id'>
    : never
  : never;

/** A worker's answer. */
export type PoolReply =
  | { id: number; ok: true; data: Float32Array }
  | { id: number; ok: false; message: string; code: string };

/** file: URL of tsx's ESM registration API, resolved from `from`. */
function tsxEsmApi(from: string): string {
  const pkgJson = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(pkgJson), pkg.exports['./esm/api'].import.default)).href;
}

/**
 * How to start a worker: `worker.js` beside this module in the compiled
 * package; when this module runs from its TypeScript source (vitest, tsx), a
 * small bootstrap registers tsx in the worker and then imports `worker.ts`.
 */
function workerEntry(): { script: string; eval: boolean } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const tsx = tsxEsmApi(here);
    const entry = new URL('./worker.ts', here).href;
    const script = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    return { script, eval: true };
  }
  const file = fileURLToPath(new URL('./worker.js', here));
  if (!existsSync(file)) {
    throw new SerkitError(
      'ERR_SER_ENGINE_UNAVAILABLE',
      `the JS engine worker script is missing: ${file}`,
    );
  }
  return { script: file, eval: false };
}

interface Pending {
  resolve: (data: Float32Array) => void;
  reject: (err: Error) => void;
  group?: object;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

/** Threads to use: `threads` when > 0, else every core. */
export function resolveThreads(threads?: number): number {
  return threads && threads > 0 ? Math.floor(threads) : availableParallelism();
}

/** A pool of JS-engine workers. Tasks queue up; each idle worker takes the next one. */
export class JsWorkerPool {
  /** Most workers the pool starts (they start as tasks arrive). */
  readonly size: number;
  private readonly slots: Slot[] = [];
  private queue: { task: PoolTask; transfer: ArrayBuffer[]; group?: object }[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly byWorker = new Map<Worker, number>();
  private nextId = 1;
  private closed = false;
  private readonly keepAlive: boolean;

  private readonly entry: { script: string; eval: boolean };

  /**
   * @param size Workers at most (0 or undefined: every core); they start as tasks arrive.
   * @param keepAlive false: idle workers do not keep the process alive.
   */
  constructor(size?: number, keepAlive = true) {
    this.size = resolveThreads(size);
    this.keepAlive = keepAlive;
    this.entry = workerEntry();
  }

  /** Start one more worker. */
  private spawn(): Slot {
    const worker = new Worker(this.entry.script, {
      eval: this.entry.eval,
      name: `serkit-js-${this.slots.length}`,
      // The parent's flags, less those that only make sense for a main script (e.g. `node --input-type=module -e`).
      execArgv: process.execArgv.filter(
        (a) => !/^--(input-type|eval|print|test)\b|^-[ep]$/.test(a),
      ),
    });
    const slot: Slot = { worker, busy: false };
    worker.on('message', (reply: PoolReply) => this.onReply(slot, reply));
    worker.on('error', (err) => this.onCrash(slot, err));
    worker.on('exit', (code) => {
      if (!this.closed) this.onCrash(slot, new Error(`worker exited with code ${code}`));
    });
    if (!this.keepAlive) worker.unref();
    this.slots.push(slot);
    return slot;
  }

  /** True once the pool is closed (by {@link close} or a worker crash). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Run one task; resolves with the worker's Float32Array.
   * @param group Any object: {@link cancelGroup} with it cancels every task run with it.
   */
  run(input: PoolTaskInput, transfer: ArrayBuffer[] = [], group?: object): Promise<Float32Array> {
    if (this.closed) {
      return Promise.reject(new SerkitError('ERR_SER_INTERNAL', 'the worker pool is closed'));
    }
    const id = this.nextId++;
    const task = { ...input, id } as PoolTask;
    return new Promise<Float32Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, group });
      this.queue.push({ task, transfer, group });
      this.pump();
    });
  }

  /**
   * Reject every task of `group` with `reason`: queued ones are dropped, running
   * ones finish in their worker (one file at most) and their results are ignored.
   */
  cancelGroup(group: object, reason: Error): void {
    this.queue = this.queue.filter((q) => q.group !== group);
    for (const [id, p] of this.pending) {
      if (p.group === group) {
        this.pending.delete(id);
        p.reject(reason);
      }
    }
  }

  /** Forget a task's promise (its result, if it comes, is dropped). */
  forget(promise: Promise<unknown>): void {
    promise.catch(() => {});
  }

  /** Stop every worker; pending tasks reject with `reason`. */
  async close(reason?: Error): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = reason ?? new SerkitError('ERR_SER_INTERNAL', 'the worker pool was closed');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.queue.length = 0;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private pump(): void {
    // Start workers lazily: as many as there are queued tasks, up to `size`.
    const idle = this.slots.filter((sl) => !sl.busy).length;
    for (let n = Math.min(this.queue.length - idle, this.size - this.slots.length); n > 0; n--) {
      this.spawn();
    }
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy) continue;
      const next = this.queue.shift();
      if (!next) return;
      slot.busy = true;
      if (!this.keepAlive) slot.worker.ref();
      this.byWorker.set(slot.worker, next.task.id);
      slot.worker.postMessage(next.task, next.transfer);
    }
  }

  private onReply(slot: Slot, reply: PoolReply): void {
    slot.busy = false;
    this.byWorker.delete(slot.worker);
    if (!this.keepAlive) slot.worker.unref();
    const p = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (p) {
      if (reply.ok) p.resolve(reply.data);
      else p.reject(new SerkitError(reply.code as SerkitErrorCode, reply.message));
    }
    this.pump();
  }

  private onCrash(slot: Slot, err: Error): void {
    if (this.closed) return;
    const id = this.byWorker.get(slot.worker);
    const wrapped = new SerkitError(
      'ERR_SER_INTERNAL',
      `JS engine worker failed: ${err.message.split('\n')[0]}`,
      {
        cause: err,
      },
    );
    void this.close(wrapped);
    if (id !== undefined) this.pending.get(id)?.reject(wrapped);
  }
}

let shared: JsWorkerPool | undefined;

/** The shared pool of the JS engine's async single calls (every core; idle workers do not hold the process). */
export function sharedPool(): JsWorkerPool {
  if (!shared || shared.isClosed) shared = new JsWorkerPool(0, false);
  return shared;
}

/** Run `input` on the shared pool, honouring `signal`. */
export async function runShared(
  input: PoolTaskInput,
  transfer: ArrayBuffer[] = [],
  signal?: AbortSignal,
): Promise<Float32Array> {
  if (signal?.aborted) throw abortError(signal);
  const pool = sharedPool();
  const job = pool.run(input, transfer);
  if (!signal) return job;
  pool.forget(job);
  return new Promise<Float32Array>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    job.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** How {@link extractFilesJs} runs. */
export interface JsBulkOptions {
  /** Worker threads; 0 or undefined uses every core. */
  threads?: number;
  /** Called on the main thread after every file. */
  onProgress?: (p: BatchProgress) => void;
  /** Cancels the batch: files not started are dropped and the promise rejects with an `AbortError`. */
  signal?: AbortSignal;
}

/**
 * The JS engine's bulk extraction, the same shape as the native one: every
 * file's log-mel spectrogram stacked in input order, `rows[i]` its row or -1,
 * `errors[i]` / `codes[i]` the one-line error of a file that failed.
 * Rejects only for invalid options, a worker that crashes, or `signal`.
 */
const bulkPools = new Map<number, JsWorkerPool>();

/**
 * The pool of `size` workers used by {@link extractFilesJs}, kept between calls so that its
 * workers stay warm (JIT, FFT plans); idle workers do not keep the process alive.
 */
function bulkPool(size: number): JsWorkerPool {
  let pool = bulkPools.get(size);
  if (!pool || pool.isClosed) {
    pool = new JsWorkerPool(size, false);
    bulkPools.set(size, pool);
  }
  return pool;
}

/** Stop every worker of the JS engine (bulk and shared pools); later calls start new ones. */
export async function closeJsPools(): Promise<void> {
  const pools = [...bulkPools.values(), ...(shared ? [shared] : [])];
  bulkPools.clear();
  shared = undefined;
  await Promise.all(pools.map((p) => p.close()));
}

export async function extractFilesJs(
  paths: readonly string[],
  options: DspOptionsInput = {},
  run: JsBulkOptions = {},
): Promise<EngineBatchResult> {
  const o = resolveDspOptions(options);
  const { signal, onProgress } = run;
  if (signal?.aborted) throw abortError(signal);
  const total = paths.length;
  const featureLen = o.nMels * nFrames(o);
  // Each file's features go straight to its slot of one preallocated array (no second copy
  // of the whole batch); slots of failed files are squeezed out at the end.
  const stacked = new Float32Array(total * featureLen);
  const ok = new Uint8Array(total);
  const errors: (string | null)[] = new Array(total).fill(null);
  const codes: (string | null)[] = new Array(total).fill(null);
  if (total > 0) {
    const pool = bulkPool(Math.min(resolveThreads(run.threads), total));
    const group = {};
    let done = 0;
    let failed = 0;
    const onAbort = () => pool.cancelGroup(group, abortError(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.all(
        paths.map((path, i) =>
          pool
            .run({ kind: 'file', path, options: o }, [], group)
            .then(
              (data) => {
                if (data.length !== featureLen) {
                  throw new SerkitError(
                    'ERR_SER_INTERNAL',
                    `worker returned ${data.length} values, expected ${featureLen}`,
                  );
                }
                stacked.set(data, i * featureLen);
                ok[i] = 1;
              },
              (err: SerkitError) => {
                if (err.code === 'ABORT_ERR' || err.code === 'ERR_SER_INTERNAL') throw err;
                errors[i] = err.message;
                codes[i] = err.code;
                failed++;
              },
            )
            .then(() => {
              done++;
              onProgress?.({ done, total, failed });
            }),
        ),
      );
    } catch (err) {
      // Whatever failed (an abort, onProgress throwing, a crash): drop the batch's other files.
      pool.cancelGroup(group, abortError(signal));
      if (signal?.aborted) throw abortError(signal);
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) throw abortError(signal);
  }
  const rows = new Int32Array(total);
  let nOk = 0;
  for (let i = 0; i < total; i++) {
    if (!ok[i]) {
      rows[i] = -1;
      continue;
    }
    if (nOk !== i) stacked.copyWithin(nOk * featureLen, i * featureLen, (i + 1) * featureLen);
    rows[i] = nOk++;
  }
  const features = nOk === total ? stacked : stacked.slice(0, nOk * featureLen);
  return { features, rows, errors, codes };
}
