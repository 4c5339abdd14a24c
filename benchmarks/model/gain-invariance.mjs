#!/usr/bin/env node
// How a pure gain moves serkit's front end (RESULTS.md, "Pretrained RAVDESS model, third round",
// gain check): one file scaled in float (no re-quantisation) by each gain, then the pre-processed
// waveform compared with the original's scaled by the same gain, and the log-mel re-referenced to
// its maximum (what an utterance-max model sees) compared with the original's.
//
//   node benchmarks/model/gain-invariance.mjs [file=../shared/data/ravdess/Actor_10/03-01-01-01-01-01-10.flac]
//        [gains dB=-12,-24,-36]
import { extractSync, preprocessSync, readWav } from '@serkit/features';

const file = process.argv[2] ?? '../shared/data/ravdess/Actor_10/03-01-01-01-01-01-10.flac';
const gains = (process.argv[3] ?? '-12,-24,-36').split(',').map(Number);
const audio = readWav(file);
const scaled = (g) => audio.samples.map((v) => v * g);
const max = (x) => x.reduce((m, v) => Math.max(m, v), Number.NEGATIVE_INFINITY);
const pre0 = preprocessSync(audio.samples, audio.sampleRate);
const mel0 = extractSync(audio.samples, audio.sampleRate);
const peak0 = max(mel0);
for (const db of gains) {
  const g = 10 ** (db / 20);
  const pre = preprocessSync(scaled(g), audio.sampleRate);
  const mel = extractSync(scaled(g), audio.sampleRate);
  const peak = max(mel);
  let wave = 0;
  for (let i = 0; i < pre.length; i++) wave = Math.max(wave, Math.abs(pre[i] / g - pre0[i]));
  let shifted = 0;
  for (let i = 0; i < mel.length; i++) {
    shifted = Math.max(shifted, Math.abs(mel[i] - peak - (mel0[i] - peak0)));
  }
  console.log(
    `${db} dB: pre-processed waveform / gain vs original, largest difference ${wave.toExponential(2)}; log-mel relative to its maximum, largest difference ${shifted.toFixed(3)} dB`,
  );
}
