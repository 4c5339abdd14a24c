//! Mel filterbank, as `librosa.filters.mel(norm='slaney')` with the Slaney or HTK
//! mel scale, and its application to a power spectrogram.
//!
//! Weights are computed in f64 and stored as f32 like librosa's; each filter's
//! non-zero span is kept so applying it touches only those bins.

use crate::options::{DspOptions, MelScale};
use crate::stft::BLOCK;

/// Slaney's scale: linear, 200/3 Hz per mel, up to 1 kHz (mel 15), logarithmic above
/// with a step of ln(6.4)/27 per mel (librosa's constants).
const SLANEY_F_SP: f64 = 200.0 / 3.0;
const SLANEY_MIN_LOG_HZ: f64 = 1000.0;
const SLANEY_MIN_LOG_MEL: f64 = SLANEY_MIN_LOG_HZ / SLANEY_F_SP;

fn slaney_logstep() -> f64 {
    6.4f64.ln() / 27.0
}

/// Hz → mel on the given scale (librosa `hz_to_mel`).
pub fn hz_to_mel(hz: f64, scale: MelScale) -> f64 {
    match scale {
        MelScale::Htk => 2595.0 * (1.0 + hz / 700.0).log10(),
        MelScale::Slaney => {
            if hz >= SLANEY_MIN_LOG_HZ {
                SLANEY_MIN_LOG_MEL + (hz / SLANEY_MIN_LOG_HZ).ln() / slaney_logstep()
            } else {
                hz / SLANEY_F_SP
            }
        }
    }
}

/// Mel → Hz on the given scale (librosa `mel_to_hz`).
pub fn mel_to_hz(mel: f64, scale: MelScale) -> f64 {
    match scale {
        MelScale::Htk => 700.0 * (10f64.powf(mel / 2595.0) - 1.0),
        MelScale::Slaney => {
            if mel >= SLANEY_MIN_LOG_MEL {
                SLANEY_MIN_LOG_HZ * (slaney_logstep() * (mel - SLANEY_MIN_LOG_MEL)).exp()
            } else {
                SLANEY_F_SP * mel
            }
        }
    }
}

/// A triangular, area-normalised (Slaney) mel filterbank.
#[derive(Debug, Clone)]
pub struct MelFilterbank {
    n_mels: usize,
    n_bins: usize,
    /// Mel-major `[n_mels][n_bins]`.
    weights: Vec<f32>,
    /// Non-zero bin range of each filter.
    spans: Vec<(usize, usize)>,
    /// Bands whose filter has no non-zero weight although its upper edge is above 0 Hz.
    empty: Vec<usize>,
    /// Whether the CPU has AVX (checked once): [`apply_block`](Self::apply_block) then
    /// keeps a block's `BLOCK` frames in one register.
    avx: bool,
}

impl MelFilterbank {
    /// The filterbank of `opts`: [`new`](Self::new) with its sample rate, FFT size, band
    /// count, `fmin`, effective `fmax` ([`DspOptions::fmax_hz`]) and mel scale.
    pub fn for_options(opts: &DspOptions) -> Self {
        Self::new(
            opts.sample_rate,
            opts.n_fft,
            opts.n_mels,
            opts.fmin,
            opts.fmax_hz(),
            opts.mel_scale,
        )
    }

    /// Filters for an `n_fft`-point STFT at `sample_rate`, `n_mels` bands from `fmin` to `fmax` Hz.
    pub fn new(
        sample_rate: u32,
        n_fft: usize,
        n_mels: usize,
        fmin: f32,
        fmax: f32,
        scale: MelScale,
    ) -> Self {
        let n_bins = n_fft / 2 + 1;
        let sr = sample_rate as f64;
        let fft_freqs: Vec<f64> = (0..n_bins).map(|k| k as f64 * sr / n_fft as f64).collect();
        let (min_mel, max_mel) = (hz_to_mel(fmin as f64, scale), hz_to_mel(fmax as f64, scale));
        let n_points = n_mels + 2;
        let step = (max_mel - min_mel) / (n_points - 1) as f64;
        let mel_f: Vec<f64> = (0..n_points)
            .map(|i| {
                if i == n_points - 1 {
                    max_mel
                } else {
                    min_mel + i as f64 * step
                }
            })
            .map(|m| mel_to_hz(m, scale))
            .collect();
        let mut weights = vec![0.0f32; n_mels * n_bins];
        let mut spans = Vec::with_capacity(n_mels);
        for m in 0..n_mels {
            let (lo, mid, hi) = (mel_f[m], mel_f[m + 1], mel_f[m + 2]);
            let enorm = 2.0 / (hi - lo);
            let row = &mut weights[m * n_bins..(m + 1) * n_bins];
            let (mut first, mut last) = (n_bins, 0);
            for (k, &f) in fft_freqs.iter().enumerate() {
                let lower = (f - lo) / (mid - lo);
                let upper = (hi - f) / (hi - mid);
                let w = lower.min(upper).max(0.0) * enorm;
                if w > 0.0 {
                    row[k] = w as f32;
                    first = first.min(k);
                    last = k;
                }
            }
            spans.push(if first <= last {
                (first, last + 1)
            } else {
                (0, 0)
            });
        }
        // librosa warns when a band is empty unless its upper edge is 0 Hz:
        // `not np.all((mel_f[2:n_mels + 2] == 0) | (weights.max(axis=1) > 0))`.
        let empty = (0..n_mels)
            .filter(|&m| spans[m].0 == spans[m].1 && mel_f[m + 2] != 0.0)
            .collect();
        Self {
            n_mels,
            n_bins,
            weights,
            spans,
            empty,
            avx: crate::cpu::has_avx(),
        }
    }

