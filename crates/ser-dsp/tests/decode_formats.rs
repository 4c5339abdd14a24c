//! Every format serkit decodes, on committed fixtures built by
//! `tools/make-audio-fixtures.py` from one 0.3 s EMO-DB excerpt, plus bit-exact
//! parity on the RAVDESS FLAC copies of `../shared/data` and the lenient WAV rules
//! (every header lie libsndfile tolerates).

use std::path::{Path, PathBuf};

use ser_dsp::{decode_audio, read_audio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audio")
        .join(name)
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read_f32(name: &str) -> Vec<f32> {
    bytes(name)
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

/// The samples of `source.wav` (16-bit PCM) as soundfile scales them.
fn source() -> Vec<f32> {
    let b = bytes("source.wav");
    b[44..]
        .chunks_exact(2)
        .map(|s| i16::from_le_bytes([s[0], s[1]]) as f32 / 32768.0)
        .collect()
}

fn decode(name: &str) -> ser_dsp::Audio {
    read_audio(&fixture(name)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn lossless_formats_decode_to_exactly_the_source_samples() {
    let expected = source();
    assert_eq!(expected.len(), 4800);
    for name in [
        "source.wav",
        "pcm16.flac",
        "pcm24-extensible.wav",
        "float32.wav",
        "rf64.wav",
        "rifx.wav",
        "pcm16.aiff",
        "float32.aifc",
        "pcm16.caf",
        "alac.caf",
        "alac.m4a",
        "flac.mka",
    ] {
        let audio = decode(name);
        assert_eq!(audio.sample_rate, 16_000, "{name}");
        assert_eq!(audio.channels, 1, "{name}");
        assert_eq!(
            audio.samples, expected,
            "{name}: samples differ from source.wav"
        );
    }
}

#[test]
fn a_law_and_mu_law_match_libsndfile_exactly() {
    for name in ["alaw.wav", "ulaw.wav"] {
        assert_eq!(
            decode(name).samples,
            read_f32(&format!("{name}.ref.f32")),
            "{name}"
        );
    }
}

/// The 16-byte `fmt ` form of A-law/µ-law (no cbSize), which symphonia's WAV reader rejects.
#[test]
fn g711_with_a_16_byte_fmt_chunk_decodes() {
    for name in ["alaw.wav", "ulaw.wav"] {
        let b = bytes(name);
        let fmt_size = u32::from_le_bytes(b[16..20].try_into().unwrap()) as usize;
        assert!(
            fmt_size > 16,
            "{name}: libsndfile writes an extended fmt chunk"
        );
        let mut short = Vec::new();
        short.extend_from_slice(&b[..16]);
        short.extend_from_slice(&16u32.to_le_bytes());
        short.extend_from_slice(&b[20..36]);
        short.extend_from_slice(&b[20 + fmt_size..]);
        let audio = decode_audio(&short).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            audio.samples,
            read_f32(&format!("{name}.ref.f32")),
            "{name}"
        );
    }
}

/// Lag `d` (reference index = ours + d) within ±`max` that minimises the squared difference.
fn best_lag(ours: &[f32], reference: &[f32], max: isize) -> isize {
    let err = |d: isize| -> f64 {
        let mut sum = 0.0;
        let mut n = 0;
        for (i, &x) in ours.iter().enumerate() {
            let j = i as isize + d;
            if j >= 0 && (j as usize) < reference.len() {
                sum += ((x - reference[j as usize]) as f64).powi(2);
                n += 1;
            }
        }
        if n < ours.len() / 2 {
            f64::INFINITY
        } else {
            sum / n as f64
        }
    };
    (-max..=max)
        .min_by(|a, b| err(*a).total_cmp(&err(*b)))
        .unwrap()
}

/// Lossy formats against `librosa.load(sr=None)` of the same encoded file (soundfile's
/// libmpg123/libvorbis for MP3/Ogg, audioread + ffmpeg for AAC), after aligning the
/// decoder delay.
///
/// Tolerance: two conforming decoders of the same bitstream differ only by their
/// arithmetic. ISO/IEC 11172-4 calls an MPEG audio decoder "fully accurate" when its
/// output is within 2^-14 (6.1e-5) of the reference decoder's, the bar used for MP3
/// and Vorbis (whose floating-point reference decoder has the same kind of
/// rounding-only differences; measured: 1.8e-7 and 6e-8). For AAC audioread hands
/// librosa ffmpeg's 16-bit integers, so the reference itself is rounded to the nearest
/// 2^-15: one 16-bit step (3.1e-5) is allowed (measured: 1.5e-5, half a step). The
/// aligned error must also be 60 dB below the signal (SNR), which catches a decoder
/// that is wrong only in places. The MP4 reference is 1024 samples shorter: ffmpeg
/// drops the AAC encoder's priming samples (edit list), symphonia keeps them; the
/// alignment finds that lag.
#[test]
fn lossy_formats_match_librosa_after_aligning_the_decoder_delay() {
    let source = source();
    let peak = source.iter().fold(0f32, |m, x| m.max(x.abs()));
    for (name, tolerance) in [
        ("lossy.mp3", 2f32.powi(-14)),
        ("lossy.ogg", 2f32.powi(-14)),
        ("aac.m4a", 2f32.powi(-15)),
        ("adts.aac", 2f32.powi(-15)),
    ] {
        let ours = decode(name).samples;
        let reference = read_f32(&format!("{name}.ref.f32"));
        let lag = best_lag(&ours, &reference, 2112);
        let mut max = 0f32;
        let (mut signal, mut noise) = (0f64, 0f64);
        for (i, &x) in ours.iter().enumerate() {
            let j = i as isize + lag;
            if j >= 0 && (j as usize) < reference.len() {
                let r = reference[j as usize];
                max = max.max((x - r).abs());
                signal += (r as f64).powi(2);
                noise += ((x - r) as f64).powi(2);
            }
        }
        let snr = 10.0 * (signal / noise.max(1e-30)).log10();
        eprintln!(
            "{name}: {} samples (librosa {}), lag {lag}, max |diff| {max:.2e}, SNR {snr:.1} dB, peak {peak}",
            ours.len(),
            reference.len()
        );
        assert!(
            max <= tolerance,
            "{name}: max |diff| {max:e} > {tolerance:e} (lag {lag})"
        );
        assert!(snr >= 60.0, "{name}: SNR {snr} dB");
        // The decoded length is the source's give or take the codec's frame padding.
        assert!(
            ours.len() >= source.len() && ours.len() <= source.len() + 2 * 2048,
            "{name}: {} samples",
            ours.len()
        );
    }
}

#[test]
fn unsupported_formats_are_named() {
    for (name, expected) in [
        ("opus.ogg", "unsupported format: Opus (in an Ogg container)"),
        ("wma.wma", "unsupported format: Windows Media Audio (ASF)"),
        ("ulaw.au", "unsupported format: Sun/NeXT AU"),
    ] {
        let err = read_audio(&fixture(name)).unwrap_err();
        let message = err.to_string();
        assert!(message.contains(expected), "{name}: {message}");
        assert!(message.contains("serkit reads WAV"), "{name}: {message}");
        assert_eq!(err.code(), "ERR_SER_UNSUPPORTED_ENCODING");
    }
}

#[test]
fn formats_are_recognised_by_content_not_name() {
    let dir = std::env::temp_dir().join(format!("ser-dsp-sniff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in [
        "pcm16.flac",
        "lossy.mp3",
        "lossy.ogg",
        "aac.m4a",
        "pcm16.aiff",
    ] {
        let lying = dir.join(format!("{name}.wav"));
        std::fs::copy(fixture(name), &lying).unwrap();
        assert_eq!(
            read_audio(&lying).unwrap(),
            decode(name),
            "{name} named .wav"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every corrupt packet skipped; a stream with nothing decodable is an error.
#[test]
fn corrupt_lossy_packets_are_skipped_but_nothing_decodable_is_an_error() {
    let good = decode("lossy.mp3").samples.len();
    let mut b = bytes("lossy.mp3");
    // Scribble over the middle third: the decoder loses some frames, keeps the rest.
    let (from, to) = (b.len() / 3, 2 * b.len() / 3);
    for (i, x) in b[from..to].iter_mut().enumerate() {
        *x = (i as u8).wrapping_mul(151) ^ 0x5a;
    }
    let audio = decode_audio(&b).expect("a damaged MP3 keeps its good frames");
    assert!(
        audio.samples.len() >= good / 3 && audio.samples.iter().all(|x| x.is_finite()),
        "{} of {good} samples",
        audio.samples.len()
    );
    // A frame header followed by nothing decodable.
    let mut junk = vec![0xFF, 0xFB, 0x90, 0x64];
    junk.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let err = decode_audio(&junk).unwrap_err();
    assert_eq!(err.code(), "ERR_SER_INVALID_WAV", "{err}");
    assert!(err.to_string().starts_with("not a valid MP3 file"), "{err}");
}

/// FNV-1a 64 of the little-endian float32 samples (the hash `tools/make-audio-fixtures.py` stores).
fn fnv1a64(samples: &[f32]) -> String {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for s in samples {
        for b in s.to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100_0000_01B3);
        }
    }
    format!("{h:016x}")
}

/// RAVDESS actors 03–12 are FLAC copies of the original WAVs: decoding them must give
/// exactly the samples libsndfile decodes (hashes recorded by the fixture script).
#[test]
fn ravdess_flac_copies_decode_to_exactly_the_original_samples() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if !data.join("ravdess/Actor_03").is_dir() {
        eprintln!("skipped: {} not found", data.display());
        return;
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&bytes("fixtures.json")).expect("fixtures.json");
    let parity = meta["flac_parity"].as_object().unwrap();
    assert_eq!(parity.len(), 600);
    for (rel, expected) in parity {
        let audio = read_audio(&data.join(rel)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(audio.sample_rate, 48_000, "{rel}");
        assert_eq!(
            audio.samples.len() as u64,
            expected[0].as_u64().unwrap(),
            "{rel}"
        );
        assert_eq!(
            fnv1a64(&audio.samples),
            expected[1].as_str().unwrap(),
            "{rel}"
        );
    }
}
