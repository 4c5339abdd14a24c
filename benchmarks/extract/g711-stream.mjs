#!/usr/bin/env node
// A 60-s, 8 kHz mono µ-law WAV fed to PcmStreamDecoder (`ser predict --stream -`'s decoder) in
// 160-byte chunks (20 ms, a telephony frame); prints the samples decoded and the time taken.
//
//   node benchmarks/extract/g711-stream.mjs
import { PcmStreamDecoder } from '@serkit/features';

const n = 8000 * 60;
const h = Buffer.alloc(44 + 2 + 12);
let o = 0;
const w4 = (s) => {
  h.write(s, o, 'ascii');
  o += 4;
};
const u32 = (v) => {
  h.writeUInt32LE(v, o);
  o += 4;
};
const u16 = (v) => {
  h.writeUInt16LE(v, o);
  o += 2;
};
w4('RIFF');
u32(4 + 26 + 8 + n);
w4('WAVE');
w4('fmt ');
u32(18);
u16(7);
u16(1);
u32(8000);
u32(8000);
u16(1);
u16(8);
u16(0);
w4('data');
u32(n);
const data = Buffer.alloc(n);
for (let i = 0; i < n; i++) data[i] = (i * 37) & 255;
const all = Buffer.concat([h.subarray(0, o), data]);
const d = new PcmStreamDecoder('wav');
const t = performance.now();
let got = 0;
for (let i = 0; i < all.length; i += 160) {
  const s = d.push(all.subarray(i, i + 160));
  got += s.length;
}
console.log(got, 'samples', (performance.now() - t).toFixed(1), 'ms');
