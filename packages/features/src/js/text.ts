/**
 * Recognise a text file handed over as audio, so that its error says so: the same rule as the
 * native core's (`crates/ser-dsp/src/decode/text.rs`).
 */

/** How many of a file's first bytes the text check reads. */
export const TEXT_HEAD = 512;

/**
 * Whether a file whose bytes (or first bytes) are `bytes` reads as text, judged on its first
 * {@link TEXT_HEAD} bytes, with no control character but tab, line feed, form feed and carriage
 * return:
 * - as UTF-8, with or without a byte-order mark;
 * - as UTF-16 with a byte-order mark of either order (Windows "Unicode" text, PowerShell `>`);
 * - as a single-byte Latin encoding (ISO 8859-1 and its kin: every byte printable ASCII or 0xA0
 *   and above).
 *
 * When the file goes on after the head, a character split at its end is allowed.
 */
export function isText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, TEXT_HEAD);
  const cut = bytes.length > TEXT_HEAD;
  const encoding =
    head[0] === 0xff && head[1] === 0xfe
      ? 'utf-16le'
      : head[0] === 0xfe && head[1] === 0xff
        ? 'utf-16be'
        : 'utf-8';
  let text: string | null = null;
  try {
    // The decoder drops the byte-order mark. `stream`: an incomplete character at the cut waits
    // for bytes that never come, not an error.
    text = new TextDecoder(encoding, { fatal: true }).decode(head, { stream: cut });
  } catch {
    // Not text in that encoding.
  }
  if (text === null) return encoding === 'utf-8' && head.every(allowed);
  for (let i = 0; i < text.length; i++) if (!allowed(text.charCodeAt(i))) return false;
  return true;
}

/** Whether code unit `c` may appear in text: no control character but \t, \n, \f and \r. */
function allowed(c: number): boolean {
  return !(c < 0x20 || (c >= 0x7f && c <= 0x9f)) || c === 9 || c === 10 || c === 12 || c === 13;
}
