//! Criterion benchmarks of each pipeline stage on real RAVDESS speech (48 kHz), one
//! thread, and of the whole `LogMelExtractor` on a few files.
//!
//!   cargo bench -p ser-dsp --bench stages            (all stages)
//!   cargo bench -p ser-dsp --bench stages -- mel     (one stage)
//!
//! `--bench stage_profile` prints the same stages as one table over the 240-file set.

mod common;

use std::hint::black_box;

use common::*;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ser_dsp::LogMelExtractor;

fn stages(c: &mut Criterion) {
    let files = ravdess_files(&data_dir(), 4);
    // One file from each actor, each stage fed the previous stage's real output.
    let picks: Vec<_> = files.iter().step_by(60).take(4).cloned().collect();
    let audio: Vec<_> = picks.iter().map(|p| stage_decode(p)).collect();
    let rate = audio[0].sample_rate;
    let mut s = Stages::new(rate);
    let resampled: Vec<Vec<f32>> = audio
        .iter()
        .map(|a| stage_resample(&mut s.resampler, &a.samples).to_vec())
        .collect();
    let trimmed: Vec<Vec<f32>> = resampled
        .iter()
        .map(|r| {
            let (a, b) = stage_trim(r, &s.opts);
            r[a..b].to_vec()
        })
        .collect();
    let fixed: Vec<Vec<f32>> = trimmed
        .iter()
        .map(|t| {
            stage_wiener(t, 3, &mut s.filtered);
            let mut f = vec![0.0; s.opts.n_samples()];
            stage_fix_length(&s.filtered, &mut f);
            f
        })
        .collect();

    let mut g = c.benchmark_group("stage");
    g.throughput(Throughput::Elements(picks.len() as u64));
    g.bench_function("decode", |b| {
        b.iter(|| picks.iter().for_each(|p| drop(black_box(stage_decode(p)))))
    });
    g.bench_function("resample", |b| {
        b.iter(|| {
            for a in &audio {
                black_box(stage_resample(&mut s.resampler, &a.samples));
            }
        })
    });
    g.bench_function("trim", |b| {
        b.iter(|| {
            for r in &resampled {
                black_box(stage_trim(r, &s.opts));
            }
        })
    });
    g.bench_function("wiener", |b| {
        b.iter(|| {
            trimmed
                .iter()
                .for_each(|t| stage_wiener(t, 3, &mut s.filtered))
        })
    });
    g.bench_function("fix_length", |b| {
        b.iter(|| {
            trimmed
                .iter()
                .for_each(|t| stage_fix_length(t, &mut s.fixed))
        })
    });
    g.bench_function("stft_power", |b| {
        b.iter(|| fixed.iter().for_each(|y| stage_stft_power(&mut s.stft, y)))
    });
    // The filterbank as the pipeline runs it, inside the STFT's blocks: this minus
    // `stft_power` is the mel stage's cost.
    g.bench_function("stft_power_mel", |b| {
        b.iter(|| {
            fixed
                .iter()
                .for_each(|y| stage_stft_power_mel(&mut s.stft, &s.mel, y, &mut s.out))
        })
    });
    stage_stft_power_mel(&mut s.stft, &s.mel, &fixed[0], &mut s.out);
    let mel_power = s.out.clone();
    g.bench_function("db", |b| {
        b.iter(|| {
            for _ in &picks {
                s.out.copy_from_slice(&mel_power);
                stage_db(&mut s.out, &s.opts);
            }
        })
    });
    let mut slot = vec![0.0; s.out.len()];
    g.bench_function("copy_out", |b| {
        b.iter(|| picks.iter().for_each(|_| stage_copy_out(&s.out, &mut slot)))
    });
    g.finish();

    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Elements(picks.len() as u64));
    let mut ex = LogMelExtractor::new(ser_dsp::DspOptions::default()).unwrap();
    let mut out = vec![0.0; ex.options().feature_len()];
    g.bench_function("extract_file_into", |b| {
        b.iter(|| {
            picks
                .iter()
                .for_each(|p| ex.extract_file_into(p, &mut out).unwrap())
        })
    });
    g.bench_function("extract_into (decoded)", |b| {
        b.iter(|| {
            audio.iter().for_each(|a| {
                ex.extract_into(&a.samples, a.sample_rate, &mut out)
                    .unwrap()
            })
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = stages
}
criterion_main!(benches);
