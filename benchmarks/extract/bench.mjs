#!/usr/bin/env node
// Bulk log-mel extraction benchmark: serkit (CLI process and in-process bulk API)
// against the librosa + scipy reference pipeline, on the same files in the same run.
//
//   npm run bench:extract -w @serkit/benchmarks            (or: nx run benchmarks:bench)
//   node benchmarks/extract/bench.mjs [--data DIR] [--actors N] [--iterations N]
//                                     [--python-iterations N] [--threads 1,2] [--no-js]
//                                     [--no-python] [--no-record]
//
// Defaults: the first 4 actor folders of ../shared/data/ravdess (240 files of 48 kHz speech,
// WAV and FLAC), 3 timed iterations after 1 warm-up (Python: 2 timed runs, each timing its
// files in-process after 8 untimed warm-up files; BLAS limited to one thread, so the
// reference is one core like the native 1-thread row). The JS engine (1 worker) runs on the
// WAV files of the set (it does not decode FLAC). Prints a table, the issue-16 ratios
// (native 1 thread ÷ librosa in-process, 2 threads ÷ 1 thread, `ser extract` process ÷
// librosa in-process) from wall time and from CPU time, and appends a dated section to
// benchmarks/RESULTS.md unless --no-record. Needs `npm run build` (CLI + addon) and, for
// the reference, its own environment with the CURRENT numpy/numba/scipy/soxr:
//   python3 -m venv .venv-bench && .venv-bench/bin/pip install -r benchmarks/reference/requirements.txt
// (or --python PATH). Not tools/parity's pinned .venv: with numpy 1.26 / numba 0.60,
// librosa's feature.rms inside effects.trim is ~100x slower on strided frames, which made
// the reference artificially slow (20 files/s instead of ~90 on the same machine).

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
    actors: { type: 'string', default: '4' }, // first N sub-folders of --data; 0 = all
    iterations: { type: 'string', default: '3' },
    'python-iterations': { type: 'string', default: '2' },
    threads: { type: 'string', default: '1,2' }, // in-process runs; 0 = every core
    'no-js': { type: 'boolean', default: false },
    'no-python': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
    python: { type: 'string' }, // the reference's interpreter; default .venv-bench/bin/python
  },
});
const DATA = resolve(args.data);
const SER_JS = join(ROOT, 'packages/cli/dist/bin/ser.js');
const PYTHON = args.python ? resolve(args.python) : join(ROOT, '.venv-bench/bin/python');
const REFERENCE = join(ROOT, 'benchmarks/reference/pipeline.py');
const TIME = '/usr/bin/time'; // GNU time, for the children's peak RSS (Debian package `time`)
const LOAD0 = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
const TMP = mkdtempSync(join(tmpdir(), 'serkit-bench-'));

/** `1 file`, `2 files`: `n` and `word`, in the plural unless `n` is 1. */
const count = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Every .wav/.flac under dir, recursively, sorted by path. */
function listAudio(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listAudio(p));
    else if (/\.(wav|flac)$/i.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** The audio files of the first `actors` sub-folders of dir (all of dir when 0 or none). */
function benchFiles(dir, actors) {
  const subs = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(dir, e.name))
    .sort();
  if (!actors || subs.length === 0) return listAudio(dir);
  return subs.slice(0, actors).flatMap(listAudio);
}

/** Duration in seconds from a FLAC STREAMINFO block or a RIFF/WAVE header. */
function audioFileSeconds(path) {
  const b = readFileSync(path);
  if (b.toString('ascii', 0, 4) === 'fLaC') {
    // STREAMINFO: 20-bit sample rate, 3+5 bits, then 36-bit total samples (bytes 18..26).
    const si = 8;
    const rate = (b[si + 10] << 12) | (b[si + 11] << 4) | (b[si + 12] >> 4);
    const total = (b[si + 13] & 0x0f) * 2 ** 32 + b.readUInt32BE(si + 14);
    return total / rate;
  }
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

/**
 * Run a child process under GNU time; resolves { stdout, maxRssKB, cpuSeconds }, rejects on
 * failure. `cpuSeconds` is user + system CPU time of the child (null without GNU time).
 */
function runChild(cmd, argv, env = {}) {
  const rssFile = join(TMP, `rss-${process.hrtime.bigint()}.txt`);
  const useTime = existsSync(TIME);
  const [file, list] = useTime
    ? [TIME, ['-f', '%M %U %S', '-o', rssFile, cmd, ...argv]]
    : [cmd, argv];
  return new Promise((ok, fail) => {
    const child = spawn(file, list, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0)
        return fail(new Error(`${cmd} ${argv.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`));
      const [rss, user, sys] = useTime
        ? readFileSync(rssFile, 'utf8').trim().split('\n').pop().split(' ').map(Number)
        : [null, null, null];
      ok({ stdout, maxRssKB: rss, cpuSeconds: useTime ? user + sys : null });
    });
  });
}

