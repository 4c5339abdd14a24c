//! Phase-vocoder time stretch, as `librosa.effects.time_stretch` (0.10):
//! `stft` (n_fft 2048, hop 512, periodic Hann, centred, zero padding) →
//! `phase_vocoder(rate, hop = n_fft / 4)` → `istft(length = round(len / rate))`.
//!
//! librosa keeps the accumulated phase in float32 (`phase_acc += …` on a float32
//! array); this does the same, so the two drift alike on long signals.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use crate::stft::periodic_hann;

/// librosa's default STFT size for `time_stretch`.
pub const STRETCH_N_FFT: usize = 2048;
/// librosa's default hop: `n_fft / 4`.
pub const STRETCH_HOP: usize = STRETCH_N_FFT / 4;

/// Reusable phase-vocoder time stretcher (plans and window made once).
pub struct TimeStretcher {
    n_fft: usize,
    hop: usize,
    window: Vec<f32>,
    forward: Arc<dyn RealToComplex<f32>>,
    inverse: Arc<dyn ComplexToReal<f32>>,
}

impl Default for TimeStretcher {
    fn default() -> Self {
        Self::new(STRETCH_N_FFT, STRETCH_HOP)
    }
}

impl TimeStretcher {
    /// A stretcher with an `n_fft`-point STFT and hop `hop`.
    pub fn new(n_fft: usize, hop: usize) -> Self {
        let mut planner = RealFftPlanner::<f32>::new();
        let window = periodic_hann(n_fft);
        Self {
            n_fft,
            hop,
            window,
            forward: planner.plan_fft_forward(n_fft),
            inverse: planner.plan_fft_inverse(n_fft),
        }
    }

    /// Centred, zero-padded STFT: `[n_frames][n_bins]`.
    fn stft(&self, y: &[f32]) -> Vec<Vec<Complex<f32>>> {
        let n_frames = 1 + y.len() / self.hop;
        let half = (self.n_fft / 2) as isize;
        let mut frame = self.forward.make_input_vec();
        let mut scratch = self.forward.make_scratch_vec();
        (0..n_frames)
            .map(|t| {
                let start = (t * self.hop) as isize - half;
                for (i, (dst, w)) in frame.iter_mut().zip(&self.window).enumerate() {
                    let j = start + i as isize;
                    *dst = if j >= 0 && (j as usize) < y.len() {
                        y[j as usize] * w
                    } else {
                        0.0
                    };
                }
                let mut spectrum = self.forward.make_output_vec();
                self.forward
                    .process_with_scratch(&mut frame, &mut spectrum, &mut scratch)
                    .expect("plan-made buffers");
                spectrum
            })
            .collect()
    }

    /// `librosa.phase_vocoder(D, rate, hop_length)`.
    fn phase_vocoder(&self, frames: &[Vec<Complex<f32>>], rate: f64) -> Vec<Vec<Complex<f32>>> {
        let n_bins = self.n_fft / 2 + 1;
        let n_in = frames.len();
        let n_out = (n_in as f64 / rate).ceil() as usize;
        let phi_advance: Vec<f64> = (0..n_bins)
            .map(|k| k as f64 * std::f64::consts::PI * self.hop as f64 / (n_bins - 1) as f64)
            .collect();
        let zero = vec![Complex::new(0.0f32, 0.0); n_bins];
        let column = |i: usize| if i < n_in { &frames[i] } else { &zero };
        let mut phase_acc: Vec<f32> = frames[0].iter().map(|c| c.arg()).collect();
        let two_pi = 2.0 * std::f64::consts::PI;
        (0..n_out)
            .map(|t| {
                let step = t as f64 * rate;
                let (c0, c1) = (column(step as usize), column(step as usize + 1));
                let alpha = step.rem_euclid(1.0) as f32;
                let out: Vec<Complex<f32>> = (0..n_bins)
                    .map(|k| {
                        let mag = (1.0 - alpha) * c0[k].norm() + alpha * c1[k].norm();
                        let (sin, cos) = phase_acc[k].sin_cos();
                        let z = Complex::new(mag * cos, mag * sin);
                        let mut dphase = (c1[k].arg() - c0[k].arg()) as f64 - phi_advance[k];
                        dphase -= two_pi * (dphase / two_pi).round_ties_even();
                        phase_acc[k] = (phase_acc[k] as f64 + (phi_advance[k] + dphase)) as f32;
                        z
                    })
                    .collect();
                out
            })
            .collect()
    }

    /// Centred inverse STFT with window-sum-square normalisation, cut or padded to `length`.
    fn istft(&self, frames: &[Vec<Complex<f32>>], length: usize) -> Vec<f32> {
        let n_fft = self.n_fft;
        let n_frames = frames.len().min((length + n_fft).div_ceil(self.hop));
        let signal_len = n_fft + self.hop * n_frames.saturating_sub(1);
        let mut y = vec![0.0f32; signal_len];
        let mut norm = vec![0.0f32; signal_len];
        let mut spectrum = self.inverse.make_input_vec();
        let mut frame = self.inverse.make_output_vec();
        let mut scratch = self.inverse.make_scratch_vec();
        let scale = 1.0 / n_fft as f32;
        for (t, column) in frames.iter().take(n_frames).enumerate() {
            spectrum.copy_from_slice(column);
            // irfft ignores the imaginary parts of the DC and Nyquist bins.
            spectrum[0].im = 0.0;
            spectrum[n_fft / 2].im = 0.0;
            self.inverse
                .process_with_scratch(&mut spectrum, &mut frame, &mut scratch)
                .expect("plan-made buffers");
            let offset = t * self.hop;
            for i in 0..n_fft {
                y[offset + i] += frame[i] * scale * self.window[i];
                norm[offset + i] += self.window[i] * self.window[i];
            }
        }
        for (v, w) in y.iter_mut().zip(&norm) {
            if *w > f32::MIN_POSITIVE {
                *v /= w;
            }
        }
        let start = n_fft / 2;
        let mut out: Vec<f32> = y.get(start..).unwrap_or(&[]).to_vec();
        out.resize(length, 0.0);
        out
    }

    /// Stretch `y` by `rate` (> 1 faster): `round(len / rate)` samples.
    pub fn process(&self, y: &[f32], rate: f64) -> Vec<f32> {
        let length = (y.len() as f64 / rate).round_ties_even() as usize;
        if y.is_empty() || length == 0 {
            return vec![0.0; length];
        }
        let frames = self.stft(y);
        let stretched = self.phase_vocoder(&frames, rate);
        self.istft(&stretched, length)
    }
}

/// Time-stretch `y` by `rate` with librosa's defaults (n_fft 2048, hop 512).
///
/// Plans the FFTs on every call: for many signals, reuse a [`TimeStretcher`] (or an
/// [`Augmenter`](super::Augmenter)).
pub fn time_stretch(y: &[f32], rate: f64) -> Vec<f32> {
    TimeStretcher::default().process(y, rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_len_over_rate_and_rate_one_reconstructs() {
        let y: Vec<f32> = (0..44_100).map(|i| (i as f32 * 0.05).sin() * 0.4).collect();
        assert_eq!(time_stretch(&y, 1.1).len(), 40_091);
        assert_eq!(time_stretch(&y, 0.8).len(), 55_125);
        let same = time_stretch(&y, 1.0);
        let err = same
            .iter()
            .zip(&y)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        // Not exact: like librosa, the accumulated phase is float32, whose rounding at
        // ~1e5 rad is ~1e-2 rad in the top bins; that bounds the error near 1e-3.
        assert!(
            err < 2e-3,
            "rate 1 must reconstruct the input, max error {err}"
        );
    }
}
