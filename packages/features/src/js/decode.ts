/**
 * WAV decoding: PCM 8/16/24/32-bit, IEEE float 32/64, A-law and µ-law, any
 * channel count, averaged to mono (librosa `to_mono`). The RIFF container is
 * parsed by wavefile; samples are scaled like soundfile (8-bit: (x − 128) / 128,
 * 16-bit: x / 32768, 24-bit: x / 2²³, 32-bit: x / 2³¹), so the waveform is the
 * one `librosa.load(sr=None)` sees and the one the native engine decodes.
 * Errors are one line and name the reason, with the native engine's wording and codes.
 */
import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';
import type { DecodedAudio } from '../engine.js';
import { SerkitError } from '../errors.js';

/** Lowest and highest input sample rates accepted. */
export const SAMPLE_RATE_MIN = 1000;
/** See {@link SAMPLE_RATE_MIN}. */
export const SAMPLE_RATE_MAX = 384000;

const { WaveFile } = wavefile;

const SUPPORTED = 'supported: PCM 8/16/24/32-bit, IEEE float 32/64, A-law, µ-law';

const invalidWav = (why: string) =>
  new SerkitError('ERR_SER_INVALID_WAV', `not a valid WAV file: ${why}`);
const unsupported = (why: string) =>
  new SerkitError('ERR_SER_UNSUPPORTED_ENCODING', `unsupported WAV encoding: ${why}`);

/** The `wFormatTag` of the `fmt ` chunk (the sub-format for WAVE_FORMAT_EXTENSIBLE). */
function waveFormatTag(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = String.fromCharCode(bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (body + 2 > bytes.length) return undefined;
      const tag = view.getUint16(body, true);
      if (tag === 0xfffe) {
        return body + 26 <= bytes.length && size >= 26
          ? view.getUint16(body + 24, true)
          : undefined;
      }
      return tag;
    }
    pos = body + size + (size & 1);
  }
  return undefined;
}