/**
 * Time `fn` with tinybench: `iterations` timed runs after one warm-up run. Returns seconds per
 * run (mean, min) and, when `fn` returns a number, the mean of those (the run's CPU seconds)
 * over the timed runs.
 */
async function timeIt(name, iterations, fn) {
  const cpu = [];
  const wrapped = async () => {
    cpu.push(await fn());
  };
  // The warm-up run is made here: tinybench 2.x (installed in some trees) does not warm up
  // inside run(), 5.x does only when asked; its CPU seconds are the first entry of `cpu`.
  await wrapped();
  const bench = new Bench({
    iterations,
    time: 0,
    warmupIterations: 0,
    warmupTime: 0,
    throws: true,
  });
  bench.add(name, wrapped);
  await bench.run();
  // tinybench ≥ 3 reports `result.latency`; 2.x puts the same statistics on `result` itself.
  const { result } = bench.tasks[0];
  if (result?.error) throw result.error;
  const latency = result.latency ?? result;
  const timed = cpu.slice(1).filter((c) => typeof c === 'number');
  return {
    mean: latency.mean / 1000,
    min: latency.min / 1000,
    samples: latency.samples.length,
    cpu: timed.length ? timed.reduce((a, b) => a + b, 0) / timed.length : null,
  };
}

/** `fn`'s result and this process's CPU seconds (all threads) while it ran. */
async function withCpu(fn) {
  const c0 = process.cpuUsage();
  const result = await fn();
  const c = process.cpuUsage(c0);
  return [result, (c.user + c.system) / 1e6];
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
  return `${count(compared, 'file')} compared, worst mean |Δ| ${worst.d.toFixed(4)} dB${name}, ${count(over, 'file')} over 0.1 dB`;
}

const files = benchFiles(DATA, Number(args.actors));
if (files.length === 0) throw new Error(`no .wav/.flac files under ${DATA}`);
const audioSeconds = files.reduce((s, f) => s + audioFileSeconds(f), 0);
const wavFiles = files.filter((f) => /\.wav$/i.test(f));
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
      js: (p) => m.extractFiles(p, {}, { threads: 1, engine: 'js' }),
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
    let cpu;
    [last, cpu] = await withCpu(() => api.run(files, threads));
    return cpu;
  });
  const failed = last.rows.filter((r) => r < 0).length;
  if (failed) notes.push(`${api.name}: ${count(failed, 'file')} failed`);
  inproc ??= last;
  rows.push({
    variant: `in-process ${api.name} (threads ${threads || `all = ${nprocCount}`})`,
    ...t,
    n: files.length,
    maxRssKB: process.resourceUsage().maxRSS,
    kind: 'inproc',
    threads: threads || nprocCount,
  });
}
// Native, 1 thread, on each container of a mixed set alone: the per-container ratios below
// (FLAC decoding costs what WAV reading does not, on both sides).
const containers = [
  ['WAV', wavFiles],
  ['FLAC', files.filter((f) => /\.flac$/i.test(f))],
].filter(([, subset]) => subset.length > 0 && subset.length < files.length);
const byContainer = [];
for (const [name, subset] of api && threadCounts.includes(1) ? containers : []) {
  const t = await timeIt(`${api.name} ${name}`, iterations, async () => {
    const [, cpu] = await withCpu(() => api.run(subset, 1));
    return cpu;
  });
  byContainer.push({ name, subset, nativeMs: (1000 * t.mean) / subset.length });
}

