import cliProgress from 'cli-progress';
import type { CliContext } from './context.js';

/** A progress display: a bar with ETA on a TTY, plain lines on a pipe (or nothing). */
export interface Progress {
  /** Set the absolute position and the payload fields of the format. */
  update(value: number, payload?: Record<string, string | number>): void;
  /** Remove the bar (TTY) or print the final line (pipe). */
  stop(): void;
}

/**
 * A progress bar on stderr when it is a TTY (cli-progress, with ETA); on a pipe, one
 * plain line at most every `lineEverySeconds` and at the end (or nothing when
 * `lineEverySeconds` is 0). `format` uses cli-progress tokens, e.g.
 * `'extracting [{bar}] {value}/{total} files | ETA {eta_formatted}'`.
 */
export function createProgress(
  ctx: CliContext,
  total: number,
  format: string,
  options: { lineEverySeconds?: number; payload?: Record<string, string | number> } = {},
): Progress {
  const payload = options.payload ?? {};
  if (ctx.stderr.isTTY && total > 0) {
    const bar = new cliProgress.SingleBar(
      {
        stream: ctx.stderr as NodeJS.WritableStream,
        format,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, payload);
    return { update: (value, p) => bar.update(value, p), stop: () => bar.stop() };
  }
  const every = (options.lineEverySeconds ?? 0) * 1000;
  if (every === 0) return { update: () => {}, stop: () => {} };
  // Pipe: a plain line now and then, with the format's tokens filled in (no bar).
  const plain = format
    .replace(/\s*\[\{bar\}\]\s*/, ' ')
    .replace(/\s*\|?\s*ETA \{eta_formatted\}/, '');
  let last = 0;
  let value = 0;
  let current = { ...payload };
  const line = () => {
    const fields: Record<string, string | number> = {
      ...current,
      value,
      total,
      percentage: total ? Math.floor((100 * value) / total) : 100,
    };
    ctx.stderr.write(`${plain.replace(/\{(\w+)\}/g, (_, k: string) => String(fields[k] ?? ''))}\n`);
  };
  return {
    update(v, p) {
      value = v;
      if (p) current = { ...current, ...p };
      const t = performance.now();
      if (t - last >= every) {
        last = t;
        line();
      }
    },
    stop: line,
  };
}
