//! Recognise a text file handed over as audio, so that its error says so.

/// How many of a file's first bytes the text check reads.
pub(crate) const TEXT_HEAD: usize = 512;

/// The UTF-16 little-endian byte-order mark. It is also an MPEG frame sync (`FF Fx`), so the
/// sniffer asks [`is_text`] before taking such a file for MP3.
pub(crate) const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";

/// Whether the file whose bytes (or first bytes) are `bytes` reads as text: see
/// [`looks_like_text`], on its first [`TEXT_HEAD`] bytes.
pub(crate) fn is_text(bytes: &[u8]) -> bool {
    looks_like_text(
        &bytes[..bytes.len().min(TEXT_HEAD)],
        bytes.len() > TEXT_HEAD,
    )
}

/// Whether `head`, a file's first bytes, reads as text with no control character but tab, line
/// feed, form feed and carriage return:
/// - as UTF-8, with or without a byte-order mark;
/// - as UTF-16 with a byte-order mark of either order (Windows "Unicode" text, PowerShell `>`);
/// - as a single-byte Latin encoding (ISO 8859-1 and its kin: every byte printable ASCII or
///   0xA0 and above).
///
/// When `cut`, the file goes on after `head` and a character split at its end is allowed.
fn looks_like_text(head: &[u8], cut: bool) -> bool {
    if let Some(rest) = head.strip_prefix(UTF16_LE_BOM) {
        return utf16_is_text(rest, u16::from_le_bytes, cut);
    }
    if let Some(rest) = head.strip_prefix(b"\xFE\xFF") {
        return utf16_is_text(rest, u16::from_be_bytes, cut);
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let utf8 = match std::str::from_utf8(head) {
        Ok(text) => Some(text),
        // The bytes before `valid_up_to` are valid UTF-8 by definition.
        Err(e) if cut && e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).ok()
        }
        Err(_) => None,
    };
    match utf8 {
        Some(text) => text.chars().all(allowed),
        None => head.iter().all(|&b| allowed(char::from(b))),
    }
}

/// Whether `units` (the bytes after a UTF-16 byte-order mark, two per code unit in the order
/// `unit` reads) decode to allowed characters; when `cut`, a lone high surrogate or a lone byte
/// at the end is the start of a character split by the cut.
fn utf16_is_text(units: &[u8], unit: fn([u8; 2]) -> u16, cut: bool) -> bool {
    let pairs = units.chunks_exact(2);
    if !pairs.remainder().is_empty() && !cut {
        return false;
    }
    let count = pairs.len();
    let mut read = 0;
    for c in char::decode_utf16(pairs.map(|u| unit([u[0], u[1]]))) {
        match c {
            Ok(c) if allowed(c) => read += c.len_utf16(),
            // An unpaired surrogate is an error only where no code unit can follow it.
            Err(e)
                if cut
                    && read + 1 == count
                    && (0xD800..0xDC00).contains(&e.unpaired_surrogate()) =>
            {
                read += 1
            }
            _ => return false,
        }
    }
    true
}

/// Characters a text file may hold: anything but control characters, except tab, line feed,
/// form feed and carriage return.
fn allowed(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\x0C' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        let mut v = UTF16_LE_BOM.to_vec();
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    }

    #[test]
    fn utf16_text_of_either_byte_order_is_text() {
        assert!(is_text(&utf16le("Grüße, naïve café\r\n")));
        let mut be = b"\xFE\xFF".to_vec();
        be.extend("Überschrift 🎵\n".encode_utf16().flat_map(u16::to_be_bytes));
        assert!(is_text(&be));
    }

    #[test]
    fn utf16_cut_inside_a_surrogate_pair_is_still_text() {
        // 🎵 is a surrogate pair: put its high half at the last unit of the head.
        let text = format!("{}🎵 and more", "a".repeat((TEXT_HEAD - 2) / 2 - 1));
        let bytes = utf16le(&text);
        assert_eq!(bytes[TEXT_HEAD - 1], 0xD8, "the head ends inside the pair");
        assert!(is_text(&bytes));
    }

    #[test]
    fn an_mpeg_stream_behind_ff_fe_is_not_text() {
        // MPEG-1 Layer I frame headers (FF FE …) followed by controls and lone surrogates.
        let frame: Vec<u8> = (0..400u32)
            .map(|i| (i.wrapping_mul(97) ^ 0x5a) as u8)
            .collect();
        let bytes = [UTF16_LE_BOM, &[0x48, 0x00, 0x01, 0x00], &frame[..]].concat();
        assert!(!is_text(&bytes));
    }
}
