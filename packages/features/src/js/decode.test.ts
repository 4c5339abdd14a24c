/** Decoding: every encoding the pipeline promises, and every bad input, as the native engine. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SerkitError } from '../errors.js';
import { encodeWav } from '../testing.js';
import { decodeWavJs, readWavJs } from './decode.js';
import { tryNative } from './testing.js';

const { native, reason } = tryNative();
const tone = (n: number, sr: number) =>
  new Float32Array(n).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / sr));

function errorOf(bytes: Uint8Array): SerkitError {
  try {
    decodeWavJs(bytes);
  } catch (err) {
    return err as SerkitError;
  }
  throw new Error('bad input must be an error');
}

function withTag(bytes: Buffer, tag: number, bits?: number): Buffer {
  const b = Buffer.from(bytes);
  b.writeUInt16LE(tag, 20);
  if (bits !== undefined) b.writeUInt16LE(bits, 34);
  return b;
}

/** The same file with an 18-byte `fmt ` chunk (cbSize = 0), as non-PCM formats should have. */
function withCbSize(bytes: Buffer): Buffer {
  const out = Buffer.concat([bytes.subarray(0, 36), Buffer.alloc(2), bytes.subarray(36)]);
  out.writeUInt32LE(out.length - 8, 4);
  out.writeUInt32LE(18, 16);
  return out;
}

