/**
 * Error codes of serkit. The native addon throws plain `Error`s with one of
 * these `code`s; errors raised in TypeScript are {@link SerkitError}s with the
 * same codes, so callers switch on `err.code` whatever the origin.
 */
export type SerkitErrorCode =
  | 'ERR_SER_INVALID_OPTION'
  | 'ERR_SER_INVALID_ARG'
  | 'ERR_SER_IO'
  | 'ERR_SER_INVALID_WAV'
  | 'ERR_SER_UNSUPPORTED_ENCODING'
  | 'ERR_SER_EMPTY'
  | 'ERR_SER_SAMPLE_RATE'
  | 'ERR_SER_THREADS'
  | 'ERR_SER_NON_FINITE'
  | 'ERR_SER_SILENT'
  | 'ERR_SER_TOO_SHORT'
  | 'ERR_SER_INVALID_NPY'
  | 'ERR_SER_ENGINE_UNAVAILABLE'
  | 'ERR_SER_INTERNAL'
  | 'ABORT_ERR';

/** An error raised by serkit's TypeScript layer: a one-line message and a stable `code`. */
export class SerkitError extends Error {
  /** Stable machine-readable code. */
  readonly code: SerkitErrorCode;

  /**
   * @param code Stable machine-readable code.
   * @param message One-line, human-readable message.
   * @param options Standard `ErrorOptions` (e.g. `cause`).
   */
  constructor(code: SerkitErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = code === 'ABORT_ERR' ? 'AbortError' : 'SerkitError';
    this.code = code;
  }
}

/** An option error in the core's format: parameter, allowed range, value received. */
export function invalidOption(name: string, allowed: string, received: unknown): SerkitError {
  return new SerkitError(
    'ERR_SER_INVALID_OPTION',
    `invalid option \`${name}\`: expected ${allowed}, received ${formatValue(received)}`,
  );
}

/** The `AbortError` thrown when an `AbortSignal` cancels work (code `ABORT_ERR`). */
export function abortError(signal?: AbortSignal): SerkitError {
  return new SerkitError('ABORT_ERR', 'The operation was aborted', { cause: signal?.reason });
}

/** Throw {@link abortError} when `signal` is already aborted. */
export function throwIfAborted(signal?: AbortSignal | null): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * Normalise an error thrown by the addon: an abort (napi-rs cancels a task
 * that has not started with name `AbortError`, code `Cancelled`) gets code
 * `ABORT_ERR`; everything else is returned unchanged.
 */
export function normalizeError(err: unknown): unknown {
  if (err instanceof Error && err.name === 'AbortError') {
    const e = err as Error & { code?: string };
    if (e.code !== 'ABORT_ERR') {
      try {
        e.code = 'ABORT_ERR';
      } catch {
        return abortError();
      }
    }
  }
  return err;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) {
    return String(v);
  }
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
