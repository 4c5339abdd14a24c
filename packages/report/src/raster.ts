import { crc32, deflateSync } from 'node:zlib';
import * as vega from 'vega';

/**
 * Encode an 8-bit RGB image as PNG (colour type 2, no interlace, filter 0 on every row),
 * with node:zlib for the deflate stream and the chunk CRCs. `rgb` is row-major, top row first.
 */
export function encodePngRgb(width: number, height: number, rgb: Uint8Array): Buffer {
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`png: expected ${width}×${height}×3 bytes, received ${rgb.length}`);
  }
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 3)] = 0; // filter: none
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A mel-major `[rows][cols]` matrix as a PNG through a Vega colour scheme (e.g. `magma`),
 * `domain` mapped to the scheme's ends; row 0 is drawn at the bottom (low mel bands low).
 */
export function matrixToPng(
  values: Float32Array,
  rows: number,
  cols: number,
  domain: [number, number],
  schemeName: string,
): Buffer {
  const interpolate = vega.scheme(schemeName) as ((t: number) => string) | undefined;
  if (typeof interpolate !== 'function') throw new Error(`unknown colour scheme ${schemeName}`);
  // 256 colours of the scheme, parsed once from their `rgb(r, g, b)` strings.
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const c = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(interpolate(i / 255));
    if (!c)
      throw new Error(`colour scheme ${schemeName}: unexpected colour ${interpolate(i / 255)}`);
    lut.set([Number(c[1]), Number(c[2]), Number(c[3])], i * 3);
  }
  const [lo, hi] = domain;
  const span = hi > lo ? hi - lo : 1;
  const rgb = new Uint8Array(rows * cols * 3);
  for (let r = 0; r < rows; r++) {
    const y = rows - 1 - r;
    for (let c = 0; c < cols; c++) {
      const t = Math.min(1, Math.max(0, (values[r * cols + c] - lo) / span));
      const k = Math.round(t * 255) * 3;
      const o = (y * cols + c) * 3;
      rgb[o] = lut[k];
      rgb[o + 1] = lut[k + 1];
      rgb[o + 2] = lut[k + 2];
    }
  }
  return encodePngRgb(cols, rows, rgb);
}
