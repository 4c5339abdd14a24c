/** Helpers shared by the JS engine's tests (not exported by the package index). */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const REPO = resolve(here, '../../../..');
/** The parity fixtures written by tools/parity/make_fixtures.py. */
export const FIXTURES = join(REPO, 'crates/ser-dsp/tests/fixtures');
/** The shared speech data (`../shared/data` from the repo root). */
export const DATA = resolve(REPO, '../shared/data');

/** fixtures.json, parsed. */
// biome-ignore lint/suspicious/noExplicitAny: free-form JSON manifest
export function manifest(): any {
  return JSON.parse(readFileSync(join(FIXTURES, 'fixtures.json'), 'utf8'));
}

/** A `{ file, shape }` fixture entry: raw little-endian float32, checked against its shape. */
export function readF32(entry: { file: string; shape: number[] }): Float32Array {
  const bytes = readFileSync(join(FIXTURES, entry.file));
  const out = new Float32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  const expected = entry.shape.reduce((a, b) => a * b, 1);
  if (out.length !== expected)
    throw new Error(`${entry.file}: ${out.length} values, shape says ${expected}`);
  return out;
}

/** Path of a shared data file (relative to ../shared/data). */
export function dataPath(rel: string): string {
  const p = join(DATA, rel);
  if (!existsSync(p))
    throw new Error(`shared data file missing: ${p} (tests expect ../shared/data beside the repo)`);
  return p;
}

/** Largest |a − b| and where. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): [number, number] {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let worst = 0;
  let at = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > worst || Number.isNaN(d)) {
      worst = d;
      at = i;
    }
  }
  return [worst, at];
}

/** SNR in dB of `ours` against `reference`. */
export function snrDb(reference: ArrayLike<number>, ours: ArrayLike<number>, offset = 0): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i];
    const d = r - ours[offset + i];
    s += r * r;
    n += d * d;
  }
  return 10 * Math.log10(s / n);
}

/** True under CI (`CI` set to anything but `false` or `0`, as CI services do). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI?.trim().toLowerCase();
  return v !== undefined && v !== '' && v !== 'false' && v !== '0';
}

/**
 * The native addon, or undefined (with the reason) when it is not built, so that tests
 * comparing with it can skip on a machine without a Rust toolchain. Under CI the addon must
 * load: a broken build throws here (failing the test file) instead of turning into a skip.
 */
export function tryNative(
  env: NodeJS.ProcessEnv = process.env,
  load: () => unknown = () => createRequire(import.meta.url)('@serkit/dsp-native'),
  // biome-ignore lint/suspicious/noExplicitAny: the addon's own types are not needed here
): { native?: any; reason?: string } {
  try {
    return { native: load() };
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    if (inCi(env))
      throw new Error(`the native addon @serkit/dsp-native must load in CI: ${reason}`);
    return { reason };
  }
}

/** Every .wav under ../shared/data, sorted (relative paths). */
export function allDataFiles(): string[] {
  const m = manifest();
  return (m.trim.files as { path: string }[]).map((f) => f.path).sort();
}
