/**
 * Audio arriving as a byte stream (stdin, a socket): a WAV stream or raw PCM, turned into
 * mono float samples as the bytes come in. A WAV stream's header is read first; its sizes
 * may be placeholders — 0 or 0xFFFFFFFF, as `sox -d -t wav -` and `ffmpeg … -f wav -` write
 * them when they cannot seek back — in which case the data runs to the end of the stream.
 */

import { SerkitError } from './errors.js';

/** Sample encodings of a raw PCM stream. */
export type RawPcmFormat = 's16le' | 'f32le';

/** A raw PCM stream: no header, the layout is given. */
export interface RawPcmLayout {
  /** Samples per second per channel, Hz. */
  sampleRate: number;
  /** Interleaved channels (averaged to mono). @default 1 */
  channels?: number;
  /** Sample encoding. @default 's16le' */
  format?: RawPcmFormat;
}

type Encoding = 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64';

const BYTES: Record<Encoding, number> = { u8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 };
/** Sizes written by streaming encoders that cannot seek back to patch the header. */
const PLACEHOLDER_SIZES = new Set([0, 0xffffffff, 0x7fffffff]);
/** Largest header (every chunk before `data`) accepted before giving up. */
const MAX_HEADER_BYTES = 1 << 20;

function streamError(message: string): SerkitError {
  return new SerkitError('ERR_SER_INVALID_WAV', `stdin: ${message}`);
}

/**
 * Turns a byte stream into mono float samples (channels averaged, integer PCM scaled as
 * soundfile does: 16-bit x / 32768). Feed it chunks with {@link PcmStreamDecoder.push};
 * `sampleRate` is known once the header has been read (at once for raw PCM).
 *
 * WAV: PCM 8/16/24/32-bit, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE of those; RIFF, RIFX is
 * not accepted; chunks before `data` in any order (unknown ones skipped). A `data` size that
 * is a placeholder (0, 0xFFFFFFFF, 0x7FFFFFFF) means "to the end of the stream"; a real one
 * is honoured and the bytes after it ignored.
 */
export class PcmStreamDecoder {
  /** Samples per second, Hz; 0 until a WAV header has been read. */
  sampleRate = 0;
  /** Channels in the stream; 0 until a WAV header has been read. */
  channels = 0;
  #encoding: Encoding | null = null;
  #header: Uint8Array = new Uint8Array(0);
  #carry: Uint8Array = new Uint8Array(0);
  /** Data bytes still expected, or Infinity. */
  #left = Number.POSITIVE_INFINITY;

