/**
 * The JS engine's worker pool, on piscina: N `worker_threads` workers, each with its own
 * extractor plans; tasks queue up and each idle worker takes the next one (so fast and slow
 * files balance); results come back as transferred Float32Array buffers. Used by
 * {@link extractFilesJs} (bulk, with progress and AbortSignal; one pool per thread count, kept
 * warm between calls) and by the JS engine's async single calls (one shared pool). Idle workers
 * never keep the process alive; {@link closeJsPools} stops them all.
 *
 * Cancellation keeps the semantics the engine documents: cancelling a group rejects its promises
 * at once, its queued tasks are not run (each carries a shared flag the worker checks before it
 * starts) and a task already running finishes in its worker (one file at most), its result
 * dropped. piscina's own `signal` is not used: it terminates the worker of a running task.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { BatchProgress, EngineBatchResult } from '../engine.js';
import { abortError, SerkitError, type SerkitErrorCode } from '../errors.js';
import { type DspOptionsInput, nFrames, resolveDspOptions } from '../options.js';
import type { DspOptions } from '../types.js';

/** A task for a worker; `cancelled[0]` set to 1 means "do not start". */
export type PoolTask = { options: DspOptions; cancelled?: Int32Array } & (
  | { kind: 'file'; path: string }
  | { kind: 'extract' | 'preprocess'; samples: Float32Array; sampleRate: number }
  | { kind: 'logMel'; samples: Float32Array }
);

/** A task as callers give it (the pool adds the cancellation flag of its group). */
export type PoolTaskInput = PoolTask extends infer T
  ? T extends PoolTask
    ? Omit<T, 'cancelled'>
    : never
  : never;

/** A worker's answer when a task fails (as data: the clone of a thrown Error drops its `code`). */
export type PoolReply = { ok: false; message: string; code: string };

/**
 * The worker module: `worker.js` beside this module in the compiled package; when this module
 * runs from its TypeScript source (vitest, tsx), `worker-dev.mjs`, which registers tsx in the
 * worker and then loads `worker.ts`.
 */
function workerFile(): string {
  const here = import.meta.url;
  const file = fileURLToPath(
    new URL(here.endsWith('.ts') ? './worker-dev.mjs' : './worker.js', here),
  );
  if (!existsSync(file)) {
    throw new SerkitError(
      'ERR_SER_ENGINE_UNAVAILABLE',
      `the JS engine worker script is missing: ${file}`,
    );
  }
  return file;
}

/** Threads to use: `threads` when > 0, else every core. */
export function resolveThreads(threads?: number): number {
  return threads && threads > 0 ? Math.floor(threads) : availableParallelism();
}

/** Promises of one group and the flag its queued tasks check. */
interface Group {
  cancelled: Int32Array;
  rejects: Set<(err: Error) => void>;
}

/** A pool of JS-engine workers. Tasks queue up; each idle worker takes the next one. */
export class JsWorkerPool {
  /** Most workers the pool starts (they start as tasks arrive). */
  readonly size: number;
  private readonly piscina: Piscina;
  private readonly groups = new WeakMap<object, Group>();
  private readonly pending = new Set<(err: Error) => void>();
  private closed = false;

  /**
   * @param size Workers at most (0 or undefined: every core); they start as tasks arrive and
   *   stay warm until {@link close}. Idle workers never keep the process alive.
   */
  constructor(size?: number) {
    this.size = resolveThreads(size);
    this.piscina = new Piscina({
      filename: workerFile(),
      minThreads: 0,
      maxThreads: this.size,
      idleTimeout: Number.POSITIVE_INFINITY,
      // The parent's flags, less those that only make sense for a main script (e.g. `node --input-type=module -e`).
      execArgv: process.execArgv.filter(
        (a) => !/^--(input-type|eval|print|test)\b|^-[ep]$/.test(a),
      ),
    });
  }

  /** True once the pool is closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  private group(key: object): Group {
    let g = this.groups.get(key);
    if (!g) {
      g = { cancelled: new Int32Array(new SharedArrayBuffer(4)), rejects: new Set() };
      this.groups.set(key, g);
    }
    return g;
  }

  /**
   * Run one task; resolves with the worker's Float32Array.
   * @param group Any object: {@link cancelGroup} with it cancels every task run with it.
   */
  run(input: PoolTaskInput, transfer: ArrayBuffer[] = [], group?: object): Promise<Float32Array> {
    if (this.closed) {
      return Promise.reject(new SerkitError('ERR_SER_INTERNAL', 'the worker pool is closed'));
    }
    const g = group ? this.group(group) : undefined;
    const task: PoolTask = g ? { ...input, cancelled: g.cancelled } : input;
    return new Promise<Float32Array>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        this.pending.delete(fail);
        g?.rejects.delete(fail);
        reject(err);
      };
      this.pending.add(fail);
      g?.rejects.add(fail);
      this.piscina.run(task, { transferList: transfer }).then(
        (reply: Float32Array | PoolReply) => {
          if (settled) return;
          if (reply instanceof Float32Array) {
            settled = true;
            this.pending.delete(fail);
            g?.rejects.delete(fail);
            resolve(reply);
          } else {
            fail(new SerkitError(reply.code as SerkitErrorCode, reply.message));
          }
        },
        (err: Error) =>
          fail(
            new SerkitError(
              'ERR_SER_INTERNAL',
              `JS engine worker failed: ${err.message.split('\n')[0]}`,
              { cause: err },
            ),
          ),
      );
    });
  }

  /**
   * Reject every task of `group` with `reason`: queued ones are not run, running ones finish in
   * their worker (one file at most) and their results are ignored.
   */
  cancelGroup(group: object, reason: Error): void {
    const g = this.groups.get(group);
    if (!g) return;
    Atomics.store(g.cancelled, 0, 1);
    for (const reject of [...g.rejects]) reject(reason);
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
    for (const reject of [...this.pending]) reject(err);
    await this.piscina.destroy();
  }
}

let shared: JsWorkerPool | undefined;

/** The shared pool of the JS engine's async single calls (every core; idle workers do not hold the process). */
export function sharedPool(): JsWorkerPool {
  if (!shared || shared.isClosed) shared = new JsWorkerPool(0);
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
    pool = new JsWorkerPool(size);
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
  return { features, rows, errors, codes, copiesPerFile: 1 };
}
