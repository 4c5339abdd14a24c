//! WAV read as leniently as libsndfile: a small chunk reader in front of
//! symphonia's PCM decoder.
//!
//! Accepted: RIFF (little-endian), RIFX (big-endian), RF64 and BW64 (64-bit sizes
//! in a `ds64` chunk); `fmt ` as WAVEFORMAT (16 bytes, also for A-law/µ-law, which
//! symphonia's own reader rejects), WAVEFORMATEX and WAVE_FORMAT_EXTENSIBLE; chunks
//! in any order (`data` before `fmt `); odd-sized chunks with or without their pad
//! byte. The RIFF size is ignored, and a `data` size that is 0, a placeholder
//! (0xFFFFFFFF, INT32_MAX) or larger than the file means "to the end of the file",
//! so a recording whose header was never patched, or a file cut short, keeps every
//! whole frame that is there.

use symphonia::core::audio::Channels;
use symphonia::core::codecs::audio::well_known::*;
use symphonia::core::codecs::audio::{AudioCodecId, AudioCodecParameters, AudioDecoderOptions};
use symphonia::core::packet::PacketRef;
use symphonia::core::units::{Duration, Timestamp};

use super::Downmix;
use crate::error::{DspError, Result};

/// Frames handed to the PCM decoder at a time (bounds the interleaved scratch buffer).
const PACKET_FRAMES: usize = 16_384;

const SUPPORTED: &str = "supported: PCM 8/16/24/32-bit, IEEE float 32/64, A-law, µ-law";

fn invalid(reason: impl Into<String>) -> DspError {
    DspError::InvalidAudio {
        format: "WAV",
        reason: reason.into(),
    }
}

/// The `fmt ` chunk, the fields serkit uses.
#[derive(Debug, Clone, Copy)]
struct Fmt {
    /// `wFormatTag`, or the sub-format of WAVE_FORMAT_EXTENSIBLE.
    tag: u16,
    channels: u16,
    sample_rate: u32,
    bits: u16,
}

/// Where the samples are and how to read them.
#[derive(Debug)]
pub(crate) struct WavLayout<'a> {
    fmt: Fmt,
    big_endian: bool,
    data: &'a [u8],
}

/// Little- or big-endian integer readers for one file.
#[derive(Clone, Copy)]
struct Endian(bool);

impl Endian {
    fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let s: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(if self.0 {
            u16::from_be_bytes(s)
        } else {
            u16::from_le_bytes(s)
        })
    }
    fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let s: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(if self.0 {
            u32::from_be_bytes(s)
        } else {
            u32::from_le_bytes(s)
        })
    }
    fn u64(self, b: &[u8], at: usize) -> Option<u64> {
        let s: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
        Some(if self.0 {
            u64::from_be_bytes(s)
        } else {
            u64::from_le_bytes(s)
        })
    }
}

/// A chunk id is four printable ASCII characters.
fn plausible_id(b: &[u8], at: usize) -> bool {
    b.get(at..at + 4)
        .is_some_and(|id| id.iter().all(|c| (0x20..0x7F).contains(c)))
}

fn parse_fmt(body: &[u8], e: Endian) -> Result<Fmt> {
    let field = |v: Option<u16>| v.ok_or_else(|| invalid("the fmt chunk is truncated"));
    let tag = field(e.u16(body, 0))?;
    let channels = field(e.u16(body, 2))?;
    let sample_rate = e
        .u32(body, 4)
        .ok_or_else(|| invalid("the fmt chunk is truncated"))?;
    let block_align = field(e.u16(body, 12))?;
    // WAVEFORMAT (14 bytes) has no bits field: derive it from the block size.
    let bits = match e.u16(body, 14) {
        Some(bits) => bits,
        None if channels > 0 => 8 * (block_align / channels),
        None => 0,
    };
    let tag = if tag == 0xFFFE {
        // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
        e.u16(body, 24).ok_or_else(|| {
            invalid("the WAVE_FORMAT_EXTENSIBLE fmt chunk is truncated (no sub-format)")
        })?
    } else {
        tag
    };
    Ok(Fmt {
        tag,
        channels,
        sample_rate,
        bits,
    })
}

/// Walk the chunks of a RIFF/RIFX/RF64/BW64 WAVE file.
pub(crate) fn parse(bytes: &[u8]) -> Result<WavLayout<'_>> {
    let big_endian = bytes.starts_with(b"RIFX");
    let rf64 = bytes.starts_with(b"RF64") || bytes.starts_with(b"BW64");
    let e = Endian(big_endian);
    let len = bytes.len();
    let mut fmt: Option<Fmt> = None;
    let mut data: Option<&[u8]> = None;
    let mut ds64_data_size: Option<u64> = None;
    let mut truncated = false;
    let mut pos = 12;
    while pos + 8 <= len {
        let id = &bytes[pos..pos + 4];
        let size = e.u32(bytes, pos + 4).unwrap_or(0);
        let body = pos + 8;
        let remaining = len - body;
        match id {
            b"ds64" if rf64 => ds64_data_size = e.u64(bytes, body + 8),
            b"fmt " => {
                fmt = Some(parse_fmt(
                    &bytes[body..body + remaining.min(size as usize)],
                    e,
                )?)
            }
            b"data" => {
                let declared = if rf64 && size == u32::MAX {
                    ds64_data_size
                } else {
                    Some(u64::from(size))
                };
                match declared {
                    // Trusted unless 0, a placeholder or more than the file holds.
                    Some(d)
                        if d > 0
                            && d != u64::from(u32::MAX)
                            && d != i32::MAX as u64
                            && d <= remaining as u64 =>
                    {
                        data = Some(&bytes[body..body + d as usize]);
                    }
                    // 0, a placeholder or more than the file holds: the samples run to the end.
                    _ => {
                        data = Some(&bytes[body..]);
                        break;
                    }
                }
            }
            _ => {}
        }
        if fmt.is_some() && data.is_some() {
            break;
        }
        let size = size as usize;
        if size > remaining {
            truncated = true;
            break;
        }
        let mut next = body + size;
        // An odd-sized chunk is followed by a pad byte, unless the writer left it out.
        if size & 1 == 1 && (plausible_id(bytes, next + 1) || !plausible_id(bytes, next)) {
            next += 1;
        }
        pos = next;
    }
    let Some(fmt) = fmt else {
        return Err(invalid(if truncated || pos + 8 > len && data.is_none() {
            "the header is truncated (no fmt chunk)"
        } else {
            "no fmt chunk"
        }));
    };
    let Some(data) = data else {
        return Err(invalid("no data chunk"));
    };
    Ok(WavLayout {
        fmt,
        big_endian,
        data,
    })
}

