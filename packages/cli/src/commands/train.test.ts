/**
 * End-to-end tests of `ser train`, `evaluate`, `predict` and `info` through the built binary
 * on real EMO-DB speech, with a bad file in the folder. One epoch on a few clips: they check
 * behaviour, outputs and exit codes, not accuracy.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../dist/bin/ser.js');
const DATA = resolve(import.meta.dirname, '../../../../../shared/data');
const tmp = mkdtempSync(join(tmpdir(), 'serkit-train-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const env = { ...process.env, SER_CACHE_DIR: join(tmp, 'cache'), TF_CPP_MIN_LOG_LEVEL: '2' };
function ser(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 300_000,
    env,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Two clips per EMO-DB emotion (14) and a text file posing as a WAV.
const corpus = join(tmp, 'emodb');
mkdirSync(corpus);
const wavs = readdirSync(join(DATA, 'emodb/wav')).sort();
for (const letter of 'WLEAFTN') {
  for (const f of wavs.filter((w) => w[5] === letter).slice(0, 2))
    copyFileSync(join(DATA, 'emodb/wav', f), join(corpus, f));
}
writeFileSync(join(corpus, '03a01Wz.wav'), 'this is not audio\n');
const model = join(tmp, 'model');

describe('ser train → evaluate → predict', () => {
  it('trains for an epoch, writes the model and the report, and says which file failed (exit 1)', () => {
    const r = ser(
      'train',
      '--data',
      corpus,
      '--out',
      model,
      '--epochs',
      '1',
      '--test-size',
      '0.3',
      '--json',
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/03a01Wz\.wav: not an audio file: the file is text/);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ schema: 'serkit-report/1', kind: 'train', seed: 42 });
    expect(report.classes).toEqual([
      'anger',
      'boredom',
      'disgust',
      'fear',
      'happiness',
      'sadness',
      'neutral',
    ]);
    expect(report.confusion).toHaveLength(7);
    expect(report.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(
      report.split.test,
    );
    expect(report.perClass.map((c: { name: string }) => c.name)).toEqual(report.classes);
    expect(report.epochs).toHaveLength(1);
    expect(report.dataset).toMatchObject({ name: 'emodb', files: 15, failed: 1 });
    for (const f of [
      'model.json',
      'weights.bin',
      'metadata.json',
      'report.json',
      'report.md',
      'confusion-matrix.svg',
      'confusion-matrix.png',
      'training-curves.png',
      'spectrogram.png',
    ]) {
      expect(existsSync(join(model, f)), f).toBe(true);
    }
    expect(existsSync(`${model}.checkpoint`)).toBe(false);
  });

  it('evaluates any labelled data with the same report', () => {
    const r = ser('evaluate', '--model', model, '--data', corpus, '--json');
    expect(r.code, r.stderr).toBe(1); // the text file again
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ kind: 'evaluate', split: { kind: 'all', test: 14 } });
    expect(report.accuracy).toBeGreaterThanOrEqual(0);
  });

  it('predicts every class probability per file', () => {
    const a = join(corpus, readdirSync(corpus).sort()[0]);
    const r = ser('predict', '--model', model, a, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.predictions).toHaveLength(1);
    const p = out.predictions[0];
    expect(p.path).toBe(a);
    expect(Object.keys(p.probabilities)).toHaveLength(7);
    const total = Object.values(p.probabilities as Record<string, number>).reduce(
      (s, v) => s + v,
      0,
    );
    expect(total).toBeCloseTo(1, 4);
    expect(p.label).toBe(
      Object.entries(p.probabilities as Record<string, number>).sort((x, y) => y[1] - x[1])[0][0],
    );
  });

  it('refuses data whose classes the model does not know, an unreadable model and bad flags (exit 2, one line)', () => {
    const ravdess = join(DATA, 'ravdess/Actor_01');
    const cases = [
      ['evaluate', '--model', model, '--data', ravdess],
      ['predict', '--model', join(tmp, 'nope'), join(corpus, '03a01Wz.wav')],
      ['train', '--data', corpus, '--out', join(tmp, 'x'), '--test-size', '1.5'],
      ['train', '--data', join(tmp, 'missing'), '--out', join(tmp, 'x')],
      ['predict', '--model', model, '--frobnicate', 'a.wav'],
    ];
    for (const args of cases) {
      const r = ser(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(ser('evaluate', '--model', model, '--data', ravdess).stderr).toMatch(
      /classes the model does not know: .*calm.*surprised/,
    );
  });
});

describe('ser info', () => {
  it('reports versions, the backend and why, the addon and CPU features', () => {
    const r = ser('info', '--json');
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.nativeAddon.loaded).toBe(true);
    expect(info.versions['@serkit/cli']).toBe('0.1.0');
    expect(info.backend.name).toMatch(/^(tensorflow|tensorflow-gpu|wasm|cpu)$/);
    expect(info.backend.reason).toBeTruthy();
    expect(info.cpu.cores).toBeGreaterThan(0);
  });
});
