/**
 * Classification of the windows of a long recording or a live stream (`ser predict --window`,
 * `--stream`): every `speech` window through the model, `silent` and `too-short` ones left
 * unlabelled, and a per-recording summary.
 */

import type { Predictor } from './types.js';

/** A window as cut by `@serkit/features` (`fileWindows`, `LiveWindows`). */
export interface WindowSpan {
  /** Start, seconds. */
  start: number;
  /** End, seconds. */
  end: number;
  /** `speech` windows are classified; `silent` and `too-short` ones are not. */
  status: 'speech' | 'silent' | 'too-short';
}

/** A classified window. */
export interface WindowPrediction {
  /** Start, seconds. */
  start: number;
  /** End, seconds. */
  end: number;
  /** `speech`, `silent` or `too-short`. */
  status: WindowSpan['status'];
  /** The most probable class; null for a window that was not classified. */
  label: string | null;
  /** Probability of every class; null for a window that was not classified. */
  probabilities: Record<string, number> | null;
}

/** Summary of the windows of one recording. */
export interface WindowSummary {
  /** Duration covered by the windows, seconds. */
  duration: number;
  /** Windows in all, and by status. */
  windows: { total: number; speech: number; silent: number; tooShort: number };
  /**
   * Share of the recording's time per emotion, and under `silent` and `too-short` for the
   * time not classified; sums to 1. The timeline is cut into hop-long slices, each
   * attributed to the window that starts there (the last window keeps the rest); when the hop
   * is longer than the window, a window keeps its own length and the time between windows is
   * left out.
   */
  share: Record<string, number>;
  /** Mean probability of each class over the classified windows (null when there are none). */
  meanProbabilities: Record<string, number> | null;
}

/**
 * Classify a batch of windows: `features` holds one spectrogram per `speech` window, in
 * order (the layout of `WindowBatch.features`). Start and end (seconds) and probabilities are
 * rounded to 6 decimals (a microsecond: a sample at 44.1 kHz is 23 µs), as in live input.
 *
 * @param predictor A predictor of the model (z-score applied inside).
 * @param windows The windows, in order.
 * @param features `[nSpeech][nMels][nFrames]` raw log-mel dB.
 * @param classNames Class names in the model's output order.
 * @throws when `features` does not hold one spectrogram per speech window.
 */
export async function classifyWindows(
  predictor: Predictor,
  windows: readonly WindowSpan[],
  features: Float32Array,
  classNames: readonly string[],
): Promise<WindowPrediction[]> {
  const nSpeech = windows.filter((w) => w.status === 'speech').length;
  const k = classNames.length;
  if (k !== predictor.numClasses) {
    throw new Error(`classifyWindows: ${k} class names for a model of ${predictor.numClasses}`);
  }
  if (nSpeech === 0 ? features.length !== 0 : features.length % nSpeech !== 0) {
    throw new Error(
      `classifyWindows: ${features.length} feature values for ${nSpeech} speech windows`,
    );
  }
  const probs = nSpeech > 0 ? await predictor.predict(features) : new Float32Array(0);
  if (probs.length !== nSpeech * k) {
    throw new Error(
      `classifyWindows: ${features.length} feature values make ${probs.length / k} of the model's inputs, not one per speech window (${nSpeech}): the features were extracted with other DSP options than the model's`,
    );
  }
  let row = 0;
  const us = (t: number) => Number(t.toFixed(6));
  return windows.map((w) => {
    const [start, end] = [us(w.start), us(w.end)];
    if (w.status !== 'speech') {
      return { start, end, status: w.status, label: null, probabilities: null };
    }
    const p = probs.subarray(row * k, (row + 1) * k);
    row++;
    let best = 0;
    for (let c = 1; c < k; c++) if (p[c] > p[best]) best = c;
    return {
      start,
      end,
      status: w.status,
      label: classNames[best],
      probabilities: Object.fromEntries(classNames.map((c, j) => [c, Number(p[j].toFixed(6))])),
    };
  });
}

/**
 * Summary of the classified windows of one recording (see {@link WindowSummary}).
 *
 * @param windows All windows of the recording, in order.
 * @param classNames Class names in the model's output order.
 */
export function summarizeWindows(
  windows: readonly WindowPrediction[],
  classNames: readonly string[],
): WindowSummary {
  const seconds = new Map<string, number>();
  const sums = new Float64Array(classNames.length);
  const counts = { total: windows.length, speech: 0, silent: 0, tooShort: 0 };
  windows.forEach((w, i) => {
    const next = windows[i + 1];
    const slice = Math.max(0, (next ? Math.min(next.start, w.end) : w.end) - w.start);
    const key = w.label ?? w.status;
    seconds.set(key, (seconds.get(key) ?? 0) + slice);
    if (w.status === 'speech') counts.speech++;
    else if (w.status === 'silent') counts.silent++;
    else counts.tooShort++;
    const p = w.probabilities;
    if (p) {
      classNames.forEach((c, j) => {
        sums[j] += p[c] ?? 0;
      });
    }
  });
  const first = windows[0]?.start ?? 0;
  const duration = windows.length ? Math.max(...windows.map((w) => w.end)) - first : 0;
  const total = [...seconds.values()].reduce((a, b) => a + b, 0);
  const share: Record<string, number> = {};
  for (const key of [...classNames, 'silent', 'too-short']) {
    const s = seconds.get(key) ?? 0;
    if (s > 0 || classNames.includes(key))
      share[key] = total > 0 ? Number((s / total).toFixed(6)) : 0;
  }
  return {
    duration: Number(duration.toFixed(6)),
    windows: counts,
    share,
    meanProbabilities:
      counts.speech > 0
        ? Object.fromEntries(
            classNames.map((c, j) => [c, Number((sums[j] / counts.speech).toFixed(6))]),
          )
        : null,
  };
}