fn hex4(tag: u16) -> String {
    format!("0x{tag:04X}")
}

/// Names of WAV encodings this decoder does not handle.
fn unsupported_format_name(tag: u16) -> &'static str {
    match tag {
        0x0002 => "Microsoft ADPCM",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0050 => "MPEG audio",
        0x0055 => "MP3",
        0x00FF | 0x1610 => "AAC",
        0x0161..=0x0163 => "Windows Media Audio",
        _ => "an unknown encoding",
    }
}

impl WavLayout<'_> {
    /// Sample rate stated by the header.
    pub(crate) fn sample_rate(&self) -> u32 {
        self.fmt.sample_rate
    }

    /// Channel count stated by the header.
    pub(crate) fn channels(&self) -> usize {
        self.fmt.channels as usize
    }

    /// The symphonia PCM codec and the bytes of one sample.
    fn codec(&self) -> Result<(AudioCodecId, usize)> {
        let Fmt { tag, bits, .. } = self.fmt;
        let be = self.big_endian;
        let unsupported = |detail: String| DspError::UnsupportedEncoding {
            format: "WAV",
            detail,
        };
        Ok(match tag {
            0x0001 => match bits.div_ceil(8) {
                // 8-bit WAV is unsigned, whatever the byte order.
                1 => (CODEC_ID_PCM_U8, 1),
                2 => (
                    if be {
                        CODEC_ID_PCM_S16BE
                    } else {
                        CODEC_ID_PCM_S16LE
                    },
                    2,
                ),
                3 => (
                    if be {
                        CODEC_ID_PCM_S24BE
                    } else {
                        CODEC_ID_PCM_S24LE
                    },
                    3,
                ),
                4 => (
                    if be {
                        CODEC_ID_PCM_S32BE
                    } else {
                        CODEC_ID_PCM_S32LE
                    },
                    4,
                ),
                _ => {
                    return Err(unsupported(format!(
                        "PCM with {bits} bits per sample; {SUPPORTED}"
                    )))
                }
            },
            0x0003 => match bits {
                32 => (
                    if be {
                        CODEC_ID_PCM_F32BE
                    } else {
                        CODEC_ID_PCM_F32LE
                    },
                    4,
                ),
                64 => (
                    if be {
                        CODEC_ID_PCM_F64BE
                    } else {
                        CODEC_ID_PCM_F64LE
                    },
                    8,
                ),
                _ => {
                    return Err(unsupported(format!(
                        "IEEE float with {bits} bits per sample; {SUPPORTED}"
                    )))
                }
            },
            // G.711 is 8 bits a sample whatever the header says.
            0x0006 => (CODEC_ID_PCM_ALAW, 1),
            0x0007 => (CODEC_ID_PCM_MULAW, 1),
            other => {
                return Err(unsupported(format!(
                    "{} (format tag {}); {SUPPORTED}",
                    unsupported_format_name(other),
                    hex4(other)
                )))
            }
        })
    }

    /// Decode every whole frame of the data chunk into `out`.
    pub(crate) fn decode_into(&self, out: &mut Downmix) -> Result<()> {
        let (codec, width) = self.codec()?;
        let channels = self.channels();
        let frame_bytes = width * channels;
        let usable = self.data.len() / frame_bytes * frame_bytes;
        if usable == 0 {
            return Err(DspError::Empty);
        }
        if codec == CODEC_ID_PCM_S16LE {
            // The common case, converted straight into the mono buffer: the same
            // `s / 32768` as symphonia's `f32::from_sample(i16)` and the same channel
            // average as `Downmix::push`, without the decoder's planar buffer and the
            // interleaved copy.
            out.push_s16le(&self.data[..usable], channels);
            return Ok(());
        }
        let mut params = AudioCodecParameters::new();
        params
            .for_codec(codec)
            .with_sample_rate(self.fmt.sample_rate)
            .with_channels(Channels::Discrete(self.fmt.channels))
            .with_max_frames_per_packet(PACKET_FRAMES as u64);
        let mut decoder = symphonia::default::get_codecs()
            .make_audio_decoder(&params, &AudioDecoderOptions::default())
            .map_err(|e| invalid(e.to_string()))?;
        for (i, chunk) in self.data[..usable]
            .chunks(PACKET_FRAMES * frame_bytes)
            .enumerate()
        {
            let frames = (chunk.len() / frame_bytes) as u64;
            let pts = Timestamp::new((i * PACKET_FRAMES) as i64);
            let packet = PacketRef::new(0, pts, Duration::new(frames), chunk);
            let buf = decoder
                .decode_ref(&packet)
                .map_err(|e| invalid(e.to_string()))?;
            out.push(&buf);
        }
        Ok(())
    }
}
