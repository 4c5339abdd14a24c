#!/usr/bin/env node
// One configuration of the native-vs-JS benchmark, in its own process (so that its peak RSS
// is its own): bulk log-mel extraction of the listed files with one engine and a thread count.
//
//   node run.mjs --engine native|js --threads N --iterations K --list files.txt [--out feats.f32]
//
// One untimed warm-up pass over the first files (JIT, FFT plans, thread start-up), then K timed
// passes over all files. Prints one JSON line: { seconds: [..], files, failed, maxRssKB }.
// --out writes the features of the last pass as raw float32 [n, 128, 259].

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'native' },
    threads: { type: 'string', default: '1' },
    iterations: { type: 'string', default: '2' },
    list: { type: 'string' },
    out: { type: 'string' },
    warmup: { type: 'string', default: '8' },
  },
});
const files = readFileSync(args.list, 'utf8').split('\n').filter(Boolean);
const threads = Number(args.threads);
const dist = join(ROOT, 'packages/features/dist');
const { resolveDspOptions } = await import(join(dist, 'options.js'));
const options = resolveDspOptions({});
let engine;
if (args.engine === 'native') {
  engine = (await import(join(dist, 'engine.js'))).nativeEngine;
} else if (args.engine === 'js') {
  engine = (await import(join(dist, 'js/engine.js'))).jsEngine;
} else if (args.engine === 'essentia') {
  engine = await essentiaEngine();
} else {
  throw new Error(`unknown engine ${args.engine}`);
}

/**
 * essentia.js computes the power spectrum and the mel bands of each frame (MelBands with
 * warpingFormula 'slaneyMel', weighting 'linear', normalize 'unit_tri', type 'power' on the
 * magnitude spectrum: librosa's Slaney filterbank applied to |X|²). Each essentia.js call
 * configures a new algorithm instance, so MelBands rebuilds its filterbank for every frame. essentia.js 0.1.3 has no librosa-style trim or scipy Wiener filter and its
 * Windowing has only a symmetric Hann, so pre-processing is serkit's JS engine and framing,
 * periodic Hann window and power_to_db are done here. Single thread.
 */
async function essentiaEngine() {
  const { createRequire } = await import('node:module');
  const { Essentia, EssentiaWASM } = createRequire(import.meta.url)('essentia.js');
  const e = new Essentia(EssentiaWASM);
  const { JsLogMelExtractor } = await import(join(dist, 'js/pipeline.js'));
  const { readWavJs } = await import(join(dist, 'js/decode.js'));
  const { powerToDbInPlace } = await import(join(dist, 'js/toDb.js'));
  const ex = new JsLogMelExtractor(options);
  const { nFft, hopLength, nMels, sampleRate } = options;
  const win = new Float32Array(nFft).map((_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft));
  const frame = new Float32Array(nFft);
  const logMel = (y) => {
    const nFrames = 1 + Math.floor(y.length / hopLength);
    const out = new Float32Array(nMels * nFrames);
    for (let t = 0; t < nFrames; t++) {
      const start = t * hopLength - nFft / 2;
      for (let i = 0; i < nFft; i++) {
        const j = start + i;
        frame[i] = j >= 0 && j < y.length ? y[j] * win[i] : 0;
      }
      const v = e.arrayToVector(frame);
      // MelBands squares its input with type 'power': give it the magnitude spectrum.
      const ps = e.Spectrum(v, nFft).spectrum;
      const mb = e.MelBands(
        ps,
        sampleRate / 2,
        nFft / 2 + 1,
        false,
        0,
        'unit_tri',
        nMels,
        sampleRate,
        'power',
        'slaneyMel',
        'linear',
      ).bands;
      const bands = e.vectorToArray(mb);
      for (let m = 0; m < nMels; m++) out[m * nFrames + t] = bands[m];
      v.delete();
      ps.delete();
      mb.delete();
    }
    return powerToDbInPlace(out, options.dbRef, options.amin, options.topDb);
  };
  return {
    extractFiles: async (paths) => {
      const feats = [];
      const rows = new Int32Array(paths.length);
      const errors = [];
      for (const [i, p] of paths.entries()) {
        try {
          const a = readWavJs(p);
          feats.push(logMel(ex.preprocess(a.samples, a.sampleRate)));
          rows[i] = feats.length - 1;
          errors.push(null);
        } catch (err) {
          rows[i] = -1;
          errors.push(err.message);
        }
      }
      const features = new Float32Array(feats.reduce((n, f) => n + f.length, 0));
      let o = 0;
      for (const f of feats) {
        features.set(f, o);
        o += f.length;
      }
      return { features, rows, errors };
    },
  };
}

const run = (paths) => engine.extractFiles(paths, options, { threads });
await run(files.slice(0, Number(args.warmup)));
const seconds = [];
let last;
for (let i = 0; i < Number(args.iterations); i++) {
  const t = process.hrtime.bigint();
  last = await run(files);
  seconds.push(Number(process.hrtime.bigint() - t) / 1e9);
}
if (args.out)
  writeFileSync(
    args.out,
    new Uint8Array(last.features.buffer, last.features.byteOffset, last.features.byteLength),
  );
const failed = last.errors.filter((e) => e !== null);
console.log(
  JSON.stringify({
    seconds,
    files: files.length,
    failed: failed.length,
    firstError: failed[0] ?? null,
    rows: Array.from(last.rows),
    maxRssKB: process.resourceUsage().maxRSS,
  }),
);