// The JS engine, 1 worker, on the WAV files of the set (its decoder does not read FLAC).
if (api?.js && !args['no-js'] && wavFiles.length) {
  let last;
  const t = await timeIt('js', 1, async () => {
    let cpu;
    [last, cpu] = await withCpu(() => api.js(wavFiles));
    return cpu;
  });
  const failed = last.rows.filter((r) => r < 0).length;
  if (failed) notes.push(`JS engine: ${count(failed, 'file')} failed`);
  rows.push({
    variant: `in-process ${api.name}, engine 'js', 1 worker [the ${wavFiles.length === 1 ? 'WAV file' : `${wavFiles.length} WAV files`}]`,
    ...t,
    n: wavFiles.length,
    cpu: null, // the worker's CPU is in this process, but so is the idle main thread's wait
    maxRssKB: null,
    kind: 'js',
  });
}

// (a) The whole `ser extract` process, spawned.
if (existsSync(SER_JS)) {
  const out = join(TMP, 'ser-out');
  let rss = 0;
  const inputs = files;
  const t = await timeIt('ser extract', iterations, async () => {
    rmSync(out, { recursive: true, force: true });
    const r = await runChild(process.execPath, [
      SER_JS,
      'extract',
      ...inputs,
      '--out',
      out,
      '--json',
    ]);
    rss = Math.max(rss, r.maxRssKB ?? 0);
    return r.cpuSeconds;
  });
  const npy = readNpy(join(out, 'features.npy'));
  if (npy.shape[0] !== files.length)
    notes.push(
      `ser extract wrote ${count(npy.shape[0], 'row')} for ${count(files.length, 'file')}`,
    );
  const manifest = readFileSync(join(out, 'manifest.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map(JSON.parse);
  cli = { npy, rowOf: new Map(manifest.map((l) => [resolve(ROOT, l.path), l.row])) };
  rows.push({
    variant: 'ser extract (CLI process, every core)',
    ...t,
    n: files.length,
    maxRssKB: rss || null,
    kind: 'cli',
  });
} else {
  notes.push(`CLI skipped: ${relative(ROOT, SER_JS)} not built (npm run build)`);
}

// (c) The Python reference on the same files.
let python = null;
if (args['no-python']) {
  notes.push('Python reference skipped (--no-python)');
} else if (!existsSync(PYTHON)) {
  notes.push(
    `Python reference skipped: no ${relative(ROOT, PYTHON)} (python3 -m venv .venv-bench && .venv-bench/bin/pip install -r benchmarks/reference/requirements.txt, or --python PATH)`,
  );
} else {
  const out = join(TMP, 'ref.npy');
  let rss = 0;
  const reports = [];
  const oneThread = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const t = await timeIt('reference', Number(args['python-iterations']), async () => {
    // Same files, same order; 8 untimed warm-up files inside the process.
    const r = await runChild(
      PYTHON,
      [REFERENCE, ...files, '--out', out, '--warmup', '8'],
      oneThread,
    );
    rss = Math.max(rss, r.maxRssKB ?? 0);
    reports.push(JSON.parse(r.stdout.trim().split('\n').pop()));
    return r.cpuSeconds;
  });
  const timed = reports.slice(1); // the first call is the warm-up
  const mean = (k) => timed.reduce((a, r) => a + r[k], 0) / timed.length;
  const report = timed[timed.length - 1];
  python = { mean: mean('seconds'), cpu: mean('cpuSeconds'), report };
  // Each container's files, from the reference's per-file times (mean over the timed runs).
  for (const c of byContainer) {
    const index = new Set(c.subset);
    let sum = 0;
    for (const r of timed)
      files.forEach((f, i) => {
        if (index.has(f)) sum += r.perFileSeconds?.[i] ?? Number.NaN;
      });
    c.librosaMs = (1000 * sum) / timed.length / c.subset.length;
  }
  rows.push({
    variant: 'librosa + scipy reference, in-process (after 8 warm-up files; BLAS 1 thread)',
    mean: python.mean,
    min: Math.min(...timed.map((r) => r.seconds)),
    cpu: python.cpu,
    n: files.length,
    maxRssKB: null,
    kind: 'python',
  });
  rows.push({
    variant: 'librosa + scipy reference, whole Python process (imports included)',
    ...t,
    n: files.length + 8,
    maxRssKB: rss || null,
    kind: 'python-process',
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
    'import librosa,scipy,numpy,numba;print(librosa.__version__,scipy.__version__,numpy.__version__,numba.__version__)',
  ])
    .toString()
    .trim()
    .split(' ');
  notes.push(
    `reference: librosa ${v[0]}, scipy ${v[1]}, numpy ${v[2]}, numba ${v[3]} (${relative(ROOT, PYTHON) || PYTHON}); last run in-script ${report.seconds} s wall, ${report.cpuSeconds} s CPU (${report.filesPerSecond} files/s) + imports ${report.importSeconds} s`,
  );
}

// Table: files/s from wall time; CPU ms/file from the process's CPU time (user + system, all
// threads), which other jobs on the machine disturb far less than wall time.
const fps = (r) => r.n / r.mean;
const cpuMs = (r) => (r.cpu ? (1000 * r.cpu) / r.n : null);
const ref = rows.find((r) => r.kind === 'python');
const refFps = ref ? fps(ref) : null;
const header =
  '| variant | mean s / batch (min) | files/s | real-time factor | CPU ms / file | peak RSS MB | × librosa in-process files/s |';
const lines = [header, '|---|---:|---:|---:|---:|---:|---:|'];
for (const r of rows) {
  const ratio = refFps ? `${(fps(r) / refFps).toFixed(2)}×` : 'n/a';
  const c = cpuMs(r);
  lines.push(
    `| ${r.variant} | ${r.mean.toFixed(3)} (${r.min.toFixed(3)}) | ${fps(r).toFixed(1)} | ${((audioSeconds * r.n) / files.length / r.mean).toFixed(1)}× | ${c === null ? 'n/a' : c.toFixed(2)} | ${r.maxRssKB ? (r.maxRssKB / 1024).toFixed(0) : 'n/a'} | ${ratio} |`,
  );
}
// The issue-16 targets, from this run.
const one = rows.find((r) => r.kind === 'inproc' && r.threads === 1);
const two = rows.find((r) => r.kind === 'inproc' && r.threads === 2);
const cliRow = rows.find((r) => r.kind === 'cli');
const jsRow = rows.find((r) => r.kind === 'js');
const check = (name, value, target) =>
  `${name}: **${value.toFixed(2)}×** (target ≥ ${target}×: ${value >= target ? 'met' : 'NOT met'})`;
const ratios = [];
if (one && ref) {
  ratios.push(
    check('native in-process, 1 thread ÷ librosa in-process (files/s)', fps(one) / refFps, 6),
  );
  if (cpuMs(one) && cpuMs(ref))
    ratios.push(
      `  - same by CPU time per file: ${(cpuMs(ref) / cpuMs(one)).toFixed(2)}× (${cpuMs(ref).toFixed(2)} vs ${cpuMs(one).toFixed(2)} ms)`,
    );
}
for (const c of byContainer.filter((c) => Number.isFinite(c.librosaMs)))
  ratios.push(
    `  - ${c.name} files alone (${c.subset.length}; native run on them alone, librosa's per-file times in its runs above): ${(c.librosaMs / c.nativeMs).toFixed(2)}× (${c.librosaMs.toFixed(2)} vs ${c.nativeMs.toFixed(2)} ms per file)`,
  );
if (one && two)
  ratios.push(check('native in-process, 2 threads ÷ 1 thread (files/s)', fps(two) / fps(one), 1.8));
if (cliRow && ref) {
  ratios.push(
    check('`ser extract` whole process ÷ librosa in-process (files/s)', fps(cliRow) / refFps, 5),
  );
  if (cpuMs(cliRow) && cpuMs(ref))
    ratios.push(
      `  - same by CPU time per file: ${(cpuMs(ref) / cpuMs(cliRow)).toFixed(2)}× (${cpuMs(ref).toFixed(2)} vs ${cpuMs(cliRow).toFixed(2)} ms, start-up and writing included)`,
    );
}
if (jsRow && ref)
  ratios.push(
    `JS engine, 1 worker ÷ librosa in-process (files/s): ${(fps(jsRow) / refFps).toFixed(2)}×`,
  );
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
  ...(ratios.length
    ? ['Ratios (issue 16):', '', ...ratios.map((r) => (r.startsWith('  ') ? r : `- ${r}`)), '']
    : []),
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
