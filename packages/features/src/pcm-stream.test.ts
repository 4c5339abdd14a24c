import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav, PcmStreamDecoder, readWav } from './index.js';
import { encodeWav } from './testing.js';

const DATA = resolve(import.meta.dirname, '../../../../shared/data');
const FIXTURES = resolve(import.meta.dirname, '../../../crates/ser-dsp/tests/fixtures/audio');
const TMP = mkdtempSync(join(tmpdir(), 'serkit-pcm-stream-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** Feed `bytes` in chunks of the sizes `size(k)` gives for chunk k; the samples, joined. */
function feedChunks(d: PcmStreamDecoder, bytes: Uint8Array, size: (k: number) => number) {
  const parts: Float32Array[] = [];
  for (let i = 0, k = 0; i < bytes.length; k++) {
    const n = size(k);
    parts.push(d.push(bytes.subarray(i, i + n)));
    i += n;
  }
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Feed `bytes` in chunks of pseudo-random sizes (1 to 5000 bytes), as a pipe would. */
function feed(d: PcmStreamDecoder, bytes: Uint8Array): Float32Array {
  let seed = 7;
  return feedChunks(d, bytes, () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return 1 + (seed % 5000);
  });
}

/** Feed `bytes` in chunks of 1, 3, 7 and 1000 bytes, over and over. */
function feedUneven(d: PcmStreamDecoder, bytes: Uint8Array): Float32Array {
  const sizes = [1, 3, 7, 1000];
  return feedChunks(d, bytes, (k) => sizes[k % sizes.length]);
}

/** `bytes` streamed must give what both engines decode from the same bytes as a file. */
function expectStreamEqualsFile(name: string, bytes: Uint8Array, channels: number): void {
  const path = join(TMP, name);
  writeFileSync(path, bytes);
  const native = readWav(path);
  const js = readWav(path, { engine: 'js' });
  expect(js.samples).toEqual(native.samples);
  const d = new PcmStreamDecoder('wav');
  const got = feedUneven(d, bytes);
  expect(d.ready).toBe(true);
  expect(d.sampleRate).toBe(native.sampleRate);
  expect(d.channels).toBe(channels);
  expect(d.pendingBytes).toBe(0);
  expect(got.length).toBeGreaterThan(0);
  expect(got).toEqual(native.samples);
}

/** A little-endian PCM/float WAV from {@link encodeWav} rewritten as big-endian RIFX. */
function toRifx(wav: Uint8Array, width: number): Buffer {
  const b = Buffer.from(wav);
  const le = Buffer.from(wav);
  b.write('RIFX', 0, 'latin1');
  b.writeUInt32BE(le.readUInt32LE(4), 4);
  let pos = 12;
  while (pos + 8 <= b.length) {
    const id = b.toString('latin1', pos, pos + 4);
    const size = le.readUInt32LE(pos + 4);
    b.writeUInt32BE(size, pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      for (const at of [0, 2, 12, 14]) b.writeUInt16BE(le.readUInt16LE(body + at), body + at);
      for (const at of [4, 8]) b.writeUInt32BE(le.readUInt32LE(body + at), body + at);
      if (size >= 26) {
        for (const at of [16, 18, 24]) b.writeUInt16BE(le.readUInt16LE(body + at), body + at);
        b.writeUInt32BE(le.readUInt32LE(body + 20), body + 20);
      }
    } else if (id === 'data') {
      for (let o = body; o + width <= body + size; o += width) {
        for (let k = 0; k < width; k++) b[o + k] = le[o + width - 1 - k];
      }
    }
    pos = body + size + (size % 2);
  }
  return b;
}

/** A chunk: id, little-endian size, body (no pad byte). */
function chunk(id: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

describe('PcmStreamDecoder: every WAV the file decoders read', () => {
  const tone = (n: number, f: number) =>
    Float32Array.from({ length: n }, (_, i) => 0.6 * Math.sin(i * f) + 0.01 * Math.cos(i * 7));

  it("A-law WAV (format tag 0x0006) streams to the file decoders' samples", () => {
    const bytes = readFileSync(join(FIXTURES, 'alaw.wav'));
    expectStreamEqualsFile('alaw.wav', bytes, 1);
  });

  it("µ-law WAV (format tag 0x0007) streams to the file decoders' samples", () => {
    const bytes = readFileSync(join(FIXTURES, 'ulaw.wav'));
    expectStreamEqualsFile('ulaw.wav', bytes, 1);
  });

  it('big-endian RIFX 16-bit PCM (built here, and the committed fixture) streams to the file samples', () => {
    const y = tone(3001, 0.05);
    expectStreamEqualsFile('rifx16.wav', toRifx(encodeWav(y, 16000), 2), 1);
    expectStreamEqualsFile('rifx-fixture.wav', readFileSync(join(FIXTURES, 'rifx.wav')), 1);
  });

  it('big-endian RIFX float32, stereo and WAVE_FORMAT_EXTENSIBLE 3-channel, streams to the file samples', () => {
    const a = tone(2000, 0.03);
    const b = tone(2000, 0.11);
    const c = tone(2000, 0.2);
    expectStreamEqualsFile(
      'rifx-f32.wav',
      toRifx(encodeWav([a, b], 22050, { encoding: 'float32' }), 4),
      2,
    );
    expectStreamEqualsFile(
      'rifx-f32-ext3.wav',
      toRifx(encodeWav([a, b, c], 22050, { encoding: 'float32' }), 4),
      3,
    );
    expectStreamEqualsFile(
      'rifx-pcm24-ext3.wav',
      toRifx(encodeWav([a, b, c], 22050, { encoding: 'pcm24' }), 3),
      3,
    );
  });

  it('WAVE_FORMAT_EXTENSIBLE µ-law stereo with an odd unpadded chunk, a 1.5 MiB chunk and a placeholder data size', () => {
    const ulaw = readFileSync(join(FIXTURES, 'ulaw.wav'));
    const samples = ulaw.subarray(ulaw.indexOf('data') + 8);
    const fmt = Buffer.alloc(40);
    fmt.writeUInt16LE(0xfffe, 0);
    fmt.writeUInt16LE(2, 2);
    fmt.writeUInt32LE(8000, 4);
    fmt.writeUInt32LE(16000, 8);
    fmt.writeUInt16LE(2, 12);
    fmt.writeUInt16LE(8, 14);
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(8, 18);
    fmt.writeUInt32LE(3, 20);
    fmt.writeUInt16LE(7, 24);
    const data = chunk('data', samples);
    data.writeUInt32LE(0xffffffff, 4);
    const bytes = Buffer.concat([
      Buffer.from('RIFF\xff\xff\xff\xffWAVE', 'latin1'),
      chunk('fmt ', fmt),
      chunk('LIST', Buffer.from('INFOabc', 'latin1')), // 7 bytes, no pad byte
      chunk('JUNK', Buffer.alloc(1.5 * 2 ** 20)),
      data,
    ]);
    expectStreamEqualsFile('ulaw-ext.wav', bytes, 2);
  });

  it('RF64 (ds64 sizes) and 24-bit WAVE_FORMAT_EXTENSIBLE fixtures stream to the file samples', () => {
    for (const name of ['rf64.wav', 'pcm24-extensible.wav']) {
      expectStreamEqualsFile(name, readFileSync(join(FIXTURES, name)), 1);
    }
  });

  it('refuses 4 to 11 bytes of text at once, as it refuses a long text', () => {
    for (const text of ['oops', 'hello', 'not a WAV\n', 'hello world']) {
      const d = new PcmStreamDecoder('wav');
      expect(() => d.push(Buffer.from(text))).toThrow(
        /^stdin: no RIFF\/WAVE header \(raw PCM needs --rate, --channels and --format\)$/,
      );
    }
    // Byte by byte: refused on the first byte that no WAV magic starts with.
    const d = new PcmStreamDecoder('wav');
    expect(d.push(Buffer.from('RI'))).toEqual(new Float32Array(0));
    expect(() => d.push(Buffer.from('FT'))).toThrow(/^stdin: no RIFF\/WAVE header/);
    const e = new PcmStreamDecoder('wav');
    expect(() => e.push(Buffer.from('h'))).toThrow(/^stdin: no RIFF\/WAVE header/);
    // A prefix of a WAV magic waits for more.
    const f = new PcmStreamDecoder('wav');
    expect(f.push(Buffer.from('RIF'))).toEqual(new Float32Array(0));
    expect(f.ready).toBe(false);
  });

  it('refuses a NaN sample as the file decoders do, numbered from the start of the stream', () => {
    const y = new Float32Array(100_000).fill(0.25);
    y[70_000] = Number.NaN;
    const d = new PcmStreamDecoder('wav');
    expect(() => feedUneven(d, encodeWav(y, 16000, { encoding: 'float32' }))).toThrow(
      expect.objectContaining({
        code: 'ERR_SER_NON_FINITE',
        message: 'stdin: non-finite sample (NaN or Inf) at sample 70000',
      }),
    );
    const raw = new PcmStreamDecoder({ sampleRate: 16000, channels: 2, format: 'f32le' });
    const stereo = new Float32Array(2 * 50_000).fill(0.5);
    stereo[2 * 40_000 + 1] = Number.POSITIVE_INFINITY;
    expect(() => feed(raw, new Uint8Array(stereo.buffer))).toThrow(/at sample 40000$/);
  });

  it('gives up on a header whose chunks run past 64 MiB without a data chunk', () => {
    const d = new PcmStreamDecoder('wav');
    const junk = Buffer.alloc(8);
    junk.write('JUNK');
    junk.writeUInt32LE(0xfffffff0, 4); // a 4 GiB chunk: skipped as it arrives
    d.push(Buffer.concat([Buffer.from('RIFF\xff\xff\xff\xffWAVE', 'latin1'), junk]));
    const mib = Buffer.alloc(2 ** 20);
    for (let i = 0; i < 63; i++) expect(d.push(mib)).toHaveLength(0);
    expect(() => d.push(mib)).toThrow(/^stdin: no data chunk in the first 64 MiB$/);
  });
});

describe('PcmStreamDecoder', () => {
  it('decodes a stereo RAVDESS WAV fed in odd-sized chunks exactly as the file decoder does', () => {
    const bytes = readFileSync(resolve(DATA, 'ravdess/Actor_01/03-01-02-01-01-02-01.wav'));
    const want = decodeWav(bytes);
    const d = new PcmStreamDecoder('wav');
    const got = feed(d, bytes);
    expect(d.sampleRate).toBe(48000);
    expect(d.channels).toBe(2);
    expect(got).toEqual(want.samples);
  });

  it('reads to the end of the stream when the sizes are placeholders, else honours the data size', () => {
    const y = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 10) / 2);
    for (const encoding of ['pcm16', 'pcm24', 'float32'] as const) {
      const wav = encodeWav(y, 16000, { encoding });
      const want = decodeWav(wav).samples;
      for (const size of [0, 0xffffffff]) {
        const b = Buffer.from(wav);
        b.writeUInt32LE(size, 4);
        b.writeUInt32LE(size, 40);
        expect(feed(new PcmStreamDecoder('wav'), b)).toEqual(want);
      }
      // Bytes after a real data size are not audio.
      const tail = Buffer.concat([wav, Buffer.from('LIST\x04\x00\x00\x00abcd')]);
      expect(feed(new PcmStreamDecoder('wav'), tail)).toEqual(want);
    }
  });

  it('reads raw s16le and f32le with the given layout, averaging channels', () => {
    const raw = new Int16Array([16384, -16384, 8192, 8192, 0, 32767]);
    const d = new PcmStreamDecoder({ sampleRate: 8000, channels: 2, format: 's16le' });
    const got = feed(d, new Uint8Array(raw.buffer));
    expect(Array.from(got)).toEqual([0, 0.25, Math.fround(32767 / 32768 / 2)]);
    const f = new Float32Array([0.5, -0.25]);
    expect(
      new PcmStreamDecoder({ sampleRate: 8000, format: 'f32le' }).push(new Uint8Array(f.buffer)),
    ).toEqual(f);
  });

  it('names what is wrong with a stream that is not a usable WAV', () => {
    expect(() => new PcmStreamDecoder('wav').push(Buffer.from('hello, this is text'))).toThrow(
      /stdin: no RIFF\/WAVE header/,
    );
    const adpcm = Buffer.from(encodeWav(new Float32Array(10), 8000));
    adpcm.writeUInt16LE(2, 20);
    expect(() => new PcmStreamDecoder('wav').push(adpcm)).toThrow(
      /^stdin: unsupported WAV encoding: Microsoft ADPCM \(format tag 0x0002\)/,
    );
    expect(() => new PcmStreamDecoder({ sampleRate: 5 })).toThrow(/`rate`/);
  });
});
