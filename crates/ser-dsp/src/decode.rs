//! Audio decoding, the format recognised by content (never by the file name):
//!
//! - WAV: RIFF, big-endian RIFX, RF64 and BW64; PCM 8/16/24/32-bit, IEEE float
//!   32/64, A-law and µ-law, WAVE_FORMAT_EXTENSIBLE; read as leniently as
//!   libsndfile by serkit's own chunk reader (`decode/wav.rs`) in front of
//!   symphonia's PCM decoder: placeholder or wrong sizes, chunks in any order,
//!   odd-sized chunks, a data chunk cut short (its whole frames are kept).
//! - FLAC, MP3 (and MPEG layer I/II), Ogg Vorbis, AIFF/AIFC, CAF, MP4/M4A (AAC,
//!   ALAC), raw AAC (ADTS) and Matroska/WebM: symphonia's demuxers and codecs
//!   (`decode/demux.rs`); a corrupt packet of a lossy stream is skipped.
//! - A recognised format serkit cannot decode (Opus, WMA, AU, …) is an
//!   [`DspError::UnsupportedFormat`] error that names it.
//!
//! Any channel count is downmixed to mono by averaging (librosa `to_mono`).
//! Samples are scaled like soundfile (16-bit: x / 32768), so the decoded waveform
//! is bit-identical to what `librosa.load(sr=None)` sees for lossless formats. A
//! header that promises no samples, NaN/Inf floats and absurd sample rates are
//! errors.

mod demux;
mod sniff;
mod text;
mod wav;

use std::path::Path;

use symphonia::core::audio::GenericAudioBufferRef;

use crate::error::{DspError, Result};
use sniff::{Container, Sniffed};

/// Lowest and highest input sample rates accepted (telephone audio up to 384 kHz studio masters).
pub const SAMPLE_RATE_RANGE: std::ops::RangeInclusive<u32> = 1_000..=384_000;

/// The formats serkit decodes, for messages and documentation.
pub const SUPPORTED_FORMATS: &str =
    "WAV (incl. RF64/BW64, RIFX), FLAC, MP3, Ogg Vorbis, AIFF/AIFC, CAF, MP4/M4A (AAC, ALAC), AAC (ADTS), Matroska/WebM (Vorbis, FLAC, AAC)";

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

/// Read and decode an audio file of any supported format; errors name the file.
pub fn read_audio(path: &Path) -> Result<Audio> {
    let bytes = std::fs::read(path).map_err(|e| DspError::Io(e.to_string()).in_file(path))?;
    decode_audio_owned(bytes).map_err(|e| e.in_file(path))
}

/// Decode the bytes of an audio file of any supported format to a mono waveform.
pub fn decode_audio(bytes: &[u8]) -> Result<Audio> {
    decode_audio_owned(bytes.to_vec())
}

/// [`read_audio`] under its historical name (it reads every supported format).
pub fn read_wav(path: &Path) -> Result<Audio> {
    read_audio(path)
}

/// [`decode_audio`] under its historical name (it decodes every supported format).
pub fn decode_wav(bytes: &[u8]) -> Result<Audio> {
    decode_audio(bytes)
}

/// The name of the format of `bytes` as serkit recognises it (e.g. `"FLAC"`,
/// `"Opus (in an Ogg container)"`), or `None` when it is no known audio format.
pub fn detect_format(bytes: &[u8]) -> Option<&'static str> {
    match sniff::sniff(bytes)? {
        Sniffed::Supported(c) => Some(c.name()),
        Sniffed::Unsupported(name) => Some(name),
    }
}