describe('decodeWavJs', () => {
  it('decodes PCM 8/16/24/32-bit and float 32/64 to the same waveform, soundfile scaling', () => {
    const ref = tone(1600, 16000);
    for (const [encoding, tol] of [
      ['pcm8', 1 / 128],
      ['pcm16', 1 / 32768],
      ['pcm24', 1e-6],
      ['pcm32', 1e-7],
      ['float32', 0],
      ['float64', 1e-8],
    ] as const) {
      for (const channels of [1, 2, 6]) {
        const bytes = encodeWav(
          Array.from({ length: channels }, () => ref),
          16000,
          { encoding },
        );
        const a = decodeWavJs(bytes);
        expect([a.sampleRate, a.channels, a.samples.length]).toEqual([16000, channels, 1600]);
        let worst = 0;
        for (let i = 0; i < ref.length; i++)
          worst = Math.max(worst, Math.abs(a.samples[i] - ref[i]));
        expect(worst, `${encoding} × ${channels}`).toBeLessThanOrEqual(tol + 1e-7);
      }
    }
    // 16-bit: x / 32768 exactly.
    const b = Buffer.from(encodeWav(new Float32Array([0]), 16000));
    b.writeInt16LE(-32768, 44);
    expect(decodeWavJs(b).samples[0]).toBe(-1);
  });

  it('averages channels to mono', () => {
    const left = new Float32Array([0.5, 0.25, -0.5]);
    const right = new Float32Array([0, 0.25, 0.5]);
    const a = decodeWavJs(encodeWav([left, right], 8000, { encoding: 'float32' }));
    expect(Array.from(a.samples)).toEqual([0.25, 0.25, 0]);
  });

  it('a native addon that does not load skips these comparisons, except under CI where it fails', () => {
    const broken = () => {
      throw new Error('Cannot find module ./serkit-dsp.linux-x64-gnu.node\nRequire stack: …');
    };
    expect(tryNative({}, broken)).toEqual({
      reason: 'Cannot find module ./serkit-dsp.linux-x64-gnu.node',
    });
    expect(tryNative({ CI: 'false' }, broken).native).toBeUndefined();
    for (const CI of ['true', '1']) {
      expect(() => tryNative({ CI }, broken)).toThrow(
        'the native addon @serkit/dsp-native must load in CI: Cannot find module ./serkit-dsp.linux-x64-gnu.node',
      );
    }
    expect(tryNative({ CI: 'true' }).native).toBeDefined(); // the real addon, built
  });

  it.skipIf(!native)(
    `decodes every encoding bit for bit like the native engine${reason ? ` (skipped: native addon not built: ${reason})` : ''}`,
    () => {
      const cases: [string, Buffer][] = [];
      for (const encoding of ['pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64'] as const) {
        cases.push([
          encoding,
          encodeWav([tone(4000, 22050), tone(4000, 22050).reverse()], 22050, { encoding }),
        ]);
        cases.push([
          `${encoding} 6ch`,
          encodeWav(
            Array.from({ length: 6 }, (_, c) => tone(3000, 48000).map((v) => (v * (c + 1)) / 6)),
            48000,
            { encoding },
          ),
        ]);
      }
      const pcm8 = encodeWav(tone(8000, 8000), 8000, { encoding: 'pcm8' });
      cases.push(['A-law', withCbSize(withTag(pcm8, 6))], ['µ-law', withCbSize(withTag(pcm8, 7))]);
      for (const [what, bytes] of cases) {
        const ours = decodeWavJs(bytes);
        const theirs = native.decodeWav(bytes);
        expect([ours.sampleRate, ours.channels], what).toEqual([
          theirs.sampleRate,
          theirs.channels,
        ]);
        expect(Array.from(ours.samples), what).toEqual(Array.from(theirs.samples));
      }
    },
  );

  const full = encodeWav(tone(1600, 16000), 16000);
  const bad: [string, Uint8Array, string, string][] = [
    ['empty file', new Uint8Array(0), 'ERR_SER_INVALID_WAV', 'the file is empty'],
    ['text', Buffer.from('hello, this is not audio\n'), 'ERR_SER_INVALID_WAV', 'it is UTF-8 text'],
    [
      'UTF-8 text (a README with accents and dashes)',
      Buffer.from('# Grüße — this is not audio\r\n\tnaïve café\n'),
      'ERR_SER_INVALID_WAV',
      'it is UTF-8 text',
    ],
    [
      'UTF-8 text with a byte-order mark',
      Buffer.from('\uFEFFÜberschrift\n'),
      'ERR_SER_INVALID_WAV',
      'it is UTF-8 text',
    ],
    [
      'UTF-8 text whose 512th byte splits a character',
      Buffer.from(`${'a'.repeat(511)}é and more text`),
      'ERR_SER_INVALID_WAV',
      'it is UTF-8 text',
    ],
    [
      'Latin-1 text (ISO 8859-1 accents, not UTF-8)',
      Buffer.from('Gr\xfc\xdfe, caf\xe9, na\xefve: not audio\r\n', 'latin1'),
      'ERR_SER_INVALID_WAV',
      'it is single-byte (Latin-1 or Windows-1252) text',
    ],
    [
      'UTF-16 little-endian text with its byte-order mark (also an MPEG frame sync)',
      Buffer.from('\ufeffGrüße, naïve café\r\n', 'utf16le'),
      'ERR_SER_INVALID_WAV',
      'it is UTF-16 LE text',
    ],
    [
      'UTF-16 big-endian text with its byte-order mark',
      Buffer.from('\ufeffÜberschrift 🎵\n', 'utf16le').swap16(),
      'ERR_SER_INVALID_WAV',
      'it is UTF-16 BE text',
    ],
    [
      'Windows-1252 text (curly quotes, a dash and the euro sign in 0x80-0x9F)',
      Buffer.from('\x93Gr\xfc\xdfe\x94 \x96 5 \x80, not audio\r\n', 'latin1'),
      'ERR_SER_INVALID_WAV',
      'it is single-byte (Latin-1 or Windows-1252) text',
    ],
    [
      "UTF-16 little-endian text without a byte-order mark (.NET's default)",
      Buffer.from('naïve café\r\n', 'utf16le'),
      'ERR_SER_INVALID_WAV',
      'it is UTF-16 LE text',
    ],
    [
      'a terminal log with ANSI colour codes',
      Buffer.from('\x1b[32m ok \x1b[0m extracted 12 files\n'),
      'ERR_SER_INVALID_WAV',
      'it is UTF-8 text',
    ],
    [
      'bytes that are valid UTF-8 but control characters',
      Buffer.from('\x01\x02\x03\x04 not text either'),
      'ERR_SER_INVALID_WAV',
      'not an audio file: no known audio header',
    ],
    [
      'random bytes',
      Uint8Array.from({ length: 200 }, (_, i) => ((i * 37) & 255) ^ 0x9c),
      'ERR_SER_INVALID_WAV',
      'not an audio file: no known audio header',
    ],
    ['zero samples', encodeWav(new Float32Array(0), 16000), 'ERR_SER_EMPTY', 'no audio samples'],
    ['Microsoft ADPCM', withTag(full, 2, 4), 'ERR_SER_UNSUPPORTED_ENCODING', 'Microsoft ADPCM'],
    ['IMA ADPCM', withTag(full, 0x11, 4), 'ERR_SER_UNSUPPORTED_ENCODING', 'IMA ADPCM'],
    ['MP3', withTag(full, 0x55), 'ERR_SER_UNSUPPORTED_ENCODING', 'MP3'],
    [
      'sample rate 0',
      encodeWav(tone(64, 16000), 0),
      'ERR_SER_SAMPLE_RATE',
      'unsupported sample rate 0 Hz',
    ],
    [
      'absurd sample rate',
      encodeWav(tone(64, 16000), 4_000_000),
      'ERR_SER_SAMPLE_RATE',
      'unsupported sample rate 4000000 Hz',
    ],
    [
      'NaN',
      encodeWav(new Float32Array([0, 0.1, Number.NaN]), 16000, { encoding: 'float32' }),
      'ERR_SER_NON_FINITE',
      'non-finite sample (NaN or Inf) at sample 2',
    ],
    [
      'Inf',
      encodeWav(new Float32Array([0, Number.POSITIVE_INFINITY]), 16000, { encoding: 'float64' }),
      'ERR_SER_NON_FINITE',
      'non-finite sample (NaN or Inf) at sample 1',
    ],
    [
      'header cut in the middle',
      full.subarray(0, 30),
      'ERR_SER_INVALID_WAV',
      'not a valid WAV file',
    ],
  ];
  for (const [what, bytes, code, text] of bad) {
    it(`bad input: ${what} → ${code}, one line`, () => {
      const err = errorOf(bytes);
      expect(err).toBeInstanceOf(SerkitError);
      expect(err.code).toBe(code);
      expect(err.message).toContain(text);
      expect(err.message).not.toContain('\n');
      if (native) {
        let nativeCode: string | undefined;
        try {
          native.decodeWav(bytes);
        } catch (e) {
          nativeCode = (e as { code?: string }).code;
        }
        expect(nativeCode, 'same code as the native engine').toBe(code);
      }
    });
  }

  it('a truncated data chunk keeps its readable part', () => {
    const cut = full.subarray(0, 44 + 2000);
    expect(decodeWavJs(cut).samples.length).toBe(1000);
    expect(decodeWavJs(full.subarray(0, 44 + 2001)).samples.length).toBe(1000);
  });

  it('readWavJs names the file', () => {
    expect(() => readWavJs('/nonexistent/a.wav')).toThrow(
      /^\/nonexistent\/a\.wav: cannot read file/,
    );
    try {
      readWavJs('/nonexistent/a.wav');
    } catch (e) {
      expect((e as SerkitError).code).toBe('ERR_SER_IO');
    }
  });
});

