/**
 * Audio arriving as a byte stream (stdin, a socket): a WAV stream or raw PCM, turned into
 * mono float samples as the bytes come in. A WAV stream's header is read first; its sizes
 * may be placeholders — 0 or 0xFFFFFFFF, as `sox -d -t wav -` and `ffmpeg … -f wav -` write
 * them when they cannot seek back — in which case the data runs to the end of the stream.
 * The `fmt ` chunk, the sample encodings and the scaling are the JS file decoder's
 * (`js/decode.ts`), so a stream gives the samples its bytes give as a file.
 */

import { SerkitError } from './errors.js';
import {
  type Fmt,
  mixToMono,
  parseFmt,
  plausibleId,
  SAMPLE_RATE_MAX,
  SAMPLE_RATE_MIN,
  type SampleKind,
  sampleEncoding,
  sampleReader,
} from './js/decode.js';

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

/** How the samples are stored: encoding, bytes per sample, byte order. */
interface SampleLayout {
  kind: SampleKind;
  width: number;
  le: boolean;
}

/** The first four bytes of a WAV stream. */
const MAGICS = ['RIFF', 'RIFX', 'RF64', 'BW64'];
/** Sizes written by streaming encoders that cannot seek back to patch the header. */
const PLACEHOLDER_SIZES = new Set([0, 0xffffffff, 0x7fffffff]);
/** Largest header chunk (`fmt `, `ds64`) held in memory before giving up. */
const MAX_HEADER_BYTES = 1 << 20;
/** Bytes read without reaching the `data` chunk before giving up (a stream of garbage). */
const MAX_BYTES_BEFORE_DATA = 64 << 20;
const EMPTY = new Uint8Array(0);

function streamError(message: string): SerkitError {
  return new SerkitError('ERR_SER_INVALID_WAV', `stdin: ${message}`);
}

/** An error of the file decoder, said of stdin (same code). */
function restated(err: unknown): unknown {
  return err instanceof SerkitError
    ? new SerkitError(err.code, `stdin: ${err.message}`, { cause: err })
    : err;
}

/**
 * Turns a byte stream into mono float samples (channels averaged in float32 like librosa
 * `to_mono`, integers scaled as soundfile does: 16-bit x / 32768). Feed it chunks with
 * {@link PcmStreamDecoder.push}; `sampleRate` is known once the header has been read (at
 * once for raw PCM).
 *
 * WAV: what the file decoders read, with the same samples for the same bytes — RIFF,
 * RF64/BW64 (`ds64` sizes) and big-endian RIFX (header and samples); PCM 8/16/24/32-bit,
 * IEEE float 32/64, A-law, µ-law (also with a 16- or 14-byte `fmt `),
 * WAVE_FORMAT_EXTENSIBLE of those. Chunks before `data` may come in any order and be of any
 * size up to 64 MiB in all (unknown ones are skipped as they arrive, not held in memory); odd-sized ones are read
 * with or without their pad byte. Unlike a file, `fmt ` must come before `data`. A `data`
 * size that is a placeholder (0, 0xFFFFFFFF, 0x7FFFFFFF) means "to the end of the stream"; a
 * real one is honoured and the bytes after it ignored. A stream that does not start like a
 * WAV is refused as soon as its first bytes show it (4 at most).
 */
