#!/usr/bin/env node
// Bulk log-mel extraction benchmark: serkit (CLI process and in-process bulk API)
// against the librosa + scipy reference pipeline, on the same files in the same run.
//
//   npm run bench:extract -w @serkit/benchmarks            (or: nx run benchmarks:bench)
//   node benchmarks/extract/bench.mjs [--data DIR] [--iterations N] [--python-iterations N]
//                                     [--threads 0,1] [--no-python] [--no-record]
//
// Defaults: DIR = ../shared/data/ravdess (120 files), 3 timed iterations after 1 warm-up
// (Python: 2 timed, 1 warm-up). Prints a table and appends a dated section to
// benchmarks/RESULTS.md unless --no-record. Needs `npm run build` (CLI + addon) and, for
// the reference, `python3 -m venv .venv && .venv/bin/pip install -r tools/parity/requirements.txt`.

import { execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(ROOT, '../shared/data/ravdess') },
    iterations: { type: 'string', default: '3' },
    'python-iterations': { type: 'string', default: '2' },
    threads: { type: 'string', default: '0,1' }, // in-process runs; 0 = every core
    'no-python': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
  },
});
const DATA = resolve(args.data);
const SER_JS = join(ROOT, 'packages/cli/dist/bin/ser.js');
const PYTHON = join(ROOT, '.venv/bin/python');
const REFERENCE = join(ROOT, 'benchmarks/reference/pipeline.py');
const TIME = '/usr/bin/time'; // GNU time, for the children's peak RSS (Debian package `time`)
const LOAD0 = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
const TMP = mkdtempSync(join(tmpdir(), 'serkit-bench-'));

/** Every *.wav under dir, recursively, sorted by path. */
function listWavs(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listWavs(p));
    else if (e.name.toLowerCase().endsWith('.wav')) out.push(p);
  }
  return out.sort();
}

/** Duration in seconds from a RIFF/WAVE header (fmt + data chunk sizes). */
function wavSeconds(path) {
  const b = readFileSync(path);
  let off = 12;
  let byteRate = 0;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ') byteRate = b.readUInt32LE(off + 16);
    if (id === 'data') return Math.min(size, b.length - off - 8) / byteRate;
    off += 8 + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/** Read a float32 .npy file: { shape, data }. */
function readNpy(path) {
  const b = readFileSync(path);
  const headerLen = b[6] === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = b[6] === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + headerLen);
  if (!header.includes("'<f4'")) throw new Error(`${path}: not little-endian float32 (${header})`);
  const shape = [...header.match(/'shape':\s*\(([^)]*)\)/)[1].matchAll(/\d+/g)].map(Number);
  const bytes = b.subarray(start + headerLen);
  const data = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  );
  return { shape, data };
}

/** Run a child process under GNU time; resolves { stdout, maxRssKB }, rejects on failure. */
function runChild(cmd, argv) {
  const rssFile = join(TMP, `rss-${process.hrtime.bigint()}.txt`);
  const useTime = existsSync(TIME);
  const [file, list] = useTime ? [TIME, ['-f', '%M', '-o', rssFile, cmd, ...argv]] : [cmd, argv];
  return new Promise((ok, fail) => {
    const child = spawn(file, list, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0)
        return fail(new Error(`${cmd} ${argv.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`));
      const maxRssKB = useTime
        ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop())
        : null;
      ok({ stdout, maxRssKB });
    });
  });
}

/** Time `fn` with tinybench: `iterations` timed runs after one warm-up run. Returns seconds per run. */
async function timeIt(name, iterations, fn) {
  const bench = new Bench({
    iterations,
    time: 0,
    warmupIterations: 1,
    warmupTime: 0,
    throws: true,
  });
  bench.add(name, fn);
  await bench.run();
  const { latency } = bench.tasks[0].result;
  return { mean: latency.mean / 1000, min: latency.min / 1000, samples: latency.samples.length };
}

/**
 * Agreement with the reference stack: per file, mean |Δ| (dB) over the reference bins within
 * 60 dB of its peak (the parity test's measure). `ours(i)` gives file i's spectrogram or null.
 */
