//! Pitch shift, as `librosa.effects.pitch_shift` (0.10): time-stretch by
//! `rate = 2^(-semitones/12)`, then resample from `sr / rate` to `sr` (a
//! non-integer ratio: the FFT resampler ([`crate::resample`]) at the closest rational ratio
//! where librosa uses soxr), then cut or pad to the input length.

use std::collections::HashMap;

use super::time_stretch::TimeStretcher;
use crate::error::Result;
use crate::resample::Resampler;

/// Largest denominator tried when approximating the resampling ratio.
const MAX_DENOMINATOR: u64 = 1 << 20;

/// Shift the pitch of `y` by `semitones`; same length as `y`. The shift is a ratio,
/// so the sample rate does not enter the result.
///
/// Plans the STFT and the resampler on every call: for many signals, reuse an
/// [`Augmenter`](super::Augmenter) (or a [`PitchShifter`]).
pub fn pitch_shift(y: &[f32], semitones: f64) -> Result<Vec<f32>> {
    PitchShifter::default().process(y, semitones)
}

/// A reusable pitch shifter: the time stretcher's FFT plans and one resampler per
/// rational ratio, made once and kept.
#[derive(Default)]
pub struct PitchShifter {
    stretcher: TimeStretcher,
    resamplers: HashMap<(u32, u32), Resampler>,
}

impl PitchShifter {
    /// The time stretcher it uses (librosa's defaults).
    pub fn stretcher(&self) -> &TimeStretcher {
        &self.stretcher
    }

    /// Shift the pitch of `y` by `semitones`; same length as `y`.
    pub fn process(&mut self, y: &[f32], semitones: f64) -> Result<Vec<f32>> {
        if y.is_empty() {
            return Ok(Vec::new());
        }
        let rate = 2f64.powf(-semitones / 12.0);
        let stretched = self.stretcher.process(y, rate);
        // librosa.resample(orig_sr = sr / rate, target_sr = sr) keeps ceil(len · rate) samples.
        let n_out = (stretched.len() as f64 * rate).ceil() as usize;
        // The FFT resampler takes integer rates: use the best rational p/q ≈ rate whose
        // drift over the whole signal stays below 1/100 sample.
        let (to, from) = rational_approximation(rate, 0.01 / stretched.len().max(1) as f64);
        let (from, to) = (from as u32, to as u32);
        let resampler = self
            .resamplers
            .entry((from, to))
            .or_insert_with(|| Resampler::for_ratio(from, to));
        let mut out = resampler.process(&stretched).to_vec();
        out.resize(n_out, 0.0);
        out.resize(y.len(), 0.0);
        Ok(out)
    }
}

/// The first continued-fraction convergent `p/q` of `x` with `|x − p/q| ≤ tolerance`
/// (or the last one with `q ≤ MAX_DENOMINATOR`).
fn rational_approximation(x: f64, tolerance: f64) -> (u64, u64) {
    let (mut p0, mut q0, mut p1, mut q1) = (0u64, 1u64, 1u64, 0u64);
    let mut rest = x;
    loop {
        let a = rest.floor();
        let (p2, q2) = (a as u64 * p1 + p0, a as u64 * q1 + q0);
        if q2 > MAX_DENOMINATOR {
            return (p1, q1);
        }
        (p0, q0, p1, q1) = (p1, q1, p2, q2);
        let frac = rest - a;
        if (x - p1 as f64 / q1 as f64).abs() <= tolerance || frac < 1e-12 {
            return (p1, q1);
        }
        rest = 1.0 / frac;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rational_approximation_is_close_and_small() {
        let rate = 2f64.powf(-1.5 / 12.0);
        let (p, q) = rational_approximation(rate, 1e-7);
        assert!(
            (rate - p as f64 / q as f64).abs() <= 1e-7 && q < 100_000,
            "{p}/{q}"
        );
        assert_eq!(rational_approximation(0.5, 1e-9), (1, 2));
    }

    #[test]
    fn an_octave_up_doubles_the_frequency() {
        let sr = 16_000;
        let y: Vec<f32> = (0..sr)
            .map(|i| (2.0 * std::f32::consts::PI * 300.0 * i as f32 / sr as f32).sin() * 0.5)
            .collect();
        let shifted = pitch_shift(&y, 12.0).unwrap();
        assert_eq!(shifted.len(), y.len());
        // Count zero crossings in the middle: 600 Hz gives twice as many as 300 Hz.
        let crossings = |s: &[f32]| {
            s.windows(2)
                .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
                .count()
        };
        let (a, b) = (crossings(&y[4000..12000]), crossings(&shifted[4000..12000]));
        assert!(
            (b as f64 / a as f64 - 2.0).abs() < 0.05,
            "{a} -> {b} crossings"
        );
    }
}
