/**
 * `ser crossval` end to end through the built binary on the repository's demo set (42 EMO-DB
 * clips, 7 speakers), 2 folds, 1–2 epochs: a real SIGINT in fold 2 stops it (exit 130, fold 1
 * kept), the same command resumes at fold 2 and prints exactly one `serkit-crossval/1` object;
 * the summary is that of its folds, and the folds are the library's.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadLabelledFiles, makeFolds, meanStd } from '@serkit/experiment';
import { afterAll, describe, expect, it } from 'vitest';
import { SER_BIN as BIN, runSer } from '../testing.js';

const DEMO = resolve(import.meta.dirname, '../../../../demo/emodb');
const tmp = mkdtempSync(join(tmpdir(), 'serkit-crossval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const env = { ...process.env, SER_CACHE_DIR: join(tmp, 'cache') };

const ser = (...args: string[]) => runSer(args, { env });

describe('ser crossval', () => {
  it('refuses impossible protocols in one line (exit 2)', () => {
    const out = join(tmp, 'never');
    for (const [args, message] of [
      [['--folds', 'loso'], '--folds loso: leaves speakers out; use it with --split speaker'],
      [
        ['--split', 'speaker', '--folds', '8'],
        '--folds: expected an integer in 2…7 (the data has 7 speakers), got 8',
      ],
    ] as const) {
      const r = ser('crossval', '--data', DEMO, '--out', out, ...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`ser: error: ${message}\n`);
    }
    const bad = ser('crossval', '--data', DEMO, '--out', out, '--folds', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "option '--folds <k|loso>' argument '1' is invalid. Expected an integer of 2 or more, or loso.",
    );
    for (const seeds of ['1,1', '1,x']) {
      const r = ser('crossval', '--data', DEMO, '--out', out, '--seeds', seeds);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`option '--seeds <a,b,c>' argument '${seeds}' is invalid`);
    }
    // Its report files replace only an earlier crossval report, never a file of the user's.
    const mine = join(tmp, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'report.md'), 'my notes\n');
    const own = ser('crossval', '--data', DEMO, '--out', mine);
    expect(own.code).toBe(2);
    expect(own.stderr).toBe(
      `ser: error: cannot write to --out ${mine}: it holds report.md (not an earlier \`ser crossval\` report), which ser crossval would overwrite; choose another folder\n`,
    );
    expect(readFileSync(join(mine, 'report.md'), 'utf8')).toBe('my notes\n');
    const both = ser('crossval', '--data', DEMO, '--out', out, '--seeds', '1,2', '--seed', '3');
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      "ser: error: option '--seeds <a,b,c>' cannot be used with option '--seed <n>'\n",
    );
    expect(existsSync(out)).toBe(false);
  });

  it('stops on Ctrl-C keeping finished folds, resumes at the first unfinished one, summarises the folds', async () => {
    const out = join(tmp, 'cv');
    const args = ['crossval', '--data', DEMO, '--out', out, '--folds', '2', '--epochs', '2'];
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    let signalled = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!signalled && /fold 2\/2/.test(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(signalled).toBe(true);
    expect(code, stderr).toBe(130);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `ser crossval: interrupted; the finished folds are kept in ${out}; run the same command again to resume at the first unfinished fold`,
    );
    expect(existsSync(join(out, 'fold-1', 'report.json'))).toBe(true);
    expect(existsSync(join(out, 'fold-2', 'report.json'))).toBe(false);
    expect(existsSync(join(out, 'report.json'))).toBe(false);

    const r = ser(...args, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('ser crossval: fold 1/2 (seed 42): done in an earlier run, reused');
    expect(r.stderr).not.toMatch(/extracting/); // every spectrogram came from the cache
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    const report = JSON.parse(r.stdout);
    expect(report.schema).toBe('serkit-crossval/1');
    expect(report.folds.map((f: { fold: number }) => f.fold)).toEqual([1, 2]);
    const acc = report.folds.map((f: { accuracy: number }) => f.accuracy);
    const uar = report.folds.map((f: { uar: number }) => f.uar);
    expect(report.summary.accuracy).toEqual(meanStd(acc));
    expect(report.summary.uar).toEqual(meanStd(uar));
    // Sample standard deviation of two values: |a − b| / √2.
    expect(report.summary.accuracy.std).toBeCloseTo(Math.abs(acc[0] - acc[1]) / Math.SQRT2, 12);
    // Every file tested once: the summed confusion matrix counts all 42.
    expect(report.summary.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(42);
    expect(report.folds.reduce((a: number, f: { files: number }) => a + f.files, 0)).toBe(42);
    // Each fold is the library's fold with the same seed, and its report names it.
    const files = loadLabelledFiles([DEMO]);
    const folds = makeFolds(files, 'random', 2, 42);
    for (const f of report.folds) {
      const own = JSON.parse(readFileSync(join(out, f.dir, 'report.json'), 'utf8'));
      expect(own.split.fold).toEqual({ index: f.fold, of: 2, protocol: 'kfold' });
      expect(own.split.test).toBe(folds[f.fold - 1].test.length);
      expect(own.accuracy).toBe(f.accuracy);
    }
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain(
      `Accuracy: **${(100 * report.summary.accuracy.mean).toFixed(2)} ± ${(100 * report.summary.accuracy.std).toFixed(2)} %**`,
    );
    expect(md).toContain('| 2 | — | 21 |');
    expect(readFileSync(join(out, 'crossval.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(existsSync(join(out, 'fold-2.checkpoint'))).toBe(false);

    // A fold whose record is half-written (a crash of an older version) runs again, and its
    // folder is replaced with the report and the record together.
    const record = join(out, 'fold-2', 'fold.json');
    writeFileSync(record, readFileSync(record, 'utf8').slice(0, 50));
    const again = ser(...args, '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(
      'ser crossval: fold 1/2 (seed 42): done in an earlier run, reused',
    );
    expect(again.stderr).not.toContain('fold 2/2 (seed 42): done in an earlier run');
    expect(JSON.parse(readFileSync(record, 'utf8')).row.fold).toBe(2);

    // A fold folder is replaced as a whole when its fold runs: one holding a file of the user's
    // is refused before any fold trains, and keeps it.
    const mine = join(out, 'fold-2', 'notes.txt');
    writeFileSync(mine, 'mine\n');
    const refused = ser(...args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `ser: error: ${join(out, 'fold-2')}: holds a file that is not an experiment's (notes.txt): the model and report replace the folder as a whole; choose a new or empty folder\n`,
    );
    expect(readFileSync(mine, 'utf8')).toBe('mine\n');
  }, 600_000);
});
