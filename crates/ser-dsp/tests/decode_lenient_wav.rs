//! WAV read as leniently as libsndfile: every header lie a recorder, a streaming
//! writer or a cut download leaves, built from the committed `source.wav`
//! (0.3 s, 16 kHz, 16-bit). Each must decode to the source's samples, or to the
//! whole frames that are there when the file is cut short.

use ser_dsp::decode_audio;

fn source_bytes() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/audio/source.wav"
    );
    std::fs::read(path).unwrap()
}

/// (fmt chunk body, data bytes) of the canonical 44-byte-header source.
fn parts() -> (Vec<u8>, Vec<u8>) {
    let b = source_bytes();
    assert_eq!(&b[12..16], b"fmt ");
    assert_eq!(&b[36..40], b"data");
    (b[20..36].to_vec(), b[44..].to_vec())
}

fn chunk(id: &[u8; 4], size: u32, body: &[u8]) -> Vec<u8> {
    let mut out = id.to_vec();
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(body);
    out
}

fn riff(riff_size: u32, chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&riff_size.to_le_bytes());
    out.extend_from_slice(b"WAVE");
    for c in chunks {
        out.extend_from_slice(c);
    }
    out
}

fn expected() -> Vec<f32> {
    parts()
        .1
        .chunks_exact(2)
        .map(|s| i16::from_le_bytes([s[0], s[1]]) as f32 / 32768.0)
        .collect()
}

fn decoded(what: &str, bytes: &[u8]) -> Vec<f32> {
    decode_audio(bytes)
        .unwrap_or_else(|e| panic!("{what}: {e}"))
        .samples
}

/// Every data-size lie: the samples run to the end of the file.
const DATA_SIZE_LIES: [(&str, Option<u32>); 6] = [
    ("correct", None),
    ("0", Some(0)),
    ("0xFFFFFFFF", Some(u32::MAX)),
    ("INT32_MAX", Some(i32::MAX as u32)),
    ("0x80000000", Some(0x8000_0000)),
    ("larger than the file", Some(1_000_000)),
];

#[test]
fn placeholder_and_wrong_sizes_read_to_the_end_of_the_file() {
    let (fmt, data) = parts();
    let want = expected();
    for riff_size in [0, u32::MAX, i32::MAX as u32, 12, 36 + data.len() as u32] {
        for (what, lie) in DATA_SIZE_LIES {
            let bytes = riff(
                riff_size,
                &[
                    chunk(b"fmt ", 16, &fmt),
                    chunk(b"data", lie.unwrap_or(data.len() as u32), &data),
                ],
            );
            let label = format!("RIFF size {riff_size:#x}, data size {what}");
            assert_eq!(decoded(&label, &bytes), want, "{label}");
        }
    }
}

#[test]
fn a_cut_data_chunk_keeps_its_whole_frames_whatever_the_header_says() {
    let (fmt, data) = parts();
    let want = expected();
    for (what, lie) in DATA_SIZE_LIES {
        let bytes = riff(
            0,
            &[
                chunk(b"fmt ", 16, &fmt),
                chunk(b"data", lie.unwrap_or(data.len() as u32), &data),
            ],
        );
        // Cut mid-sample: 1000 whole frames and one stray byte.
        let cut = &bytes[..44 + 2001];
        assert_eq!(decoded(what, cut), want[..1000], "data size {what}, cut");
    }
}

#[test]
fn chunks_in_any_order_and_odd_sizes() {
    let (fmt, data) = parts();
    let want = expected();
    let list_odd = |pad: bool| {
        let mut c = chunk(b"LIST", 5, b"INFOx");
        if pad {
            c.push(0);
        }
        c
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "data before fmt",
            riff(
                0,
                &[
                    chunk(b"data", data.len() as u32, &data),
                    chunk(b"fmt ", 16, &fmt),
                ],
            ),
        ),
        (
            "odd-sized chunk with its pad byte",
            riff(
                0,
                &[
                    chunk(b"fmt ", 16, &fmt),
                    list_odd(true),
                    chunk(b"data", data.len() as u32, &data),
                ],
            ),
        ),
        (
            "odd-sized chunk without its pad byte",
            riff(
                0,
                &[
                    chunk(b"fmt ", 16, &fmt),
                    list_odd(false),
                    chunk(b"data", data.len() as u32, &data),
                ],
            ),
        ),
        (
            "a chunk after data is not audio",
            riff(
                0,
                &[
                    chunk(b"fmt ", 16, &fmt),
                    chunk(b"data", data.len() as u32, &data),
                    chunk(b"LIST", 12, b"INFOISFT\0\0\0\0"),
                ],
            ),
        ),
        (
            "fmt with cbSize 0 (18 bytes) and a fact chunk",
            riff(
                0,
                &[
                    chunk(b"fmt ", 18, &[&fmt[..], &[0, 0]].concat()),
                    chunk(b"fact", 4, &4800u32.to_le_bytes()),
                    chunk(b"data", data.len() as u32, &data),
                ],
            ),
        ),
    ];
    for (what, bytes) in cases {
        assert_eq!(decoded(what, &bytes), want, "{what}");
    }
}

#[test]
fn rf64_and_bw64_with_placeholder_sizes() {
    let (fmt, data) = parts();
    let want = expected();
    for magic in [b"RF64", b"BW64"] {
        for ds64_data in [data.len() as u64, 0, u64::MAX, 1 << 40] {
            let mut ds64 = Vec::new();
            ds64.extend_from_slice(&u64::MAX.to_le_bytes()); // RIFF size
            ds64.extend_from_slice(&ds64_data.to_le_bytes());
            ds64.extend_from_slice(&4800u64.to_le_bytes()); // sample count
            ds64.extend_from_slice(&0u32.to_le_bytes()); // table length
            let mut bytes = riff(
                u32::MAX,
                &[
                    chunk(b"ds64", ds64.len() as u32, &ds64),
                    chunk(b"fmt ", 16, &fmt),
                    chunk(b"data", u32::MAX, &data),
                ],
            );
            bytes[..4].copy_from_slice(magic);
            let what = format!(
                "{} ds64 data size {ds64_data:#x}",
                String::from_utf8_lossy(magic)
            );
            assert_eq!(decoded(&what, &bytes), want, "{what}");
            assert_eq!(
                decoded(&what, &bytes[..bytes.len() - 1001]),
                want[..want.len() - 501],
                "{what}, cut"
            );
        }
    }
}

#[test]
fn header_lies_that_leave_nothing_to_read_are_errors() {
    let (fmt, data) = parts();
    let no_fmt = riff(0, &[chunk(b"data", data.len() as u32, &data)]);
    let err = decode_audio(&no_fmt).unwrap_err().to_string();
    assert_eq!(err, "not a valid WAV file: no fmt chunk");
    let no_data = riff(0, &[chunk(b"fmt ", 16, &fmt)]);
    let err = decode_audio(&no_data).unwrap_err().to_string();
    assert_eq!(err, "not a valid WAV file: no data chunk");
    // A chunk claiming more than the file holds before fmt: the header is cut.
    let cut = riff(0, &[chunk(b"LIST", 5000, b"INFO")]);
    let err = decode_audio(&cut).unwrap_err().to_string();
    assert_eq!(
        err,
        "not a valid WAV file: the header is truncated (no fmt chunk)"
    );
    let one_byte = riff(0, &[chunk(b"fmt ", 16, &fmt), chunk(b"data", 0, &[7])]);
    assert_eq!(
        decode_audio(&one_byte).unwrap_err().to_string(),
        "no audio samples in the file"
    );
}
