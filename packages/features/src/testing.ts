/**
 * Test helpers of `@serkit/features` (not exported by the package index, not in the published
 * package): `encodeWav` writes the WAV files the tests decode.
 */
import { SerkitError } from './errors.js';

/** Sample encodings {@link encodeWav} writes. */
export type WavEncoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';

/** Options of {@link encodeWav}. */
export interface EncodeWavOptions {
  /** Sample encoding. @default 'pcm16' */
  encoding?: WavEncoding;
  /** Write a `WAVE_FORMAT_EXTENSIBLE` header (as for more than two channels). @default channels > 2 */
  extensible?: boolean;
}

const BITS: Record<WavEncoding, number> = {
  pcm8: 8,
  pcm16: 16,
  pcm24: 24,
  pcm32: 32,
  float32: 32,
  float64: 64,
};

/** GUID tail shared by the PCM and IEEE-float `KSDATAFORMAT_SUBTYPE`s. */
const SUBTYPE_TAIL = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

const clamp = (v: number) => Math.min(1, Math.max(-1, v));

/**
 * Encode channels of samples in [-1, 1] as the bytes of a RIFF/WAVE file.
 * Integer encodings round and clip like soundfile (`x · 2^(bits−1)`); float
 * encodings store the values as they are (NaN included).
 *
 * @param channels One `Float32Array` per channel, all the same length (or one array for mono).
 * @param sampleRate Sample rate in Hz (written as given, even 0, so tests can build bad files).
 * @example
 * writeFileSync('tone.wav', encodeWav(new Float32Array(16000), 16000));
 */
export function encodeWav(
  channels: Float32Array | readonly Float32Array[],
  sampleRate: number,
  options: EncodeWavOptions = {},
): Buffer {
  const chans = channels instanceof Float32Array ? [channels] : [...channels];
  const encoding = options.encoding ?? 'pcm16';
  const bits = BITS[encoding];
  if (bits === undefined) {
    throw new SerkitError('ERR_SER_INVALID_ARG', `unknown WAV encoding '${encoding}'`);
  }
  const n = chans[0]?.length ?? 0;
  if (chans.length === 0 || chans.some((c) => c.length !== n)) {
    throw new SerkitError(
      'ERR_SER_INVALID_ARG',
      'encodeWav needs one or more channels of equal length',
    );
  }
  const isFloat = encoding.startsWith('float');
  const extensible = options.extensible ?? chans.length > 2;
  const bytesPer = bits / 8;
  const blockAlign = bytesPer * chans.length;
  const dataLen = n * blockAlign;
  const fmtLen = extensible ? 40 : 16;
  const buf = Buffer.alloc(12 + 8 + fmtLen + 8 + dataLen + (dataLen % 2));
  let o = 0;
  buf.write('RIFF', o, 'latin1');
  buf.writeUInt32LE(buf.length - 8, 4);
  buf.write('WAVE', 8, 'latin1');
  buf.write('fmt ', 12, 'latin1');
  buf.writeUInt32LE(fmtLen, 16);
  const formatTag = extensible ? 0xfffe : isFloat ? 3 : 1;
  buf.writeUInt16LE(formatTag, 20);
  buf.writeUInt16LE(chans.length, 22);
  buf.writeUInt32LE(sampleRate >>> 0, 24);
  buf.writeUInt32LE((sampleRate * blockAlign) >>> 0, 28);
  buf.writeUInt16LE(blockAlign, 32);
  buf.writeUInt16LE(bits, 34);
  o = 36;
  if (extensible) {
    buf.writeUInt16LE(22, o);
    buf.writeUInt16LE(bits, o + 2);
    const mask = chans.length >= 32 ? 0 : (1 << chans.length) - 1;
    buf.writeUInt32LE(mask >>> 0, o + 4);
    buf.writeUInt16LE(isFloat ? 3 : 1, o + 8);
    Buffer.from(SUBTYPE_TAIL).copy(buf, o + 10);
    o += 24;
  }
  buf.write('data', o, 'latin1');
  buf.writeUInt32LE(dataLen, o + 4);
  o += 8;
  const total = n * chans.length;
  const nc = chans.length;
  // Interleave into a typed array of the target type, then copy its bytes
  // (little-endian hosts; every platform Node supports in practice).
  let samples: Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array;
  switch (encoding) {
    case 'pcm8':
      samples = new Uint8Array(total);
      break;
    case 'pcm16':
      samples = new Int16Array(total);
      break;
    case 'pcm24':
    case 'pcm32':
      samples = new Int32Array(total);
      break;
    case 'float32':
      samples = new Float32Array(total);
      break;
    default:
      samples = new Float64Array(total);
  }
  const scale = isFloat ? 1 : 2 ** (bits - 1);
  const max = scale - 1;
  for (let c = 0; c < nc; c++) {
    const ch = chans[c];
    for (let i = 0, j = c; i < n; i++, j += nc) {
      const v = ch[i];
      if (isFloat) samples[j] = v;
      else {
        const q = Math.min(max, Math.round(clamp(v) * scale));
        samples[j] = encoding === 'pcm8' ? q + 128 : q;
      }
    }
  }
  if (encoding === 'pcm24') {
    const src = samples as Int32Array;
    for (let j = 0; j < total; j++, o += 3) buf.writeIntLE(src[j], o, 3);
  } else {
    Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).copy(buf, o);
  }
  return buf;
}