    /// The bands (0-based) whose filter is all zeros: they will always read `amin`
    /// (librosa warns "Empty filters detected in mel frequency basis" for the same
    /// bands). Too many mel bands for the FFT size, or an `fmax` too low, cause it.
    pub fn empty_filters(&self) -> &[usize] {
        &self.empty
    }

    /// librosa's warning about empty bands as one line, or nothing when every band has
    /// weights.
    pub fn warnings(&self) -> Vec<String> {
        if self.empty.is_empty() {
            return Vec::new();
        }
        let shown: Vec<String> = self.empty.iter().take(8).map(|m| m.to_string()).collect();
        vec![format!(
            "empty filters detected in mel frequency basis: {} of {} bands have no weight (bands {}{}); some channels will produce empty responses, try increasing nFft (or fmax) or reducing nMels",
            self.empty.len(),
            self.n_mels,
            shown.join(", "),
            if self.empty.len() > shown.len() { ", …" } else { "" }
        )]
    }

    /// Number of mel bands.
    pub fn n_mels(&self) -> usize {
        self.n_mels
    }

    /// Number of STFT bins each filter spans.
    pub fn n_bins(&self) -> usize {
        self.n_bins
    }

    /// The weights, mel-major `[n_mels][n_bins]`.
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// Mel power `out[m][t] = Σ_k w[m][k] · power[t][k]`; `power` is frame-major
    /// `[n_frames][n_bins]`, `out` mel-major `[n_mels][n_frames]`.
    ///
    /// # Panics
    /// When `power` does not hold `n_frames · n_bins` values or `out` `n_mels · n_frames`.
    pub fn apply_into(&self, power: &[f32], n_frames: usize, out: &mut [f32]) {
        assert_eq!(
            power.len(),
            n_frames * self.n_bins,
            "power must be [n_frames][n_bins]"
        );
        assert_eq!(
            out.len(),
            self.n_mels * n_frames,
            "out must be [n_mels][n_frames]"
        );
        for (m, out_row) in out.chunks_exact_mut(n_frames).enumerate() {
            let (a, b) = self.spans[m];
            let w = &self.weights[m * self.n_bins + a..m * self.n_bins + b];
            for (t, dst) in out_row.iter_mut().enumerate() {
                let p = &power[t * self.n_bins + a..t * self.n_bins + b];
                *dst = w.iter().zip(p).map(|(w, p)| w * p).sum();
            }
        }
    }
}

impl MelFilterbank {
    /// Mel power of one block of [`PowerSpectrogram::process_blocks`]: `block` holds
    /// frames `t0 .. t0 + count` bin-major (`block[k · BLOCK + j]`); their mel powers go to
    /// `out[m · n_frames + t0 + j]` (mel-major `[n_mels][n_frames]`).
    ///
    /// Each band touches only its non-zero span and sums it in bin order for `BLOCK`
    /// frames at once, so the values are those of [`apply_into`](Self::apply_into).
    ///
    /// # Panics
    /// When `block` does not hold `n_bins · BLOCK` values, `count > BLOCK`,
    /// `t0 + count > n_frames`, or `out` does not hold `n_mels · n_frames` values.
    ///
    /// [`PowerSpectrogram::process_blocks`]: crate::stft::PowerSpectrogram::process_blocks
    pub fn apply_block(
        &self,
        block: &[f32],
        t0: usize,
        count: usize,
        n_frames: usize,
        out: &mut [f32],
    ) {
        #[cfg(target_arch = "x86_64")]
        if self.avx {
            // SAFETY: `avx` is true only when the CPU reported AVX at run time.
            unsafe { self.apply_block_avx(block, t0, count, n_frames, out) };
            return;
        }
        self.apply_block_body(block, t0, count, n_frames, out);
    }

