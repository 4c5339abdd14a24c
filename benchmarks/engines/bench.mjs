#!/usr/bin/env node
// native vs JS: serkit's two DSP engines and the reference Python pipeline (librosa + scipy),
// on the same files in one run.
//
//   npm run bench:engines -w @serkit/benchmarks
//   node benchmarks/engines/bench.mjs [--data DIR] [--iterations N] [--no-python] [--no-record]
//
// Configurations, each in its own child process (peak RSS is that process's, worker threads
// included): native engine with 1 thread and with every core, JS engine with 1 worker and with
// every core, and benchmarks/reference/pipeline.py (sequential, one process). Each Node
// configuration does one untimed warm-up pass over 8 files, then N timed passes (default 2);
// the table shows the mean. Python runs once per timed pass (its import time is excluded).
// Also checks the engines' agreement on every file: mean |Δ| of the log-mel in dB, native vs JS,
// and each engine vs the reference. Appends the table to benchmarks/RESULTS.md unless --no-record.
//
// Needs: `npm run build -w @serkit/features` (dist + addon) and, for the reference,
// `python3 -m venv .venv && .venv/bin/pip install -r tools/parity/requirements.txt`.

import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(ROOT, '../shared/data') },
    iterations: { type: 'string', default: '2' },
    'no-python': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
    'essentia-every': { type: 'string', default: '10' },
  },
});
const DATA = resolve(args.data);
const ITER = Number(args.iterations);
const PYTHON = join(ROOT, '.venv/bin/python');
const REFERENCE = join(ROOT, 'benchmarks/reference/pipeline.py');
const TIME = '/usr/bin/time';
const TMP = mkdtempSync(join(tmpdir(), 'serkit-engines-'));
const NPROC = availableParallelism();
const LOAD0 = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');

function listWavs(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listWavs(p));
    else if (e.name.toLowerCase().endsWith('.wav')) out.push(p);
  }
  return out.sort();
}

/** Duration of a PCM WAV from its header (data bytes / byte rate). */
function wavSeconds(path) {
  const b = readFileSync(path);
  let pos = 12;
  let byteRate = 0;
  while (pos + 8 <= b.length) {
    const id = b.toString('latin1', pos, pos + 4);
    const size = b.readUInt32LE(pos + 4);
    if (id === 'fmt ') byteRate = b.readUInt32LE(pos + 16);
    if (id === 'data') return Math.min(size, b.length - pos - 8) / byteRate;
    pos += 8 + size + (size & 1);
  }
  return 0;
}

/** Run a child under GNU time (peak RSS of the whole process); resolves { stdout, maxRssKB }. */
function runChild(cmd, argv) {
  return new Promise((ok, fail) => {
    const rssFile = join(TMP, `rss-${Math.random().toString(36).slice(2)}`);
    const useTime = existsSync(TIME);
    const [file, list] = useTime
      ? [TIME, ['-f', '%M %U %S', '-o', rssFile, cmd, ...argv]]
      : [cmd, argv];
    const child = spawn(file, list, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0)
        return fail(new Error(`${cmd} exited with ${code}: ${stderr.trim().slice(-2000)}`));
      const [rss, user, sys] = useTime
        ? readFileSync(rssFile, 'utf8').trim().split('\n').pop().split(' ').map(Number)
        : [null, null, null];
      ok({ stdout, maxRssKB: rss, cpuSeconds: useTime ? user + sys : null });
    });
  });
}

function readNpy(path) {
  const b = readFileSync(path);
  const headerLen = b.readUInt16LE(8);
  const start = 10 + headerLen;
  return new Float32Array(b.buffer.slice(b.byteOffset + start, b.byteOffset + b.length));
}

