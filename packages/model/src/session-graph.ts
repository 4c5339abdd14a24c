/**
 * Inference for a CRNN built by `buildCrnn` as one TensorFlow graph run by a TensorFlow session,
 * the way Keras's `predict` runs it, instead of one tfjs op call at a time.
 *
 * The folded weights become constants of a frozen GraphDef (`crnn-graph.ts`, built with
 * `graphdef.ts`), which is written as a variable-free SavedModel to a temporary folder, loaded
 * with tfjs-node's `loadSavedModel` (a TensorFlow session; the folder is removed right after)
 * and run with one `Session::Run` per batch. TensorFlow's graph optimiser (Grappler) then fuses each Conv2D + BiasAdd + ReLU into
 * one oneDNN kernel and the per-op dispatch of eager execution disappears: the four conv blocks
 * were 13.9 of 15 ms per utterance as tfjs ops (`benchmarks/model/profile.mjs`).
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import type { Tf } from './backend.js';
import { crnnSavedModel } from './crnn-graph.js';
import { tfjsNodeInternals } from './tfjs-node-internals.js';

// biome-ignore lint/suspicious/noExplicitAny: tfjs-node's TFSavedModel is not in tfjs's types.
type Any = any;

/** A loaded inference session; results are tfjs tensors the caller disposes. */
export interface SessionGraph {
  /** Class probabilities `[n, K]` of a z-scored batch `[n, h, w, 1]` (any n). */
  run(x: TF.Tensor4D): TF.Tensor2D;
  /** Close the TensorFlow session. */
  dispose(): void;
}

/**
 * Load `model` (a `buildCrnn` CRNN) as a TensorFlow session. Resolves to null when the backend
 * is not tfjs-node / tfjs-node-gpu or the model is not `buildCrnn`'s structure; rejects when
 * TensorFlow refuses the graph or the temporary folder cannot be written.
 */
export async function sessionGraph(tf: Tf, model: TF.LayersModel): Promise<SessionGraph | null> {
  const proto = tfjsNodeInternals(tf)?.proto;
  if (!proto) return null;
  const bytes = crnnSavedModel(tf, proto, model);
  if (!bytes) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serkit-graph-'));
  let saved: Any;
  try {
    fs.writeFileSync(path.join(dir, 'saved_model.pb'), bytes);
    saved = await proto.loadSavedModel(dir, ['serve'], 'serving_default');
  } finally {
    // The session holds the graph; the file is not read again.
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return {
    run: (x) => saved.predict(x) as TF.Tensor2D,
    dispose: () => saved.dispose(),
  };
}
