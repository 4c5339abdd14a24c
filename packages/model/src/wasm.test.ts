// Runs in its own worker (vitest isolates files), so the process-wide backend here is wasm.
import { describe, expect, it } from 'vitest';
import { backendInfo, loadBackend } from './backend.js';
import { buildCrnn } from './crnn.js';
import { randomDataset, TINY } from './testing.js';
import { predictProbabilities, train } from './train.js';

describe('wasm fallback (prediction only)', () => {
  it('predicts without leaks and refuses to train', async () => {
    const tf = await loadBackend({ backend: 'wasm' });
    const info = await backendInfo();
    expect(info).toMatchObject({ name: 'wasm', tensorflowVersion: null, canTrain: false });
    expect(info.reason).toBe('requested by option backend');
    const model = await buildCrnn(TINY);
    const data = randomDataset(2, 16, 20, 3, 1);
    const before = tf.memory().numTensors;
    const p = await predictProbabilities(model, data.x, { mean: -50, std: 10 });
    expect(tf.memory().numTensors).toBe(before);
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 5);
    await expect(train(model, data)).rejects.toThrow(
      /backend "wasm" is for prediction only \(training there would take hours\)/,
    );
    model.dispose();
  });
});