export class PcmStreamDecoder {
  /** Samples per second, Hz; 0 until a WAV header has been read. */
  sampleRate = 0;
  /** Channels in the stream; 0 until a WAV header has been read. */
  channels = 0;
  #layout: SampleLayout | null = null;
  /** Header bytes received and not yet parsed, from a chunk boundary (or the start). */
  #header: Uint8Array = EMPTY;
  /** The stream's first four bytes, once they have been read. */
  #magic: string | null = null;
  /** Bytes of a skipped chunk still to come. */
  #skip = 0;
  /** The last chunk was odd-sized: a pad byte may follow. */
  #pad = false;
  #fmt: Fmt | null = null;
  /** The data size of an RF64/BW64 `ds64` chunk. */
  #ds64DataSize: number | undefined;
  #carry: Uint8Array = EMPTY;
  /** Mono samples returned so far. */
  #samplesDecoded = 0;
  /** Bytes pushed while the header was being read. */
  #headerBytesSeen = 0;
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
    this.#layout =
      format === 's16le'
        ? { kind: 'int', width: 2, le: true }
        : { kind: 'float', width: 4, le: true };
  }

  /** Whether the layout is known (a WAV header has been read, or raw PCM). */
  get ready(): boolean {
    return this.#layout !== null;
  }

  /**
   * The mono samples in `chunk` (and in bytes held back from earlier chunks); an empty
   * array while a WAV header is still incomplete.
   * @throws `ERR_SER_INVALID_WAV` (or the file decoder's code) naming what is wrong with a
   * WAV header; `ERR_SER_NON_FINITE` for a NaN or infinite sample, numbered from the start.
   */
  push(chunk: Uint8Array): Float32Array {
    let bytes = chunk;
    if (this.#layout === null) {
      this.#headerBytesSeen += chunk.length;
      this.#header = concat(this.#header, chunk);
      const rest = this.#parseHeader();
      if (rest === null) {
        if (this.#headerBytesSeen > MAX_BYTES_BEFORE_DATA) {
          throw streamError('no data chunk in the first 64 MiB');
        }
        return new Float32Array(0);
      }
      bytes = rest;
    }
    if (this.#left !== Number.POSITIVE_INFINITY) {
      if (this.#left <= 0) return new Float32Array(0);
      if (bytes.length > this.#left) bytes = bytes.subarray(0, this.#left);
      this.#left -= bytes.length;
    }
    return this.#decode(concat(this.#carry, bytes));
  }

  /** Mono samples returned so far. */
  get samplesDecoded(): number {
    return this.#samplesDecoded;
  }

  /** Bytes left over at the end of the stream that do not make a whole frame. */
  get pendingBytes(): number {
    return this.#carry.length;
  }

  /**
   * Parse what `#header` holds, chunk by chunk as the JS file decoder walks them: the data
   * bytes after the `data` chunk's header, or null when more bytes are needed.
   */
  #parseHeader(): Uint8Array | null {
    let b = this.#header;
    const more = (): null => {
      if (b.length > MAX_HEADER_BYTES) {
        throw streamError('a header chunk larger than 1 MiB before the data chunk');
      }
      this.#header = b;
      return null;
    };
    if (this.#magic === null) {
      const head = ascii(b, 0, Math.min(4, b.length));
      if (!MAGICS.some((m) => m.startsWith(head))) {
        throw streamError('no RIFF/WAVE header (raw PCM needs --rate, --channels and --format)');
      }
      if (b.length < 12) return more();
      if (ascii(b, 8, 4) !== 'WAVE') throw streamError('a RIFF stream that is not WAVE');
      this.#magic = head;
      b = b.subarray(12);
    }
    const le = this.#magic !== 'RIFX';
    const rf64 = this.#magic === 'RF64' || this.#magic === 'BW64';
    for (;;) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, b.length);
        b = b.subarray(n);
        this.#skip -= n;
        if (this.#skip > 0) return more();
      }
      if (this.#pad) {
        // An odd-sized chunk is followed by a pad byte, unless the writer left it out.
        if (b.length < 5) return more();
        if (plausibleId(b, 1) || !plausibleId(b, 0)) b = b.subarray(1);
        this.#pad = false;
      }
      if (b.length < 8) return more();
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const id = ascii(b, 0, 4);
      const size = view.getUint32(4, le);
      if (id === 'data') {
        const declared = rf64 && size === 0xffffffff ? this.#ds64DataSize : size;
        this.#start(le, declared === undefined || PLACEHOLDER_SIZES.has(declared) ? -1 : declared);
        return b.subarray(8);
      }
      if (id === 'fmt ') {
        if (b.length < 8 + size) return more();
        try {
          this.#fmt = parseFmt(new DataView(b.buffer, b.byteOffset + 8, size), le);
        } catch (err) {
          throw restated(err);
        }
        b = b.subarray(8 + size);
      } else if (id === 'ds64' && rf64) {
        // As the file decoder: the data size is the 64-bit word at bytes 8..16 of the body.
        if (b.length < 8 + Math.max(size, 16)) return more();
        const lo = view.getUint32(16, le);
        const hi = view.getUint32(20, le);
        this.#ds64DataSize = hi * 2 ** 32 + lo;
        b = b.subarray(8 + size);
      } else {
        b = b.subarray(8);
        this.#skip = size;
      }
      this.#pad = size % 2 === 1;
    }
  }

  /** Check the `fmt ` read and start on the data; `size` −1: to the end of the stream. */
  #start(le: boolean, size: number): void {
    const fmt = this.#fmt;
    if (!fmt) throw streamError('the data chunk comes before the fmt chunk');
    const { sampleRate, channels } = fmt;
    if (!(sampleRate >= SAMPLE_RATE_MIN && sampleRate <= SAMPLE_RATE_MAX)) {
      throw new SerkitError(
        'ERR_SER_SAMPLE_RATE',
        `stdin: unsupported sample rate ${sampleRate} Hz: expected ${SAMPLE_RATE_MIN}..=${SAMPLE_RATE_MAX} Hz`,
      );
    }
    if (channels === 0) throw streamError('the header declares 0 channels');
    let encoding: ReturnType<typeof sampleEncoding>;
    try {
      encoding = sampleEncoding(fmt);
    } catch (err) {
      throw restated(err);
    }
    this.#layout = { ...encoding, le };
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.#left = size < 0 ? Number.POSITIVE_INFINITY : size;
    this.#header = EMPTY;
  }

  #decode(bytes: Uint8Array): Float32Array {
    const { kind, width, le } = this.#layout as SampleLayout;
    const frame = width * this.channels;
    const n = Math.floor(bytes.length / frame);
    this.#carry = bytes.slice(n * frame);
    if (n === 0) return new Float32Array(0);
    const mono = mixToMono(
      sampleReader(kind, width, le, bytes.subarray(0, n * frame)),
      n,
      this.channels,
    );
    // As the file decoders: a NaN or infinite sample is an error, numbered from the stream's start.
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(mono[i])) {
        throw new SerkitError(
          'ERR_SER_NON_FINITE',
          `stdin: non-finite sample (NaN or Inf) at sample ${this.#samplesDecoded + i}`,
        );
      }
    }
    this.#samplesDecoded += n;
    return mono;
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