  /** @param layout Raw PCM layout, or `'wav'` for a WAV stream. @throws `ERR_SER_INVALID_ARG` */
  constructor(layout: RawPcmLayout | 'wav') {
    if (layout === 'wav') return;
    const channels = layout.channels ?? 1;
    const format = layout.format ?? 's16le';
    if (
      !Number.isInteger(layout.sampleRate) ||
      layout.sampleRate < 1000 ||
      layout.sampleRate > 384000
    ) {
      throw new SerkitError(
        'ERR_SER_INVALID_ARG',
        `invalid argument \`rate\`: expected an integer in 1000..=384000 Hz, received ${layout.sampleRate}`,
      );
    }
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) {
      throw new SerkitError(
        'ERR_SER_INVALID_ARG',
        `invalid argument \`channels\`: expected an integer in 1..=64, received ${channels}`,
      );
    }
    if (format !== 's16le' && format !== 'f32le') {
      throw new SerkitError(
        'ERR_SER_INVALID_ARG',
        `invalid argument \`format\`: expected s16le or f32le, received ${format}`,
      );
    }
    this.sampleRate = layout.sampleRate;
    this.channels = channels;
    this.#encoding = format === 's16le' ? 's16' : 'f32';
  }

  /** Whether the layout is known (a WAV header has been read, or raw PCM). */
  get ready(): boolean {
    return this.#encoding !== null;
  }

  /**
   * The mono samples in `chunk` (and in bytes held back from earlier chunks); an empty
   * array while a WAV header is still incomplete.
   * @throws `ERR_SER_INVALID_WAV` naming what is wrong with a WAV header.
   */
  push(chunk: Uint8Array): Float32Array {
    let bytes = chunk;
    if (this.#encoding === null) {
      this.#header = concat(this.#header, chunk);
      const rest = this.#parseHeader();
      if (rest === null) return new Float32Array(0);
      bytes = rest;
    }
    if (this.#left !== Number.POSITIVE_INFINITY) {
      if (this.#left <= 0) return new Float32Array(0);
      if (bytes.length > this.#left) bytes = bytes.subarray(0, this.#left);
      this.#left -= bytes.length;
    }
    return this.#decode(concat(this.#carry, bytes));
  }

  /** Bytes left over at the end of the stream that do not make a whole frame. */
  get pendingBytes(): number {
    return this.#carry.length;
  }

  /** The header parsed from `#header`: the data bytes after it, or null when incomplete. */
  #parseHeader(): Uint8Array | null {
    const b = this.#header;
    if (b.length < 12) return null;
    const tag = ascii(b, 0, 4);
    if (tag !== 'RIFF' && tag !== 'RF64') {
      throw streamError(
        tag === 'RIFX'
          ? 'big-endian WAV (RIFX) streams are not supported'
          : 'no RIFF/WAVE header (raw PCM needs --rate, --channels and --format)',
      );
    }
    if (ascii(b, 8, 4) !== 'WAVE') throw streamError('a RIFF stream that is not WAVE');
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let pos = 12;
    let fmt: { encoding: Encoding; channels: number; rate: number } | null = null;
    for (;;) {
      if (pos + 8 > b.length) break;
      const id = ascii(b, pos, 4);
      const size = view.getUint32(pos + 4, true);
      if (id === 'data') {
        if (!fmt) throw streamError('the data chunk comes before the fmt chunk');
        this.#encoding = fmt.encoding;
        this.channels = fmt.channels;
        this.sampleRate = fmt.rate;
        this.#left = PLACEHOLDER_SIZES.has(size) ? Number.POSITIVE_INFINITY : size;
        this.#header = new Uint8Array(0);
        return b.subarray(pos + 8);
      }
      const body = pos + 8 + size + (size & 1);
      if (body > b.length) break;
      if (id === 'fmt ') fmt = parseFmt(view, pos + 8, size);
      pos = body;
    }
    if (b.length > MAX_HEADER_BYTES) throw streamError('no data chunk in the first 1 MiB');
    return null;
  }

  #decode(bytes: Uint8Array): Float32Array {
    const enc = this.#encoding as Encoding;
    const ch = this.channels;
    const frame = BYTES[enc] * ch;
    const n = Math.floor(bytes.length / frame);
    this.#carry = bytes.slice(n * frame);
    const view = new DataView(bytes.buffer, bytes.byteOffset, n * frame);
    const out = new Float32Array(n);
    const read = reader(enc, view);
    const step = BYTES[enc];
    if (ch === 1) {
      for (let i = 0; i < n; i++) out[i] = read(i * step);
    } else {
      const scale = Math.fround(1 / ch);
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let c = 0; c < ch; c++) sum = Math.fround(sum + read((i * ch + c) * step));
        out[i] = Math.fround(sum * scale);
      }
    }
    return out;
  }
}

function parseFmt(
  view: DataView,
  at: number,
  size: number,
): { encoding: Encoding; channels: number; rate: number } {
  if (size < 16) throw streamError(`the fmt chunk is ${size} bytes, expected at least 16`);
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const rate = view.getUint32(at + 4, true);
  const bits = view.getUint16(at + 14, true);
  if (tag === 0xfffe && size >= 26) tag = view.getUint16(at + 24, true);
  if (channels === 0) throw streamError('the header declares 0 channels');
  if (rate < 1000 || rate > 384000) throw streamError(`unsupported sample rate ${rate} Hz`);
  let encoding: Encoding | undefined;
  if (tag === 1) encoding = ({ 8: 'u8', 16: 's16', 24: 's24', 32: 's32' } as const)[bits];
  else if (tag === 3) encoding = ({ 32: 'f32', 64: 'f64' } as const)[bits];
  if (!encoding) {
    throw streamError(
      `unsupported encoding (format tag 0x${tag.toString(16).padStart(4, '0')}, ${bits}-bit); supported: PCM 8/16/24/32-bit, IEEE float 32/64`,
    );
  }
  return { encoding, channels, rate };
}

function reader(enc: Encoding, v: DataView): (at: number) => number {
  switch (enc) {
    case 'u8':
      return (at) => (v.getUint8(at) - 128) / 128;
    case 's16':
      return (at) => v.getInt16(at, true) / 32768;
    case 's24':
      return (at) =>
        (v.getUint8(at) | (v.getUint8(at + 1) << 8) | (v.getInt8(at + 2) << 16)) / 8388608;
    case 's32':
      return (at) => v.getInt32(at, true) / 2147483648;
    case 'f32':
      return (at) => v.getFloat32(at, true);
    case 'f64':
      return (at) => v.getFloat64(at, true);
  }
}

function ascii(b: Uint8Array, at: number, n: number): string {
  return String.fromCharCode(...b.subarray(at, at + n));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
