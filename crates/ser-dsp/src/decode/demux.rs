//! Every container but WAV: symphonia's demuxers and codecs (FLAC, MP3, Ogg Vorbis,
//! AIFF/AIFC, CAF, MP4/M4A with AAC or ALAC, raw AAC, Matroska/WebM).
//!
//! A packet the codec cannot decode is skipped, as symphonia recommends for a
//! corrupt packet in a lossy stream; a stream that ends early keeps what was
//! decoded; a file in which nothing decodes is an error.

use std::io::Cursor;

use symphonia::core::codecs::audio::well_known::*;
use symphonia::core::codecs::audio::{AudioCodecId, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use super::sniff::Container;
use super::{check_sample_rate, Downmix};
use crate::error::{DspError, Result};

/// Name of a codec symphonia knows by id but serkit cannot decode.
fn codec_name(id: AudioCodecId) -> String {
    match id {
        CODEC_ID_OPUS => "Opus".into(),
        CODEC_ID_SPEEX => "Speex".into(),
        CODEC_ID_WMA => "Windows Media Audio".into(),
        CODEC_ID_AC3 => "AC-3".into(),
        CODEC_ID_EAC3 => "E-AC-3".into(),
        CODEC_ID_AC4 => "AC-4".into(),
        CODEC_ID_DCA => "DTS".into(),
        CODEC_ID_MUSEPACK => "Musepack".into(),
        CODEC_ID_ATRAC1 | CODEC_ID_ATRAC3 | CODEC_ID_ATRAC3PLUS | CODEC_ID_ATRAC9 => "ATRAC".into(),
        other => format!("codec {other:?}"),
    }
}

/// Decode a non-WAV container into `out`; returns the sample rate and channel count.
pub(crate) fn decode_into(
    bytes: Vec<u8>,
    container: Container,
    out: &mut Downmix,
) -> Result<(u32, usize)> {
    let name = container.name();
    let invalid = |reason: String| DspError::InvalidAudio {
        format: name,
        reason,
    };
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
        .map_err(|e| match e {
            // The first bytes said `name`, but no stream of it could be found.
            SymError::Unsupported(_) => invalid(format!("no readable {name} stream")),
            SymError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                invalid("the header is truncated".into())
            }
            other => invalid(other.to_string()),
        })?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or_else(|| invalid("no audio track".into()))?;
    let track_id = track.id;
    out.reserve_frames(track.num_frames);
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or_else(|| invalid("no audio format description".into()))?
        .clone();
    let sample_rate = check_sample_rate(params.sample_rate.unwrap_or(0))?;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|_| {
            DspError::UnsupportedFormat(format!(
                "{} audio in a {name} container; serkit decodes PCM, FLAC, ALAC, MP3, Vorbis and AAC",
                codec_name(params.codec)
            ))
        })?;
    // The channel count is the decoded one: some containers (ADTS, MP3) state none up front.
    let mut channels = params.channels.as_ref().map(|c| c.count()).unwrap_or(0);
    let mut skipped = 0usize;
    let mut last_error = String::new();
    loop {
        let packet = match format.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            // Cut short: keep what was readable.
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            // A damaged container after some audio: keep what was readable.
            Err(_) if !out.is_empty() => break,
            Err(e) => return Err(invalid(e.to_string())),
        };
        if packet.track_id != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(buf) => {
                let n = buf.spec().channels().count();
                if n == 0 {
                    continue;
                }
                if channels != n {
                    if !out.is_empty() {
                        return Err(invalid(format!(
                            "the channel count changes mid-stream ({channels} → {n})"
                        )));
                    }
                    channels = n;
                }
                out.push(&buf);
            }
            // A corrupt packet: skip it, as symphonia recommends, and go on.
            Err(SymError::DecodeError(msg)) => {
                skipped += 1;
                last_error = msg.to_string();
            }
            Err(SymError::IoError(_)) => {
                skipped += 1;
                last_error = "read error inside a packet".into();
            }
            Err(e) => return Err(invalid(e.to_string())),
        }
    }
    if out.is_empty() {
        return Err(if skipped > 0 {
            invalid(format!(
                "nothing decodable: all {skipped} packets are corrupt ({last_error})"
            ))
        } else {
            DspError::Empty
        });
    }
    Ok((sample_rate, channels))
}