describe('formats and lenient WAV, the same in both engines', () => {
  const FIXTURES = new URL('../../../../crates/ser-dsp/tests/fixtures/audio/', import.meta.url);
  const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));
  const source = fixture('source.wav');
  const fmt = source.subarray(20, 36);
  const data = source.subarray(44);
  const chunk = (id: string, size: number, body: Uint8Array) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(size >>> 0, 4);
    return Buffer.concat([head, body]);
  };
  const riff = (riffSize: number, ...chunks: Buffer[]) => {
    const head = Buffer.alloc(12);
    head.write('RIFF', 0, 'latin1');
    head.writeUInt32LE(riffSize >>> 0, 4);
    head.write('WAVE', 8, 'latin1');
    return Buffer.concat([head, ...chunks]);
  };
  const expected = Float32Array.from(
    { length: data.length / 2 },
    (_, i) => data.readInt16LE(2 * i) / 32768,
  );

  const lies: [string, Buffer][] = [
    ['RIFF size 0', riff(0, chunk('fmt ', 16, fmt), chunk('data', data.length, data))],
    ['data size 0', riff(0, chunk('fmt ', 16, fmt), chunk('data', 0, data))],
    [
      'data size 0xFFFFFFFF',
      riff(0xffffffff, chunk('fmt ', 16, fmt), chunk('data', 0xffffffff, data)),
    ],
    ['data size INT32_MAX', riff(0, chunk('fmt ', 16, fmt), chunk('data', 0x7fffffff, data))],
    ['data size beyond the file', riff(0, chunk('fmt ', 16, fmt), chunk('data', 1e6, data))],
    ['data before fmt', riff(0, chunk('data', data.length, data), chunk('fmt ', 16, fmt))],
    [
      'odd chunk with pad byte',
      riff(
        0,
        chunk('fmt ', 16, fmt),
        chunk('LIST', 5, Buffer.from('INFOx\0')),
        chunk('data', data.length, data),
      ),
    ],
    [
      'odd chunk without pad byte',
      riff(
        0,
        chunk('fmt ', 16, fmt),
        chunk('LIST', 5, Buffer.from('INFOx')),
        chunk('data', data.length, data),
      ),
    ],
  ];
  for (const [what, bytes] of lies) {
    it(`reads a WAV with ${what}, and its cut copy, like the native engine`, () => {
      expect(decodeWavJs(bytes).samples).toEqual(expected);
      const cut = bytes.subarray(0, bytes.length - 1001);
      const whole = Math.floor((data.length - 1001) / 2);
      if (what !== 'data before fmt') {
        expect(decodeWavJs(cut).samples).toEqual(expected.subarray(0, whole));
      }
      if (native) {
        expect(native.decodeWav(bytes).samples).toEqual(decodeWavJs(bytes).samples);
      }
    });
  }

  it('decodes every one of the 256 A-law and µ-law codes as ITU-T G.711 does', () => {
    // The reference decoders of G.711 (Sun's g711.c, which libsndfile and Python's audioop use).
    const ulaw = (code: number) => {
      const u = ~code & 0xff;
      const mag = (((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7);
      return u & 0x80 ? 0x84 - mag : mag - 0x84;
    };
    const alaw = (code: number) => {
      const a = code ^ 0x55;
      const e = (a >> 4) & 7;
      const mag = e === 0 ? ((a & 0x0f) << 4) + 8 : (((a & 0x0f) << 4) + 0x108) << (e - 1);
      return a & 0x80 ? mag : -mag;
    };
    const codes = encodeWav(new Float32Array(256), 8000, { encoding: 'pcm8' });
    for (let i = 0; i < 256; i++) codes[codes.length - 256 + i] = i;
    for (const [tag, law] of [
      [6, alaw],
      [7, ulaw],
    ] as const) {
      const got = decodeWavJs(withCbSize(withTag(codes, tag))).samples;
      const want = Float32Array.from({ length: 256 }, (_, i) => law(i) / 32768);
      expect(got, `format tag ${tag}`).toEqual(want);
    }
  });

  it('reads RIFX, RF64, WAVE_FORMAT_EXTENSIBLE, float and G.711 fixtures exactly as the native engine', () => {
    for (const name of ['rifx.wav', 'rf64.wav', 'pcm24-extensible.wav', 'float32.wav']) {
      expect(decodeWavJs(fixture(name)).samples, name).toEqual(expected);
    }
    for (const name of ['alaw.wav', 'ulaw.wav']) {
      const ref = fixture(`${name}.ref.f32`);
      const want = new Float32Array(ref.buffer, ref.byteOffset, ref.byteLength / 4);
      expect(decodeWavJs(fixture(name)).samples, name).toEqual(want);
    }
  });

  it('names a format the JS engine cannot read, and one neither engine reads', () => {
    for (const [name, format] of [
      ['pcm16.flac', 'FLAC'],
      ['lossy.mp3', 'MP3'],
      ['lossy.ogg', 'Ogg'],
      ['aac.m4a', 'MP4/M4A'],
      ['pcm16.aiff', 'AIFF'],
      ['pcm16.caf', 'CAF'],
    ]) {
      const err = errorOf(fixture(name));
      expect(err.code).toBe('ERR_SER_UNSUPPORTED_ENCODING');
      expect(err.message).toBe(
        `unsupported format: ${format} needs the native engine (the JS engine reads WAV only)`,
      );
    }
    for (const name of ['opus.ogg', 'wma.wma', 'ulaw.au']) {
      const err = errorOf(fixture(name));
      expect(err.code).toBe('ERR_SER_UNSUPPORTED_ENCODING');
      if (native) {
        let message = '';
        try {
          native.decodeWav(fixture(name));
        } catch (e) {
          message = (e as Error).message;
        }
        expect(err.message, name).toBe(message);
      }
    }
  });
});
