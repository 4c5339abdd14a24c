//! Power spectrogram `|STFT|²`, as `librosa.stft(center=True, pad_mode='constant')`
//! with a periodic Hann window of `n_fft` samples.
//!
//! The real-FFT plan, the window and the scratch buffers are made once in
//! [`PowerSpectrogram::new`] and reused for every signal.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

/// Periodic Hann window of `n` points (`scipy.signal.get_window('hann', n, fftbins=True)`,
/// librosa's STFT window), computed in f64.
pub fn periodic_hann(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos()) as f32)
        .collect()
}

/// A reusable `|STFT|²` computer for one `(n_fft, hop)` pair.
pub struct PowerSpectrogram {
    n_fft: usize,
    hop: usize,
    window: Vec<f32>,
    fft: Arc<dyn RealToComplex<f32>>,
    frame: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
}

impl PowerSpectrogram {
    /// Plan an STFT of `n_fft` points (even) with hop `hop_length`.
    pub fn new(n_fft: usize, hop_length: usize) -> Self {
        assert!(
            n_fft >= 2 && n_fft % 2 == 0,
            "n_fft must be even and >= 2 (validated by DspOptions)"
        );
        assert!(
            hop_length > 0,
            "hop_length must be > 0 (validated by DspOptions)"
        );
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(n_fft);
        let window = periodic_hann(n_fft);
        Self {
            n_fft,
            hop: hop_length,
            window,
            frame: fft.make_input_vec(),
            spectrum: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
        }
    }

    /// Frequency bins per frame: `n_fft / 2 + 1`.
    pub fn n_bins(&self) -> usize {
        self.n_fft / 2 + 1
    }

    /// Frames of a signal of `len` samples with centred frames: `1 + len / hop`.
    pub fn n_frames(&self, len: usize) -> usize {
        1 + len / self.hop
    }

    /// Write `|X|²` of `y`, frame-major `[n_frames][n_bins]`, into `out`.
    pub fn process_into(&mut self, y: &[f32], out: &mut [f32]) {
        let n_bins = self.n_bins();
        let n_frames = self.n_frames(y.len());
        assert_eq!(
            out.len(),
            n_frames * n_bins,
            "output must hold n_frames * n_bins values"
        );
        let half = (self.n_fft / 2) as isize;
        for (t, row) in out.chunks_exact_mut(n_bins).enumerate() {
            // Frame t covers y[t·hop − n_fft/2 .. t·hop + n_fft/2), zeros outside.
            let start = t as isize * self.hop as isize - half;
            if start >= 0 && start as usize + self.n_fft <= y.len() {
                // Interior frame: a straight windowed copy the compiler vectorises.
                let src = &y[start as usize..start as usize + self.n_fft];
                for ((dst, x), w) in self.frame.iter_mut().zip(src).zip(&self.window) {
                    *dst = x * w;
                }
            } else {
                for (i, (dst, w)) in self.frame.iter_mut().zip(&self.window).enumerate() {
                    let j = start + i as isize;
                    *dst = if j >= 0 && (j as usize) < y.len() {
                        y[j as usize] * w
                    } else {
                        0.0
                    };
                }
            }
            self.fft
                .process_with_scratch(&mut self.frame, &mut self.spectrum, &mut self.scratch)
                .expect("buffers were made by the plan");
            for (p, c) in row.iter_mut().zip(&self.spectrum) {
                *p = c.norm_sqr();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_count_and_parseval() {
        let mut stft = PowerSpectrogram::new(2048, 512);
        let y: Vec<f32> = (0..132_300).map(|i| (i as f32 * 0.05).sin()).collect();
        assert_eq!(stft.n_frames(y.len()), 259);
        let mut out = vec![0.0; 259 * 1025];
        stft.process_into(&y, &mut out);
        // A sine of 0.05 rad/sample sits at bin 0.05 · 2048 / 2π ≈ 16.3.
        let frame = &out[100 * 1025..101 * 1025];
        let peak = frame
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap()
            .0;
        assert!((15..=17).contains(&peak), "peak bin {peak}");
    }
}
