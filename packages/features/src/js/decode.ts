/**
 * Decoding in the JS engine: WAV only, read as leniently as libsndfile and exactly as
 * the native engine's chunk reader (`crates/ser-dsp/src/decode/wav.rs`): RIFF, RIFX
 * (big-endian), RF64 and BW64; PCM 8/16/24/32-bit, IEEE float 32/64, A-law and µ-law
 * (also with a 16-byte `fmt `), WAVE_FORMAT_EXTENSIBLE; chunks in any order; odd-sized
 * chunks with or without their pad byte; a RIFF size that is ignored and a `data`
 * size that is 0, a placeholder or larger than the file read to the end of the file
 * (a file cut short keeps its whole frames). Samples are scaled like soundfile
 * (8-bit: (x − 128) / 128, 16-bit: x / 32768, 24-bit: x / 2²³, 32-bit: x / 2³¹), any
 * channel count averaged to mono (librosa `to_mono`), so the waveform is the one
 * `librosa.load(sr=None)` sees and the one the native engine decodes.
 *
 * Other containers (FLAC, MP3, Ogg, AIFF, CAF, MP4) are recognised by content and
 * refused with "unsupported format: X needs the native engine"; formats neither
 * engine reads (Opus, WMA, …) get the native engine's message. Errors are one line,
 * with the native engine's wording and codes.
 */
import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';
import type { DecodedAudio } from '../engine.js';
import { SerkitError } from '../errors.js';
import { SUPPORTED_FORMATS, sniffAudio } from './sniff.js';
import { textEncoding } from './text.js';

/** Lowest and highest input sample rates accepted. */
export const SAMPLE_RATE_MIN = 1000;
/** See {@link SAMPLE_RATE_MIN}. */
export const SAMPLE_RATE_MAX = 384000;

const { WaveFile } = wavefile;

const SUPPORTED = 'supported: PCM 8/16/24/32-bit, IEEE float 32/64, A-law, µ-law';
const INT32_MAX = 0x7fffffff;

const notAudio = (why: string) =>
  new SerkitError('ERR_SER_INVALID_WAV', `not an audio file: ${why}`);
const invalidWav = (why: string) =>
  new SerkitError('ERR_SER_INVALID_WAV', `not a valid WAV file: ${why}`);
const unsupported = (why: string) =>
  new SerkitError('ERR_SER_UNSUPPORTED_ENCODING', `unsupported WAV encoding: ${why}`);
const unsupportedFormat = (why: string) =>
  new SerkitError('ERR_SER_UNSUPPORTED_ENCODING', `unsupported format: ${why}`);
const empty = () => new SerkitError('ERR_SER_EMPTY', 'no audio samples in the file');

/** Names of WAV encodings this decoder does not handle. */
function unsupportedFormatName(tag: number): string {
  if (tag === 0x0002) return 'Microsoft ADPCM';
  if (tag === 0x0011) return 'IMA ADPCM';
  if (tag === 0x0031) return 'GSM 6.10';
  if (tag === 0x0050) return 'MPEG audio';
  if (tag === 0x0055) return 'MP3';
  if (tag === 0x00ff || tag === 0x1610) return 'AAC';
  if (tag >= 0x0161 && tag <= 0x0163) return 'Windows Media Audio';
  return 'an unknown encoding';
}

function hex4(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(4, '0');
}

/** The `fmt ` fields serkit uses. */
export interface Fmt {
  /** `wFormatTag`, or the sub-format of WAVE_FORMAT_EXTENSIBLE. */
  tag: number;
  channels: number;
  sampleRate: number;
  bits: number;
}

/** Where the samples are and how to read them. */
interface WavLayout {
  fmt: Fmt;
  bigEndian: boolean;
  data: Uint8Array;
}

/** A chunk id is four printable ASCII characters. */
export function plausibleId(b: Uint8Array, at: number): boolean {
  if (at + 4 > b.length) return false;
  for (let i = at; i < at + 4; i++) if (b[i] < 0x20 || b[i] >= 0x7f) return false;
  return true;
}

/** The `fmt ` chunk's body (`le`: little-endian, false in RIFX). @throws `ERR_SER_INVALID_WAV` */
export function parseFmt(body: DataView, le: boolean): Fmt {
  if (body.byteLength < 14) throw invalidWav('the fmt chunk is truncated');
  let tag = body.getUint16(0, le);
  const channels = body.getUint16(2, le);
  const sampleRate = body.getUint32(4, le);
  const blockAlign = body.getUint16(12, le);
  const bits =
    body.byteLength >= 16
      ? body.getUint16(14, le)
      : channels > 0
        ? 8 * Math.floor(blockAlign / channels)
        : 0;
  if (tag === 0xfffe) {
    if (body.byteLength < 26)
      throw invalidWav('the WAVE_FORMAT_EXTENSIBLE fmt chunk is truncated (no sub-format)');
    tag = body.getUint16(24, le);
  }
  return { tag, channels, sampleRate, bits };
}

