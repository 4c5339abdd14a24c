import { describe, expect, it } from 'vitest';
import { isText, TEXT_HEAD, textEncoding } from './text.js';

describe('isText (the same rule as crates/ser-dsp/src/decode/text.rs)', () => {
  it('reads UTF-16 of either byte order with its byte-order mark', () => {
    expect(isText(Buffer.from('\ufeffGrüße, naïve café\r\n', 'utf16le'))).toBe(true);
    expect(isText(Buffer.from('\ufeffÜberschrift 🎵\n', 'utf16le').swap16())).toBe(true);
  });

  it('allows a surrogate pair split by the end of the head', () => {
    const text = `\ufeff${'a'.repeat(TEXT_HEAD / 2 - 2)}🎵 and more`;
    const bytes = Buffer.from(text, 'utf16le');
    expect(bytes[TEXT_HEAD - 1]).toBe(0xd8);
    expect(isText(bytes)).toBe(true);
  });

  it('does not take an MPEG stream behind FF FE for text', () => {
    const frames = Uint8Array.from({ length: 400 }, (_, i) => ((i * 97) & 255) ^ 0x5a);
    expect(isText(Uint8Array.from([0xff, 0xfe, 0x48, 0x00, 0x01, 0x00, ...frames]))).toBe(false);
  });
});

describe('textEncoding names what it found', () => {
  it('tells the encodings apart', () => {
    expect(textEncoding(Buffer.from('plain ASCII\n'))).toBe('UTF-8');
    expect(textEncoding(Buffer.from('\ufeffnaïve\n', 'utf16le'))).toBe('UTF-16 LE');
    expect(textEncoding(Buffer.from('naïve\n', 'utf16le').swap16())).toBe('UTF-16 BE');
    expect(textEncoding(Buffer.from('\x93quoted\x94 \x96 5 \x80\r\n', 'latin1'))).toBe(
      'single-byte (Latin-1 or Windows-1252)',
    );
    expect(textEncoding(Buffer.from('\x1b[32mok\x1b[0m 12 files\n'))).toBe('UTF-8');
  });

  it('does not take quiet 16-bit PCM or zeros for text', () => {
    const pcm = Buffer.alloc(512);
    for (let i = 0; i < 256; i++) pcm.writeInt16LE((i % 50) - 25, 2 * i);
    expect(textEncoding(pcm)).toBeNull();
    expect(textEncoding(new Uint8Array(64))).toBeNull();
  });
});