function agreement(ours, ref) {
  const per = ref.shape[1] * ref.shape[2];
  let worst = { d: 0, file: null };
  let over = 0;
  let compared = 0;
  for (let f = 0; f < ref.shape[0]; f++) {
    const o = ours(f, per);
    if (!o) continue;
    const r = ref.data.subarray(f * per, (f + 1) * per);
    let peak = -Infinity;
    for (const v of r) peak = Math.max(peak, v);
    let sum = 0;
    let n = 0;
    for (let i = 0; i < per; i++) {
      if (r[i] >= peak - 60) {
        sum += Math.abs(o[i] - r[i]);
        n++;
      }
    }
    const d = sum / n;
    compared++;
    if (d > 0.1) over++;
    if (d > worst.d) worst = { d, file: f };
  }
  const name = worst.file === null ? '' : ` (${relative(DATA, files[worst.file])})`;
  return `${compared} files compared, worst mean |Δ| ${worst.d.toFixed(4)} dB${name}, ${over} files over 0.1 dB`;
}

const files = listWavs(DATA);
if (files.length === 0) throw new Error(`no .wav files under ${DATA}`);
const audioSeconds = files.reduce((s, f) => s + wavSeconds(f), 0);
const iterations = Number(args.iterations);
const nproc = execFileSync('nproc').toString().trim();
const nprocCount = Number(nproc);
const threadCounts = args.threads.split(',').map(Number);
const rows = [];
const notes = [];
let inproc = null; // { features, rows } of the last in-process batch
let cli = null; // { npy, manifest } of the last CLI run

// (b) In-process bulk API first, so this process's peak RSS reflects it alone.
let api = null;
try {
  const m = await import('@serkit/features');
  if (typeof m.extractFiles === 'function')
    api = {
      name: '@serkit/features extractFiles',
      run: (p, threads) => m.extractFiles(p, {}, { threads }),
    };
} catch (e) {
  notes.push(`@serkit/features not loadable (${e.code ?? e.message}); used the addon directly`);
}
if (!api) {
  try {
    const m = await import('@serkit/dsp-native');
    api = {
      name: '@serkit/dsp-native extractFiles',
      run: (p, threads) => m.extractFiles(p, {}, { threads }),
    };
  } catch (e) {
    notes.push(
      `in-process API skipped: neither @serkit/features nor @serkit/dsp-native loads (${e.message})`,
    );
  }
}
// Peak RSS is the whole Node process so far, so the first (all-cores) run's figure is its own.
for (const threads of api ? threadCounts : []) {
  let last;
  const t = await timeIt(api.name, iterations, async () => {
    last = await api.run(files, threads);
  });
  const failed = last.rows.filter((r) => r < 0).length;
  if (failed) notes.push(`${api.name}: ${failed} files failed`);
  inproc ??= last;
  rows.push({
    variant: `in-process ${api.name} (threads ${threads || `all = ${nprocCount}`})`,
    ...t,
    maxRssKB: process.resourceUsage().maxRSS,
    kind: 'inproc',
  });
}

