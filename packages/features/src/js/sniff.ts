/**
 * Recognise an audio file by its first bytes, never by its name: the same rules and
 * names as the native core (`crates/ser-dsp/src/decode/sniff.rs`).
 */

import { isText } from './text.js';

/** What the first bytes of a file say it is. */
export type Sniffed =
  | { supported: true; container: ContainerName }
  | { supported: false; name: string };

/** Containers the native engine decodes (their names in error messages). */
export type ContainerName =
  | 'WAV'
  | 'FLAC'
  | 'Ogg'
  | 'MP3'
  | 'AAC (ADTS)'
  | 'AIFF'
  | 'CAF'
  | 'MP4/M4A'
  | 'Matroska/WebM';

/** The formats the native engine reads, as its messages list them. */
export const SUPPORTED_FORMATS =
  'WAV (incl. RF64/BW64, RIFX), FLAC, MP3, Ogg Vorbis, AIFF/AIFC, CAF, MP4/M4A (AAC, ALAC), AAC (ADTS), Matroska/WebM (Vorbis, FLAC, AAC)';

const yes = (container: ContainerName): Sniffed => ({ supported: true, container });
const no = (name: string): Sniffed => ({ supported: false, name });

/** Recognise `b` (the whole file or its first few KB); null when it is no known format. */
export function sniffAudio(b: Uint8Array): Sniffed | null {
  const at = (i: number, tag: string | number[]) => {
    const bytes = typeof tag === 'string' ? [...tag].map((c) => c.charCodeAt(0)) : tag;
    if (i + bytes.length > b.length) return false;
    return bytes.every((x, k) => b[i + k] === x);
  };
  const riffLike = at(0, 'RIFF') || at(0, 'RIFX') || at(0, 'RF64') || at(0, 'BW64');
  if (riffLike && at(8, 'WAVE')) return yes('WAV');
  if (riffLike && at(8, 'AVI ')) return no('AVI video');
  if (at(0, 'RIFF') && at(8, 'RMID')) return no('MIDI (notes, not audio)');
  if (riffLike) return no('RIFF file that is not WAVE');
  if (at(0, 'fLaC')) return yes('FLAC');
  if (at(0, 'OggS')) return sniffOgg(b);
  if (at(0, 'FORM') && (at(8, 'AIFF') || at(8, 'AIFC'))) return yes('AIFF');
  if (at(0, 'FORM') && at(8, '8SVX')) return no('IFF 8SVX');
  if (at(0, 'caff')) return yes('CAF');
  if (at(4, 'ftyp')) return yes('MP4/M4A');
  if (at(0, [0x1a, 0x45, 0xdf, 0xa3])) return yes('Matroska/WebM');
  if (at(0, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11]))
    return no('Windows Media Audio (ASF)');
  if (at(0, '.snd')) return no('Sun/NeXT AU');
  if (at(0, '#!AMR')) return no('AMR');
  if (at(0, 'MAC ')) return no("Monkey's Audio (APE)");
  if (at(0, 'wvpk')) return no('WavPack');
  if (at(0, 'MPCK') || at(0, 'MP+')) return no('Musepack');
  if (at(0, 'DSD ') || at(0, 'FRM8')) return no('DSD (DSF/DFF)');
  if (at(0, 'MThd')) return no('MIDI (notes, not audio)');
  if (at(0, 'Creative Voice File')) return no('Creative Voice (VOC)');
  if (at(0, 'ID3')) {
    if (b.length < 10) return null;
    let size = 0;
    for (let i = 6; i < 10; i++) size = size * 128 + (b[i] & 0x7f);
    const footer = b[5] & 0x10 ? 10 : 0;
    const rest = sniffAudio(b.subarray(Math.min(b.length, 10 + size + footer)));
    if (rest?.supported && (rest.container === 'FLAC' || rest.container === 'AAC (ADTS)'))
      return rest;
    return yes('MP3');
  }
  // UTF-16 text: its little-endian byte-order mark would pass for an MPEG frame sync below.
  if (b[0] === 0xff && b[1] === 0xfe && isText(b)) return null;
  if (b.length >= 2 && b[0] === 0xff && (b[1] & 0xe0) === 0xe0) {
    return (b[1] & 0x06) === 0 ? yes('AAC (ADTS)') : yes('MP3');
  }
  return null;
}

function sniffOgg(b: Uint8Array): Sniffed {
  const nSegments = b[26] ?? 0;
  const payload = b.subarray(Math.min(b.length, 27 + nSegments));
  const starts = (tag: string) =>
    payload.length >= tag.length && [...tag].every((c, i) => payload[i] === c.charCodeAt(0));
  if (starts('OpusHead')) return no('Opus (in an Ogg container)');
  if (starts('Speex   ')) return no('Speex (in an Ogg container)');
  if (starts('\x80theora')) return no('Theora video (in an Ogg container)');
  return yes('Ogg');
}