function readF32(path) {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

/** Mean |Δ| over all values, and over the bins within 60 dB of each file's reference peak. */
function agreement(a, ref, per = 128 * 259) {
  let all = 0;
  let near = 0;
  let nNear = 0;
  for (let f = 0; f * per < ref.length; f++) {
    let peak = Number.NEGATIVE_INFINITY;
    for (let i = f * per; i < (f + 1) * per; i++) peak = Math.max(peak, ref[i]);
    for (let i = f * per; i < (f + 1) * per; i++) {
      const d = Math.abs(a[i] - ref[i]);
      all += d;
      if (ref[i] >= peak - 60) {
        near += d;
        nNear++;
      }
    }
  }
  return { meanAll: all / ref.length, meanNear: near / nNear };
}

const files = listWavs(DATA);
if (files.length === 0) throw new Error(`no .wav files under ${DATA}`);
const audioSeconds = files.reduce((s, f) => s + wavSeconds(f), 0);
const list = join(TMP, 'files.txt');
writeFileSync(list, `${files.join('\n')}\n`);
console.error(
  `${files.length} files, ${audioSeconds.toFixed(1)} s of audio, ${NPROC} cores, load ${LOAD0}`,
);

const configs = [
  { name: 'native, 1 thread', engine: 'native', threads: 1 },
  { name: `native, ${NPROC} threads`, engine: 'native', threads: NPROC },
  { name: 'JS, 1 worker', engine: 'js', threads: 1 },
  { name: `JS, ${NPROC} workers`, engine: 'js', threads: NPROC },
  {
    // essentia.js is slow (see run.mjs): it runs on every Nth file only (--essentia-every).
    name: 'essentia.js log-mel, 1 thread (pre-processing: serkit JS)',
    engine: 'essentia',
    threads: 1,
    every: Number(args['essentia-every']),
  },
];
const rows = [];
const outputs = {};
for (const c of configs) {
  const out = join(TMP, `${c.engine}-${c.threads}.f32`);
  const subset = c.every > 1 ? files.filter((_, i) => i % c.every === 0) : files;
  const cList = subset === files ? list : join(TMP, `files-${c.engine}.txt`);
  if (subset !== files) {
    writeFileSync(cList, `${subset.join('\n')}\n`);
    c.name += ` [every ${c.every}th file: ${subset.length} files]`;
  }
  c.audioSeconds = subset === files ? audioSeconds : subset.reduce((s, f) => s + wavSeconds(f), 0);
  c.every = subset === files ? 1 : c.every;
  console.error(`running ${c.name} …`);
  const r = await runChild(process.execPath, [
    join(HERE, 'run.mjs'),
    '--engine',
    c.engine,
    '--threads',
    String(c.threads),
    '--iterations',
    String(ITER),
    '--list',
    cList,
    '--out',
    out,
  ]);
  const j = JSON.parse(r.stdout.trim().split('\n').pop());
  if (j.failed) console.error(`  ${j.failed} files failed, e.g. ${j.firstError}`);
  const mean = j.seconds.reduce((a, b) => a + b, 0) / j.seconds.length;
  // CPU seconds of the whole child (warm-up pass included) per file processed.
  const processed = j.files * ITER + Math.min(8, j.files);
  rows.push({
    ...c,
    seconds: j.seconds,
    mean,
    maxRssKB: r.maxRssKB ?? j.maxRssKB,
    ok: j.files - j.failed,
    cpuMsPerFile: r.cpuSeconds === null ? null : (1000 * r.cpuSeconds) / processed,
  });
  outputs[`${c.engine}-${c.threads}`] = { feats: readF32(out), rows: j.rows };
}

let reference;
if (!args['no-python'] && existsSync(PYTHON)) {
  const seconds = [];
  let rss = 0;
  let cpu = 0;
  const npy = join(TMP, 'reference.npy');
  for (let i = 0; i < ITER; i++) {
    console.error(`running reference Python pipeline (${i + 1}/${ITER}) …`);
    const r = await runChild(PYTHON, [REFERENCE, DATA, '--out', npy]);
    const j = JSON.parse(r.stdout.trim().split('\n').pop());
    if (j.files !== files.length)
      throw new Error(`reference saw ${j.files} files, expected ${files.length}`);
    seconds.push(j.seconds);
    rss = Math.max(rss, r.maxRssKB ?? j.maxRssMB * 1024);
    cpu += r.cpuSeconds ?? Number.NaN;
  }
  const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
  reference = {
    name: 'reference: librosa + scipy (Python, 1 process)',
    seconds,
    mean,
    maxRssKB: rss,
    ok: files.length,
    audioSeconds,
    cpuMsPerFile: (1000 * cpu) / (files.length * ITER),
  };
  rows.push(reference);
  reference.feats = readNpy(npy);
} else {
  console.error('reference Python pipeline skipped (no .venv or --no-python)');
}

// Agreement on every file (all files succeed with the default options on the shared data).
const nat = outputs[`native-1`];
const js = outputs[`js-1`];
const sameRows = nat.rows.every((r, i) => r === js.rows[i]);
const checks = [];
if (sameRows) {
  const a = agreement(js.feats, nat.feats);
  checks.push(
    `native vs JS (${nat.feats.length / (128 * 259)} files): mean |Δ| ${a.meanAll.toExponential(2)} dB over all bins, ${a.meanNear.toExponential(2)} dB within 60 dB of the peak`,
  );
}
const ess = outputs['essentia-1'];
const essCfg = rows.find((r) => r.engine === 'essentia');
if (ess && nat.rows.every((r) => r >= 0) && ess.rows.every((r) => r >= 0)) {
  const per = 128 * 259;
  const natSubset = new Float32Array(ess.feats.length);
  for (let k = 0; k * per < ess.feats.length; k++) {
    const i = k * essCfg.every;
    natSubset.set(nat.feats.subarray(i * per, (i + 1) * per), k * per);
  }
  const a = agreement(ess.feats, natSubset);
  checks.push(
    `native vs essentia.js row: mean |Δ| ${a.meanAll.toExponential(2)} dB over all bins, ${a.meanNear.toExponential(2)} dB within 60 dB of the peak`,
  );
}
if (reference && nat.rows.every((r) => r >= 0) && js.rows.every((r) => r >= 0)) {
  for (const [name, o] of [
    ['native', nat],
    ['JS', js],
  ]) {
    const a = agreement(o.feats, reference.feats);
    checks.push(
      `${name} vs librosa reference: mean |Δ| ${a.meanAll.toFixed(4)} dB over all bins, ${a.meanNear.toFixed(4)} dB within 60 dB of the peak`,
    );
  }
}

const jsSingle = rows.find((r) => r.engine === 'js' && r.threads === 1);
const fmt = (x, d = 2) => (x === undefined || x === null ? 'n/a' : x.toFixed(d));
const cpuModel =
  readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model;
const lines = [
  '| configuration | files/s | real-time factor | peak RSS (MB) | × JS 1 worker | × reference | CPU ms/file |',
  '|---|---:|---:|---:|---:|---:|---:|',
];
const rate = (r) => r.ok / r.mean;
for (const r of rows) {
  lines.push(
    `| ${r.name} | ${fmt(rate(r), 1)} | ${fmt(r.mean / r.audioSeconds, 4)} | ${fmt(r.maxRssKB / 1024, 0)} | ${fmt(rate(r) / rate(jsSingle), 2)}× | ${reference ? `${fmt(rate(r) / rate(reference), 2)}×` : 'n/a'} | ${fmt(r.cpuMsPerFile, 1)} |`,
  );
}
const table = lines.join('\n');
const command = `node benchmarks/engines/bench.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
const section = `
## native vs JS engines — ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}

- Command: \`npm run bench:engines -w @serkit/benchmarks\` (= \`${command}\`)
- Machine: ${cpuModel}, \`nproc\` = ${NPROC}, ${Math.round(require_mem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${process.platform}-${process.arch}; load average at start ${LOAD0}, at end ${loadavg()
  .map((l) => l.toFixed(2))
  .join(' ')} (other jobs on the machine share its cores)
- Data: ${files.length} files under \`${relative(ROOT, DATA) || '.'}\`, ${audioSeconds.toFixed(1)} s of audio; ${ITER} timed passes per configuration after a warm-up (Python: ${ITER} runs, import time excluded)
- Real-time factor = processing seconds / audio seconds (lower is faster); × columns = files/s relative to that row (higher is faster); peak RSS of the configuration's own process (GNU time); CPU ms/file = user + system CPU time of that process (GNU time; warm-up, start-up and Python's imports included) per file processed — less sensitive than wall time to other jobs on the machine

${table}

Agreement on the same run's outputs:
${checks.map((c) => `- ${c}`).join('\n')}
- meyda 5.6.3: no row, it cannot compute this log-mel (see benchmarks/README-native-vs-js.md): HTK mel scale, peak-1 triangles on floored FFT bins (no Slaney area normalisation), Nyquist bin dropped, symmetric Hann, and \`melBands\` returns ln(1 + mel power) in float32, not power_to_db.
`;
function require_mem() {
  return Number(readFileSync('/proc/meminfo', 'utf8').match(/MemTotal:\s*(\d+)/)?.[1] ?? 0) * 1024;
}
console.log(section);
if (!args['no-record']) {
  const results = join(ROOT, 'benchmarks/RESULTS.md');
  if (!existsSync(results)) writeFileSync(results, '# serkit benchmark results\n');
  appendFileSync(results, section);
  console.error(`appended to ${relative(ROOT, results)}`);
}
rmSync(TMP, { recursive: true, force: true });
