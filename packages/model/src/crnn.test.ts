import type * as TF from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { backendInfo, loadBackend } from './backend.js';
import { buildCrnn, layerShapes, resolveCrnnOptions } from './crnn.js';

describe('buildCrnn (Table 1)', () => {
  it('has every layer output shape of Table 1 and 825,288 parameters for K = 8', async () => {
    const model = await buildCrnn({ numClasses: 8 });
    const shapes = Object.fromEntries(layerShapes(model).map((l) => [l.name, l.shape]));
    expect(shapes.log_mel).toEqual([128, 259, 1]);
    expect(shapes.conv1).toEqual([128, 259, 64]);
    expect(shapes.bn1).toEqual([128, 259, 64]);
    expect(shapes.relu1).toEqual([128, 259, 64]);
    expect(shapes.pool1).toEqual([64, 129, 64]);
    expect(shapes.conv2).toEqual([64, 129, 64]);
    expect(shapes.pool2).toEqual([16, 32, 64]);
    expect(shapes.conv3).toEqual([16, 32, 128]);
    expect(shapes.pool3).toEqual([4, 8, 128]);
    expect(shapes.conv4).toEqual([4, 8, 128]);
    expect(shapes.pool4).toEqual([1, 2, 128]);
    expect(shapes.to_sequence).toEqual([2, 128]);
    expect(shapes.bilstm).toEqual([256]);
    expect(shapes.output).toEqual([8]);
    expect(model.countParams()).toBe(825_288);
    for (const n of [1, 2, 3, 4]) {
      expect((model.getLayer(`bn${n}`).getConfig() as { momentum: number }).momentum).toBe(0.9);
    }
    model.dispose();
  });

  it('runs on the native TensorFlow backend in this repo', async () => {
    await loadBackend();
    const info = await backendInfo();
    expect(info.name).toBe('tensorflow');
    expect(info.tensorflowVersion).toMatch(/^2\./);
  });

  it("builds without tfjs's orthogonal-initializer warning, keeping its seeded orthogonal values", async () => {
    const tf = await loadBackend();
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
    };
    let model: Awaited<ReturnType<typeof buildCrnn>>;
    try {
      model = await buildCrnn({ numClasses: 7 });
      console.warn('a warning of someone else');
    } finally {
      console.warn = warn;
    }
    expect(warnings).toEqual(['a warning of someone else']);
    // The forward recurrent kernel [128, 512] is tfjs's Orthogonal with the model's seed.
    const w = model.getLayer('bilstm').getWeights()[1];
    expect(w.shape).toEqual([128, 512]);
    const config = (
      model.toJSON(null, false) as unknown as {
        config: {
          layers: {
            name: string;
            config: {
              layer: {
                config: { recurrent_initializer: { class_name: string; config: { seed: number } } };
              };
            };
          }[];
        };
      }
    ).config.layers.find((l) => l.name === 'bilstm')?.config.layer.config.recurrent_initializer;
    expect(config?.class_name).toBe('Orthogonal');
    const expected = tf.tidy(() =>
      tf.initializers.orthogonal({ seed: config?.config.seed, gain: 1 }).apply([128, 512]),
    );
    // W Wᵀ = I (rows orthonormal) and the same values as tfjs's initializer.
    const gram = tf.tidy(
      () => tf.matMul(w, w, false, true).sub(tf.eye(128)).abs().max().dataSync()[0],
    );
    expect(gram).toBeLessThan(1e-4);
    expect(Math.max(...tf.tidy(() => w.sub(expected).abs().max().dataSync()))).toBe(0);
    expected.dispose();
    model.dispose();
  });

  it('rejects bad options with a one-line error naming the parameter', () => {
    expect(() => resolveCrnnOptions({ numClasses: 1 })).toThrow(/numClasses.*≥ 2/);
    expect(() => resolveCrnnOptions({ numClasses: 3, l2: -1 })).toThrow(/l2/);
    expect(() => resolveCrnnOptions({ numClasses: 3, batchNormMomentum: 1 })).toThrow(
      /batchNormMomentum: expected a number in \[0, 1\), got 1/,
    );
    expect(() =>
      resolveCrnnOptions({ numClasses: 3, nMels: 4, blocks: [{ filters: 1, kernel: 3, pool: 8 }] }),
    ).toThrow(/blocks\[0\]\.pool/);
  });
});

