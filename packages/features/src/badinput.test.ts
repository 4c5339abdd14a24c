/**
 * Bad and unusual inputs (issue 2): every bad file gives a one-line error that
 * names the file and the reason — never a crash, never NaN; every valid but
 * unusual file works. Files are generated in a temp dir.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractFile, extractFileSync, extractFiles, readWav } from './extract.js';
import { encodeWav } from './testing.js';

const dir = mkdtempSync(join(tmpdir(), 'serkit-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tone = (n: number, sr: number, f = 440) =>
  Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * f * i) / sr));

function file(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** A valid 16-bit file whose format tag / bits are patched afterwards. */
function withFormatTag(tag: number, bits: number, fmtExtra = 0): Buffer {
  const pcm = encodeWav(tone(8000, 8000), 8000, { encoding: bits === 8 ? 'pcm8' : 'pcm16' });
  if (fmtExtra === 0) {
    pcm.writeUInt16LE(tag, 20);
    pcm.writeUInt16LE(bits, 34);
    return pcm;
  }
  // Rebuild with an 18-byte fmt chunk (cbSize = 0), as non-PCM formats need.
  const data = pcm.subarray(36);
  const head = Buffer.alloc(38);
  pcm.copy(head, 0, 0, 36);
  head.writeUInt32LE(18, 16);
  head.writeUInt16LE(tag, 20);
  head.writeUInt16LE(bits, 34);
  head.writeUInt16LE(0, 36);
  const out = Buffer.concat([head, data]);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

const bad: [string, () => Uint8Array | string, string, RegExp][] = [
  ['empty.wav', () => Buffer.alloc(0), 'ERR_SER_INVALID_WAV', /empty/],
  [
    'zero-samples.wav',
    () => encodeWav(new Float32Array(0), 44100),
    'ERR_SER_EMPTY',
    /no audio samples/,
  ],
  [
    'noise.wav',
    () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)),
    'ERR_SER_INVALID_WAV',
    /not an audio file: no known audio header/,
  ],
  [
    'readme.wav',
    () => 'This is not audio.\nJust text.\n'.repeat(10),
    'ERR_SER_INVALID_WAV',
    /text/,
  ],
  [
    'ms-adpcm.wav',
    () => withFormatTag(0x0002, 4),
    'ERR_SER_UNSUPPORTED_ENCODING',
    /Microsoft ADPCM/,
  ],
  ['ima-adpcm.wav', () => withFormatTag(0x0011, 4), 'ERR_SER_UNSUPPORTED_ENCODING', /IMA ADPCM/],
  ['mp3-in-wav.wav', () => withFormatTag(0x0055, 16), 'ERR_SER_UNSUPPORTED_ENCODING', /MP3/],
  [
    'nan.wav',
    () => {
      const y = tone(44100, 44100);
      y[1234] = Number.NaN;
      return encodeWav(y, 44100, { encoding: 'float32' });
    },
    'ERR_SER_NON_FINITE',
    /NaN or Inf/,
  ],
  [
    'inf.wav',
    () => {
      const y = tone(44100, 44100);
      y[99] = Number.NEGATIVE_INFINITY;
      return encodeWav(y, 44100, { encoding: 'float64' });
    },
    'ERR_SER_NON_FINITE',
    /NaN or Inf/,
  ],
  ['rate-0.wav', () => encodeWav(tone(4410, 44100), 0), 'ERR_SER_SAMPLE_RATE', /sample rate 0 Hz/],
  [
    'rate-absurd.wav',
    () => encodeWav(tone(4410, 44100), 4_000_000_000),
    'ERR_SER_SAMPLE_RATE',
    /sample rate 4000000000 Hz/,
  ],
  [
    'truncated-header.wav',
    () => encodeWav(tone(4410, 44100), 44100).subarray(0, 30),
    'ERR_SER_INVALID_WAV',
    /truncated/,
  ],
  ['silent.wav', () => encodeWav(new Float32Array(44100), 44100), 'ERR_SER_SILENT', /silent/],
  // Before the minimum length a 1-sample file was labelled "anger" at 62 %.
  [
    'one-sample.wav',
    () => encodeWav(Float32Array.of(0.5), 44100),
    'ERR_SER_TOO_SHORT',
    /too short: 0\.000 s of speech once silence is left out; at least 0\.5 s/,
  ],
  [
    'short-tone.wav',
    () => encodeWav(tone(0.4 * 16000, 16000), 16000),
    'ERR_SER_TOO_SHORT',
    /too short: 0\.400 s/,
  ],
  // 0.2 s of tone, 0.6 s of digital zeros, 0.2 s of tone: 1 s between the ends, 0.4 s of
  // speech (a window of it was too short while the whole file was labelled).
  [
    'gapped-tones.wav',
    () => {
      const t = tone(0.2 * 16000, 16000);
      const y = new Float32Array(t.length * 2 + 0.6 * 16000);
      y.set(t);
      y.set(t, y.length - t.length);
      return encodeWav(y, 16000);
    },
    'ERR_SER_TOO_SHORT',
    /too short: 0\.4\d\d s of speech/,
  ],
];

