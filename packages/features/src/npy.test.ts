import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, npyHeader, readNpy, writeNpy } from './npy.js';

const dir = mkdtempSync(join(tmpdir(), 'serkit-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npy', () => {
  it('writes the exact header numpy writes (format 1.0, 64-byte aligned)', () => {
    const h = npyHeader([2, 3]);
    expect(h.length).toBe(128);
    expect(h.subarray(0, 8)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]));
    expect(h.readUInt16LE(8)).toBe(118);
    expect(h.toString('latin1', 10)).toBe(
      `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }${' '.repeat(58)}\n`,
    );
    expect(npyHeader([5]).toString('latin1')).toContain("'shape': (5,), }");
    expect(npyHeader([]).toString('latin1')).toContain("'shape': (), }");
    expect(npyHeader([1440, 128, 259]).length % 64).toBe(0);
  });

  it('round-trips through bytes and files', () => {
    const data = Float32Array.from({ length: 2 * 128 * 259 }, (_, i) => Math.sin(i) * 80 - 40);
    const bytes = encodeNpy(data, [2, 128, 259]);
    expect(bytes.length).toBe(128 + data.length * 4);
    const back = decodeNpy(bytes);
    expect(back.shape).toEqual([2, 128, 259]);
    expect(Buffer.from(back.data.buffer).equals(Buffer.from(data.buffer))).toBe(true);
    const path = join(dir, 'x.npy');
    writeNpy(path, data, [2, 128, 259]);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(Buffer.from(readNpy(path).data.buffer).equals(Buffer.from(data.buffer))).toBe(true);
    const empty = decodeNpy(encodeNpy(new Float32Array(0), [0, 128, 259]));
    expect(empty.shape).toEqual([0, 128, 259]);
    expect(empty.data.length).toBe(0);
  });

  it('reads version 2.0 headers and rejects what it cannot read', () => {
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
    const v2 = Buffer.alloc(12 + 116 + 12);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]).copy(v2);
    v2.writeUInt32LE(116, 8);
    v2.write(`${dict.padEnd(115, ' ')}\n`, 12, 'latin1');
    Buffer.from(new Float32Array([1, 2, 3]).buffer).copy(v2, 128);
    expect(Array.from(decodeNpy(v2).data)).toEqual([1, 2, 3]);

    const code = (b: Uint8Array) => {
      try {
        decodeNpy(b);
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(code(Buffer.from('not numpy'))).toBe('ERR_SER_INVALID_NPY');
    const f8 = Buffer.from(
      encodeNpy(new Float32Array(2), [2]).toString('latin1').replace('<f4', '<f8'),
      'latin1',
    );
    expect(code(f8)).toBe('ERR_SER_INVALID_NPY');
    expect(code(encodeNpy(new Float32Array(4), [4]).subarray(0, 70))).toBe('ERR_SER_INVALID_NPY');
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/needs 6/);
  });
});
