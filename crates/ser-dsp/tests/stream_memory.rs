//! Bounded memory on a long file: a 5-minute 8 kHz recording (whose in-memory pipeline
//! holds ~0.4 GB of decoded, resampled and filtered f32/f64 buffers) is extracted by the
//! streaming pipeline with a peak RSS growth of a few megabytes, and to the same values.
//! Alone in its test binary, so no other test's allocations count; Linux only (reads
//! the peak RSS, VmHWM, from /proc/self/status after resetting it through clear_refs).

use std::io::Write;

use ser_dsp::stream::{preprocess_input_into, AudioInput};
use ser_dsp::{DspOptions, LogMelExtractor};

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[test]
fn a_long_file_streams_in_bounded_memory_with_the_same_result() {
    let sr = 8_000u32;
    let n = 5 * 60 * sr as usize;
    let dir = std::env::temp_dir().join(format!("ser-stream-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("long.wav");
    {
        // Speech-like bursts (a chirp under an envelope) with quiet gaps, written in blocks.
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let data = (2 * n) as u32;
        f.write_all(b"RIFF").unwrap();
        f.write_all(&(36 + data).to_le_bytes()).unwrap();
        f.write_all(b"WAVEfmt ").unwrap();
        for v in [16u32.to_le_bytes().to_vec(), 1u16.to_le_bytes().to_vec()] {
            f.write_all(&v).unwrap();
        }
        f.write_all(&1u16.to_le_bytes()).unwrap();
        f.write_all(&sr.to_le_bytes()).unwrap();
        f.write_all(&(2 * sr).to_le_bytes()).unwrap();
        f.write_all(&2u16.to_le_bytes()).unwrap();
        f.write_all(&16u16.to_le_bytes()).unwrap();
        f.write_all(b"data").unwrap();
        f.write_all(&data.to_le_bytes()).unwrap();
        for i in 0..n {
            let t = i as f32 / sr as f32;
            let env = ((t * 0.7).sin().max(0.0)).powi(2);
            let x = 0.4
                * env
                * (2.0 * std::f32::consts::PI * (200.0 + 30.0 * (t * 3.0).sin()) * t).sin();
            f.write_all(&((x * 32767.0) as i16).to_le_bytes()).unwrap();
        }
    }
    let opts = DspOptions::default();
    let mut ex = LogMelExtractor::new(opts.clone()).unwrap();
    // Threshold 0: decoded block by block from disk, like any file above 16 MiB.
    let input = AudioInput::open_with(&path, 0).unwrap();
    assert!(input.is_streamed());
    let mut fixed = vec![0.0; opts.n_samples()];
    // Warm up (plans, allocator arenas), then measure a second run from a reset peak.
    preprocess_input_into(&input, &opts, &mut fixed).unwrap();
    let can_reset = reset_peak();
    let before = peak_rss_kb();
    preprocess_input_into(&input, &opts, &mut fixed).unwrap();
    let streamed = ex.log_mel(&fixed).unwrap();
    let after = peak_rss_kb();
    if let (true, Some(before), Some(after)) = (can_reset, before, after) {
        let growth_mb = (after.saturating_sub(before)) as f64 / 1024.0;
        // In memory: 2.4 M decoded + 13.2 M resampled f32 samples, plus the Wiener
        // filter's three f64 buffers of the trimmed signal: > 350 MB.
        assert!(growth_mb < 40.0, "peak RSS grew by {growth_mb:.1} MB");
    }

    let in_memory = ex.extract_file(&path).unwrap();
    assert_eq!(streamed, in_memory);
    std::fs::remove_dir_all(&dir).unwrap();
}
