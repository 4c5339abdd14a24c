/** A writable text stream (process.stdout / process.stderr, or a test double). */
export interface OutStream {
  /** Write text. */
  write(chunk: string): unknown;
  /** True when the stream is an interactive terminal. */
  isTTY?: boolean;
  /** Terminal width, when a TTY. */
  columns?: number;
}

/** Everything a command needs from the outside world (injectable for tests). */
export interface CliContext {
  /** Machine-readable output (`--json`) and summaries. */
  stdout: OutStream;
  /** Progress, per-file errors and diagnostics. */
  stderr: OutStream;
  /**
   * Aborted when the user interrupts (Ctrl-C). `run` wires SIGINT to it when
   * none is given.
   */
  signal?: AbortSignal;
  /** Current time in ms (for tests). @default performance.now */
  now?: () => number;
  /** `--verbose`: stack traces of unexpected errors, and TensorFlow's own log lines. */
  verbose?: boolean;
}

/** True for the error an aborted `AbortSignal` makes an operation throw. */
export function isAbort(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR')
  );
}

/** Thrown by a command that was interrupted (Ctrl-C): exit 130, `message` on stderr. */
export class Interrupted extends Error {
  /**
   * @param message One line: what was (not) written, how to resume.
   */
  constructor(message: string) {
    super(message);
    this.name = 'Interrupted';
  }
}

/** An error in how the command was called: exit code 2, one line, no stack trace. */
export class UsageError extends Error {
  /**
   * @param message One-line explanation.
   */
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes of `ser`. */
export const EXIT = Object.freeze({
  /** Every file succeeded. */
  OK: 0,
  /** Some files failed (outputs were still written for the rest), or a runtime error. */
  FAILED: 1,
  /** Usage error: unknown flag, missing or bad argument. */
  USAGE: 2,
  /** Interrupted (SIGINT): nothing was written. */
  INTERRUPTED: 130,
});