describe('bad input: one-line error naming the file and the reason', () => {
  const paths = bad.map(([name, make]) => file(name, make()));

  it.each(bad.map((b, i) => [b[0], b[2], b[3], paths[i]] as const))(
    '%s → %s',
    async (_name, code, reason, path) => {
      for (const run of [() => extractFileSync(path), () => extractFile(path)]) {
        try {
          await run();
          expect.unreachable();
        } catch (e) {
          const err = e as Error & { code: string };
          expect(err).toBeInstanceOf(Error);
          expect(err.code).toBe(code);
          expect(err.message.startsWith(`${path}: `)).toBe(true);
          expect(err.message).toMatch(reason);
          expect(err.message).not.toContain('\n');
        }
      }
    },
  );

  it('a batch of bad files fails per file, never as a whole', async () => {
    const r = await extractFiles(paths);
    expect(r.ok).toBe(0);
    expect(r.failed).toBe(paths.length);
    expect(Array.from(r.rows)).toEqual(paths.map(() => -1));
    expect(r.codes).toEqual(bad.map((b) => b[2]));
    for (const [i, e] of r.errors.entries()) expect(e?.startsWith(`${paths[i]}: `)).toBe(true);
  });

  it('a truncated data chunk keeps its readable part (as libsndfile/soundfile do)', () => {
    const full = encodeWav(tone(44100, 44100), 44100);
    const p = file('truncated-data.wav', full.subarray(0, 44 + 2 * 30000 + 1));
    const a = readWav(p);
    expect(a.samples.length).toBe(30000);
    const mel = extractFileSync(p);
    expect(mel.length).toBe(128 * 259);
    expect(mel.every(Number.isFinite)).toBe(true);
  });
});

describe('valid but unusual files work', () => {
  const cases: [string, Buffer, number, number][] = [
    ['pcm8', encodeWav(tone(22050, 22050), 22050, { encoding: 'pcm8' }), 22050, 1],
    ['pcm24', encodeWav(tone(22050, 22050), 22050, { encoding: 'pcm24' }), 22050, 1],
    ['pcm32', encodeWav(tone(22050, 22050), 22050, { encoding: 'pcm32' }), 22050, 1],
    ['float32', encodeWav(tone(22050, 22050), 22050, { encoding: 'float32' }), 22050, 1],
    ['float64', encodeWav(tone(22050, 22050), 22050, { encoding: 'float64' }), 22050, 1],
    ['a-law', withFormatTag(0x0006, 8, 2), 8000, 1],
    ['µ-law', withFormatTag(0x0007, 8, 2), 8000, 1],
    ['stereo', encodeWav([tone(16000, 16000), tone(16000, 16000, 220)], 16000), 16000, 2],
    [
      '6 channels',
      encodeWav(
        Array.from({ length: 6 }, (_, c) => tone(48000, 48000, 200 + 100 * c)),
        48000,
        { encoding: 'pcm24' },
      ),
      48000,
      6,
    ],
    ['8 kHz', encodeWav(tone(8000, 8000), 8000), 8000, 1],
    ['96 kHz', encodeWav(tone(96000, 96000), 96000), 96000, 1],
  ];

  it.each(cases)('%s', (name, bytes, rate, channels) => {
    const p = file(`ok-${name.replace(/\W/g, '_')}.wav`, bytes);
    const a = readWav(p);
    expect(a.sampleRate).toBe(rate);
    expect(a.channels).toBe(channels);
    const mel = extractFileSync(p);
    expect(mel.length).toBe(128 * 259);
    expect(mel.every(Number.isFinite)).toBe(true);
  });

  it('the same tone in every integer/float encoding gives (nearly) the same spectrogram', () => {
    const ref = extractFileSync(
      file('ref32.wav', encodeWav(tone(22050, 22050), 22050, { encoding: 'float32' })),
    );
    for (const encoding of ['pcm16', 'pcm24', 'pcm32', 'float64'] as const) {
      const mel = extractFileSync(
        file(`cmp-${encoding}.wav`, encodeWav(tone(22050, 22050), 22050, { encoding })),
      );
      let maxDiff = 0;
      for (let i = 0; i < mel.length; i++) maxDiff = Math.max(maxDiff, Math.abs(mel[i] - ref[i]));
      expect(maxDiff, encoding).toBeLessThan(encoding === 'pcm16' ? 2 : 0.1);
    }
  });

  it('an hour-long file (8 kHz, 8-bit) decodes and extracts', () => {
    const rate = 8000;
    const n = rate * 3600;
    // Speech-like burst in the first seconds, low noise for the rest of the hour.
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] =
        i < rate * 2
          ? 0.5 * Math.sin((2 * Math.PI * 300 * i) / rate)
          : ((i * 7919) % 17) / 17 / 256;
    }
    const p = file('hour.wav', encodeWav(y, rate, { encoding: 'pcm8' }));
    const a = readWav(p);
    expect(a.samples.length).toBe(n);
    // At the file's own rate (no resampling of the whole hour) this stays fast.
    const mel = extractFileSync(p, { sampleRate: rate });
    expect(mel.length).toBe(128 * (1 + Math.floor((3 * rate) / 512)));
    expect(mel.every(Number.isFinite)).toBe(true);
  });
});
