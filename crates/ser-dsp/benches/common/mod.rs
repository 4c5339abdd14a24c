//! Shared by the benches: the benchmark file set and the pipeline cut into its
//! stages, each an `#[inline(never)]` function so a profiler (callgrind, perf)
//! can charge every instruction to the stage that ran it.

#![allow(dead_code)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use ser_dsp::decode::{read_wav, Audio};
use ser_dsp::fix_length::fix_length_into;
use ser_dsp::mel::MelFilterbank;
use ser_dsp::resample::Resampler;
use ser_dsp::stft::PowerSpectrogram;
use ser_dsp::to_db::power_to_db_in_place;
use ser_dsp::trim::trim_bounds;
use ser_dsp::wiener::wiener_into;
use ser_dsp::DspOptions;

/// `../shared/data/ravdess` next to the repository (override with `SER_BENCH_DATA`).
pub fn data_dir() -> PathBuf {
    std::env::var_os("SER_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/ravdess")
        })
}

/// Audio files (WAV or FLAC) of the first `actors` actor folders under `dir`, sorted;
/// RAVDESS has 60 per actor, so 4 actors are the 240-file set.
pub fn ravdess_files(dir: &Path, actors: usize) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    let mut files = Vec::new();
    for folder in folders.into_iter().take(actors) {
        let mut these: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                matches!(
                    p.extension()
                        .and_then(|e| e.to_str())
                        .map(str::to_ascii_lowercase)
                        .as_deref(),
                    Some("wav" | "flac")
                )
            })
            .collect();
        these.sort();
        files.extend(these);
    }
    files
}

/// The stages of [`ser_dsp::LogMelExtractor`], with their buffers, run one by one.
pub struct Stages {
    pub opts: DspOptions,
    pub resampler: Resampler,
    pub stft: PowerSpectrogram,
    pub mel: MelFilterbank,
    pub filtered: Vec<f32>,
    pub fixed: Vec<f32>,
    pub out: Vec<f32>,
}

impl Stages {
    /// Buffers for 48 kHz input (RAVDESS).
    pub fn new(from_hz: u32) -> Self {
        let opts = DspOptions::default();
        let stft = PowerSpectrogram::new(opts.n_fft, opts.hop_length);
        let mel = MelFilterbank::for_options(&opts);
        Self {
            resampler: Resampler::new(from_hz, opts.sample_rate).unwrap(),
            filtered: Vec::new(),
            fixed: vec![0.0; opts.n_samples()],
            out: vec![0.0; opts.feature_len()],
            stft,
            mel,
            opts,
        }
    }
}

#[inline(never)]
pub fn stage_decode(path: &Path) -> Audio {
    read_wav(path).unwrap()
}

#[inline(never)]
pub fn stage_resample<'a>(r: &'a mut Resampler, x: &[f32]) -> &'a [f32] {
    r.process(x)
}

#[inline(never)]
pub fn stage_trim(x: &[f32], o: &DspOptions) -> (usize, usize) {
    trim_bounds(x, o.trim_top_db, o.trim_frame_length, o.trim_hop_length)
}

#[inline(never)]
pub fn stage_wiener(x: &[f32], size: usize, out: &mut Vec<f32>) {
    out.resize(x.len(), 0.0);
    wiener_into(x, size, out).unwrap();
}

#[inline(never)]
pub fn stage_fix_length(x: &[f32], out: &mut [f32]) {
    fix_length_into(x, out);
}

/// STFT and power in the pipeline's blocks of `BLOCK` frames (bin-major), each block
/// handed to nothing: the cost [`stage_stft_power_mel`] has before its filterbank.
#[inline(never)]
pub fn stage_stft_power(stft: &mut PowerSpectrogram, y: &[f32]) {
    stft.process_blocks(y, |_, _, block| {
        black_box(block);
    });
}

/// STFT, power and mel power fused as `LogMelExtractor::log_mel_into` runs them: each
/// block of frames goes through the filterbank while it is in cache (mel-major `out`).
#[inline(never)]
pub fn stage_stft_power_mel(
    stft: &mut PowerSpectrogram,
    mel: &MelFilterbank,
    y: &[f32],
    out: &mut [f32],
) {
    let n_frames = stft.n_frames(y.len());
    stft.process_blocks(y, |t0, count, block| {
        mel.apply_block(block, t0, count, n_frames, out)
    });
}

#[inline(never)]
pub fn stage_db(out: &mut [f32], o: &DspOptions) {
    power_to_db_in_place(out, o.db_ref, o.amin, o.top_db);
}

/// The in-process batch writes each spectrogram straight into its output slot; this
/// is the one copy a caller that collects per-file vectors would add.
#[inline(never)]
pub fn stage_copy_out(src: &[f32], dst: &mut [f32]) {
    dst.copy_from_slice(src);
}
