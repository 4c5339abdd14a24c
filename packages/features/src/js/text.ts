/**
 * Recognise a text file handed over as audio, so that its error says so (and in which
 * encoding): the same rule as the native core's (`crates/ser-dsp/src/decode/text.rs`).
 */

/** How many of a file's first bytes the text check reads. */
export const TEXT_HEAD = 512;

/**
 * The encoding of a file whose bytes (or first bytes) are `bytes` when they read as text, judged
 * on its first {@link TEXT_HEAD} bytes: `UTF-8` (with or without a byte-order mark), `UTF-16 LE`
 * / `UTF-16 BE` (with a byte-order mark, as Windows Notepad and PowerShell write it, or without
 * one when every character is Latin-1), or `single-byte (Latin-1 or Windows-1252)`. Text holds no
 * control character but tab, line feed, form feed, carriage return and escape (colour codes in a
 * terminal log). When the file goes on after the head, a character split at its end is allowed.
 *
 * @returns The encoding's name, or null when the bytes are not text.
 */
export function textEncoding(bytes: Uint8Array): string | null {
  const head = bytes.subarray(0, TEXT_HEAD);
  const cut = bytes.length > TEXT_HEAD;
  const bom =
    head[0] === 0xff && head[1] === 0xfe
      ? 'UTF-16 LE'
      : head[0] === 0xfe && head[1] === 0xff
        ? 'UTF-16 BE'
        : null;
  const encoding = bom ?? 'UTF-8';
  const text = decode(head, encoding === 'UTF-8' ? 'utf-8' : encoding.replace(' ', ''), cut);
  if (text !== null && [...text].every((c) => allowed(c.charCodeAt(0)))) return encoding;
  if (bom) return null;
  if (text !== null) return null; // UTF-8 with a control character
  // UTF-16 without a byte-order mark: every other byte zero, the others Latin-1 text.
  if (head.length >= 4 && head.length % 2 === 0) {
    const latin = (char: 0 | 1) => {
      for (let i = 0; i < head.length; i += 2) {
        const c = head[i + char];
        if (head[i + 1 - char] !== 0 || c === 0 || !allowed(c)) return false;
      }
      return true;
    };
    if (latin(0)) return 'UTF-16 LE';
    if (latin(1)) return 'UTF-16 BE';
  }
  // Single-byte encodings: Latin-1 letters from 0xA0, Windows-1252's quotes, dashes and € in
  // 0x80–0x9F.
  return head.every((b) => b >= 0x80 || allowed(b))
    ? 'single-byte (Latin-1 or Windows-1252)'
    : null;
}

/** Whether `bytes` reads as text (see {@link textEncoding}). */
export function isText(bytes: Uint8Array): boolean {
  return textEncoding(bytes) !== null;
}

/** `head` decoded (its byte-order mark dropped), or null when it is not valid in `label`. */
function decode(head: Uint8Array, label: string, cut: boolean): string | null {
  try {
    // `stream`: an incomplete character at the cut waits for bytes that never come.
    return new TextDecoder(label, { fatal: true }).decode(head, { stream: cut });
  } catch {
    return null;
  }
}

/** Whether code unit `c` may appear in text: no control character but \t, \n, \f, \r and ESC. */
function allowed(c: number): boolean {
  return (
    !(c < 0x20 || (c >= 0x7f && c <= 0x9f)) ||
    c === 9 ||
    c === 10 ||
    c === 12 ||
    c === 13 ||
    c === 0x1b
  );
}
