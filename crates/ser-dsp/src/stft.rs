//! Power spectrogram `|STFT|²`, as `librosa.stft(center=True, pad_mode='constant')`
//! with a periodic Hann window of `n_fft` samples.
//!
//! The FFT plan, the window, the twiddles and the scratch buffers are made once in
//! [`PowerSpectrogram::new`] and reused for every signal.
//!
//! The real FFT of `n_fft` points is the usual half-length complex FFT (rustfft, whose
//! planner picks its AVX kernels at run time) of the even/odd samples packed as complex
//! numbers, followed by the split into the real spectrum. That split is written here,
//! not taken from realfft, so that it can square the bins on the way out and run as a
//! plain loop over arrays the compiler vectorises — with AVX when the CPU has it,
//! chosen at run time (`is_x86_feature_detected!`), so the published build needs no
//! `target-cpu` flag. Both code paths execute the same operations, so the result does
//! not depend on the CPU.

use std::sync::Arc;

use realfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

use crate::cpu::has_avx;

/// Periodic Hann window of `n` points (`scipy.signal.get_window('hann', n, fftbins=True)`,
/// librosa's STFT window), computed in f64.
pub fn periodic_hann(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos()) as f32)
        .collect()
}

/// Frames per block of [`PowerSpectrogram::process_blocks`]: one AVX register of f32.
pub const BLOCK: usize = 8;

/// A reusable `|STFT|²` computer for one `(n_fft, hop)` pair.
pub struct PowerSpectrogram {
    n_fft: usize,
    hop: usize,
    window: Vec<f32>,
    /// Complex FFT of `n_fft / 2` points.
    fft: Arc<dyn Fft<f32>>,
    /// The windowed frame, even samples in `re`, odd ones in `im`, transformed in place
    /// (the first `n_fft / 2`); one more value repeats the first, so bin `k`'s mirror
    /// `n_fft/2 − k` needs no wrap-around.
    packed: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// `exp(−2πik / n_fft)` for `k = 0 ..= n_fft / 2`, computed in f64.
    tw_re: Vec<f32>,
    tw_im: Vec<f32>,
    /// The same twiddles with each run of 8 in the lane order of [`split_power_avx`].
    tw_lanes_re: Vec<f32>,
    tw_lanes_im: Vec<f32>,
    avx: bool,
    /// [`BLOCK`] frames' power, frame-major, before [`transpose_block`] makes them bin-major.
    rows: Vec<f32>,
    block: Vec<f32>,
}

