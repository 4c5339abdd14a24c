//! Recognise an audio file by its first bytes, never by its name.

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// A container serkit decodes.
    Supported(Container),
    /// A recognised audio (or media) format serkit does not decode, named for the error.
    Unsupported(&'static str),
}

/// A container serkit decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    /// RIFF/WAVE, big-endian RIFX, RF64 and BW64: read by serkit's own chunk reader.
    Wav,
    Flac,
    Ogg,
    /// MPEG audio layer I/II/III (`.mp1`, `.mp2`, `.mp3`), with or without an ID3v2 tag.
    Mpeg,
    /// Raw AAC in ADTS frames (`.aac`).
    Adts,
    Aiff,
    Caf,
    Mp4,
    /// Matroska / WebM.
    Matroska,
}

impl Container {
    /// Human name used in error messages ("not a valid FLAC file: …").
    pub(crate) fn name(self) -> &'static str {
        match self {
            Container::Wav => "WAV",
            Container::Flac => "FLAC",
            Container::Ogg => "Ogg",
            Container::Mpeg => "MP3",
            Container::Adts => "AAC (ADTS)",
            Container::Aiff => "AIFF",
            Container::Caf => "CAF",
            Container::Mp4 => "MP4/M4A",
            Container::Matroska => "Matroska/WebM",
        }
    }

    /// The extension handed to symphonia's probe as a hint.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Container::Wav => "wav",
            Container::Flac => "flac",
            Container::Ogg => "ogg",
            Container::Mpeg => "mp3",
            Container::Adts => "aac",
            Container::Aiff => "aiff",
            Container::Caf => "caf",
            Container::Mp4 => "m4a",
            Container::Matroska => "mka",
        }
    }
}

/// Recognise `b` (the whole file or at least its first few KB).
pub(crate) fn sniff(b: &[u8]) -> Option<Sniffed> {
    use Container::*;
    use Sniffed::{Supported as S, Unsupported as U};
    let at = |i: usize, tag: &[u8]| b.get(i..i + tag.len()) == Some(tag);
    let riff_like = at(0, b"RIFF") || at(0, b"RIFX") || at(0, b"RF64") || at(0, b"BW64");
    Some(if riff_like && at(8, b"WAVE") {
        S(Wav)
    } else if riff_like && at(8, b"AVI ") {
        U("AVI video")
    } else if at(0, b"RIFF") && at(8, b"RMID") {
        U("MIDI (notes, not audio)")
    } else if riff_like {
        U("RIFF file that is not WAVE")
    } else if at(0, b"fLaC") {
        S(Flac)
    } else if at(0, b"OggS") {
        return Some(sniff_ogg(b));
    } else if at(0, b"FORM") && (at(8, b"AIFF") || at(8, b"AIFC")) {
        S(Aiff)
    } else if at(0, b"FORM") && at(8, b"8SVX") {
        U("IFF 8SVX")
    } else if at(0, b"caff") {
        S(Caf)
    } else if at(4, b"ftyp") {
        S(Mp4)
    } else if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        S(Matroska)
    } else if at(0, &[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11]) {
        U("Windows Media Audio (ASF)")
    } else if at(0, b".snd") {
        U("Sun/NeXT AU")
    } else if at(0, b"#!AMR") {
        U("AMR")
    } else if at(0, b"MAC ") {
        U("Monkey's Audio (APE)")
    } else if at(0, b"wvpk") {
        U("WavPack")
    } else if at(0, b"MPCK") || at(0, b"MP+") {
        U("Musepack")
    } else if at(0, b"DSD ") || at(0, b"FRM8") {
        U("DSD (DSF/DFF)")
    } else if at(0, b"MThd") {
        U("MIDI (notes, not audio)")
    } else if at(0, b"Creative Voice File") {
        U("Creative Voice (VOC)")
    } else if at(0, b"ID3") {
        // An ID3v2 tag (10-byte header, synch-safe size) before MPEG audio, AAC or FLAC.
        let size = b.get(6..10).map(|s| {
            s.iter()
                .fold(0usize, |acc, &x| (acc << 7) | (x & 0x7F) as usize)
        })?;
        let footer = if b.get(5).is_some_and(|f| f & 0x10 != 0) {
            10
        } else {
            0
        };
        let rest = b.get(10 + size + footer..).unwrap_or(&[]);
        match sniff(rest) {
            Some(S(Flac)) => S(Flac),
            Some(S(Adts)) => S(Adts),
            // A tag followed by nothing recognisable: let the MPEG reader search for a frame.
            _ => S(Mpeg),
        }
    } else if b.starts_with(super::text::UTF16_LE_BOM) && super::text::is_text(b) {
        // UTF-16 text: its byte-order mark would pass for an MPEG frame sync below.
        return None;
    } else if b.len() >= 2 && b[0] == 0xFF && b[1] & 0xE0 == 0xE0 {
        // Frame sync: MPEG audio has a non-zero layer; ADTS (AAC) has layer 0.
        if b[1] & 0x06 == 0 {
            S(Adts)
        } else {
            S(Mpeg)
        }
    } else {
        return None;
    })
}

/// The codec of an Ogg stream, from the first packet of its first page.
fn sniff_ogg(b: &[u8]) -> Sniffed {
    let n_segments = b.get(26).copied().unwrap_or(0) as usize;
    let payload = b.get(27 + n_segments..).unwrap_or(&[]);
    let starts = |tag: &[u8]| payload.starts_with(tag);
    if starts(b"OpusHead") {
        Sniffed::Unsupported("Opus (in an Ogg container)")
    } else if starts(b"Speex   ") {
        Sniffed::Unsupported("Speex (in an Ogg container)")
    } else if starts(b"\x80theora") {
        Sniffed::Unsupported("Theora video (in an Ogg container)")
    } else {
        Sniffed::Supported(Container::Ogg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_sync_tells_mpeg_from_adts() {
        assert_eq!(
            sniff(&[0xFF, 0xFB, 0x90, 0x00]),
            Some(Sniffed::Supported(Container::Mpeg))
        );
        assert_eq!(
            sniff(&[0xFF, 0xF1, 0x50, 0x80]),
            Some(Sniffed::Supported(Container::Adts))
        );
        assert_eq!(sniff(b"hello"), None);
    }
}
