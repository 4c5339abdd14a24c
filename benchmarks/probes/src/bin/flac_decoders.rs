//! The 120 FLAC files of RAVDESS actors 03 and 04, decoded from memory to mono f32, one thread:
//! claxon and symphonia, three rounds (RESULTS.md, "issue 16: what was measured and left").
use std::time::Instant;
use symphonia::core::formats::FormatOptions;
fn main() {
    let data = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data".into());
    let mut files = vec![];
    for a in ["03", "04"] {
        let d = format!("{data}/ravdess/Actor_{a}");
        let mut v: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        files.extend(v);
    }
    let bytes: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    for round in 0..3 {
        let t = Instant::now();
        let mut total = 0usize;
        for b in &bytes {
            let mut r = claxon::FlacReader::new(std::io::Cursor::new(b)).unwrap();
            let bits = r.streaminfo().bits_per_sample;
            let scale = 1.0 / (1u64 << (bits - 1)) as f32;
            let n = r.streaminfo().samples.unwrap_or(0) as usize;
            let mut out: Vec<f32> = Vec::with_capacity(n);
            let mut fr = r.blocks();
            let mut buf = Vec::new();
            while let Some(block) = fr.read_next_or_eof(buf).unwrap() {
                out.extend(block.channel(0).iter().map(|&s| s as f32 * scale));
                buf = block.into_buffer();
            }
            total += out.len();
        }
        let tc = t.elapsed();
        let t = Instant::now();
        let mut total2 = 0usize;
        for b in &bytes {
            use symphonia::core::io::MediaSourceStream;
            let mss = MediaSourceStream::new(
                Box::new(std::io::Cursor::new(b.clone())),
                Default::default(),
            );
            let mut fmt = symphonia::default::get_probe()
                .probe(
                    &Default::default(),
                    mss,
                    FormatOptions::default(),
                    Default::default(),
                )
                .unwrap();
            let track = fmt
                .default_track(symphonia::core::formats::TrackType::Audio)
                .unwrap()
                .clone();
            let mut dec = symphonia::default::get_codecs()
                .make_audio_decoder(
                    track.codec_params.as_ref().unwrap().audio().unwrap(),
                    &Default::default(),
                )
                .unwrap();
            let mut out: Vec<f32> = Vec::new();
            while let Ok(Some(p)) = fmt.next_packet() {
                let buf = dec.decode(&p).unwrap();
                let mut tmp = vec![0f32; buf.frames() * buf.num_planes()];
                buf.copy_to_slice_interleaved(&mut tmp);
                out.extend_from_slice(&tmp);
            }
            total2 += out.len();
        }
        let ts = t.elapsed();
        println!(
            "round {round}: claxon {:.1} us/file ({total}), symphonia {:.1} us/file ({total2})",
            tc.as_secs_f64() * 1e6 / bytes.len() as f64,
            ts.as_secs_f64() * 1e6 / bytes.len() as f64
        );
    }
}
