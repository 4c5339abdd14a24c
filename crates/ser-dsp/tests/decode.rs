//! Decoding: every valid WAV encoding the pipeline promises, and every kind of bad
//! input, each with a one-line error that says why.

use ser_dsp::{decode_wav, DspError, LogMelExtractor};

/// A canonical WAV file: `fmt ` + `data` chunks around `data`.
fn wav(format_tag: u16, channels: u16, rate: u32, bits: u16, data: &[u8]) -> Vec<u8> {
    let block_align = channels * bits.div_ceil(8);
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&format_tag.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * block_align as u32).to_le_bytes());
    out.extend_from_slice(&block_align.to_le_bytes());
    out.extend_from_slice(&bits.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// A 440 Hz tone of `n` frames in `[-0.5, 0.5]`, the same on every channel.
fn tone(n: usize, rate: u32) -> Vec<f64> {
    (0..n)
        .map(|i| 0.5 * (2.0 * std::f64::consts::PI * 440.0 * i as f64 / rate as f64).sin())
        .collect()
}

fn encode(samples: &[f64], channels: u16, bits: u16, float: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for &x in samples {
        for _ in 0..channels {
            match (float, bits) {
                (true, 32) => out.extend_from_slice(&(x as f32).to_le_bytes()),
                (true, 64) => out.extend_from_slice(&x.to_le_bytes()),
                (false, 8) => out.push(((x * 128.0).round() as i32 + 128) as u8),
                (false, 16) => out.extend_from_slice(&((x * 32768.0).round() as i16).to_le_bytes()),
                (false, 24) => {
                    out.extend_from_slice(&((x * 8_388_608.0).round() as i32).to_le_bytes()[..3])
                }
                (false, 32) => {
                    out.extend_from_slice(&((x * 2_147_483_648.0).round() as i32).to_le_bytes())
                }
                _ => unreachable!(),
            }
        }
    }
    out
}

#[test]
fn every_pcm_and_float_encoding_decodes_to_the_same_waveform() {
    let rate = 16_000;
    let reference = tone(1600, rate);
    for (bits, float, tolerance) in [
        (8, false, 1.0 / 128.0),
        (16, false, 1e-4),
        (24, false, 1e-6),
        (32, false, 1e-6),
        (32, true, 1e-7),
        (64, true, 1e-7),
    ] {
        for channels in [1u16, 2, 6] {
            let bytes = wav(
                if float { 3 } else { 1 },
                channels,
                rate,
                bits,
                &encode(&reference, channels, bits, float),
            );
            let audio = decode_wav(&bytes)
                .unwrap_or_else(|e| panic!("{bits}-bit float={float} x{channels}: {e}"));
            assert_eq!(audio.sample_rate, rate);
            assert_eq!(audio.channels, channels);
            assert_eq!(audio.samples.len(), reference.len());
            let err = audio
                .samples
                .iter()
                .zip(&reference)
                .map(|(a, b)| (*a as f64 - b).abs())
                .fold(0.0, f64::max);
            assert!(
                err <= tolerance,
                "{bits}-bit float={float} x{channels}: max error {err}"
            );
        }
    }
}

#[test]
fn sixteen_bit_scaling_is_soundfiles() {
    let data: Vec<u8> = [i16::MIN, -1, 0, 1, i16::MAX]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let audio = decode_wav(&wav(1, 1, 8000, 16, &data)).unwrap();
    assert_eq!(
        audio.samples,
        vec![-1.0, -1.0 / 32768.0, 0.0, 1.0 / 32768.0, 32767.0 / 32768.0]
    );
}

#[test]
fn rates_from_8k_to_96k_give_the_same_features_shape() {
    let mut extractor = LogMelExtractor::new(Default::default()).unwrap();
    for rate in [
        8_000, 11_025, 16_000, 22_050, 32_000, 44_100, 48_000, 88_200, 96_000,
    ] {
        let bytes = wav(
            1,
            1,
            rate,
            16,
            &encode(&tone(rate as usize, rate), 1, 16, false),
        );
        let audio = decode_wav(&bytes).unwrap();
        let features = extractor
            .extract(&audio.samples, audio.sample_rate)
            .unwrap();
        assert_eq!(features.len(), 128 * 259, "{rate} Hz");
    }
}

#[test]
fn an_hour_long_file_is_cut_to_three_seconds() {
    let rate = 8_000;
    let hour = tone(3600 * rate as usize, rate);
    let bytes = wav(1, 1, rate, 16, &encode(&hour, 1, 16, false));
    let audio = decode_wav(&bytes).unwrap();
    assert_eq!(audio.samples.len(), 3600 * rate as usize);
    let features = LogMelExtractor::new(Default::default())
        .unwrap()
        .extract(&audio.samples, rate)
        .unwrap();
    assert_eq!(features.len(), 128 * 259);
}

/// `text` in UTF-16, each code unit's bytes in the order `bytes` gives them.
fn utf16(text: &str, bytes: fn(u16) -> [u8; 2]) -> Vec<u8> {
    text.encode_utf16().flat_map(bytes).collect()
}

fn error_of(bytes: &[u8]) -> DspError {
    decode_wav(bytes).expect_err("bad input must be an error")
}

#[test]
fn bad_inputs_are_one_line_errors_that_say_why() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty file", vec![], "the file is empty"),
        (
            "text",
            b"hello, this is not audio\n".to_vec(),
            "it is UTF-8 text",
        ),
        (
            "UTF-8 text (a README with accents and dashes)",
            "# Grüße — this is not audio\r\n\tnaïve café\n"
                .as_bytes()
                .to_vec(),
            "it is UTF-8 text",
        ),
        (
            "UTF-8 text with a byte-order mark",
            "\u{feff}Überschrift\n".as_bytes().to_vec(),
            "it is UTF-8 text",
        ),
        (
            "UTF-8 text whose 512th byte splits a character",
            [b"a".repeat(511), "é and more text".as_bytes().to_vec()].concat(),
            "it is UTF-8 text",
        ),
        (
            "Latin-1 text (ISO 8859-1 accents, not UTF-8)",
            b"Gr\xfc\xdfe, caf\xe9, na\xefve: not audio\r\n".to_vec(),
            "it is single-byte (Latin-1 or Windows-1252) text",
        ),
        (
            "UTF-16 little-endian text with its byte-order mark (also an MPEG frame sync)",
            [
                &b"\xFF\xFE"[..],
                &utf16("Grüße, naïve café\r\n", u16::to_le_bytes),
            ]
            .concat(),
            "it is UTF-16 LE text",
        ),
        (
            "UTF-16 big-endian text with its byte-order mark",
            [
                &b"\xFE\xFF"[..],
                &utf16("Überschrift 🎵\n", u16::to_be_bytes),
            ]
            .concat(),
            "it is UTF-16 BE text",
        ),
        (
            "Windows-1252 text (curly quotes, a dash and the euro sign in 0x80-0x9F)",
            b"\x93Gr\xfc\xdfe\x94 \x96 5 \x80, not audio\r\n".to_vec(),
            "it is single-byte (Latin-1 or Windows-1252) text",
        ),
        (
            "UTF-16 little-endian text without a byte-order mark (.NET's default)",
            utf16("naïve café\r\n", u16::to_le_bytes),
            "it is UTF-16 LE text",
        ),
        (
            "a terminal log with ANSI colour codes",
            b"\x1b[32m ok \x1b[0m extracted 12 files\n".to_vec(),
            "it is UTF-8 text",
        ),
        (
            "bytes that are valid UTF-8 but control characters",
            b"\x01\x02\x03\x04 not text either".to_vec(),
            "not an audio file: no known audio header",
        ),
        (
            "random bytes",
            (0..200u8).map(|b| b.wrapping_mul(37) ^ 0x9c).collect(),
            "not an audio file: no known audio header",
        ),
        (
            "zero samples",
            wav(1, 1, 16_000, 16, &[]),
            "no audio samples",
        ),
        (
            "A-law is fine but ADPCM is not",
            wav(2, 1, 16_000, 4, &[0; 64]),
            "Microsoft ADPCM",
        ),
        (
            "sample rate 0",
            wav(1, 1, 0, 16, &[0; 64]),
            "unsupported sample rate 0 Hz",
        ),
        (
            "absurd sample rate",
            wav(1, 1, 4_000_000, 16, &[0; 64]),
            "unsupported sample rate 4000000 Hz",
        ),
        (
            "NaN",
            wav(
                3,
                1,
                16_000,
                32,
                &[0f32, 0.1, f32::NAN]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect::<Vec<_>>(),
            ),
            "non-finite sample",
        ),
        (
            "Inf",
            wav(
                3,
                1,
                16_000,
                64,
                &[0f64, f64::INFINITY]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect::<Vec<_>>(),
            ),
            "non-finite sample (NaN or Inf) at sample 1",
        ),
        (
            "header cut in the middle",
            wav(1, 1, 16_000, 16, &[0; 64])[..30].to_vec(),
            "not a valid WAV file",
        ),
    ];
    for (what, bytes, expected) in cases {
        let message = error_of(&bytes).to_string();
        assert!(
            message.contains(expected),
            "{what}: {message:?} does not contain {expected:?}"
        );
        assert!(
            !message.contains('\n'),
            "{what}: message must be one line: {message:?}"
        );
    }
}

#[test]
fn a_truncated_data_chunk_keeps_its_readable_part() {
    // The header promises 1600 samples; only 1000 are there (a download cut short).
    let full = wav(1, 1, 16_000, 16, &encode(&tone(1600, 16_000), 1, 16, false));
    let cut = &full[..44 + 2000];
    let audio = decode_wav(cut).unwrap();
    assert_eq!(audio.samples.len(), 1000);
}

#[test]
fn read_wav_names_the_file() {
    let err = ser_dsp::read_wav(std::path::Path::new("/nonexistent/a.wav")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/a.wav: cannot read file"),
        "{err}"
    );
}
