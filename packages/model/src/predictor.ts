/**
 * Prediction with a CRNN built by `buildCrnn`, prepared once and reused for every call, on the
 * fastest engine the backend and the model allow (see {@link PredictorEngine}).
 */

import type * as TF from '@tensorflow/tfjs';
import { currentBackendInfo, loadBackend, type Tf } from './backend.js';
import { DB_REFERENCES, exampleMax } from './normalization.js';
import { type OpsGraph, opsGraph } from './ops-graph.js';
import { type SessionGraph, sessionGraph } from './session-graph.js';
import type { Predictor, PredictorEngine, PredictorOptions, ZScore } from './types.js';

/**
 * Copy examples `idx` (of `per` values each) into one batch buffer, normalised with `z` on the
 * way: each example re-referenced to its maximum when `z.dbReference` is `'utterance-max'`,
 * then z-scored.
 */
export function gatherZScored(
  x: Float32Array,
  idx: number[],
  per: number,
  z: ZScore,
): Float32Array {
  const out = new Float32Array(idx.length * per);
  const inv = 1 / z.std;
  const relative = z.dbReference === 'utterance-max';
  for (let b = 0; b < idx.length; b++) {
    const src = idx[b] * per;
    const dst = b * per;
    const shift = z.mean + (relative ? exampleMax(x, src, per) : 0);
    for (let i = 0; i < per; i++) out[dst + i] = (x[src + i] - shift) * inv;
  }
  return out;
}

/** Input height and width and the number of classes of a `[n, h, w, 1] → [n, K]` model. */
export function inputDims(model: TF.LayersModel): { h: number; w: number; k: number } {
  const [, h, w] = model.inputs[0].shape as number[];
  const k = (model.outputs[0].shape as number[]).at(-1) as number;
  return { h, w, k };
}

type Prepared = { engine: PredictorEngine; graph: SessionGraph | OpsGraph | null };
/** Why an engine cannot run; `refused` when TensorFlow rejected it rather than not applying. */
type Unavailable = { reason: string; refused?: boolean };

/** `engine` prepared for `model`, or why it cannot run here. */
async function prepare(
  tf: Tf,
  model: TF.LayersModel,
  engine: PredictorEngine,
): Promise<Prepared | Unavailable> {
  if (engine === 'layers') return { engine, graph: null };
  if (engine === 'ops') {
    const graph = opsGraph(tf, model);
    return graph
      ? { engine, graph }
      : { reason: `'ops' needs a buildCrnn model (conv/bn/relu/pool blocks)` };
  }
  try {
    const graph = await sessionGraph(tf, model);
    if (graph) return { engine, graph };
    const backend = currentBackendInfo()?.name ?? tf.getBackend();
    return {
      reason: `'session' needs the tensorflow or tensorflow-gpu backend and a buildCrnn model, got backend ${backend}`,
    };
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    return { reason: `TensorFlow refused the session graph: ${first}`, refused: true };
  }
}

/**
 * The first of `engines` that can run `model` here. One that cannot is skipped (with a
 * warning when TensorFlow refused it); when the last one cannot either, this throws.
 */
async function firstEngine(
  tf: Tf,
  model: TF.LayersModel,
  engines: readonly PredictorEngine[],
): Promise<Prepared> {
  for (const [i, engine] of engines.entries()) {
    const r = await prepare(tf, model, engine);
    if ('graph' in r) return r;
    if (i === engines.length - 1) throw new Error(`predictor engine: ${r.reason}`);
    if (r.refused) process.emitWarning(`serkit: ${r.reason}; using engine '${engines[i + 1]}'`);
  }
  throw new Error('predictor engine: no engine to try');
}

/** Engines a request may use, best first. */
const CANDIDATES: Record<NonNullable<PredictorOptions['engine']>, readonly PredictorEngine[]> = {
  auto: ['session', 'ops', 'layers'],
  session: ['session'],
  ops: ['ops'],
  layers: ['layers'],
};

/**
 * A predictor for `model` with its z-score: the engine is prepared once, so repeated calls
 * (one utterance at a time, as a service does) pay only for the network itself. The `session`
 * engine copies the weights at creation (create a new predictor after training the model
 * further); the `ops` and `layers` engines (wasm and cpu backends) run `model`'s own layers.
 * So keep `model` until the predictor is disposed: `predictor.dispose()` does not dispose it.
 *
 * @example
 * const predictor = await createPredictor(model, metadata.zscore);
 * const probs = await predictor.predict(logMel); // [n][K], row-major
 * predictor.dispose();
 */
export async function createPredictor(
  model: TF.LayersModel,
  zscore: ZScore,
  options: PredictorOptions = {},
): Promise<Predictor> {
  const request = options.engine ?? 'auto';
  const engines = Object.hasOwn(CANDIDATES, request) ? CANDIDATES[request] : null;
  if (!engines) {
    throw new Error(
      `predictor engine: expected one of ${Object.keys(CANDIDATES).join(', ')}, got ${request}`,
    );
  }
  return preparePredictor(model, zscore, options.batchSize ?? 32, engines);
}

/**
 * {@link createPredictor} on the first of `engines` (best first) that can run `model` here.
 * For callers inside the package that choose the engines themselves.
 */
export async function preparePredictor(
  model: TF.LayersModel,
  zscore: ZScore,
  batchSize: number,
  engines: readonly PredictorEngine[],
): Promise<Predictor> {
  const tf = await loadBackend();
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`predictor batchSize: expected an integer ≥ 1, got ${batchSize}`);
  }
  if (!Number.isFinite(zscore?.mean) || !(zscore?.std > 0)) {
    throw new Error(
      `predictor zscore: expected a finite mean and a std > 0, got ${JSON.stringify(zscore)}`,
    );
  }
  if (zscore.dbReference !== undefined && !DB_REFERENCES.includes(zscore.dbReference)) {
    throw new Error(
      `predictor zscore.dbReference: expected one of ${DB_REFERENCES.join(', ')}, got ${JSON.stringify(zscore.dbReference)}`,
    );
  }
  const { engine, graph } = await firstEngine(tf, model, engines);
  const { h, w, k } = inputDims(model);
  const per = h * w;
  let disposed = false;
  return {
    numClasses: k,
    engine,
    async predict(x: Float32Array): Promise<Float32Array> {
      if (disposed) throw new Error('predictor: already disposed');
      if (!(x instanceof Float32Array) || x.length === 0 || x.length % per !== 0) {
        throw new Error(
          `predict x: expected a non-empty Float32Array whose length is a multiple of ${h}×${w} = ${per}, got ${x?.length}`,
        );
      }
      const n = x.length / per;
      const out = new Float32Array(n * k);
      for (let s = 0; s < n; s += batchSize) {
        const m = Math.min(batchSize, n - s);
        const buf = gatherZScored(
          x,
          Array.from({ length: m }, (_, i) => s + i),
          per,
          zscore,
        );
        const probs = tf.tidy(() => {
          const xt = tf.tensor4d(buf, [m, h, w, 1]);
          return graph ? graph.run(xt) : (model.predict(xt) as TF.Tensor);
        });
        try {
          // Synchronous read: on tfjs-node the graph above already ran on this thread, and the
          // async path only adds a round trip through the event loop.
          out.set(probs.dataSync(), s * k);
        } finally {
          probs.dispose();
        }
      }
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      graph?.dispose();
    },
  };
}
