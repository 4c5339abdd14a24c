//! Augmentation parity with librosa 0.10 (fixtures from
//! tools/parity/make_augment_fixtures.py): `effects.time_stretch` at 1.1 and 0.8,
//! `effects.pitch_shift` by +1.5 semitones, on one pre-processed utterance.
//!
//! Tolerances, as signal-to-difference ratios over the whole output:
//! - time stretch ≥ 40 dB. Same algorithm, but librosa accumulates the phase in
//!   float32, where one rounding step at ~1e5 rad is ~1e-2 rad; our FFT's
//!   float32 rounding differs from pocketfft's, so the two accumulators round
//!   differently in the top bins. That bounds the agreement near 40–50 dB
//!   (rate 1.0 reconstructs the input to ~1e-3 for the same reason).
//! - pitch shift ≥ 40 dB. The stretch above, then a band-limited resampler for
//!   the non-integer ratio 2^(-1.5/12) (rubato's FFT resampler at a rational
//!   ratio within 1e-7 of it, where librosa calls soxr); the resamplers alone
//!   agree to ≥ 60 dB (tests/parity.rs), so the stretch dominates.
//!   The lengths must match exactly.

use std::path::PathBuf;

use ser_dsp::augment::{pitch_shift, time_stretch};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/augment")
}

fn read_f32(name: &str) -> Vec<f32> {
    std::fs::read(fixtures().join(name))
        .unwrap()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

fn snr_db(reference: &[f32], ours: &[f32]) -> f64 {
    let signal: f64 = reference.iter().map(|&x| (x as f64).powi(2)).sum();
    let noise: f64 = reference
        .iter()
        .zip(ours)
        .map(|(&a, &b)| (a as f64 - b as f64).powi(2))
        .sum();
    10.0 * (signal / noise).log10()
}

#[test]
fn time_stretch_matches_librosa() {
    let y = read_f32("input.f32");
    for rate in [1.1, 0.8] {
        let want = read_f32(&format!("stretch_{rate}.f32"));
        let got = time_stretch(&y, rate);
        assert_eq!(got.len(), want.len(), "rate {rate}: length");
        let snr = snr_db(&want, &got);
        println!(
            "time_stretch rate {rate}: SNR {snr:.1} dB over {} samples",
            got.len()
        );
        assert!(snr >= 40.0, "rate {rate}: SNR {snr:.1} dB < 40 dB");
    }
}

#[test]
fn pitch_shift_matches_librosa() {
    let y = read_f32("input.f32");
    let want = read_f32("pitch_1.5.f32");
    let got = pitch_shift(&y, 1.5).unwrap();
    assert_eq!(got.len(), want.len());
    let snr = snr_db(&want, &got);
    println!(
        "pitch_shift +1.5: SNR {snr:.1} dB over {} samples",
        got.len()
    );
    assert!(snr >= 40.0, "SNR {snr:.1} dB < 40 dB");
}
