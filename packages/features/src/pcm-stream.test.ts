import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav, PcmStreamDecoder } from './index.js';
import { encodeWav } from './testing.js';

const DATA = resolve(import.meta.dirname, '../../../../shared/data');

/** Feed `bytes` in chunks of pseudo-random sizes (1 to 5000 bytes), as a pipe would. */
function feed(d: PcmStreamDecoder, bytes: Uint8Array): Float32Array {
  const parts: Float32Array[] = [];
  let seed = 7;
  for (let i = 0; i < bytes.length; ) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const n = 1 + (seed % 5000);
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
      /unsupported encoding \(format tag 0x0002/,
    );
    expect(() => new PcmStreamDecoder({ sampleRate: 5 })).toThrow(/`rate`/);
  });
});