impl PowerSpectrogram {
    /// Plan an STFT of `n_fft` points (even) with hop `hop_length`.
    ///
    /// # Panics
    /// When `n_fft` is odd or below 2, or `hop_length` is 0 ([`DspOptions`] rejects
    /// both before a pipeline gets here).
    ///
    /// [`DspOptions`]: crate::DspOptions
    pub fn new(n_fft: usize, hop_length: usize) -> Self {
        assert!(
            n_fft >= 2 && n_fft % 2 == 0,
            "n_fft must be even and >= 2 (validated by DspOptions)"
        );
        assert!(
            hop_length > 0,
            "hop_length must be > 0 (validated by DspOptions)"
        );
        let m = n_fft / 2;
        let fft = FftPlanner::<f32>::new().plan_fft_forward(m);
        let (tw_re, tw_im): (Vec<f32>, Vec<f32>) = (0..=m)
            .map(|k| {
                let phase = -2.0 * std::f64::consts::PI * k as f64 / n_fft as f64;
                (phase.cos() as f32, phase.sin() as f32)
            })
            .unzip();
        let (tw_lanes_re, tw_lanes_im) = (avx_lane_order(&tw_re), avx_lane_order(&tw_im));
        Self {
            n_fft,
            hop: hop_length,
            window: periodic_hann(n_fft),
            packed: vec![Complex::default(); m + 1],
            scratch: vec![Complex::default(); fft.get_inplace_scratch_len()],
            tw_re,
            tw_im,
            tw_lanes_re,
            tw_lanes_im,
            avx: has_avx(),
            rows: Vec::new(),
            block: Vec::new(),
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

    /// Window frame `t` of `y` (centred, zeros beyond the edges), transform it and
    /// write `|X[k]|²` into `power` (`n_bins` values).
    fn transform_frame(&mut self, y: &[f32], t: usize, power: &mut [f32]) {
        let half = (self.n_fft / 2) as isize;
        // Frame t covers y[t·hop − n_fft/2 .. t·hop + n_fft/2), zeros outside.
        let start = t as isize * self.hop as isize - half;
        let m = self.n_fft / 2;
        if start >= 0 && start as usize + self.n_fft <= y.len() {
            // Interior frame: a straight windowed copy.
            let src = &y[start as usize..start as usize + self.n_fft];
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            if self.avx {
                // SAFETY: `avx` is true only when the CPU reported AVX at run time.
                unsafe { window_frame_avx(src, &self.window, &mut self.packed[..m]) };
            } else {
                window_frame(src, &self.window, &mut self.packed[..m]);
            }
            #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
            window_frame(src, &self.window, &mut self.packed[..m]);
        } else {
            let at = |i: usize| {
                let j = start + i as isize;
                if j >= 0 && (j as usize) < y.len() {
                    y[j as usize] * self.window[i]
                } else {
                    0.0
                }
            };
            for (n, dst) in self.packed[..m].iter_mut().enumerate() {
                *dst = Complex::new(at(2 * n), at(2 * n + 1));
            }
        }
        self.fft
            .process_with_scratch(&mut self.packed[..m], &mut self.scratch);
        self.packed[m] = self.packed[0];
        #[cfg(target_arch = "x86_64")]
        if self.avx {
            // SAFETY: `avx` is true only when the CPU reported AVX at run time.
            unsafe { split_power_avx(&self.packed, &self.tw_lanes_re, &self.tw_lanes_im, power) };
            return;
        }
        split_power(&self.packed, &self.tw_re, &self.tw_im, power, 0);
    }

    /// Write `|X|²` of `y`, frame-major `[n_frames][n_bins]`, into `out`.
    ///
    /// # Panics
    /// When `out` does not hold `n_frames(y.len()) · n_bins()` values.
    pub fn process_into(&mut self, y: &[f32], out: &mut [f32]) {
        let n_bins = self.n_bins();
        let n_frames = self.n_frames(y.len());
        assert_eq!(
            out.len(),
            n_frames * n_bins,
            "output must hold n_frames * n_bins values"
        );
        for (t, row) in out.chunks_exact_mut(n_bins).enumerate() {
            self.transform_frame(y, t, row);
        }
    }

    /// `|X|²` of `y`, [`BLOCK`] frames at a time: for each run of frames `t0 .. t0 + count`
    /// (`count` = `BLOCK` except for the last run), `f(t0, count, block)` gets their power
    /// bin-major, `block[k · BLOCK + j]` = bin `k` of frame `t0 + j` (zeros for
    /// `j >= count`). The block (`n_bins · BLOCK` values, 32 kB by default) stays in
    /// the L1/L2 cache, and a consumer such as [`MelFilterbank::apply_block`] can work
    /// on `BLOCK` frames per instruction.
    ///
    /// [`MelFilterbank::apply_block`]: crate::mel::MelFilterbank::apply_block
    pub fn process_blocks(&mut self, y: &[f32], mut f: impl FnMut(usize, usize, &[f32])) {
        let n_bins = self.n_bins();
        let n_frames = self.n_frames(y.len());
        let mut rows = std::mem::take(&mut self.rows);
        let mut block = std::mem::take(&mut self.block);
        rows.resize(BLOCK * n_bins, 0.0);
        block.resize(n_bins * BLOCK, 0.0);
        for t0 in (0..n_frames).step_by(BLOCK) {
            let count = BLOCK.min(n_frames - t0);
            for (j, row) in rows.chunks_exact_mut(n_bins).enumerate() {
                if j < count {
                    self.transform_frame(y, t0 + j, row);
                } else {
                    row.fill(0.0);
                }
            }
            transpose_block(&rows, &mut block, self.avx);
            f(t0, count, &block);
        }
        self.rows = rows;
        self.block = block;
    }
}

/// `block[k · BLOCK + j] = rows[j · n_bins + k]`: [`BLOCK`] frame-major rows of `n_bins`
/// values to bin-major. With AVX, 8 × 8 tiles are transposed in registers (the
/// strided scalar stores cost as much as the FFT's own butterflies); values are moved,
/// not computed, so both paths give the same block.
fn transpose_block(rows: &[f32], block: &mut [f32], avx: bool) {
    let n_bins = rows.len() / BLOCK;
    assert!(rows.len() == BLOCK * n_bins && block.len() == rows.len());
    let mut k0 = 0;
    #[cfg(target_arch = "x86_64")]
    if avx {
        k0 = n_bins / 8 * 8;
        // SAFETY: `avx` is true only when the CPU reported AVX at run time; the tiles
        // read bins `0 .. k0 <= n_bins` of each row and write `block[.. k0 · BLOCK]`.
        unsafe { transpose_tiles_avx(rows, n_bins, k0, block) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = avx;
    for k in k0..n_bins {
        for j in 0..BLOCK {
            block[k * BLOCK + j] = rows[j * n_bins + k];
        }
    }
}

/// The AVX part of [`transpose_block`]: bins `0 .. k0` (a multiple of 8).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn transpose_tiles_avx(rows: &[f32], n_bins: usize, k0: usize, block: &mut [f32]) {
    use std::arch::x86_64::*;
    const _: () = assert!(BLOCK == 8, "one AVX register holds a bin's BLOCK frames");
    assert!(k0 % 8 == 0 && k0 <= n_bins && rows.len() >= 8 * n_bins && block.len() >= 8 * k0);
    let (src, dst) = (rows.as_ptr(), block.as_mut_ptr());
    for k in (0..k0).step_by(8) {
        // SAFETY: row j's bins k .. k + 8 lie within `rows` (k + 8 <= k0 <= n_bins).
        let r = |j: usize| _mm256_loadu_ps(src.add(j * n_bins + k));
        let (r0, r1, r2, r3, r4, r5, r6, r7) = (r(0), r(1), r(2), r(3), r(4), r(5), r(6), r(7));
        let (t0, t1) = (_mm256_unpacklo_ps(r0, r1), _mm256_unpackhi_ps(r0, r1));
        let (t2, t3) = (_mm256_unpacklo_ps(r2, r3), _mm256_unpackhi_ps(r2, r3));
        let (t4, t5) = (_mm256_unpacklo_ps(r4, r5), _mm256_unpackhi_ps(r4, r5));
        let (t6, t7) = (_mm256_unpacklo_ps(r6, r7), _mm256_unpackhi_ps(r6, r7));
        let (u0, u1) = (
            _mm256_shuffle_ps::<0x44>(t0, t2),
            _mm256_shuffle_ps::<0xEE>(t0, t2),
        );
        let (u2, u3) = (
            _mm256_shuffle_ps::<0x44>(t1, t3),
            _mm256_shuffle_ps::<0xEE>(t1, t3),
        );
        let (u4, u5) = (
            _mm256_shuffle_ps::<0x44>(t4, t6),
            _mm256_shuffle_ps::<0xEE>(t4, t6),
        );
        let (u6, u7) = (
            _mm256_shuffle_ps::<0x44>(t5, t7),
            _mm256_shuffle_ps::<0xEE>(t5, t7),
        );
        // SAFETY: bins k .. k + 8 of the block are `block[k · 8 .. k · 8 + 64]`, k + 8 <= k0.
        let w = |i: usize, v: __m256| _mm256_storeu_ps(dst.add((k + i) * 8), v);
        w(0, _mm256_permute2f128_ps::<0x20>(u0, u4));
        w(1, _mm256_permute2f128_ps::<0x20>(u1, u5));
        w(2, _mm256_permute2f128_ps::<0x20>(u2, u6));
        w(3, _mm256_permute2f128_ps::<0x20>(u3, u7));
        w(4, _mm256_permute2f128_ps::<0x31>(u0, u4));
        w(5, _mm256_permute2f128_ps::<0x31>(u1, u5));
        w(6, _mm256_permute2f128_ps::<0x31>(u2, u6));
        w(7, _mm256_permute2f128_ps::<0x31>(u3, u7));
    }
}

/// `packed[n] = (x[2n]·w[2n], x[2n+1]·w[2n+1])`: an interior frame, windowed.
#[inline(always)]
fn window_frame(x: &[f32], window: &[f32], packed: &mut [Complex<f32>]) {
    for ((dst, x), w) in packed
        .iter_mut()
        .zip(x.chunks_exact(2))
        .zip(window.chunks_exact(2))
    {
        *dst = Complex::new(x[0] * w[0], x[1] * w[1]);
    }
}

/// [`window_frame`] compiled for AVX (the same multiplications).
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[target_feature(enable = "avx")]
unsafe fn window_frame_avx(x: &[f32], window: &[f32], packed: &mut [Complex<f32>]) {
    window_frame(x, window, packed)
}

/// Each full run of 8 values of `v` in the lane order `0, 1, 4, 5, 2, 3, 6, 7` in which
/// [`split_power_avx`] de-interleaves 8 complex values; the tail as it is.
fn avx_lane_order(v: &[f32]) -> Vec<f32> {
    const LANES: [usize; 8] = [0, 1, 4, 5, 2, 3, 6, 7];
    let mut out = v.to_vec();
    for (dst, src) in out.chunks_exact_mut(8).zip(v.chunks_exact(8)) {
        for (d, &l) in dst.iter_mut().zip(&LANES) {
            *d = src[l];
        }
    }
    out
}

/// The real spectrum's power from the packed half-length spectrum `Z` (`z`, `m + 1`
/// values with `Z[m] = Z[0]`): with `a = Z[k]`, `b = Z[m − k]`, the even part
/// `E = (a + b̄) / 2` and the odd part `O = (a − b̄) / 2i` give `X[k] = E + W^k·O` and
/// `power[k] = |X[k]|²`, for the bins `from ..` (`n_bins = power.len()`).
#[inline(always)]
fn split_power(z: &[Complex<f32>], tw_re: &[f32], tw_im: &[f32], power: &mut [f32], from: usize) {
    let n = power.len();
    let (z, tw_re, tw_im) = (&z[..n], &tw_re[..n], &tw_im[..n]);
    for k in from..n {
        let (a, b) = (z[k], z[n - 1 - k]);
        power[k] = split_bin(a.re, a.im, b.re, b.im, tw_re[k], tw_im[k]);
    }
}

/// `|X[k]|²` from `a = Z[k]`, `b = Z[m − k]` and the twiddle `c + is` (see [`split_power`]).
#[inline(always)]
fn split_bin(ar: f32, ai: f32, br: f32, bi: f32, c: f32, s: f32) -> f32 {
    let (er, ei) = (0.5 * (ar + br), 0.5 * (ai - bi));
    let (or, oi) = (0.5 * (ai + bi), 0.5 * (br - ar));
    let xr = er + (c * or - s * oi);
    let xi = ei + (c * oi + s * or);
    xr * xr + xi * xi
}

/// [`split_power`] with AVX: eight bins per step. The 8 complex values of `Z[k ..]` are
/// de-interleaved into real and imaginary registers in the lane order `0, 1, 4, 5, 2, 3,
/// 6, 7` (one in-lane shuffle each; `tw_lanes_*` hold the twiddles in that order), the
/// mirrored `Z[m − k − 7 ..= m − k]` the same way and then reversed, which puts each
/// bin's mirror in its lane; the powers are put back in bin order before the store.
/// The bins past the last full 8 go through [`split_power`] (their twiddles are in bin
/// order in `tw_lanes_*`). The same operations in the same order as [`split_bin`] (no
/// fused multiply-add), so the result is bit-identical.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn split_power_avx(
    z: &[Complex<f32>],
    tw_lanes_re: &[f32],
    tw_lanes_im: &[f32],
    power: &mut [f32],
) {
    use std::arch::x86_64::*;
    let n = power.len();
    assert!(z.len() >= n && tw_lanes_re.len() >= n && tw_lanes_im.len() >= n);
    let full = n / 8 * 8;
    let zp = z.as_ptr() as *const f32;
    let half = _mm256_set1_ps(0.5);
    let rev = |v: __m256| {
        _mm256_permute2f128_ps::<0x01>(_mm256_permute_ps::<0x1B>(v), _mm256_permute_ps::<0x1B>(v))
    };
    // Complex values i .. i + 8 as (re, im), each in the lane order 0, 1, 4, 5, 2, 3, 6, 7.
    // SAFETY (of every call below): i + 8 <= n <= z.len().
    let load = |i: usize| {
        let (lo, hi) = (
            _mm256_loadu_ps(zp.add(2 * i)),
            _mm256_loadu_ps(zp.add(2 * i + 8)),
        );
        (
            _mm256_shuffle_ps::<0x88>(lo, hi),
            _mm256_shuffle_ps::<0xDD>(lo, hi),
        )
    };
    let mut k = 0;
    while k < full {
        // The mirrors of bins k .. k + 8 are n − 1 − k − 7 ..= n − 1 − k (≥ 0: k + 8 <= n).
        let (ar, ai) = load(k);
        let (br, bi) = load(n - k - 8);
        let (br, bi) = (rev(br), rev(bi));
        let (c, s) = (
            _mm256_loadu_ps(tw_lanes_re.as_ptr().add(k)),
            _mm256_loadu_ps(tw_lanes_im.as_ptr().add(k)),
        );
        let er = _mm256_mul_ps(half, _mm256_add_ps(ar, br));
        let ei = _mm256_mul_ps(half, _mm256_sub_ps(ai, bi));
        let or = _mm256_mul_ps(half, _mm256_add_ps(ai, bi));
        let oi = _mm256_mul_ps(half, _mm256_sub_ps(br, ar));
        let xr = _mm256_add_ps(
            er,
            _mm256_sub_ps(_mm256_mul_ps(c, or), _mm256_mul_ps(s, oi)),
        );
        let xi = _mm256_add_ps(
            ei,
            _mm256_add_ps(_mm256_mul_ps(c, oi), _mm256_mul_ps(s, or)),
        );
        let p = _mm256_castps_pd(_mm256_add_ps(_mm256_mul_ps(xr, xr), _mm256_mul_ps(xi, xi)));
        // Bin pairs (0,1)(4,5) | (2,3)(6,7) back to (0,1)(2,3) | (4,5)(6,7).
        let x = _mm256_permute2f128_pd::<0x01>(p, p);
        let ordered = _mm256_blend_pd::<0b1100>(
            _mm256_shuffle_pd::<0b0000>(p, x),
            _mm256_shuffle_pd::<0b1111>(x, p),
        );
        _mm256_storeu_ps(power.as_mut_ptr().add(k), _mm256_castpd_ps(ordered));
        k += 8;
    }
    split_power(z, tw_lanes_re, tw_lanes_im, power, full);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_count_peak_bin_and_parseval() {
        let mut stft = PowerSpectrogram::new(2048, 512);
        let y: Vec<f32> = (0..132_300)
            .map(|i| (i as f32 * 0.05).sin() + 0.3 * ((i * 7919 % 101) as f32 / 50.0 - 1.0))
            .collect();
        assert_eq!(stft.n_frames(y.len()), 259);
        let mut out = vec![0.0; 259 * 1025];
        stft.process_into(&y, &mut out);
        // Parseval, per frame: Σ_n |x_w[n]|² = (1/N) Σ_k |X[k]|², the one-sided spectrum
        // counting bins 1 ..= N/2 − 1 twice.
        let w = periodic_hann(2048);
        for t in [0usize, 1, 100, 257, 258] {
            let start = (t * 512) as isize - 1024;
            let energy: f64 = (0..2048)
                .map(|i| {
                    let j = start + i as isize;
                    let x = if j >= 0 && (j as usize) < y.len() {
                        y[j as usize]
                    } else {
                        0.0
                    };
                    ((x * w[i]) as f64).powi(2)
                })
                .sum();
            let frame = &out[t * 1025..(t + 1) * 1025];
            let spectral: f64 = frame
                .iter()
                .enumerate()
                .map(|(k, &p)| {
                    if k == 0 || k == 1024 {
                        p as f64
                    } else {
                        2.0 * p as f64
                    }
                })
                .sum::<f64>()
                / 2048.0;
            assert!(
                (spectral - energy).abs() <= 1e-4 * energy,
                "frame {t}: {spectral} vs {energy}"
            );
        }
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

    #[test]
    fn power_matches_a_direct_dft() {
        // 64 points: the DFT in f64 by definition against the packed FFT + split.
        let n = 64;
        let mut stft = PowerSpectrogram::new(n, n);
        let y: Vec<f32> = (0..3 * n)
            .map(|i| ((i * 37 % 17) as f32 - 8.0) / 9.0 + (i as f32 * 0.3).sin())
            .collect();
        let w = periodic_hann(n);
        let mut power = vec![0.0; n / 2 + 1];
        for t in 0..stft.n_frames(y.len()) {
            stft.transform_frame(&y, t, &mut power);
            let start = (t * n) as isize - (n / 2) as isize;
            let x: Vec<f64> = (0..n)
                .map(|i| {
                    let j = start + i as isize;
                    if j >= 0 && (j as usize) < y.len() {
                        (y[j as usize] * w[i]) as f64
                    } else {
                        0.0
                    }
                })
                .collect();
            for (k, &got) in power.iter().enumerate() {
                let (mut re, mut im) = (0.0f64, 0.0f64);
                for (i, v) in x.iter().enumerate() {
                    let ph = -2.0 * std::f64::consts::PI * (k * i) as f64 / n as f64;
                    re += v * ph.cos();
                    im += v * ph.sin();
                }
                let want = re * re + im * im;
                let got = got as f64;
                assert!(
                    (got - want).abs() <= 1e-5 * want.max(1.0),
                    "frame {t} bin {k}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn avx_and_portable_paths_agree_bit_for_bit() {
        let mut stft = PowerSpectrogram::new(2048, 512);
        let y: Vec<f32> = (0..20_000)
            .map(|i| (i as f32 * 0.013).sin() * 0.3)
            .collect();
        let mut a = vec![0.0; stft.n_frames(y.len()) * 1025];
        let mut b = a.clone();
        stft.avx = false;
        stft.process_into(&y, &mut a);
        stft.avx = has_avx();
        stft.process_into(&y, &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn blocks_hold_the_same_power_bin_major() {
        let mut stft = PowerSpectrogram::new(256, 64);
        let y: Vec<f32> = (0..3000).map(|i| (i as f32 * 0.11).sin() * 0.5).collect();
        let n_frames = stft.n_frames(y.len());
        let mut frame_major = vec![0.0; n_frames * 129];
        stft.process_into(&y, &mut frame_major);
        let mut seen = vec![false; n_frames];
        stft.process_blocks(&y, |t0, count, block| {
            for j in 0..BLOCK {
                for k in 0..129 {
                    let want = if j < count {
                        frame_major[(t0 + j) * 129 + k]
                    } else {
                        0.0
                    };
                    assert_eq!(block[k * BLOCK + j], want, "frame {} bin {k}", t0 + j);
                }
                if j < count {
                    seen[t0 + j] = true;
                }
            }
        });
        assert!(seen.iter().all(|&s| s), "every frame once");
    }

    #[test]
    fn transpose_paths_agree_with_the_definition() {
        for n_bins in [1usize, 7, 8, 129, 1025] {
            let rows: Vec<f32> = (0..BLOCK * n_bins).map(|i| i as f32 * 0.5 - 3.0).collect();
            for avx in [false, has_avx()] {
                let mut block = vec![f32::NAN; rows.len()];
                transpose_block(&rows, &mut block, avx);
                for k in 0..n_bins {
                    for j in 0..BLOCK {
                        assert_eq!(
                            block[k * BLOCK + j],
                            rows[j * n_bins + k],
                            "avx {avx}, bin {k}, frame {j}"
                        );
                    }
                }
            }
        }
    }
}
