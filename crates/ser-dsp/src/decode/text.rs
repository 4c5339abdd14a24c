//! Recognise a text file handed over as audio, so that its error says so (and in which encoding).

/// How many of a file's first bytes the text check reads.
pub(crate) const TEXT_HEAD: usize = 512;

/// The UTF-16 little-endian byte-order mark. It is also an MPEG frame sync (`FF Fx`), so the
/// sniffer asks [`text_encoding`] before taking such a file for MP3.
pub(crate) const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";

/// The encoding of the file whose bytes (or first bytes) are `bytes` when they read as text,
/// judged on its first [`TEXT_HEAD`] bytes: `"UTF-8"` (with or without a byte-order mark),
/// `"UTF-16 LE"` / `"UTF-16 BE"` (with a byte-order mark, as Windows Notepad and PowerShell
/// write it, or without one when every character is Latin-1), or
/// `"single-byte (Latin-1 or Windows-1252)"`. Text holds no control character but tab, line
/// feed, form feed, carriage return and escape (colour codes in a terminal log). When the file
/// goes on after the head, a character split at its end is allowed. `None`: not text.
pub(crate) fn text_encoding(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(TEXT_HEAD)];
    let cut = bytes.len() > TEXT_HEAD;
    if let Some(rest) = head.strip_prefix(UTF16_LE_BOM) {
        return utf16_is_text(rest, u16::from_le_bytes, cut).then_some("UTF-16 LE");
    }
    if let Some(rest) = head.strip_prefix(b"\xFE\xFF") {
        return utf16_is_text(rest, u16::from_be_bytes, cut).then_some("UTF-16 BE");
    }
    let utf8 = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let utf8 = match std::str::from_utf8(utf8) {
        Ok(text) => Some(text),
        // The bytes before `valid_up_to` are valid UTF-8 by definition.
        Err(e) if cut && e.error_len().is_none() => {
            std::str::from_utf8(&utf8[..e.valid_up_to()]).ok()
        }
        Err(_) => None,
    };
    if let Some(text) = utf8 {
        return text.chars().all(allowed).then_some("UTF-8");
    }
    // UTF-16 without a byte-order mark: every other byte zero, the others Latin-1 text.
    if head.len() >= 4 && head.len() % 2 == 0 {
        // (character byte, zero byte) of each code unit, for either byte order.
        let latin = |order: fn(&[u8]) -> (u8, u8)| {
            head.chunks_exact(2)
                .map(order)
                .all(|(c, zero)| zero == 0 && c != 0 && allowed(char::from(c)))
        };
        if latin(|u| (u[0], u[1])) {
            return Some("UTF-16 LE");
        }
        if latin(|u| (u[1], u[0])) {
            return Some("UTF-16 BE");
        }
    }
    // Single-byte encodings: Latin-1 letters from 0xA0, Windows-1252's quotes, dashes and € in
    // 0x80–0x9F.
    head.iter()
        .all(|&b| b >= 0x80 || allowed(char::from(b)))
        .then_some("single-byte (Latin-1 or Windows-1252)")
}

/// Whether `bytes` reads as text (see [`text_encoding`]).
pub(crate) fn is_text(bytes: &[u8]) -> bool {
    text_encoding(bytes).is_some()
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
/// form feed, carriage return and escape.
fn allowed(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\x0C' | '\r' | '\x1B')
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
        assert_eq!(
            text_encoding(&utf16le("Grüße, naïve café\r\n")),
            Some("UTF-16 LE")
        );
        let mut be = b"\xFE\xFF".to_vec();
        be.extend("Überschrift 🎵\n".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(text_encoding(&be), Some("UTF-16 BE"));
        // Without a byte-order mark (.NET's default): Latin-1 characters only.
        let bare: Vec<u8> = "naïve\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(text_encoding(&bare), Some("UTF-16 LE"));
        let bare: Vec<u8> = "naïve\r\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(text_encoding(&bare), Some("UTF-16 BE"));
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
    fn windows_1252_and_terminal_logs_are_text() {
        // “quoted” – 5 € in Windows-1252, and a log line with ANSI colour codes.
        let cp1252 = b"\x93quoted\x94 \x96 5 \x80\r\n";
        assert_eq!(
            text_encoding(cp1252),
            Some("single-byte (Latin-1 or Windows-1252)")
        );
        assert_eq!(
            text_encoding(b"\x1b[32mok\x1b[0m 12 files\n"),
            Some("UTF-8")
        );
    }

    #[test]
    fn binary_is_not_text() {
        // MPEG-1 Layer I frame headers (FF FE …) followed by controls and lone surrogates.
        let frame: Vec<u8> = (0..400u32)
            .map(|i| (i.wrapping_mul(97) ^ 0x5a) as u8)
            .collect();
        let bytes = [UTF16_LE_BOM, &[0x48, 0x00, 0x01, 0x00], &frame[..]].concat();
        assert!(!is_text(&bytes));
        // 16-bit PCM of quiet audio: small samples of both signs (high bytes 00 and FF).
        let pcm: Vec<u8> = (0..256i16)
            .flat_map(|i| ((i % 50) - 25).to_le_bytes())
            .collect();
        assert!(!is_text(&pcm));
        assert!(!is_text(&[0u8; 64]));
    }
}