/** Walk the chunks of a RIFF/RIFX/RF64/BW64 WAVE file (see the module comment). */
function parseWav(bytes: Uint8Array): WavLayout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  const bigEndian = magic === 'RIFX';
  const le = !bigEndian;
  const rf64 = magic === 'RF64' || magic === 'BW64';
  const len = bytes.length;
  let fmt: Fmt | undefined;
  let data: Uint8Array | undefined;
  let ds64DataSize: number | undefined;
  let truncated = false;
  let pos = 12;
  while (pos + 8 <= len) {
    const id = String.fromCharCode(...bytes.subarray(pos, pos + 4));
    const size = view.getUint32(pos + 4, le);
    const body = pos + 8;
    const remaining = len - body;
    if (id === 'ds64' && rf64) {
      if (body + 16 <= len) {
        // 64-bit size: exact up to 2^53, and anything larger is "to the end" anyway.
        const lo = view.getUint32(body + 8, le);
        const hi = view.getUint32(body + 12, le);
        ds64DataSize = hi * 2 ** 32 + lo;
      }
    } else if (id === 'fmt ') {
      fmt = parseFmt(
        new DataView(bytes.buffer, bytes.byteOffset + body, Math.min(size, remaining)),
        le,
      );
    } else if (id === 'data') {
      const declared = rf64 && size === 0xffffffff ? ds64DataSize : size;
      // Trusted unless 0, a placeholder or more than the file holds.
      if (
        declared !== undefined &&
        declared > 0 &&
        declared !== 0xffffffff &&
        declared !== INT32_MAX &&
        declared <= remaining
      ) {
        data = bytes.subarray(body, body + declared);
      } else {
        // 0, a placeholder or more than the file holds: the samples run to the end.
        data = bytes.subarray(body);
        break;
      }
    }
    if (fmt && data) break;
    if (size > remaining) {
      truncated = true;
      break;
    }
    let next = body + size;
    // An odd-sized chunk is followed by a pad byte, unless the writer left it out.
    if (size % 2 === 1 && (plausibleId(bytes, next + 1) || !plausibleId(bytes, next))) next += 1;
    pos = next;
  }
  if (!fmt) {
    throw invalidWav(
      truncated || (pos + 8 > len && !data)
        ? 'the header is truncated (no fmt chunk)'
        : 'no fmt chunk',
    );
  }
  if (!data) throw invalidWav('no data chunk');
  return { fmt, bigEndian, data };
}

/** Decode the bytes of an audio file to a mono waveform (WAV only in the JS engine). */
export function decodeWavJs(bytes: Uint8Array): DecodedAudio {
  if (bytes.length === 0) throw notAudio('the file is empty (0 bytes)');
  const sniffed = sniffAudio(bytes);
  if (sniffed === null) {
    const encoding = textEncoding(bytes);
    throw notAudio(
      encoding
        ? `it is ${encoding} text`
        : `no known audio header (serkit reads ${SUPPORTED_FORMATS})`,
    );
  }
  if (!sniffed.supported) {
    throw unsupportedFormat(`${sniffed.name}; serkit reads ${SUPPORTED_FORMATS}`);
  }
  if (sniffed.container !== 'WAV') {
    throw unsupportedFormat(
      `${sniffed.container} needs the native engine (the JS engine reads WAV only)`,
    );
  }
  const { fmt, bigEndian, data } = parseWav(bytes);
  const { sampleRate, channels } = fmt;
  if (!(sampleRate >= SAMPLE_RATE_MIN && sampleRate <= SAMPLE_RATE_MAX)) {
    throw new SerkitError(
      'ERR_SER_SAMPLE_RATE',
      `unsupported sample rate ${sampleRate} Hz: expected ${SAMPLE_RATE_MIN}..=${SAMPLE_RATE_MAX} Hz`,
    );
  }
  if (channels === 0) throw invalidWav('the header declares 0 channels');
  const { kind, width } = sampleEncoding(fmt);
  // A data chunk cut short keeps its whole frames, as libsndfile does.
  const frameBytes = width * channels;
  const nFrames = Math.floor(data.length / frameBytes);
  if (nFrames === 0) throw empty();
  const read = sampleReader(kind, width, !bigEndian, data.subarray(0, nFrames * frameBytes));
  const mono = mixToMono(read, nFrames, channels);
  for (let i = 0; i < nFrames; i++) {
    if (!Number.isFinite(mono[i])) {
      throw new SerkitError('ERR_SER_NON_FINITE', `non-finite sample (NaN or Inf) at sample ${i}`);
    }
  }
  return { samples: mono, sampleRate, channels };
}

/** How samples are stored: integer PCM, IEEE float, A-law or µ-law. */
export type SampleKind = 'int' | 'float' | 'alaw' | 'mulaw';

