import fs from 'node:fs';
import os from 'node:os';
import type * as TF from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { buildCrnn } from './crnn.js';
import { createPredictor } from './predictor.js';
import { sessionGraph } from './session-graph.js';
import { randomDataset, TINY, withHardSigmoidLstm } from './testing.js';

const graphFolders = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('serkit-graph-'));

/** TINY CRNN trained a few steps, so the batch-norm statistics are no longer 0 and 1. */
async function trainedTiny(): Promise<{ model: TF.LayersModel; x: Float32Array }> {
  const tf = await loadBackend();
  const data = randomDataset(8, 16, 20, 3, 4);
  const model = await buildCrnn(TINY);
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor4d(
    data.x.map((v) => (v + 50) / 10),
    [8, 16, 20, 1],
  );
  const y = tf.oneHot(tf.tensor1d(Array.from(data.labels), 'int32'), 3);
  for (let i = 0; i < 3; i++) await model.trainOnBatch(xs, y);
  tf.dispose([xs, y]);
  return { model, x: data.x };
}

describe('session engine (one TensorFlow graph)', () => {
  it('equals model.predict for any batch size, leaves no tensors or temporary folders', async () => {
    const tf = await loadBackend();
    const { model, x } = await trainedTiny();
    const zscore = { mean: -50, std: 10 };
    const folders = graphFolders();
    const before = tf.memory().numTensors;
    // batchSize 3 over 8 examples: runs of 3, 3 and 2, so the graph sees two batch sizes.
    const session = await createPredictor(model, zscore, { batchSize: 3 });
    const layers = await createPredictor(model, zscore, { engine: 'layers' });
    expect(session.engine).toBe('session');
    expect(layers.engine).toBe('layers');
    const a = await session.predict(x);
    const b = await layers.predict(x);
    expect(a.length).toBe(8 * 3);
    a.forEach((v, i) => {
      expect(v).toBeCloseTo(b[i], 5);
    });
    session.dispose();
    layers.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(graphFolders()).toEqual(folders);
    model.dispose();
  });

  it('runs a model deserialised from its topology (as loadModel gives it)', async () => {
    const tf = await loadBackend();
    const { model, x } = await trainedTiny();
    const copy = await tf.models.modelFromJSON({
      modelTopology: model.toJSON(null, false),
    } as never);
    copy.setWeights(model.getWeights());
    const zscore = { mean: -50, std: 10 };
    const session = await createPredictor(copy, zscore);
    expect(session.engine).toBe('session');
    const layers = await createPredictor(model, zscore, { engine: 'layers' });
    const a = await session.predict(x);
    const b = await layers.predict(x);
    a.forEach((v, i) => {
      expect(v).toBeCloseTo(b[i], 5);
    });
    session.dispose();
    layers.dispose();
    copy.dispose();
    model.dispose();
  });

  it('is declined for a model the graph does not describe; auto falls back to tfjs ops', async () => {
    const tf = await loadBackend();
    const { model, x } = await trainedTiny();
    const old = await withHardSigmoidLstm(tf, model);
    const before = tf.memory().numTensors;
    expect(await sessionGraph(tf, old)).toBeNull();
    // The weights copied to check the structure are freed again.
    expect(tf.memory().numTensors).toBe(before);
    await expect(createPredictor(old, { mean: 0, std: 1 }, { engine: 'session' })).rejects.toThrow(
      /predictor engine: 'session' needs .* buildCrnn model/,
    );
    const auto = await createPredictor(old, { mean: -50, std: 10 });
    expect(auto.engine).toBe('ops');
    expect((await auto.predict(x.subarray(0, 16 * 20))).length).toBe(3);
    auto.dispose();
    await expect(
      createPredictor(old, { mean: 0, std: 1 }, { engine: 'fast' as never }),
    ).rejects.toThrow('predictor engine: expected one of auto, session, ops, layers, got fast');
    old.dispose();
    model.dispose();
  });
});
