#!/usr/bin/env node
// File-by-file comparison of `ser predict --json` outputs (RESULTS.md, "Pretrained RAVDESS model,
// third round": gain check and calibration). Files are matched by name without extension, so
// `gain_copies.py`'s WAV copies pair with the original FLAC files.
//
//   node benchmarks/model/compare-predictions.mjs <reference.json> [<other.json> ...]
//
// For the reference, with RAVDESS names (emotion = third field), prints the wrong labels and how
// many of them come with a probability of 95 % or more; for each other output, how many labels
// differ from the reference's and the mean and largest per-file change of a class probability.
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';

const RAVDESS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];
const [refPath, ...others] = process.argv.slice(2);
if (!refPath) {
  process.stderr.write('usage: compare-predictions.mjs <reference.json> [<other.json> ...]\n');
  process.exit(2);
}
const load = (p) => JSON.parse(readFileSync(p, 'utf8')).predictions;
const key = (p) => basename(p.path, extname(p.path));

const ref = load(refPath);
const wrong = ref.filter((p) => {
  const emotion = RAVDESS[Number(key(p).split('-')[2]) - 1];
  return emotion !== undefined && emotion !== p.label;
});
const confident = wrong.filter((p) => p.probabilities[p.label] >= 0.95).length;
console.log(
  `${refPath}: ${ref.length} files, ${wrong.length} wrong, ${confident} of them at >= 95 %`,
);

const byKey = new Map(ref.map((p) => [key(p), p]));
for (const path of others) {
  let changed = 0;
  let matched = 0;
  let sum = 0;
  let max = 0;
  for (const p of load(path)) {
    const r = byKey.get(key(p));
    if (!r) continue;
    matched++;
    if (r.label !== p.label) changed++;
    const d = Math.max(
      ...Object.keys(p.probabilities).map((k) => Math.abs(p.probabilities[k] - r.probabilities[k])),
    );
    sum += d;
    max = Math.max(max, d);
  }
  console.log(
    `${path}: ${matched} files matched, ${changed} labels changed, probability change mean ${(sum / Math.max(matched, 1)).toFixed(3)}, max ${max.toFixed(3)}`,
  );
}
