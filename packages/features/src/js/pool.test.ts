/** The JS engine's worker pool: order, per-file errors, progress, cancellation, and the compiled worker. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../testing.js';
import { JsLogMelExtractor } from './pipeline.js';
import { closeJsPools, extractFilesJs, JsWorkerPool } from './pool.js';
import { dataPath, REPO } from './testing.js';

const tmp = mkdtempSync(join(tmpdir(), 'serkit-js-pool-'));
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await closeJsPools();
});

const good = [
  dataPath('emodb/wav/03a01Fa.wav'),
  dataPath('emodb/wav/03a04Ta.wav'),
  dataPath('emodb/wav/16b10Wb.wav'),
  dataPath('emodb/wav/08a01Ab.wav'),
];
const silent = join(tmp, 'silent.wav');
writeFileSync(silent, encodeWav(new Float32Array(22050), 22050));
const text = join(tmp, 'notes.wav');
writeFileSync(text, 'not audio at all\n');

describe('extractFilesJs', () => {
  it('keeps input order, reports per-file errors and progress', async () => {
    const paths = [good[0], silent, good[1], text, '/nonexistent/x.wav', good[2]];
    const progress: number[] = [];
    const r = await extractFilesJs(
      paths,
      {},
      { threads: 2, onProgress: (p) => progress.push(p.done) },
    );
    expect(Array.from(r.rows)).toEqual([0, -1, 1, -1, -1, 2]);
    expect(r.features.length).toBe(3 * 128 * 259);
    expect(r.codes).toEqual([
      null,
      'ERR_SER_SILENT',
      null,
      'ERR_SER_INVALID_WAV',
      'ERR_SER_IO',
      null,
    ]);
    expect(r.errors[1]).toBe(`${silent}: silent input: every sample is zero`);
    expect(r.errors[3]).toBe(`${text}: not an audio file: it is UTF-8 text`);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    // Same numbers as the extractor on the main thread.
    const direct = new JsLogMelExtractor().extractFile(good[1]);
    expect(Array.from(r.features.subarray(128 * 259, 2 * 128 * 259))).toEqual(Array.from(direct));
  });

  it('rejects with an AbortError when the signal fires; the warm pool serves the next batch', async () => {
    const ctrl = new AbortController();
    const paths = Array.from({ length: 40 }, (_, i) => good[i % good.length]);
    const run = extractFilesJs(
      paths,
      {},
      {
        threads: 2,
        signal: ctrl.signal,
        onProgress: (p) => {
          if (p.done === 2) ctrl.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    const after = await extractFilesJs(good.slice(0, 2), {}, { threads: 2 });
    expect(Array.from(after.rows)).toEqual([0, 1]);
    const already = AbortSignal.abort();
    await expect(extractFilesJs(good, {}, { signal: already })).rejects.toMatchObject({
      code: 'ABORT_ERR',
    });
  });

  it('rejects invalid options before starting any worker', async () => {
    await expect(extractFilesJs(good, { nMels: 0 })).rejects.toMatchObject({
      code: 'ERR_SER_INVALID_OPTION',
      message: 'invalid option `nMels`: expected an integer in 1..=1024, received 0',
    });
  });

  it('an empty batch is an empty result', async () => {
    const r = await extractFilesJs([], {});
    expect([r.features.length, r.rows.length, r.errors.length]).toEqual([0, 0, 0]);
  });

  it('a task of a cancelled group is not run when a worker picks it up; others run', async () => {
    const { default: run } = await import('./worker.js');
    const options = new JsLogMelExtractor().options;
    const cancelled = new Int32Array(new SharedArrayBuffer(4));
    const task = { kind: 'file' as const, path: '/nonexistent/x.wav', options, cancelled };
    // Not cancelled: the file is read (and fails); cancelled: returned before any work.
    expect(run(task)).toMatchObject({ ok: false, code: 'ERR_SER_IO' });
    Atomics.store(cancelled, 0, 1);
    expect(run(task)).toEqual({
      ok: false,
      code: 'ABORT_ERR',
      message: 'cancelled before it started',
    });
  });

  it('a pool runs every kind of task and can be reused', async () => {
    const pool = new JsWorkerPool(1);
    try {
      const options = new JsLogMelExtractor().options;
      const y = new Float32Array(44100).map((_, i) => Math.sin(i / 10) * 0.3);
      const mel = await pool.run({ kind: 'logMel', samples: y.slice(), options });
      expect(mel.length).toBe(128 * (1 + Math.floor(44100 / 512)));
      const pre = await pool.run({
        kind: 'preprocess',
        samples: y.slice(),
        sampleRate: 22050,
        options,
      });
      expect(pre.length).toBe(132300);
      await expect(
        pool.run({ kind: 'extract', samples: new Float32Array(100), sampleRate: 16000, options }),
      ).rejects.toMatchObject({ code: 'ERR_SER_SILENT' });
    } finally {
      await pool.close();
    }
  });
});

describe('compiled package (dist)', () => {
  it('the worker resolves from the tsc output and gives the same features', () => {
    const out = join(REPO, 'packages/features/node_modules/.cache/serkit-js-dist-test');
    rmSync(out, { recursive: true, force: true });
    const pkg = resolve(REPO, 'packages/features');
    execFileSync(
      process.execPath,
      [
        join(REPO, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(pkg, 'tsconfig.build.json'),
        '--outDir',
        out,
      ],
      { stdio: 'pipe' },
    );
    const script = `
      const { extractFilesJs } = await import(${JSON.stringify(`${join(out, 'js/pool.js')}`)});
      const r = await extractFilesJs(${JSON.stringify(good.slice(0, 2))}, {}, { threads: 2 });
      console.log(JSON.stringify({ rows: Array.from(r.rows), first: r.features[1000], n: r.features.length }));`;
    const file = join(tmp, 'run-dist.mjs');
    writeFileSync(file, script);
    const stdout = execFileSync(process.execPath, [file], { encoding: 'utf8' });
    // Flags of a main script (here `--input-type`) must not reach the workers.
    const viaEval = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(viaEval).toBe(stdout);
    const got = JSON.parse(stdout.trim());
    const direct = new JsLogMelExtractor().extractFile(good[0]);
    expect(got).toEqual({ rows: [0, 1], first: direct[1000], n: 2 * 128 * 259 });
    rmSync(out, { recursive: true, force: true });
  });
});
