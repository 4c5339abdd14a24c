/**
 * The shipped pretrained models (`@serkit/model-ravdess`, `@serkit/model-emodb`, workspace
 * packages here): resolution, loading, the recorded recipe, refusal of other DSP options, and a
 * forward pass whose probabilities sum to 1. Labels on real speech are checked end to end in
 * the CLI's `pretrained.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { readMetadata } from './persistence.js';
import {
  DEFAULT_PRETRAINED_MODEL,
  listPretrainedModels,
  loadPretrained,
  PRETRAINED_MODELS,
  type PretrainedModelName,
  pretrainedModelDir,
} from './pretrained.js';
import { predictProbabilities } from './train.js';

const EXPECTED_CLASSES: Record<PretrainedModelName, string[]> = {
  ravdess: ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'],
  emodb: ['anger', 'boredom', 'disgust', 'fear', 'happiness', 'sadness', 'neutral'],
};

describe('pretrained models', () => {
  it('lists both shipped models as installed, ravdess the default', () => {
    expect(DEFAULT_PRETRAINED_MODEL).toBe('ravdess');
    const list = listPretrainedModels();
    expect(list.map((m) => m.name)).toEqual(Object.keys(PRETRAINED_MODELS));
    for (const m of list) {
      expect(m.installed, m.name).toBe(true);
      expect(m.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(new Set(m.classNames)).toEqual(new Set(EXPECTED_CLASSES[m.name]));
    }
  });

  for (const name of Object.keys(PRETRAINED_MODELS) as PretrainedModelName[]) {
    it(`${name}: loads, records its recipe, and gives probabilities that sum to 1`, async () => {
      const tf = await loadBackend();
      const { model, metadata, dir } = await loadPretrained(name);
      try {
        expect(dir).toBe(pretrainedModelDir(name));
        expect(metadata.inputShape).toEqual([128, 259, 1]);
        const recipe = (metadata as unknown as { recipe: Record<string, unknown> }).recipe;
        expect(recipe.command).toBe(`node tools/train-pretrained.mjs ${name}`);
        expect(recipe.trainingData).toMatchObject({
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
        // A deterministic, speech-like input: log-mel dB values around the corpus mean.
        const n = 2;
        const x = new Float32Array(n * 128 * 259);
        for (let i = 0; i < x.length; i++) x[i] = -60 + 30 * Math.sin(i / 97) * Math.cos(i / 13);
        const before = tf.memory().numTensors;
        const p = await predictProbabilities(model, x, metadata.zscore);
        expect(tf.memory().numTensors).toBe(before);
        const k = metadata.classNames.length;
        expect(p.length).toBe(n * k);
        for (let r = 0; r < n; r++) {
          const sum = p.subarray(r * k, (r + 1) * k).reduce((a, b) => a + b, 0);
          expect(sum).toBeCloseTo(1, 5);
        }
      } finally {
        model.dispose();
      }
    });
  }

  it('refuses other DSP options, naming each differing option', async () => {
    const dir = pretrainedModelDir('ravdess');
    const metadata = readMetadata(dir);
    await expect(
      loadPretrained('ravdess', { dsp: { ...metadata.dsp, nMels: 64 } }),
    ).rejects.toThrow(
      new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*nMels: model has 128, given 64`),
    );
    await expect(
      loadPretrained('ravdess', { dsp: { ...metadata.dsp, nMels: 64 } }),
    ).rejects.toMatchObject({ code: 'ERR_SER_DSP_MISMATCH' });
  });

  it('names an unknown model and the known ones', () => {
    expect(() => pretrainedModelDir('iemocap')).toThrow(
      'unknown pretrained model `iemocap`: expected one of ravdess, emodb',
    );
    // Errors a caller can branch on, as @serkit/features' codes.
    expect(() => pretrainedModelDir('iemocap')).toThrow(
      expect.objectContaining({ name: 'ModelError', code: 'ERR_SER_UNKNOWN_MODEL' }),
    );
  });
});
