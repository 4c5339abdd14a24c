/**
 * Run `fn` with the `console.warn` lines whose first argument matches `pattern` dropped; every
 * other warning passes, and `console.warn` is restored afterwards (also when `fn` throws). For
 * TensorFlow.js's own one-time notices that serkit either says better or that are not true of
 * its use (see the callers). Synchronous only: an awaited callback would let other code's
 * warnings through the filter.
 */
export function withoutWarning<T>(pattern: RegExp, fn: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && pattern.test(args[0])) return;
    warn.apply(console, args);
  };
  try {
    return fn();
  } finally {
    console.warn = warn;
  }
}
