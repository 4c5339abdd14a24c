/**
 * Backend selection: native TensorFlow (GPU, then CPU) through tfjs-node, else TensorFlow.js on
 * wasm for prediction only. Chosen once per process, at the first {@link loadBackend}.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { withoutWarning } from './console-filter.js';
import { type NativePackageName, nativePackageCandidates } from './native-location.js';
import { inspectTfjsNode } from './tfjs-node-internals.js';
import type { BackendInfo, BackendName, BackendOptions, BackendRequest } from './types.js';

/** The TensorFlow.js namespace (as re-exported by tfjs-node, or @tensorflow/tfjs itself). */
export type Tf = typeof TF;

const require = createRequire(import.meta.url);

/** The command that provides native TensorFlow (`setupNativeTensorflow()` behind it). */
export const SETUP_HINT = 'run `npx ser setup` to install native TensorFlow';

/** One line printed when only wasm is available. */
export const WASM_WARNING =
  'serkit: native TensorFlow unavailable, using TensorFlow.js wasm: prediction only ' +
  `(training there would take hours); ${SETUP_HINT}.`;

const ALIASES: Record<string, BackendRequest> = {
  auto: 'auto',
  gpu: 'tensorflow-gpu',
  'tensorflow-gpu': 'tensorflow-gpu',
  node: 'tensorflow',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

let loaded: { tf: Tf; info: BackendInfo } | null = null;
let loading: Promise<{ tf: Tf; info: BackendInfo }> | null = null;

/** Parse a backend request (option or `SER_BACKEND`); throws a one-line error when invalid. */
export function parseBackendRequest(value: string | undefined, source: string): BackendRequest {
  if (value === undefined || value === '') return 'auto';
  const r = ALIASES[value.trim().toLowerCase()];
  if (!r) {
    throw new Error(
      `${source}: unknown backend "${value}" (expected one of ${Object.keys(ALIASES).join(', ')})`,
    );
  }
  return r;
}

function firstLine(err: unknown): string {
  const s = err instanceof Error ? err.message : String(err);
  return s.split('\n')[0].slice(0, 200);
}

let oneDnnDefaulted: boolean | null = null;

/**
 * Turn TensorFlow's oneDNN kernels on unless the user chose (once per process, before the first
 * native load). TensorFlow turns them on by itself only on CPUs with AVX-512 VNNI/BF16 or AMX
 * (TensorFlow RFC 400, TF ≥ 2.9); elsewhere (AMD before Zen 4, Intel before Cascade Lake) it
 * runs Eigen's, and a training step of the CRNN takes longer (benchmarks/RESULTS.md, anchor
 * `onednn-default-2026-12-07`). `TF_ENABLE_ONEDNN_OPTS=0` still turns them off; empty counts as
 * unset. libtensorflow reads the variable when it loads, once per process.
 *
 * @returns whether the variable says what libtensorflow read: false when the program had loaded
 *   a copy of tfjs-node itself (its own, or serkit's) before, whatever the variable says now.
 */
function defaultOneDnn(): boolean {
  if (oneDnnDefaulted === null) {
    const preloaded = Object.keys(require.cache).some((k) =>
      /[\\/]@tensorflow[\\/]tfjs-node(-gpu)?[\\/]/.test(k),
    );
    // Too late to matter once loaded (and children would inherit it): left alone then.
    if (!preloaded && !process.env.TF_ENABLE_ONEDNN_OPTS) process.env.TF_ENABLE_ONEDNN_OPTS = '1';
    oneDnnDefaulted = !preloaded;
  }
  return oneDnnDefaulted;
}

/**
 * Load `pkg` from npm's copy, else from serkit's cache copy (see native-location.ts).
 * Throws "not installed" when neither exists, and "native binding not built" when a copy exists
 * but its binding or libtensorflow does not load.
 */
function tryNative(pkg: NativePackageName): { tf: Tf; dir: string; oneDnnKnown: boolean } {
  const prev = process.env.TF_CPP_MIN_LOG_LEVEL;
  if (prev === undefined) process.env.TF_CPP_MIN_LOG_LEVEL = '2';
  const oneDnnKnown = defaultOneDnn();
  const dirs = nativePackageCandidates(pkg);
  if (dirs.length === 0) throw new Error('not installed');
  let firstError: unknown = null;
  for (const dir of dirs) {
    try {
      const tf = require(dir) as Tf;
      if (tf.getBackend() !== 'tensorflow') {
        // Another backend was active first (e.g. the wasm fallback of an earlier request).
        if (!tf.setBackend('tensorflow')) throw new Error(`${pkg}: cannot activate backend`);
      }
      return { tf, dir, oneDnnKnown };
    } catch (err) {
      firstError ??= err;
    }
  }
  const msg = firstLine(firstError);
  throw new Error(
    /Cannot find module|tfjs_binding|libtensorflow/.test(msg)
      ? 'installed, but its native binding is not built'
      : msg,
  );
}

async function tryJs(name: 'wasm' | 'cpu'): Promise<Tf> {
  const tf = require('@tensorflow/tfjs') as Tf;
  if (name === 'wasm') {
    const wasm =
      require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    wasm.setWasmPaths(`${path.join(dir, 'dist')}${path.sep}`);
  }
  if (!(await tf.setBackend(name))) throw new Error(`cannot initialise the ${name} backend`);
  await tf.ready();
  // The cpu backend's first tensor prints "Hi, looks like you are running TensorFlow.js in
  // Node.js. To speed things up dramatically, install our node backend…". The cpu backend is
  // only used when asked for by name (`--backend cpu`), and `ser info` already says how to get
  // native TensorFlow: write the first tensor here, with that notice dropped.
  if (name === 'cpu') withoutWarning(CPU_NODE_NOTICE, () => tf.dispose(tf.scalar(0)));
  return tf;
}

/**
 * A `TF_ENABLE_ONEDNN_OPTS` value (default: the process's) read as TensorFlow reads a boolean
 * variable (`ReadBoolFromEnvVar`: lower-cased, not trimmed), or null if it is neither, or unset
 * (TensorFlow then decides by the CPU, warning about a value it cannot read).
 */
export function readOneDnnVariable(
  value: string | undefined = process.env.TF_ENABLE_ONEDNN_OPTS,
): boolean | null {
  const v = value?.toLowerCase();
  return v === '1' || v === 'true' ? true : v === '0' || v === 'false' ? false : null;
}

/** TensorFlow.js's one-time notice on its cpu backend in Node.js (`MathBackendCPU.write`). */
const CPU_NODE_NOTICE = /Hi, looks like you are running TensorFlow\.js in Node\.js/;

async function select(
  request: BackendRequest,
  origin: string,
): Promise<{ tf: Tf; info: BackendInfo }> {
  const failures: string[] = [];
  const order: BackendName[] =
    request === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm'] : [request as BackendName];
  for (const name of order) {
    try {
      let tf: Tf;
      let pkg: string;
      let tensorflowVersion: string | null = null;
      let oneDnnKnown = false;
      if (name === 'tensorflow-gpu' || name === 'tensorflow') {
        pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
        const native = tryNative(pkg as NativePackageName);
        tf = native.tf;
        oneDnnKnown = native.oneDnnKnown;
        tensorflowVersion = inspectTfjsNode(tf, native.dir).tensorflowVersion;
      } else {
        pkg = name === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : '@tensorflow/tfjs';
        tf = await tryJs(name);
      }
      const why =
        request === 'auto'
          ? `auto${failures.length ? ` (${failures.join('; ')})` : ''}`
          : `requested by ${origin}`;
      const info: BackendInfo = {
        name,
        packageName: pkg,
        tfjsVersion: tf.version_core,
        tensorflowVersion,
        reason: why,
        canTrain: name === 'tensorflow' || name === 'tensorflow-gpu',
        // TensorFlow's oneDNN CPU kernels are an x86-64 feature of its builds.
        oneDnn:
          tensorflowVersion === null || process.arch !== 'x64' || !oneDnnKnown
            ? null
            : readOneDnnVariable(),
      };
      if (name === 'wasm' && request === 'auto') console.warn(WASM_WARNING);
      return { tf, info };
    } catch (err) {
      const msg = firstLine(err);
      const short = /Cannot find module/.test(msg) ? 'not installed' : msg;
      failures.push(`${name}: ${short}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be loaded (${failures.join('; ')})`);
}

/**
 * Load (once per process) and return the TensorFlow.js namespace on the chosen backend.
 * Order for `auto`: `@tensorflow/tfjs-node-gpu` (when installed and CUDA loads), then
 * `@tensorflow/tfjs-node` (native libtensorflow), then `@tensorflow/tfjs` on wasm (prediction
 * only; a one-line warning is printed). Override with `options.backend` or env `SER_BACKEND`.
 * A later call with a different explicit request throws: the backend is process-wide; a later
 * call without `options.backend` returns the loaded backend (`SER_BACKEND` only picks the first).
 */
export async function loadBackend(options: BackendOptions = {}): Promise<Tf> {
  const fromOption = options.backend !== undefined;
  // SER_BACKEND only chooses the first backend: later calls without an option use the loaded
  // one (the CLI's --backend loads first, then model loading asks for "whatever is loaded").
  if (loaded && !fromOption) return loaded.tf;
  const request = fromOption
    ? parseBackendRequest(options.backend, 'option backend')
    : parseBackendRequest(process.env.SER_BACKEND, 'env SER_BACKEND');
  const origin = fromOption ? 'option backend' : 'env SER_BACKEND';
  if (loaded) {
    if (request !== 'auto' && request !== loaded.info.name) {
      throw new Error(
        `${origin}: backend "${request}" requested but "${loaded.info.name}" is already in use in this process`,
      );
    }
    return loaded.tf;
  }
  if (!loading) {
    loading = select(request, origin).then(
      (r) => {
        loaded = r;
        return r;
      },
      (err) => {
        loading = null;
        throw err;
      },
    );
  }
  return (await loading).tf;
}

/**
 * Report the backend in use: name, package, TensorFlow.js and TensorFlow versions, and why it
 * was chosen. Loads the backend first if needed (same rules as {@link loadBackend}).
 */
export async function backendInfo(options: BackendOptions = {}): Promise<BackendInfo> {
  await loadBackend(options);
  return { ...(loaded as { info: BackendInfo }).info };
}

/** The loaded namespace; throws if {@link loadBackend} has not completed. */
export function currentTf(): Tf {
  if (!loaded) throw new Error('@serkit/model: call `await loadBackend()` first');
  return loaded.tf;
}

/** The loaded backend's info, or null before {@link loadBackend}. */
export function currentBackendInfo(): BackendInfo | null {
  return loaded ? { ...loaded.info } : null;
}
