import { describe, expect, it } from 'vitest';
import { buildCrnn } from './crnn.js';
import { createPredictor } from './predictor.js';
import { TINY } from './testing.js';
import { classifyWindows, summarizeWindows, type WindowPrediction } from './windows.js';

const classes = ['anger', 'sadness'];
const speech = (start: number, end: number, anger: number): WindowPrediction => ({
  start,
  end,
  status: 'speech',
  label: anger >= 0.5 ? 'anger' : 'sadness',
  probabilities: { anger, sadness: 1 - anger },
});

describe('summarizeWindows', () => {
  it('gives each window the hop-long slice from its start, the last one the rest', () => {
    // 0–3 anger, 1–4 silent, 2–5 sadness, 3–4.5 (last, shorter) anger: slices 1, 1, 1, 1.5 s.
    const windows: WindowPrediction[] = [
      speech(0, 3, 0.9),
      { start: 1, end: 4, status: 'silent', label: null, probabilities: null },
      speech(2, 5, 0.2),
      speech(3, 4.5, 0.7),
    ];
    const s = summarizeWindows(windows, classes);
    expect(s.duration).toBe(5);
    expect(s.windows).toEqual({ total: 4, speech: 3, silent: 1, tooShort: 0 });
    expect(s.share).toEqual({ anger: 0.555556, sadness: 0.222222, silent: 0.222222 });
    expect(s.meanProbabilities).toEqual({ anger: 0.6, sadness: 0.4 });
  });

  it('has no mean probabilities when nothing was classified', () => {
    const s = summarizeWindows(
      [{ start: 0, end: 2, status: 'too-short', label: null, probabilities: null }],
      classes,
    );
    expect(s.share).toEqual({ anger: 0, sadness: 0, 'too-short': 1 });
    expect(s.meanProbabilities).toBeNull();
  });
});

describe('classifyWindows', () => {
  it('refuses features that do not make one model input per speech window', async () => {
    const model = await buildCrnn(TINY); // 16 × 20 inputs, 3 classes
    const predictor = await createPredictor(model, { mean: -50, std: 10 });
    const spans = [0, 1].map((start) => ({ start, end: start + 3, status: 'speech' as const }));
    const classNames = ['a', 'b', 'c'];
    const ok = await classifyWindows(predictor, spans, new Float32Array(2 * 16 * 20), classNames);
    expect(ok.map((w) => w.status)).toEqual(['speech', 'speech']);
    // Features of half the model's mel bands: two windows' worth make one model input.
    await expect(
      classifyWindows(predictor, spans, new Float32Array(2 * 8 * 20), classNames),
    ).rejects.toThrow(
      "classifyWindows: 320 feature values make 1 of the model's inputs, not one per speech window (2): the features were extracted with other DSP options than the model's",
    );
    predictor.dispose();
    model.dispose();
  });
});