// (a) The whole `ser extract` process, spawned.
if (existsSync(SER_JS)) {
  const out = join(TMP, 'ser-out');
  let rss = 0;
  const t = await timeIt('ser extract', iterations, async () => {
    rmSync(out, { recursive: true, force: true });
    const r = await runChild(process.execPath, [SER_JS, 'extract', DATA, '--out', out, '--json']);
    rss = Math.max(rss, r.maxRssKB ?? 0);
  });
  const npy = readNpy(join(out, 'features.npy'));
  if (npy.shape[0] !== files.length)
    notes.push(`ser extract wrote ${npy.shape[0]} rows for ${files.length} files`);
  const manifest = readFileSync(join(out, 'manifest.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map(JSON.parse);
  cli = { npy, rowOf: new Map(manifest.map((l) => [resolve(ROOT, l.path), l.row])) };
  rows.push({ variant: 'ser extract (CLI process)', ...t, maxRssKB: rss || null, kind: 'cli' });
} else {
  notes.push(`CLI skipped: ${relative(ROOT, SER_JS)} not built (npm run build)`);
}

// (c) The Python reference on the same files.
let python = null;
if (args['no-python']) {
  notes.push('Python reference skipped (--no-python)');
} else if (!existsSync(PYTHON)) {
  notes.push(
    'Python reference skipped: no .venv (python3 -m venv .venv && .venv/bin/pip install -r tools/parity/requirements.txt)',
  );
} else {
  const out = join(TMP, 'ref.npy');
  let rss = 0;
  let report;
  const t = await timeIt('reference', Number(args['python-iterations']), async () => {
    const r = await runChild(PYTHON, [REFERENCE, ...files, '--out', out]); // same order
    rss = Math.max(rss, r.maxRssKB ?? 0);
    report = JSON.parse(r.stdout.trim().split('\n').pop());
  });
  python = { ...t, report };
  rows.push({
    variant: 'Python reference (librosa + scipy, 1 process)',
    ...t,
    maxRssKB: rss || null,
    kind: 'python',
  });
  const ref = readNpy(out);
  const row = (r, per, data) =>
    r === null || r === undefined || r < 0 ? null : data.subarray(r * per, (r + 1) * per);
  if (inproc)
    notes.push(
      `agreement of the in-process features with the reference: ${agreement((f, per) => row(inproc.rows[f], per, inproc.features), ref)}`,
    );
  if (cli)
    notes.push(
      `agreement of the CLI features with the reference: ${agreement((f, per) => row(cli.rowOf.get(files[f]), per, cli.npy.data), ref)}`,
    );
  const v = execFileSync(PYTHON, [
    '-c',
    'import librosa,scipy;print(librosa.__version__,scipy.__version__)',
  ])
    .toString()
    .trim()
    .split(' ');
  notes.push(
    `reference: librosa ${v[0]}, scipy ${v[1]}; in-script time ${report.seconds} s (${report.filesPerSecond} files/s) + imports ${report.importSeconds} s`,
  );
}

// Table.
const fps = (r) => files.length / r.mean;
const refFps = python ? files.length / python.mean : null;
const header =
  '| variant | mean s / batch (min) | files/s | real-time factor | peak RSS MB | × reference files/s |';
const lines = [header, '|---|---|---|---|---|---|'];
for (const r of rows) {
  const ratio =
    refFps && r.kind !== 'python'
      ? `${(fps(r) / refFps).toFixed(1)}×`
      : r.kind === 'python'
        ? '1.0×'
        : 'n/a';
  lines.push(
    `| ${r.variant} | ${r.mean.toFixed(3)} (${r.min.toFixed(3)}) | ${fps(r).toFixed(1)} | ${(audioSeconds / r.mean).toFixed(1)}× | ${r.maxRssKB ? (r.maxRssKB / 1024).toFixed(0) : 'n/a'} | ${ratio} |`,
  );
}
const cpu =
  readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model;
const command = ['node', relative(ROOT, process.argv[1]), ...process.argv.slice(2)].join(' ');
const via = process.env.npm_lifecycle_event
  ? ` (via \`npm run ${process.env.npm_lifecycle_event}\`)`
  : '';
const section = [
  `## ${new Date()
    .toISOString()
    .replace(/:\d\d\.\d+Z$/, ' UTC')
    .replace(
      'T',
      ' ',
    )} — bulk extraction, ${files.length} files (${audioSeconds.toFixed(1)} s of audio) in ${relative(ROOT, DATA)}`,
  '',
  `- machine: nproc ${nproc}, ${cpu}; Node ${process.version}; load average ${LOAD0} at start, ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at end (other work on the machine slows every variant)`,
  `- command: \`${command}\`${via}, from the repo root; ${iterations} timed iterations after 1 warm-up (Python ${args['python-iterations']})`,
  '- files/s and real-time factor (audio seconds per wall second) use the mean wall time of one whole batch; child processes are timed from spawn to exit (interpreter start and imports included), peak RSS of children from GNU time `%M`, of the in-process run from `process.resourceUsage().maxRSS` (the whole Node process)',
  ...notes.map((n) => `- ${n}`),
  '',
  ...lines,
  '',
].join('\n');
console.log(`\n${section}`);
if (!args['no-record']) {
  const results = join(ROOT, 'benchmarks/RESULTS.md');
  if (!existsSync(results) || statSync(results).size === 0)
    appendFileSync(
      results,
      '# Benchmark results\n\nAppended by the benchmark scripts; newest last.\n\n',
    );
  const sep = readFileSync(results, 'utf8').endsWith('\n\n') ? '' : '\n';
  appendFileSync(results, `${sep}${section}\n`);
  console.log(`appended to ${relative(ROOT, results)}`);
}
rmSync(TMP, { recursive: true, force: true });
