import { readFileSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { SerkitError } from './errors.js';

/** A float32 array with its shape, as stored in a `.npy` file (C order). */
export interface NpyArray {
  /** Elements in C (row-major) order. */
  data: Float32Array;
  /** Dimensions; `[]` for a scalar. */
  shape: number[];
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const LITTLE_ENDIAN = endianness() === 'LE';

function bad(message: string): SerkitError {
  return new SerkitError('ERR_SER_INVALID_NPY', `invalid .npy file: ${message}`);
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * The `.npy` format 1.0 header (magic, version, length, dict, space padding
 * and a newline) for a little-endian float32 C-order array of `shape`; the
 * whole header is a multiple of 64 bytes, as numpy writes it.
 */
export function npyHeader(shape: readonly number[]): Buffer {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new SerkitError('ERR_SER_INVALID_ARG', `invalid .npy shape [${shape.join(', ')}]`);
    }
  }
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const headerLen = total - MAGIC.length - 4;
  if (headerLen > 0xffff) throw new SerkitError('ERR_SER_INVALID_ARG', '.npy header too long');
  const buf = Buffer.alloc(total, 0x20);
  MAGIC.copy(buf, 0);
  buf[6] = 1;
  buf[7] = 0;
  buf.writeUInt16LE(headerLen, 8);
  buf.write(dict, 10, 'latin1');
  buf[total - 1] = 0x0a;
  return buf;
}

function checkData(data: Float32Array, shape: readonly number[]): void {
  if (!(data instanceof Float32Array)) {
    throw new SerkitError('ERR_SER_INVALID_ARG', 'npy data must be a Float32Array');
  }
  if (data.length !== product(shape)) {
    throw new SerkitError(
      'ERR_SER_INVALID_ARG',
      `npy data has ${data.length} elements but shape [${shape.join(', ')}] needs ${product(shape)}`,
    );
  }
}

function dataBytes(data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const swapped = Buffer.from(bytes);
  swapped.swap32();
  return swapped;
}

/**
 * Encode a float32 array as the bytes of a `.npy` (format 1.0) file.
 *
 * @example
 * const bytes = encodeNpy(new Float32Array(6), [2, 3]); // np.load → float32 (2, 3)
 */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Buffer {
  checkData(data, shape);
  return Buffer.concat([npyHeader(shape), dataBytes(data)]);
}

/**
 * Write a float32 array to `path` as a `.npy` (format 1.0) file, readable by
 * `numpy.load`. Writes the header then the data without copying it.
 */
export function writeNpy(path: string, data: Float32Array, shape: readonly number[]): void {
  checkData(data, shape);
  writeFileSync(path, npyHeader(shape));
  writeFileSync(path, dataBytes(data), { flag: 'a' });
}

function parseShape(text: string): number[] {
  const inner = text.trim();
  if (inner === '') return [];
  return inner
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) throw bad(`bad shape entry '${s}'`);
      return n;
    });
}

/**
 * Decode the bytes of a `.npy` file (format 1.0, 2.0 or 3.0) holding a
 * little-endian float32 array (`<f4`, C or Fortran order — Fortran order is
 * rejected, as serkit never writes it).
 *
 * @throws {SerkitError} code `ERR_SER_INVALID_NPY` for anything else.
 */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw bad('missing \\x93NUMPY magic');
  const major = buf[6];
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    offset = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw bad('truncated header');
    headerLen = buf.readUInt32LE(8);
    offset = 12;
  } else {
    throw bad(`unsupported format version ${major}.${buf[7]}`);
  }
  if (buf.length < offset + headerLen) throw bad('truncated header');
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', offset, offset + headerLen);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw bad('header dictionary lacks descr, fortran_order or shape');
  }
  if (descr !== '<f4' && !(descr === '=f4' && LITTLE_ENDIAN)) {
    throw bad(`dtype '${descr}' is not little-endian float32 ('<f4')`);
  }
  if (fortran === 'True') throw bad('Fortran-order arrays are not supported');
  const shape = parseShape(shapeText);
  const count = product(shape);
  const start = offset + headerLen;
  if (buf.length - start < count * 4) {
    throw bad(`data is truncated: ${buf.length - start} bytes for ${count} float32 values`);
  }
  const data = new Float32Array(count);
  const src = buf.subarray(start, start + count * 4);
  const dst = Buffer.from(data.buffer);
  src.copy(dst);
  if (!LITTLE_ENDIAN) dst.swap32();
  return { data, shape };
}

/** Read a float32 `.npy` file. See {@link decodeNpy}. */
export function readNpy(path: string): NpyArray {
  return decodeNpy(readFileSync(path));
}
