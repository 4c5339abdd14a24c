//! Per-stage cost of the log-mel pipeline on the benchmark file set, one thread.
//!
//!   cargo bench -p ser-dsp --bench stage_profile [-- --actors 4 --repeat 3]
//!
//! Runs every file (or every K-th with `--every K`) through the stages of `LogMelExtractor` one by one (decode,
//! resample, trim, Wiener, fix length, STFT + power, mel, dB, copy-out), timing each,
//! then the whole `LogMelExtractor::extract_file_into` for comparison, and prints
//! µs per file and the share of each stage. The STFT runs in the pipeline's blocks of
//! frames, and the pipeline applies the filterbank to each block inside that pass: the
//! mel stage is what the fused pass costs beyond an STFT-only pass over the same blocks.
//! Wall time depends on the machine's load;
//! for figures that do not, run the same binary under callgrind and read the
//! inclusive instruction counts of the `stage_*` functions:
//!
//!   valgrind --tool=callgrind --callgrind-out-file=cg.out \
//!     target/release/deps/stage_profile-<hash> --every 8 --repeat 0
//!   callgrind_annotate --inclusive=yes cg.out | grep -E 'stage_|extract_file_into'
//!
//! `--whole-only` skips the stage-by-stage pass, for a sampling profiler
//! (`perf record -e cpu-clock … --whole-only`) that should see the pipeline alone.

mod common;

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use common::*;
use ser_dsp::LogMelExtractor;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} takes a number"))
        })
        .unwrap_or(default)
}

const STAGES: [&str; 9] = [
    "decode",
    "resample",
    "trim",
    "wiener",
    "fix length",
    "STFT + power",
    "mel",
    "dB",
    "copy-out",
];

/// The file's container by its extension, upper-case (`WAV`, `FLAC`).
fn container_of(path: &std::path::Path) -> String {
    path.extension().map_or_else(
        || "no extension".into(),
        |e| e.to_string_lossy().to_uppercase(),
    )
}

#[inline(never)]
fn whole(ex: &mut LogMelExtractor, path: &std::path::Path, out: &mut [f32]) {
    ex.extract_file_into(path, out).unwrap();
}

fn main() {
    let actors = arg("--actors", 4);
    // `--repeat 0`: the untimed pass only (for callgrind, which counts instructions anyway).
    let repeat = arg("--repeat", 3);
    // `--every K`: every K-th file only (a quicker callgrind run over the same mix).
    let every = arg("--every", 1).max(1);
    // `--whole-only`: skip the stage-by-stage pass (a profiler then sees the pipeline alone).
    let whole_only = std::env::args().any(|a| a == "--whole-only");
    let files: Vec<_> = ravdess_files(&data_dir(), actors)
        .into_iter()
        .step_by(every)
        .collect();
    assert!(!files.is_empty(), "no files under {}", data_dir().display());
    let mut stages: HashMap<u32, Stages> = HashMap::new();
    let mut slot = vec![0.0f32; ser_dsp::DspOptions::default().feature_len()];
    let mut spent = [Duration::ZERO; STAGES.len()];
    let mut ex = LogMelExtractor::new(ser_dsp::DspOptions::default()).unwrap();
    let mut whole_time = Duration::ZERO;
    // Decode time and file count per container (file extension), stage pass only.
    let mut decode_by_container: std::collections::BTreeMap<String, (Duration, usize)> =
        Default::default();
    // One untimed pass first: plans, page faults, file cache.
    for pass in 0..=repeat {
        for path in files.iter().filter(|_| !whole_only) {
            let mut laps = [Duration::ZERO; STAGES.len()];
            let mut lap = Instant::now();
            let mut mark = |i: usize, laps: &mut [Duration]| {
                let now = Instant::now();
                laps[i] = now - lap;
                lap = now;
            };
            let audio = stage_decode(path);
            mark(0, &mut laps);
            let s = stages
                .entry(audio.sample_rate)
                .or_insert_with(|| Stages::new(audio.sample_rate));
            let resampled = if audio.sample_rate == s.opts.sample_rate {
                &audio.samples[..]
            } else {
                stage_resample(&mut s.resampler, &audio.samples)
            };
            mark(1, &mut laps);
            let (a, b) = stage_trim(resampled, &s.opts);
            mark(2, &mut laps);
            stage_wiener(&resampled[a..b], s.opts.wiener_size, &mut s.filtered);
            mark(3, &mut laps);
            stage_fix_length(&s.filtered, &mut s.fixed);
            mark(4, &mut laps);
            stage_stft_power(&mut s.stft, &s.fixed);
            mark(5, &mut laps);
            // The pipeline runs the filterbank inside the STFT's blocks: the mel stage is
            // what that fused pass costs beyond the STFT-only pass just timed.
            stage_stft_power_mel(&mut s.stft, &s.mel, &s.fixed, &mut s.out);
            mark(6, &mut laps);
            laps[6] = laps[6].saturating_sub(laps[5]);
            stage_db(&mut s.out, &s.opts);
            mark(7, &mut laps);
            stage_copy_out(&s.out, &mut slot);
            mark(8, &mut laps);
            black_box(&slot);
            if pass > 0 {
                spent.iter_mut().zip(laps).for_each(|(s, l)| *s += l);
                let container = container_of(path);
                let e = decode_by_container.entry(container).or_default();
                e.0 += laps[0];
                e.1 += 1;
            }
        }
        for path in &files {
            let t = Instant::now();
            whole(&mut ex, path, &mut slot);
            if pass > 0 {
                whole_time += t.elapsed();
            }
            black_box(&slot);
        }
    }
    if repeat == 0 {
        return;
    }
    let n = (files.len() * repeat) as f64;
    let total: Duration = spent.iter().sum();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "stage profile: {} files x {repeat} passes, 1 thread; load average {}",
        files.len(),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!("| stage | µs / file | share |");
    println!("|---|---:|---:|");
    if !whole_only {
        for (name, d) in STAGES.iter().zip(&spent) {
            println!(
                "| {name} | {:.0} | {:.1} % |",
                d.as_secs_f64() * 1e6 / n,
                100.0 * d.as_secs_f64() / total.as_secs_f64()
            );
        }
        println!(
            "| **sum of stages** | **{:.0}** | 100 % |",
            total.as_secs_f64() * 1e6 / n
        );
    }
    for (container, (d, files)) in &decode_by_container {
        println!(
            "| decode, {container} files only ({}) | {:.0} | — |",
            files / repeat,
            d.as_secs_f64() * 1e6 / *files as f64
        );
    }
    println!(
        "| whole `extract_file_into` | {:.0} | {:.2} files/s |",
        whole_time.as_secs_f64() * 1e6 / n,
        n / whole_time.as_secs_f64()
    );
}
