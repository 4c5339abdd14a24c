//! Audio decoding with symphonia, the container recognised by content (not by the
//! file name): WAV (PCM 8/16/24/32-bit, IEEE float 32/64, A-law and µ-law), FLAC,
//! Ogg Vorbis, MP3, AIFF, CAF and MP4/M4A (AAC, ALAC); any channel count,
//! downmixed to mono by averaging (librosa `to_mono`).
//!
//! Samples are scaled like soundfile (16-bit: x / 32768), so the decoded waveform
//! is bit-identical to what `librosa.load(sr=None)` sees. A data chunk that is
//! cut short keeps its readable part, as libsndfile does; a header that promises
//! no samples, NaN/Inf floats and absurd sample rates are errors.

use std::io::Cursor;
use std::path::Path;

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use crate::error::{DspError, Result};

/// Lowest and highest input sample rates accepted (telephone audio up to 384 kHz studio masters).
pub const SAMPLE_RATE_RANGE: std::ops::RangeInclusive<u32> = 1_000..=384_000;

/// A decoded, mono waveform.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    /// Mono samples in [-1, 1) (the mean of all channels).
    pub samples: Vec<f32>,
    /// Sample rate of the file, Hz.
    pub sample_rate: u32,
    /// Channel count of the file before the downmix.
    pub channels: u16,
}

impl Audio {
    /// Duration in seconds.
    pub fn duration_seconds(&self) -> f64 {
        self.samples.len() as f64 / self.sample_rate as f64
    }
}

/// Read and decode a WAV file; errors name the file.
pub fn read_wav(path: &Path) -> Result<Audio> {
    let bytes = std::fs::read(path).map_err(|e| DspError::Io(e.to_string()).in_file(path))?;
    decode_wav_owned(bytes).map_err(|e| e.in_file(path))
}

/// Decode the bytes of a WAV file to a mono waveform.
pub fn decode_wav(bytes: &[u8]) -> Result<Audio> {
    decode_wav_owned(bytes.to_vec())
}

/// [`decode_wav`] taking the bytes by value (no copy for the demuxer).
pub fn decode_wav_owned(bytes: Vec<u8>) -> Result<Audio> {
    if bytes.is_empty() {
        return Err(DspError::InvalidWav("the file is empty (0 bytes)".into()));
    }
    let Some(container) = Container::sniff(&bytes) else {
        let what = if bytes
            .iter()
            .take(512)
            .all(|b| b.is_ascii() && (*b >= 0x20 || b.is_ascii_whitespace()))
        {
            "the file is text, not audio"
        } else {
            "no RIFF/WAVE header"
        };
        return Err(DspError::InvalidWav(what.into()));
    };
    if container == Container::Wav {
        // Name the encoding up front: symphonia's own message for an unknown codec is generic.
        if let Some(tag) = wave_format_tag(&bytes) {
            if let Some(name) = unsupported_format_name(tag) {
                return Err(DspError::UnsupportedEncoding(format!("{name} (format tag 0x{tag:04X}); supported: PCM 8/16/24/32-bit, IEEE float 32/64, A-law, µ-law")));
            }
        }
    }

    let mss = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    let mut hint = Hint::new();
    hint.with_extension(container.extension());
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(header_error)?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| DspError::InvalidWav("no audio track".into()))?;
    let track_id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| DspError::InvalidWav("no audio format description".into()))?
        .clone();
    let sample_rate = params.sample_rate.unwrap_or(0);
    if !SAMPLE_RATE_RANGE.contains(&sample_rate) {
        return Err(DspError::InvalidSampleRate {
            received: sample_rate,
        });
    }
    let channels = params.channels.as_ref().map(|c| c.count()).unwrap_or(0);
    if channels == 0 {
        return Err(DspError::InvalidWav(
            "the header declares 0 channels".into(),
        ));
    }
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|e| DspError::UnsupportedEncoding(e.to_string()))?;

    let mut mono: Vec<f32> = Vec::new();
    let mut interleaved: Vec<f32> = Vec::new();
    let scale = 1.0 / channels as f32;
    loop {
        let packet = match format.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            // A data chunk cut short: keep what was readable.
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(DspError::InvalidWav(e.to_string())),
        };
        if packet.track_id != track_id {
            continue;
        }
        let buf = match decoder.decode(&packet) {
            Ok(buf) => buf,
            Err(SymError::DecodeError(msg)) => return Err(DspError::InvalidWav(msg.into())),
            Err(e) => return Err(DspError::InvalidWav(e.to_string())),
        };
        interleaved.resize(buf.samples_interleaved(), 0.0);
        buf.copy_to_slice_interleaved(&mut interleaved);
        if channels == 1 {
            mono.extend_from_slice(&interleaved);
        } else {
            mono.extend(
                interleaved
                    .chunks_exact(channels)
                    .map(|frame| frame.iter().sum::<f32>() * scale),
            );
        }
    }
    if mono.is_empty() {
        return Err(DspError::Empty);
    }
    if let Some(index) = mono.iter().position(|x| !x.is_finite()) {
        return Err(DspError::NonFinite { index });
    }
    Ok(Audio {
        samples: mono,
        sample_rate,
        channels: channels as u16,
    })
}