/**
 * The sample encoding of `fmt` and its bytes per sample.
 * @throws `ERR_SER_UNSUPPORTED_ENCODING` for encodings serkit does not read.
 */
export function sampleEncoding(fmt: Fmt): { kind: SampleKind; width: number } {
  const { tag, bits } = fmt;
  let kind: SampleKind;
  let width: number;
  if (tag === 1) {
    width = Math.ceil(bits / 8);
    if (width < 1 || width > 4) throw unsupported(`PCM with ${bits} bits per sample; ${SUPPORTED}`);
    kind = 'int';
  } else if (tag === 3) {
    if (bits !== 32 && bits !== 64)
      throw unsupported(`IEEE float with ${bits} bits per sample; ${SUPPORTED}`);
    width = bits / 8;
    kind = 'float';
  } else if (tag === 6 || tag === 7) {
    // G.711 is 8 bits a sample whatever the header says.
    width = 1;
    kind = tag === 6 ? 'alaw' : 'mulaw';
  } else {
    throw unsupported(`${unsupportedFormatName(tag)} (format tag 0x${hex4(tag)}); ${SUPPORTED}`);
  }
  return { kind, width };
}

/**
 * `nFrames` frames of `channels` interleaved samples read by `read` (see
 * {@link sampleReader}), averaged to mono in float32 like librosa `to_mono`.
 */
export function mixToMono(
  read: (i: number) => number,
  nFrames: number,
  channels: number,
): Float32Array {
  const mono = new Float32Array(nFrames);
  const scale = Math.fround(1 / channels);
  for (let f = 0, i = 0; f < nFrames; f++) {
    if (channels === 1) {
      mono[f] = read(i++);
    } else {
      let s = 0;
      for (let c = 0; c < channels; c++) s = Math.fround(s + Math.fround(read(i++)));
      mono[f] = s * scale;
    }
  }
  return mono;
}

/**
 * The 16-bit linear value of each of the 256 G.711 codes, from wavefile's codec (the ITU tables
 * libsndfile uses), decoded once per law: a stream's many small chunks then cost one lookup per
 * sample instead of a codec object each.
 */
const G711_TABLES: Partial<Record<'alaw' | 'mulaw', Int16Array>> = {};

function g711Table(law: 'alaw' | 'mulaw'): Int16Array {
  let table = G711_TABLES[law];
  if (!table) {
    const wav = new WaveFile();
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    wav.fromScratch(1, 8000, law === 'alaw' ? '8a' : '8m', codes);
    if (law === 'alaw') wav.fromALaw();
    else wav.fromMuLaw();
    const out = (wav.data as { samples: Uint8Array }).samples;
    table = new Int16Array(out.buffer, out.byteOffset, out.byteLength / 2).slice();
    G711_TABLES[law] = table;
  }
  return table;
}

/**
 * A reader of sample `i` (interleaved index) of `bytes` as a float in [-1, 1), scaled like
 * soundfile; `le`: little-endian (false in RIFX). `bytes` holds whole samples.
 */
export function sampleReader(
  kind: SampleKind,
  width: number,
  le: boolean,
  bytes: Uint8Array,
): (i: number) => number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (kind === 'alaw' || kind === 'mulaw') {
    const linear = g711Table(kind);
    return (i) => linear[bytes[i]] / 32768;
  }
  if (kind === 'float') {
    return width === 4 ? (i) => view.getFloat32(4 * i, le) : (i) => view.getFloat64(8 * i, le);
  }
  switch (width) {
    case 1:
      return (i) => (bytes[i] - 128) / 128;
    case 2:
      return (i) => view.getInt16(2 * i, le) / 32768;
    case 3:
      return le
        ? (i) => {
            const o = 3 * i;
            const v = bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16);
            return ((v << 8) >> 8) / 8388608;
          }
        : (i) => {
            const o = 3 * i;
            const v = (bytes[o] << 16) | (bytes[o + 1] << 8) | bytes[o + 2];
            return ((v << 8) >> 8) / 8388608;
          };
    default:
      return (i) => view.getInt32(4 * i, le) / 2147483648;
  }
}

/** Attribute an error to `path`, like the native engine: `<path>: <message>`, same code. */
export function inFile(err: unknown, path: string): unknown {
  if (err instanceof SerkitError) {
    if (err.code === 'ABORT_ERR' || err.message.startsWith(`${path}: `)) return err;
    return new SerkitError(err.code, `${path}: ${err.message}`, { cause: err });
  }
  return err;
}

/** Read and decode an audio file (WAV in the JS engine); errors name the file. */
export function readWavJs(path: string): DecodedAudio {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT' ? 'No such file or directory (os error 2)' : e.message.split('\n')[0];
    throw new SerkitError('ERR_SER_IO', `${path}: cannot read file: ${why}`, { cause: err });
  }
  try {
    return decodeWavJs(bytes);
  } catch (err) {
    throw inFile(err, path);
  }
}
