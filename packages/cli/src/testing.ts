/**
 * Test helpers of `@serkit/cli`: the built `ser` binary run as a child process, as a user runs
 * it. Not part of the build (`tsconfig.build.json` excludes it) nor of the package.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The built CLI entry point (`npm run build` first). */
export const SER_BIN = resolve(import.meta.dirname, '../dist/bin/ser.js');

/** Exit code and output of one `ser` run. */
export interface SerRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** How {@link runSer} runs `ser`. */
export interface RunSerOptions {
  /** Environment of the child; default this process's. */
  env?: NodeJS.ProcessEnv;
  /** Kill the child after this many ms; default 300 000. */
  timeoutMs?: number;
  /** Bytes on the child's stdin. */
  input?: Buffer;
}

/** Run `node dist/bin/ser.js ...args` to completion and return its exit code and output. */
export function runSer(args: readonly string[], options: RunSerOptions = {}): SerRun {
  const r = spawnSync(process.execPath, [SER_BIN, ...args], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 300_000,
    env: options.env ?? process.env,
    input: options.input,
    maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Resolves once the process `pid` runs its native extraction: the core's rayon workers are
 * named `ser-dsp-N` (read from /proc on Linux; elsewhere, after a fixed 2 s).
 *
 * @throws Error when no such thread appears within `timeoutMs`.
 */
export async function batchRunning(pid: number, timeoutMs: number): Promise<void> {
  const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));
  if (!existsSync('/proc/self/task')) return sleep(2000);
  const tasks = `/proc/${pid}/task`;
  for (const t0 = Date.now(); Date.now() - t0 < timeoutMs; await sleep(10)) {
    try {
      for (const t of readdirSync(tasks)) {
        if (readFileSync(join(tasks, t, 'comm'), 'utf8').startsWith('ser-dsp-')) return;
      }
    } catch {
      // the process or one of its threads went away between the listing and the read
    }
  }
  throw new Error(`process ${pid}: its extraction did not start within ${timeoutMs} ms`);
}