fn header_error(e: SymError) -> DspError {
    match e {
        SymError::Unsupported(what) => DspError::UnsupportedEncoding(what.into()),
        SymError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            DspError::InvalidWav("the header is truncated".into())
        }
        other => DspError::InvalidWav(other.to_string()),
    }
}

/// The container of an audio file, recognised by its first bytes (never by its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Wav,
    Flac,
    Ogg,
    Mp3,
    Aiff,
    Caf,
    Mp4,
}

impl Container {
    fn sniff(b: &[u8]) -> Option<Container> {
        let at = |i: usize, tag: &[u8]| b.get(i..i + tag.len()) == Some(tag);
        if at(0, b"RIFF") && at(8, b"WAVE") {
            Some(Container::Wav)
        } else if at(0, b"fLaC") {
            Some(Container::Flac)
        } else if at(0, b"OggS") {
            Some(Container::Ogg)
        } else if at(0, b"FORM") && (at(8, b"AIFF") || at(8, b"AIFC")) {
            Some(Container::Aiff)
        } else if at(0, b"caff") {
            Some(Container::Caf)
        } else if at(4, b"ftyp") {
            Some(Container::Mp4)
        } else if at(0, b"ID3") || (b.len() >= 2 && b[0] == 0xFF && b[1] & 0xE0 == 0xE0) {
            Some(Container::Mp3)
        } else {
            None
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Container::Wav => "wav",
            Container::Flac => "flac",
            Container::Ogg => "ogg",
            Container::Mp3 => "mp3",
            Container::Aiff => "aiff",
            Container::Caf => "caf",
            Container::Mp4 => "m4a",
        }
    }
}

/// The `wFormatTag` of the `fmt ` chunk (the sub-format for WAVE_FORMAT_EXTENSIBLE).
fn wave_format_tag(bytes: &[u8]) -> Option<u16> {
    let mut pos = 12;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let size = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().ok()?) as usize;
        let body = bytes.get(pos + 8..(pos + 8).saturating_add(size).min(bytes.len()))?;
        if id == b"fmt " {
            let tag = u16::from_le_bytes(body.get(0..2)?.try_into().ok()?);
            if tag == 0xFFFE {
                return body.get(24..26).map(|b| u16::from_le_bytes([b[0], b[1]]));
            }
            return Some(tag);
        }
        pos += 8 + size + (size & 1);
    }
    None
}

/// Names of WAV encodings this decoder does not handle.
fn unsupported_format_name(tag: u16) -> Option<&'static str> {
    match tag {
        0x0001 | 0x0003 | 0x0006 | 0x0007 => None,
        0x0002 => Some("Microsoft ADPCM"),
        0x0011 => Some("IMA ADPCM"),
        0x0031 => Some("GSM 6.10"),
        0x0050 => Some("MPEG audio"),
        0x0055 => Some("MP3"),
        0x00FF | 0x1610 => Some("AAC"),
        0x0161..=0x0163 => Some("Windows Media Audio"),
        _ => Some("an unknown encoding"),
    }
}
