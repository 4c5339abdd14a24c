#!/usr/bin/env node
// Latency and real-time factor of `ser predict --stream -` (benchmarks/RESULTS.md).
//
//   node tools/stream-latency.mjs <model-dir> <audio.wav> [--fast]
//
// Paced mode (default): the file's samples are written to stdin as raw s16le PCM in 20 ms
// chunks at real-time speed, starting once `ser` says it is reading stdin (model loaded);
// for every JSON line, latency = arrival time − time the window's last sample was written.
// --fast: the whole file is written at once; real-time factor = processing time (from
// "reading stdin" to exit) / audio duration.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWav } from '@serkit/features';

const [modelDir, file, mode] = process.argv.slice(2);
if (!modelDir || !file) {
  console.error('usage: node tools/stream-latency.mjs <model-dir> <audio.wav> [--fast]');
  process.exit(2);
}
const BIN = join(dirname(fileURLToPath(import.meta.url)), '../packages/cli/dist/bin/ser.js');
const audio = readWav(file);
const sr = audio.sampleRate;
const pcm = Buffer.alloc(audio.samples.length * 2);
audio.samples.forEach((v, i) => {
  pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32768))), 2 * i);
});
const child = spawn(
  process.execPath,
  [BIN, 'predict', '--model', modelDir, '--stream', '-', '--rate', String(sr)],
  { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } },
);
const written = []; // [sample index reached, time]
const latencies = [];
let buf = '';
let readyAt = 0;
child.stdout.on('data', (d) => {
  const now = performance.now();
  buf += d;
  let nl = buf.indexOf('\n');
  while (nl >= 0) {
    const line = JSON.parse(buf.slice(0, nl));
    buf = buf.slice(nl + 1);
    nl = buf.indexOf('\n');
    const last = Math.ceil(line.end * sr);
    const w = written.find(([n]) => n >= last);
    if (w && mode !== '--fast') latencies.push(now - w[1]);
  }
});
const ready = new Promise((res) => {
  child.stderr.on('data', (d) => {
    if (!readyAt && /reading raw/.test(String(d))) {
      readyAt = performance.now();
      res();
    }
  });
});
const exited = new Promise((res) => child.on('exit', res));
await ready;
const duration = audio.samples.length / sr;
if (mode === '--fast') {
  child.stdin.end(pcm);
  await exited;
  const seconds = (performance.now() - readyAt) / 1000;
  console.log(
    JSON.stringify({ audioSeconds: duration, processingSeconds: seconds, rtf: seconds / duration }),
  );
} else {
  const chunk = Math.round(sr * 0.02);
  const t0 = performance.now();
  for (let i = 0; i < audio.samples.length; i += chunk) {
    const end = Math.min(audio.samples.length, i + chunk);
    const due = t0 + (end / sr) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    child.stdin.write(pcm.subarray(2 * i, 2 * end));
    written.push([end, performance.now()]);
  }
  child.stdin.end();
  await exited;
  const first = latencies[0];
  const inOrder = latencies.map((l) => Math.round(l));
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  console.log(
    JSON.stringify({
      audioSeconds: duration,
      windows: latencies.length,
      firstWindowMs: Number(first.toFixed(1)),
      perWindowMs: inOrder,
      latencyMs: {
        median: Number(q(0.5).toFixed(1)),
        p95: Number(q(0.95).toFixed(1)),
        max: Number(latencies.at(-1).toFixed(1)),
      },
    }),
  );
}
