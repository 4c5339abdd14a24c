/**
 * End-to-end tests of `ser predict --window/--hop/--plot` and `ser predict --stream -` through
 * the built binary. A tiny model is trained for one epoch on 14 EMO-DB clips (behaviour, not
 * accuracy); the long recording is built at test time from real EMO-DB speech with digital
 * silence and a click between the utterances, at 44.1 kHz float32 so that any 3 s excerpt
 * of it is exactly what one window of the pipeline sees.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadNative, readWav } from '@serkit/features';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeWav } from '../../../features/src/testing.js';
import { SER_BIN as BIN, runSer } from '../testing.js';
import { parseHopSeconds, parseWindowSeconds, timeDecimals } from './predict-windows.js';

const DATA = resolve(import.meta.dirname, '../../../../../shared/data');
const tmp = mkdtempSync(join(tmpdir(), 'serkit-windows-'));
// Every case spawns `ser` (model load included) a few times on a shared, loaded machine.
vi.setConfig({ testTimeout: 300_000 });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const env = { ...process.env, SER_CACHE_DIR: join(tmp, 'cache'), TF_CPP_MIN_LOG_LEVEL: '2' };
const ser = (args: string[], input?: Buffer) => runSer(args, { env, input });

const SR = 44_100;
const model = join(tmp, 'model');
const long = join(tmp, 'long.wav');
let signal: Float32Array;

interface Win {
  start: number;
  end: number;
  status: string;
  label: string | null;
  probabilities: Record<string, number> | null;
}

beforeAll(async () => {
  const corpus = join(tmp, 'emodb');
  mkdirSync(corpus);
  const wavs = readdirSync(join(DATA, 'emodb/wav')).sort();
  for (const letter of 'WLEAFTN') {
    for (const f of wavs.filter((w) => w[5] === letter).slice(0, 2))
      copyFileSync(join(DATA, 'emodb/wav', f), join(corpus, f));
  }
  const t = ser([
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
  ]);
  expect(t.code, t.stderr).toBe(0);

  // anger, 4 s of silence, sadness, 4 s of silence with a one-sample click, happiness.
  const clip = async (name: string) => {
    const a = readWav(join(DATA, 'emodb-original/wav', name));
    return loadNative().resample(a.samples, a.sampleRate, SR);
  };
  const silence = new Float32Array(4 * SR);
  const click = new Float32Array(4 * SR);
  click[2 * SR] = 0.5;
  const parts = [
    await clip('03a01Wa.wav'),
    silence,
    await clip('03a04Ta.wav'),
    click,
    await clip('03a02Fc.wav'),
  ];
  signal = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    signal.set(p, at);
    at += p.length;
  }
  writeFileSync(long, encodeWav(signal, SR, { encoding: 'float32' }));
}, 600_000);

function windowsOf(stdout: string): Win[] {
  const out = JSON.parse(stdout);
  expect(out.failed).toEqual([]);
  expect(out.predictions).toHaveLength(1);
  return out.predictions[0].windows;
}

describe('ser predict --window', () => {
  it('classifies every window through the per-utterance pipeline and marks silence and clicks', () => {
    const r = ser(['predict', long, '--model', model, '--window', '3', '--hop', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const windows: Win[] = out.predictions[0].windows;
    const n = signal.length;
    const count = 1 + Math.ceil((n - 3 * SR) / SR);
    expect(windows).toHaveLength(count);
    windows.forEach((w, k) => {
      expect(w.start).toBe(k);
      expect(w.end).toBe(Number(Math.min(k + 3, n / SR).toFixed(6)));
    });
    const statuses = new Set(windows.map((w) => w.status));
    expect(statuses).toEqual(new Set(['speech', 'silent', 'too-short']));
    for (const w of windows) {
      if (w.status === 'speech') {
        expect(Object.keys(w.probabilities ?? {})).toHaveLength(7);
        const sum = Object.values(w.probabilities ?? {}).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(1, 4);
        expect(w.label).not.toBeNull();
      } else {
        expect(w.label).toBeNull();
        expect(w.probabilities).toBeNull();
      }
    }
    const summary = out.predictions[0].summary;
    expect(summary.windows.total).toBe(count);
    const share = Object.values(summary.share as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(share).toBeCloseTo(1, 4);
    expect(summary.share.silent).toBeGreaterThan(0);

    // Window k is exactly `ser predict` on the 3 s excerpt starting at k seconds.
    const speech = windows.map((w, k) => [w, k] as const).filter(([w]) => w.status === 'speech');
    const picks = [speech[0], speech[speech.length - 1]];
    const dir = join(tmp, 'excerpts');
    mkdirSync(dir, { recursive: true });
    for (const [, k] of picks) {
      const excerpt = signal.subarray(k * SR, Math.min(signal.length, (k + 3) * SR));
      writeFileSync(join(dir, `w${k}.wav`), encodeWav(excerpt, SR, { encoding: 'float32' }));
    }
    const p = ser(['predict', dir, '--model', model, '--json']);
    expect(p.code, p.stderr).toBe(0);
    for (const [w, k] of picks) {
      const single = JSON.parse(p.stdout).predictions.find((x: { path: string }) =>
        x.path.endsWith(`w${k}.wav`),
      );
      expect(single.label).toBe(w.label);
      for (const [c, v] of Object.entries(single.probabilities as Record<string, number>))
        expect(w.probabilities?.[c]).toBeCloseTo(v, 4);
    }
  });

  it('prints a readable timeline and writes one PNG per file with --plot', () => {
    const plots = join(tmp, 'plots');
    const r = ser(['predict', long, '--model', model, '--plot', plots]);
    expect(r.code, r.stderr).toBe(0);
    // TensorFlow's start-up lines (absl, oneDNN) stay off stderr, as in the per-file mode.
    expect(r.stderr).not.toMatch(/absl|oneDNN|port\.cc/);
    expect(r.stdout).toMatch(/ 0\.00 – +3\.00 s {2}\w+ \(\d+\.\d %\)/);
    expect(r.stdout).toMatch(/silent/);
    expect(r.stdout).toMatch(/share of time: /);
    const png = join(plots, 'long.timeline.png');
    expect(existsSync(png)).toBe(true);
    expect(statSync(png).size).toBeGreaterThan(20_000);
  });

  it('names a bad file and goes on (exit 1); bad window options are usage errors', () => {
    const bad = join(tmp, 'bad.wav');
    writeFileSync(bad, 'not audio\n');
    const r = ser(['predict', bad, long, '--model', model, '--window', '3', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.failed).toEqual([{ path: bad, error: 'not an audio file: it is UTF-8 text' }]);
    expect(r.stderr).toContain(`${bad}: not an audio file: it is UTF-8 text\n`);
    expect(out.predictions).toHaveLength(1);
    // Entries the walk cannot use are failures beside the rest, as in file mode, with its notes;
    // nothing usable at all is a usage error.
    const missing = join(tmp, 'missing.wav');
    const dangling = join(tmp, 'dangling.wav');
    symlinkSync(join(tmp, 'nowhere.wav'), dangling);
    const empty = join(tmp, 'no-audio');
    mkdirSync(empty);
    const walk = ser([
      'predict',
      missing,
      long,
      dangling,
      empty,
      long,
      '--model',
      model,
      '--window',
      '3',
      '--json',
    ]);
    expect(walk.code, walk.stderr).toBe(1);
    const walked = JSON.parse(walk.stdout);
    expect(walked.predictions.map((p: { path: string }) => p.path)).toEqual([long]);
    expect(walked.failed.map((f: { path: string }) => f.path).sort()).toEqual(
      [dangling, missing].sort(),
    );
    for (const f of walked.failed as { path: string; error: string }[]) {
      expect(f.error.startsWith(f.path), f.error).toBe(false);
    }
    expect(walk.stderr).toContain(`${missing}: no such file or directory\n`);
    expect(walk.stderr).toContain(`ser: note: ${empty}: no audio files in this folder\n`);
    expect(walk.stderr).toMatch(/ser: note: .*counted once/);
    const none = ser(['predict', missing, '--model', model, '--window', '3']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`ser: error: ${missing}: no such file or directory\n`);
    expect(ser(['predict', long, '--model', model, '--hop', '0']).code).toBe(2);
    expect(ser(['predict', long, '--model', model, '--window', 'x']).code).toBe(2);
    // --hop: the core's range (1 ms to a day); --window: from the 0.5 s of speech a window
    // needs to be classified. Checked before any file is read; decimal only.
    for (const [option, value, range] of [
      [
        '--window',
        '0.3',
        '0.5 to 86400 \\(a window is classified when it holds 0.5 s of speech\\)',
      ],
      [
        '--window',
        '0x10',
        '0.5 to 86400 \\(a window is classified when it holds 0.5 s of speech\\)',
      ],
      ['--hop', '1e-9', '0.001 to 86400'],
      ['--hop', '86401', '0.001 to 86400'],
    ]) {
      const w = ser(['predict', long, '--model', model, option, value]);
      expect(w.code, w.stderr).toBe(2);
      expect(w.stderr).toMatch(
        new RegExp(
          `argument '${value}' is invalid\\. Expected a number of seconds from ${range}\\.\n$`,
        ),
      );
    }
    expect([parseHopSeconds('1e-3'), parseWindowSeconds('.5'), parseHopSeconds(' 86400 ')]).toEqual(
      [0.001, 0.5, 86400],
    );
    expect([
      timeDecimals(1, 3),
      timeDecimals(0.25, 3),
      timeDecimals(0.125, 3),
      timeDecimals(1, 2.5),
      timeDecimals(0.001, 3),
      timeDecimals(1 / 3, 3),
    ]).toEqual([2, 2, 3, 2, 3, 6]);
    const image = join(tmp, 'timeline.png');
    const p = ser(['predict', long, '--model', model, '--plot', image]);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain(`--plot ${image}: takes a folder`);
    expect(existsSync(image)).toBe(false);
    // No empty timeline folder is left behind when the model is refused or every file fails.
    const unused = join(tmp, 'unused-plots', 'timelines');
    const refused = ser(['predict', long, '--model', join(tmp, 'no-model'), '--plot', unused]);
    expect(refused.code).toBe(2);
    const failed = ser(['predict', bad, '--model', model, '--plot', unused]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(bad);
    expect(existsSync(join(tmp, 'unused-plots'))).toBe(false);
    const notFolder = ser(['predict', long, '--model', model, '--plot', join(bad, 'plots')]);
    expect(notFolder.code).toBe(2);
    expect(notFolder.stderr).toContain(
      `cannot write to --plot ${join(bad, 'plots')}: ${bad} is not a directory`,
    );
  });
});

describe('ser predict --window (text)', () => {
  it("says once that a window longer than the model's 3 s clip is classified on its start", () => {
    const r = ser(['predict', long, '--model', model, '--window', '5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      "ser predict: --window 5 is longer than the model's 3 s clips: each window is classified on its first 3 s of speech (after the trim); --window 3 or less classifies all of it\n",
    );
    expect(JSON.parse(r.stdout).predictions[0].windows[0].end).toBe(5);
    // At the clip length: no note.
    expect(ser(['predict', long, '--model', model, '--window', '3', '--json']).stderr).toBe('');
  });

  it('notes once that a hop longer than the window leaves gaps', () => {
    const r = ser(['predict', long, '--model', model, '--window', '1', '--hop', '5']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'ser predict: --hop 5 is longer than --window 1: only the first 1 s of every 5 s is classified, and the share of time is of those windows only\n',
    );
  });

  it('prints window times with the decimals the hop needs, so neighbouring rows differ', () => {
    const r = ser(['predict', long, '--model', model, '--window', '10', '--hop', '0.125']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => / s {2}/.test(l));
    expect(rows.length).toBeGreaterThan(8);
    expect(rows.slice(0, 3).map((l) => l.trim().split(' s ')[0].replace(/ +/g, ' '))).toEqual([
      '0.000 – 10.000',
      '0.125 – 10.125',
      '0.250 – 10.250',
    ]);
    // 0.125 s is 5512.5 samples at 44.1 kHz: every window starts at the sample nearest to
    // k · 0.125 s, so the times do not drift (a hop rounded to 5513 samples would print 5.626).
    expect(rows.map((l) => l.trim().split(' ')[0])).toEqual(
      rows.map((_, k) => (k * 0.125).toFixed(3)),
    );
  });
});

describe('ser predict --window without native TensorFlow', () => {
  it('runs on the wasm backend (the ops engine uses the model: it lives as long as the predictor)', () => {
    const args = ['predict', long, '--model', model, '--window', '3', '--hop', '3', '--json'];
    const native = windowsOf(ser(args).stdout);
    const r = ser([...args, '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(0);
    const wasm = windowsOf(r.stdout);
    expect(wasm.map((w) => [w.start, w.status, w.label])).toEqual(
      native.map((w) => [w.start, w.status, w.label]),
    );
    wasm.forEach((w, k) => {
      for (const [c, v] of Object.entries(native[k].probabilities ?? {}))
        expect(w.probabilities?.[c]).toBeCloseTo(v, 4);
    });
  });
});

describe('ser predict --stream -', () => {
  const wav = () => encodeWav(signal, SR, { encoding: 'float32' });
  const lines = (stdout: string): Win[] =>
    stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  let fileWindows: Win[];
  beforeAll(() => {
    fileWindows = windowsOf(
      ser(['predict', long, '--model', model, '--window', '3', '--json']).stdout,
    );
  });

  it('prints one JSON line per window of a piped WAV, the same windows as the file mode', () => {
    const r = ser(['predict', '--model', model, '--stream', '-'], wav());
    expect(r.code, r.stderr).toBe(0);
    const got = lines(r.stdout);
    expect(got).toHaveLength(fileWindows.length);
    got.forEach((w, k) => {
      expect(Object.keys(w)).toEqual(['start', 'end', 'status', 'label', 'probabilities']);
      expect(w.start).toBeCloseTo(fileWindows[k].start, 6);
      expect(w.end).toBeCloseTo(fileWindows[k].end, 6);
      // Live input measures silence against the loudest frame so far, not of the whole file;
      // a window classified in both modes gets the same probabilities.
      if (w.status === 'speech' && fileWindows[k].status === 'speech') {
        expect(w.label).toBe(fileWindows[k].label);
        for (const [c, v] of Object.entries(fileWindows[k].probabilities ?? {}))
          expect(w.probabilities?.[c]).toBeCloseTo(v, 5);
      }
    });
  });

  it('a file of digital silence and a stream of zeros both give silent windows (exit 0)', () => {
    const zeros = encodeWav(new Float32Array(7 * 16_000), 16_000);
    const path = join(tmp, 'zeros.wav');
    writeFileSync(path, zeros);
    const file = ser(['predict', path, '--model', model, '--window', '3', '--json']);
    expect(file.code, file.stderr).toBe(0);
    const out = JSON.parse(file.stdout);
    expect(out.failed).toEqual([]);
    const fromFile = out.predictions[0].windows.map((w: Win) => [w.start, w.end, w.status]);
    expect(fromFile).toEqual([0, 1, 2, 3, 4].map((k) => [k, k + 3, 'silent']));
    expect(out.predictions[0].summary.windows).toEqual({
      total: 5,
      speech: 0,
      silent: 5,
      tooShort: 0,
    });
    const stream = ser(['predict', '--model', model, '--stream', '-'], zeros);
    expect(stream.code, stream.stderr).toBe(0);
    expect(lines(stream.stdout).map((w) => [w.start, w.end, w.status])).toEqual(fromFile);
  });

  it('reads WAV streams with placeholder sizes (sox/ffmpeg) and raw PCM with --rate', () => {
    const ref = ser(['predict', '--model', model, '--stream', '-'], wav()).stdout;
    for (const size of [0, 0xffffffff]) {
      const b = wav();
      b.writeUInt32LE(size, 4);
      b.writeUInt32LE(size, 40);
      const r = ser(['predict', '--model', model, '--stream', '-'], b);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(ref);
    }
    const raw = Buffer.from(signal.buffer, signal.byteOffset, signal.byteLength);
    const r = ser(
      ['predict', '--model', model, '--stream', '-', '--rate', '44100', '--format', 'f32le'],
      raw,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(ref);
  });

  it('fails cleanly on an empty or non-WAV stdin, and raw options need --stream', () => {
    const e = ser(['predict', '--model', model, '--stream', '-'], Buffer.alloc(0));
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/stdin: the stream ended before a complete WAV header/);
    const t = ser(
      ['predict', '--model', model, '--stream', '-'],
      Buffer.from('hello there, no audio'),
    );
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/stdin: no RIFF\/WAVE header/);
    // A header without samples, or raw bytes short of one frame: an error, as for a file.
    const header = ser(
      ['predict', '--model', model, '--stream', '-'],
      encodeWav(new Float32Array(0), 16_000),
    );
    expect(header.code).toBe(1);
    expect(header.stderr).toMatch(/ser: error: stdin: no audio samples in the stream\n$/);
    const byte = ser(
      ['predict', '--model', model, '--stream', '-', '--rate', '16000'],
      Buffer.from([1]),
    );
    expect(byte.code).toBe(1);
    // Samples that are not finite, and a partial frame at the end, are said of stdin.
    const nan = Float32Array.from(signal.subarray(0, 4 * SR));
    nan[SR] = Number.NaN;
    const n = ser(
      ['predict', '--model', model, '--stream', '-'],
      encodeWav(nan, SR, { encoding: 'float32' }),
    );
    expect(n.code).toBe(1);
    expect(n.stderr).toMatch(
      /ser: error: stdin: non-finite sample \(NaN or Inf\) at sample 44100\n$/,
    );
    const f32 = Buffer.from(signal.buffer, signal.byteOffset, 4 * 4 * SR);
    const odd = ser(
      ['predict', '--model', model, '--stream', '-', '--rate', '44100', '--format', 'f32le'],
      Buffer.concat([f32, Buffer.from([1, 2, 3])]),
    );
    expect(odd.code, odd.stderr).toBe(0);
    expect(odd.stderr).toMatch(
      /ser: note: stdin: the last 3 bytes of the stream, less than one sample frame \(1 channel\), were ignored\n$/,
    );
    expect(byte.stderr).toMatch(
      /stdin: no audio samples in the stream \(1 byte at its end, less than one sample frame\)\n$/,
    );
    expect(ser(['predict', long, '--model', model, '--rate', '16000']).code).toBe(2);
  });

  it('prints windows while the stream is still open and exits 130 on Ctrl-C', async () => {
    const child = spawn(process.execPath, [BIN, 'predict', '--model', model, '--stream', '-'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    // The first 5 s of the recording; the stream stays open.
    const b = wav();
    child.stdin.write(b.subarray(0, 44 + 4 * 5 * SR));
    const start = Date.now();
    while (out.split('\n').length < 3 && Date.now() - start < 120_000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(2);
    const code = await new Promise<number | null>((res) => {
      child.on('exit', (c) => res(c));
      child.kill('SIGINT');
    });
    expect(code).toBe(130);
  }, 180_000);
});