    /// [`apply_block`](Self::apply_block) compiled for AVX (the same operations).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn apply_block_avx(
        &self,
        block: &[f32],
        t0: usize,
        count: usize,
        n_frames: usize,
        out: &mut [f32],
    ) {
        self.apply_block_body(block, t0, count, n_frames, out)
    }

    #[inline(always)]
    fn apply_block_body(
        &self,
        block: &[f32],
        t0: usize,
        count: usize,
        n_frames: usize,
        out: &mut [f32],
    ) {
        assert_eq!(
            block.len(),
            self.n_bins * BLOCK,
            "block must be [n_bins][BLOCK]"
        );
        assert!(
            count <= BLOCK && t0 + count <= n_frames,
            "frames out of range"
        );
        assert_eq!(
            out.len(),
            self.n_mels * n_frames,
            "out must be [n_mels][n_frames]"
        );
        for (m, out_row) in out.chunks_exact_mut(n_frames).enumerate() {
            let (a, b) = self.spans[m];
            let w = &self.weights[m * self.n_bins + a..m * self.n_bins + b];
            let p = &block[a * BLOCK..b * BLOCK];
            let mut acc = [0.0f32; BLOCK];
            for (&w, p) in w.iter().zip(p.chunks_exact(BLOCK)) {
                for (acc, &p) in acc.iter_mut().zip(p) {
                    *acc += w * p;
                }
            }
            out_row[t0..t0 + count].copy_from_slice(&acc[..count]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_round_trip_and_slaney_is_linear_below_1k() {
        for scale in [MelScale::Slaney, MelScale::Htk] {
            for hz in [0.0, 440.0, 1000.0, 8000.0, 22050.0] {
                assert!((mel_to_hz(hz_to_mel(hz, scale), scale) - hz).abs() < 1e-6);
            }
        }
        assert!((hz_to_mel(500.0, MelScale::Slaney) - 7.5).abs() < 1e-12);
    }

    #[test]
    fn filters_are_triangles_with_unit_area_in_hz() {
        let fb = MelFilterbank::new(44_100, 2048, 128, 0.0, 22_050.0, MelScale::Slaney);
        assert_eq!(fb.weights().len(), 128 * 1025);
        // Slaney normalisation: each triangle has area ≈ 1 (in Hz · weight / bin width).
        let df = 44_100.0 / 2048.0;
        let area: f32 = fb.weights()[64 * 1025..65 * 1025].iter().sum::<f32>() * df;
        assert!((area - 1.0).abs() < 0.05, "area {area}");
    }

    #[test]
    fn empty_bands_are_reported_like_librosa_warns() {
        // 128 bands over a 256-point FFT: the lowest bands fall between bins.
        let fb = MelFilterbank::new(22_050, 256, 128, 0.0, 11_025.0, MelScale::Slaney);
        assert!(!fb.empty_filters().is_empty());
        assert!(fb.empty_filters().iter().all(|&m| {
            fb.weights()[m * fb.n_bins()..(m + 1) * fb.n_bins()]
                .iter()
                .all(|&w| w == 0.0)
        }));
        let warnings = fb.warnings();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("empty filters detected in mel frequency basis"));
        // The default filterbank has weights in every band.
        let fb = MelFilterbank::new(44_100, 2048, 128, 0.0, 22_050.0, MelScale::Slaney);
        assert!(fb.empty_filters().is_empty() && fb.warnings().is_empty());
    }

    #[test]
    fn blocks_give_the_values_of_the_frame_major_product() {
        use crate::stft::PowerSpectrogram;
        let mut fb = MelFilterbank::new(22_050, 512, 40, 0.0, 11_025.0, MelScale::Slaney);
        let mut stft = PowerSpectrogram::new(512, 128);
        let y: Vec<f32> = (0..9000)
            .map(|i| (i as f32 * 0.07).sin() + (i as f32 * 0.9).cos() * 0.1)
            .collect();
        let n_frames = stft.n_frames(y.len());
        let mut power = vec![0.0; n_frames * 257];
        stft.process_into(&y, &mut power);
        let mut want = vec![0.0; 40 * n_frames];
        fb.apply_into(&power, n_frames, &mut want);
        for avx in [false, crate::cpu::has_avx()] {
            fb.avx = avx;
            let mut got = vec![f32::NAN; 40 * n_frames];
            stft.process_blocks(&y, |t0, count, block| {
                fb.apply_block(block, t0, count, n_frames, &mut got)
            });
            assert_eq!(got, want, "avx {avx}");
        }
    }
}