describe('native fused batch norm (training)', () => {
  it('gives the same training step as plain tfjs layers (composite batch norm, input gradient), no leaks', async () => {
    const tf = await loadBackend();
    const { randomDataset, TINY } = await import('./testing.js');
    const data = randomDataset(8, 16, 20, 3, 4);
    const run = async (native: boolean) => {
      const m = await buildCrnn(
        { ...TINY, l2: 0 },
        { fusedBatchNorm: native, skipInputGradient: native },
      );
      m.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
      const x = tf.tensor4d(data.x, [8, 16, 20, 1]);
      const y = tf.oneHot(tf.tensor1d(Array.from(data.labels), 'int32'), 3);
      const before = tf.memory().numTensors;
      const loss = (await m.trainOnBatch(x, y)) as number;
      const profile = await tf.profile(async () => {
        await m.trainOnBatch(x, y);
      });
      const inputGradients = profile.kernels.filter(
        (k) => k.name === 'Conv2DBackpropInput' && k.inputShapes[1]?.[2] === 1, // filter [h, w, 1, c]
      ).length;
      const leaked = tf.memory().numTensors - before;
      const w = m.getWeights().map((t) => Array.from(t.dataSync()));
      x.dispose();
      y.dispose();
      m.dispose();
      return { loss, w, leaked, inputGradients };
    };
    const a = await run(true);
    const b = await run(false);
    expect(a.leaked).toBe(0);
    // The first conv's gradient with respect to the (1-channel) input is skipped.
    expect(a.inputGradients).toBe(0);
    expect(b.inputGradients).toBe(1);
    expect(a.loss).toBeCloseTo(b.loss, 5);
    a.w.forEach((wa, i) => {
      wa.forEach((v, j) => {
        expect(v).toBeCloseTo(b.w[i][j], 4);
      });
    });
  });
});

/** The folded graph's output for `xs` equals `model.predict` to 5 decimals. */
async function expectFoldedEqualsPredict(
  model: TF.LayersModel,
  xs: TF.Tensor4D,
  nativeLstm: boolean,
) {
  const tf = await loadBackend();
  const { opsGraph } = await import('./ops-graph.js');
  const before = tf.memory().numTensors;
  const folded = opsGraph(tf, model);
  expect(folded).not.toBeNull();
  expect(folded?.nativeLstm).toBe(nativeLstm);
  const a = tf.tidy(() => folded?.run(xs) as TF.Tensor);
  const b = model.predict(xs) as TF.Tensor;
  const db = b.dataSync();
  a.dataSync().forEach((v, i) => {
    expect(v).toBeCloseTo(db[i], 5);
  });
  tf.dispose([a, b]);
  // Folded weights and shape constants live until dispose, nothing longer.
  folded?.dispose();
  expect(tf.memory().numTensors).toBe(before);
}

describe('folded inference', () => {
  it('equals model.predict (after training moved the batch-norm statistics)', async () => {
    const tf = await loadBackend();
    const { randomDataset, TINY } = await import('./testing.js');
    const data = randomDataset(8, 16, 20, 3, 4);
    const m = await buildCrnn(TINY);
    m.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const x = tf.tensor4d(data.x, [8, 16, 20, 1]);
    const xs = tf.div(tf.sub(x, -50), 10) as typeof x;
    const y = tf.oneHot(tf.tensor1d(Array.from(data.labels), 'int32'), 3);
    for (let i = 0; i < 3; i++) await m.trainOnBatch(xs, y);
    await expectFoldedEqualsPredict(m, xs, true);
    tf.dispose([x, xs, y]);
    m.dispose();
  });

  it('falls back to the layer for an LSTM the native kernel does not fit (hardSigmoid)', async () => {
    const tf = await loadBackend();
    const { randomDataset, TINY, withHardSigmoidLstm } = await import('./testing.js');
    const data = randomDataset(4, 16, 20, 3, 5);
    const m = await buildCrnn(TINY);
    const old = await withHardSigmoidLstm(tf, m);
    const xs = tf.tensor4d(
      data.x.map((v) => (v + 50) / 10),
      [4, 16, 20, 1],
    );
    await expectFoldedEqualsPredict(old, xs, false);
    xs.dispose();
    old.dispose();
    m.dispose();
  });
});