/// [`decode_audio`] taking the bytes by value (no copy for the demuxer).
pub fn decode_audio_owned(bytes: Vec<u8>) -> Result<Audio> {
    if bytes.is_empty() {
        return Err(DspError::NotAudio("the file is empty (0 bytes)".into()));
    }
    let container = match sniff::sniff(&bytes) {
        Some(Sniffed::Supported(c)) => c,
        Some(Sniffed::Unsupported(name)) => {
            return Err(DspError::UnsupportedFormat(format!(
                "{name}; serkit reads {SUPPORTED_FORMATS}"
            )))
        }
        None => {
            return Err(DspError::NotAudio(
                if let Some(encoding) = text::text_encoding(&bytes) {
                    format!("it is {encoding} text")
                } else {
                    format!("no known audio header (serkit reads {SUPPORTED_FORMATS})")
                },
            ));
        }
    };
    let mut mono = Downmix::default();
    let (sample_rate, channels) = if container == Container::Wav {
        let layout = wav::parse(&bytes)?;
        let rate = check_sample_rate(layout.sample_rate())?;
        if layout.channels() == 0 {
            return Err(DspError::InvalidAudio {
                format: "WAV",
                reason: "the header declares 0 channels".into(),
            });
        }
        layout.decode_into(&mut mono)?;
        (rate, layout.channels())
    } else {
        demux::decode_into(bytes, container, &mut mono)?
    };
    let samples = mono.samples;
    crate::pipeline::check_waveform(&samples)?;
    Ok(Audio {
        samples,
        sample_rate,
        channels: channels as u16,
    })
}

/// `rate` when it is within [`SAMPLE_RATE_RANGE`].
fn check_sample_rate(rate: u32) -> Result<u32> {
    if SAMPLE_RATE_RANGE.contains(&rate) {
        Ok(rate)
    } else {
        Err(DspError::InvalidSampleRate { received: rate })
    }
}

/// The most samples [`Downmix::reserve_frames`] reserves from a header: 10 minutes at
/// 48 kHz (longer files grow as they decode).
const RESERVE_MAX: usize = 10 * 60 * 48_000;

/// Decoded buffers averaged to mono as they come.
#[derive(Default)]
struct Downmix {
    samples: Vec<f32>,
    interleaved: Vec<f32>,
}

impl Downmix {
    fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Append 16-bit little-endian PCM frames of `channels` interleaved samples
    /// (`data.len()` a multiple of `2 · channels`), scaled by 1/32768 and averaged.
    fn push_s16le(&mut self, data: &[u8], channels: usize) {
        let sample = |b: &[u8]| i16::from_le_bytes([b[0], b[1]]) as f32 / 32_768.0;
        if channels == 1 {
            self.samples.reserve(data.len() / 2);
            self.samples.extend(data.chunks_exact(2).map(sample));
        } else {
            let scale = 1.0 / channels as f32;
            self.samples.reserve(data.len() / (2 * channels));
            self.samples.extend(
                data.chunks_exact(2 * channels)
                    .map(|frame| frame.chunks_exact(2).map(sample).sum::<f32>() * scale),
            );
        }
    }

    /// Reserve room for `frames` more mono samples when a container states its length
    /// (at most [`RESERVE_MAX`]: a damaged header must not allocate gigabytes up front).
    fn reserve_frames(&mut self, frames: Option<u64>) {
        if let Some(frames) = frames {
            self.samples
                .reserve(frames.min(RESERVE_MAX as u64) as usize);
        }
    }

    fn push(&mut self, buf: &GenericAudioBufferRef<'_>) {
        let channels = buf.spec().channels().count();
        if channels == 1 {
            // Mono: convert straight into the output, no intermediate copy.
            let start = self.samples.len();
            self.samples.resize(start + buf.samples_interleaved(), 0.0);
            buf.copy_to_slice_interleaved(&mut self.samples[start..]);
            return;
        }
        self.interleaved.resize(buf.samples_interleaved(), 0.0);
        buf.copy_to_slice_interleaved(&mut self.interleaved);
        let scale = 1.0 / channels as f32;
        self.samples.extend(
            self.interleaved
                .chunks_exact(channels)
                .map(|frame| frame.iter().sum::<f32>() * scale),
        );
    }
}