/** Names of WAV encodings this decoder does not handle (undefined: supported). */
function unsupportedFormatName(tag: number): string | undefined {
  if (tag === 0x0001 || tag === 0x0003 || tag === 0x0006 || tag === 0x0007) return undefined;
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

/** The name of a non-WAV container the native engine reads, from the file's first bytes. */
function sniffNonWavFormat(bytes: Uint8Array, ascii: (i: number) => string): string | null {
  if (ascii(0) === 'fLaC') return 'FLAC';
  if (ascii(0) === 'OggS') return 'Ogg';
  if (ascii(0) === 'FORM' && (ascii(8) === 'AIFF' || ascii(8) === 'AIFC')) return 'AIFF';
  if (ascii(0) === 'caff') return 'CAF';
  if (ascii(4) === 'ftyp') return 'MP4/M4A';
  if (ascii(0).startsWith('ID3') || (bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0)) return 'MP3';
  return null;
}

/** Decode the bytes of a WAV file to a mono waveform. */
export function decodeWavJs(bytes: Uint8Array): DecodedAudio {
  if (bytes.length === 0) throw invalidWav('the file is empty (0 bytes)');
  const ascii = (i: number) => String.fromCharCode(...bytes.subarray(i, i + 4));
  if (bytes.length < 12 || ascii(0) !== 'RIFF' || ascii(8) !== 'WAVE') {
    const format = sniffNonWavFormat(bytes, ascii);
    if (format) {
      throw unsupported(`format ${format} needs the native engine (the JS engine reads WAV only)`);
    }
    const head = bytes.subarray(0, 512);
    const isText = head.every(
      (b) => b < 0x80 && (b >= 0x20 || b === 9 || b === 10 || b === 12 || b === 13),
    );
    throw invalidWav(isText ? 'the file is text, not audio' : 'no RIFF/WAVE header');
  }
  const tag = waveFormatTag(bytes);
  if (tag !== undefined) {
    const name = unsupportedFormatName(tag);
    if (name) throw unsupported(`${name} (format tag 0x${hex4(tag)}); ${SUPPORTED}`);
  }
  const wav = new WaveFile();
  try {
    wav.fromBuffer(bytes);
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    throw invalidWav(
      /data" chunk|fmt " chunk/.test(msg) ? `the header is truncated (${msg})` : msg,
    );
  }
  const fmt = wav.fmt as {
    audioFormat: number;
    numChannels: number;
    sampleRate: number;
    bitsPerSample: number;
  };
  const format = tag ?? fmt.audioFormat;
  const sampleRate = fmt.sampleRate;
  if (!(sampleRate >= SAMPLE_RATE_MIN && sampleRate <= SAMPLE_RATE_MAX)) {
    throw new SerkitError(
      'ERR_SER_SAMPLE_RATE',
      `unsupported sample rate ${sampleRate} Hz: expected ${SAMPLE_RATE_MIN}..=${SAMPLE_RATE_MAX} Hz`,
    );
  }
  const channels = fmt.numChannels;
  if (channels === 0) throw invalidWav('the header declares 0 channels');
  const bits = fmt.bitsPerSample;
  let data = (wav.data as { samples: Uint8Array }).samples;
  let width: number;
  if (format === 6 || format === 7) {
    // A-law / µ-law: G.711 to 16-bit linear (wavefile), then / 32768.
    if (bits !== 8)
      throw unsupported(`${format === 6 ? 'A-law' : 'µ-law'} with ${bits} bits per sample`);
    const frames = Math.floor(data.length / channels) * channels;
    if (frames !== data.length)
      (wav.data as { samples: Uint8Array }).samples = data.subarray(0, frames);
    if (frames === 0) throw new SerkitError('ERR_SER_EMPTY', 'no audio samples in the file');
    if (format === 6) wav.fromALaw();
    else wav.fromMuLaw();
    data = (wav.data as { samples: Uint8Array }).samples;
    width = 2;
  } else if (format === 1) {
    if (bits !== 8 && bits !== 16 && bits !== 24 && bits !== 32) {
      throw unsupported(`PCM with ${bits} bits per sample; ${SUPPORTED}`);
    }
    width = bits / 8;
  } else if (format === 3) {
    if (bits !== 32 && bits !== 64)
      throw unsupported(`IEEE float with ${bits} bits per sample; ${SUPPORTED}`);
    width = bits / 8;
  } else {
    throw unsupported(`format tag 0x${hex4(format)}; ${SUPPORTED}`);
  }
  // A data chunk cut short keeps its whole frames, as libsndfile does.
  const frameBytes = width * channels;
  const nFrames = Math.floor(data.length / frameBytes);
  if (nFrames === 0) throw new SerkitError('ERR_SER_EMPTY', 'no audio samples in the file');
  const view = new DataView(data.buffer, data.byteOffset, nFrames * frameBytes);
  const read = sampleReader(format === 3 ? 'float' : 'int', width, view, data);
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
  for (let i = 0; i < nFrames; i++) {
    if (!Number.isFinite(mono[i])) {
      throw new SerkitError('ERR_SER_NON_FINITE', `non-finite sample (NaN or Inf) at sample ${i}`);
    }
  }
  return { samples: mono, sampleRate, channels };
}

/** A reader of sample `i` (interleaved index) as a float in [-1, 1). */
function sampleReader(
  kind: 'int' | 'float',
  width: number,
  view: DataView,
  bytes: Uint8Array,
): (i: number) => number {
  if (kind === 'float') {
    return width === 4 ? (i) => view.getFloat32(4 * i, true) : (i) => view.getFloat64(8 * i, true);
  }
  switch (width) {
    case 1:
      return (i) => (bytes[i] - 128) / 128;
    case 2:
      return (i) => view.getInt16(2 * i, true) / 32768;
    case 3:
      return (i) => {
        const o = 3 * i;
        const v = bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16);
        return ((v << 8) >> 8) / 8388608;
      };
    default:
      return (i) => view.getInt32(4 * i, true) / 2147483648;
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

/** Read and decode a WAV file; errors name the file. */
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
