//! Band-limited resampling: rubato's synchronous FFT method, two blocks per transform.
//!
//! librosa's default (`soxr_hq`) is a linear-phase, band-limited converter. rubato's
//! `Fft` resampler is the same kind of filter: the input is cut into blocks of `n_in`
//! samples, each zero-padded to `2·n_in`, transformed, multiplied by the spectrum of a
//! windowed-sinc low-pass (`n_in` taps, squared Blackman-Harris window, cutoff just
//! below the lower Nyquist), cut or zero-extended to the output's band, transformed
//! back to `2·n_out` samples and overlap-added; dropping the `n_out / 2` samples of
//! delay lines the output up sample for sample with librosa's (79 dB SNR against soxr
//! on a 48 kHz RAVDESS file, tests/parity.rs).
//!
//! This module computes exactly that method (rubato 5.1.0's filter, block sizes and
//! delay) but transforms **two consecutive blocks at once**: block `a` as the real and
//! block `b` as the imaginary part of one complex FFT. The filter is real, so the
//! product keeps the two apart, and one complex inverse FFT returns `a`'s output as
//! its real and `b`'s as its imaginary part. rubato runs one real FFT per block, whose
//! scalar real/complex pre- and post-processing in realfft was 6.9 of the resampler's
//! 16.8 M instructions per RAVDESS file (issue 16's profile); here there is none.
//! `tests::agrees_with_rubato` checks the output against rubato's own `Fft` resampler.

use std::sync::Arc;

use realfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

use crate::error::{DspError, Result};

/// Length of the shorter FFT block (in its own samples) the filter is sized for.
///
/// rubato's anti-aliasing filter is a BlackmanHarris2-windowed sinc as long as the
/// block, with its cutoff at `1 − 13.7/N − …` of the lower Nyquist frequency and a
/// transition about `2 · 13.7 / N` wide. soxr "HQ" (librosa's default) passes up to
/// 91.3 % of the lower Nyquist and stops at 100 %: N ≈ 300 puts rubato's transition
/// on the same band, so frames near silence carry the same energy as librosa's (the
/// trim decision depends on them) and the resamplers agree to ~75 dB, not ~60.
const FILTER_BLOCK: usize = 300;

/// Input block length for `from → to`: the multiple of the rate pair's smallest block
/// whose shorter side is closest to [`FILTER_BLOCK`], with input and output lengths
/// both even. The `n_out / 2` samples of delay dropped must match the filter's centre
/// at `n_in / 2` input samples: an odd output block would leave the output half a
/// sample late.
pub(crate) fn block_frames(from: usize, to: usize) -> usize {
    let gcd = {
        let (mut a, mut b) = (from, to);
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let (unit_in, unit_out) = (from / gcd, to / gcd);
    let unit = unit_in.min(unit_out);
    let mut k = ((FILTER_BLOCK + unit / 2) / unit).max(1);
    if (k * unit_in) % 2 == 1 || (k * unit_out) % 2 == 1 {
        k += 1;
    }
    k * unit_in
}

/// rubato 5.1.0's cutoff fit for a squared Blackman-Harris sinc of `n` points
/// (`rubato::calculate_cutoff`, relative to Nyquist): `1 / (k1/n + k2/n² + k3/n³ + 1)`,
/// computed in `f32` as rubato does. The JS engine mirrors the same constants
/// (`RUBATO_BH2_CUTOFF_FIT` in packages/features/src/js/resample.ts).
const RUBATO_BH2_CUTOFF_FIT: [f64; 3] = [13.745202940783823, 121.73532586374934, 5964.163279612051];

fn cutoff_for(n: usize) -> f32 {
    let [k1, k2, k3] = RUBATO_BH2_CUTOFF_FIT.map(|k| k as f32);
    let x = n as f32;
    1.0 / (k1 / x + k2 / (x * x) + k3 / (x * x * x) + 1.0)
}

/// Output samples for `input_len` input samples at the ratio `to / from`:
/// `ceil(len · to / from)` in `f64`, as librosa (`np.ceil(n * ratio)`) and rubato compute it.
fn expected_len(from: usize, to: usize, input_len: usize) -> usize {
    (to as f64 / from as f64 * input_len as f64).ceil() as usize
}

/// The block engine: overlap-add FFT resampling of a stream of `n_in`-sample blocks,
/// two blocks per transform. Blocks are processed in pairs `(0, 1), (2, 3), …`; the
/// output of a pair is `2·n_out` samples. The whole-clip [`Resampler`] and the
/// streaming [`crate::StreamResampler`] feed it the same block sequence, so their
/// outputs are bit-identical.
pub(crate) struct BlockResampler {
    n_in: usize,
    n_out: usize,
    /// Bins of the filtered spectrum kept: `n_out` when downsampling, `n_in + 1` when
    /// upsampling (rubato's `new_len`).
    keep: usize,
    forward: Arc<dyn Fft<f32>>,
    inverse: Arc<dyn Fft<f32>>,
    /// The low-pass filter's spectrum, bins `0..keep`, scaled by `1 / (2·n_in)`.
    filter: Vec<Complex<f32>>,
    spectrum_in: Vec<Complex<f32>>,
    spectrum_out: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// Tail of the previous pair's second block, added to the next output.
    overlap: Vec<f32>,
    /// The first block of a pair, waiting for its partner (`n_in` samples).
    waiting: Vec<f32>,
    has_waiting: bool,
    /// Blocks pushed since the last reset.
    blocks: usize,
    /// Whether the CPU has AVX (checked once).
    avx: bool,
}

impl BlockResampler {
    /// The engine for `from → to` (any two positive integers; reduced internally).
    pub(crate) fn new(from: usize, to: usize) -> Self {
        let n_in = block_frames(from, to);
        let n_out = n_in * to / from;
        // rubato: the filter cutoff of the shorter block, scaled to the input's Nyquist.
        let cutoff = if n_in > n_out {
            cutoff_for(n_out) * n_out as f32 / n_in as f32
        } else {
            cutoff_for(n_in)
        };
        let keep = if n_in < n_out { n_in + 1 } else { n_out };
        let mut planner = FftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(2 * n_in);
        let inverse = planner.plan_fft_inverse(2 * n_out);
        let scratch_len = forward
            .get_inplace_scratch_len()
            .max(inverse.get_inplace_scratch_len());
        Self {
            n_in,
            n_out,
            keep,
            filter: filter_spectrum(n_in, cutoff, keep),
            forward,
            inverse,
            spectrum_in: vec![Complex::default(); 2 * n_in],
            spectrum_out: vec![Complex::default(); 2 * n_out],
            scratch: vec![Complex::default(); scratch_len],
            overlap: vec![0.0; n_out],
            waiting: vec![0.0; n_in],
            has_waiting: false,
            blocks: 0,
            avx: crate::cpu::has_avx(),
        }
    }

    /// Input samples per block.
    pub(crate) fn block_in(&self) -> usize {
        self.n_in
    }

    /// Blocks pushed since the last [`reset`](Self::reset) (a waiting one included).
    pub(crate) fn blocks(&self) -> usize {
        self.blocks
    }

    /// Output samples of delay to drop at the start (rubato's `output_delay`).
    pub(crate) fn delay(&self) -> usize {
        self.n_out / 2
    }

    /// Output samples for `input_len` input samples: `ceil(len · n_out / n_in)` in `f64`
    /// (the same value as `ceil(len · to / from)`: both quotients round the same rational).
    pub(crate) fn output_len(&self, input_len: usize) -> usize {
        expected_len(self.n_in, self.n_out, input_len)
    }

    /// Blocks needed to produce `wanted` samples after the delay is dropped.
    pub(crate) fn blocks_for(&self, wanted: usize) -> usize {
        (wanted + self.delay()).div_ceil(self.n_out)
    }

    /// Forget all input: the next block starts a new signal.
    pub(crate) fn reset(&mut self) {
        self.overlap.fill(0.0);
        self.has_waiting = false;
        self.blocks = 0;
    }

    /// Push one block of at most `n_in` samples (a shorter one is zero-padded, as rubato
    /// pads a partial chunk). Every second block appends `2·n_out` samples to `out`.
    pub(crate) fn push_block(&mut self, block: &[f32], out: &mut Vec<f32>) {
        debug_assert!(block.len() <= self.n_in);
        self.blocks += 1;
        if !self.has_waiting {
            self.waiting[..block.len()].copy_from_slice(block);
            self.waiting[block.len()..].fill(0.0);
            self.has_waiting = true;
            return;
        }
        self.run_pair(block, out);
    }

    /// If a block is waiting for its partner, transform it with a silent one and append
    /// its `n_out` samples to `out`.
    pub(crate) fn flush(&mut self, out: &mut Vec<f32>) {
        if !self.has_waiting {
            return;
        }
        let start = out.len();
        self.run_pair(&[], out);
        out.truncate(start + self.n_out);
    }

    /// Transform the waiting block `a` and `b` (zero-padded to `n_in`) as `a + i·b` and
    /// overlap-add both outputs. The loops around the FFTs are compiled for AVX as well
    /// and that copy runs when the CPU has it (the same operations: the same output).
    fn run_pair(&mut self, b: &[f32], out: &mut Vec<f32>) {
        #[cfg(target_arch = "x86_64")]
        if self.avx {
            // SAFETY: `avx` is true only when the CPU reported AVX at run time.
            unsafe { self.run_pair_avx(b, out) };
            return;
        }
        self.run_pair_body(b, out);
    }

    /// [`run_pair`](Self::run_pair)'s body compiled for AVX.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    unsafe fn run_pair_avx(&mut self, b: &[f32], out: &mut Vec<f32>) {
        self.run_pair_body(b, out)
    }

    #[inline(always)]
    fn run_pair_body(&mut self, b: &[f32], out: &mut Vec<f32>) {
        let (n_in, n_out, keep) = (self.n_in, self.n_out, self.keep);
        self.has_waiting = false;
        let (head, tail) = self.spectrum_in.split_at_mut(b.len());
        for ((z, &a), &b) in head.iter_mut().zip(&self.waiting).zip(b) {
            *z = Complex::new(a, b);
        }
        for (z, &a) in tail[..n_in - b.len()]
            .iter_mut()
            .zip(&self.waiting[b.len()..])
        {
            *z = Complex::new(a, 0.0);
        }
        self.spectrum_in[n_in..].fill(Complex::default());
        self.forward
            .process_with_scratch(&mut self.spectrum_in, &mut self.scratch);
        // Z·H on the positive frequencies, Z·conj(H) on their mirrors: the filter is
        // real, so A·H and B·H stay Hermitian and separable after the inverse FFT.
        // Bins past the kept band (only the output's Nyquist bin when downsampling) are 0.
        let (z, y, h) = (&self.spectrum_in, &mut self.spectrum_out, &self.filter);
        let (y_low, y_rest) = y.split_at_mut(keep);
        let (y_zero, y_high) = y_rest.split_at_mut(2 * n_out - 2 * keep + 1);
        for ((y, &z), &h) in y_low.iter_mut().zip(&z[..keep]).zip(h) {
            *y = z * h;
        }
        y_zero.fill(Complex::default());
        // y[2·n_out − k] = z[2·n_in − k] · conj(h[k]) for k = keep − 1 … 1.
        let z_high = &z[2 * n_in + 1 - keep..];
        for ((y, &z), &h) in y_high.iter_mut().zip(z_high).zip(h[1..].iter().rev()) {
            *y = z * h.conj();
        }
        self.inverse
            .process_with_scratch(&mut self.spectrum_out, &mut self.scratch);
        let y = &self.spectrum_out;
        out.reserve(2 * n_out);
        // Block a: its head plus the previous overlap; block b: its head plus a's tail.
        out.extend(y[..n_out].iter().zip(&self.overlap).map(|(v, o)| v.re + o));
        out.extend(y[..n_out].iter().zip(&y[n_out..]).map(|(b, a)| b.im + a.re));
        for (o, v) in self.overlap.iter_mut().zip(&y[n_out..]) {
            *o = v.im;
        }
    }
}

/// The spectrum (bins `0..keep` of a `2·n_in`-point FFT) of rubato's anti-aliasing
/// filter: `n_in` taps of a periodic squared Blackman-Harris window times
/// `sinc((x − n_in/2) · cutoff)`, normalised to unit sum and scaled by `1 / (2·n_in)`
/// (the inverse FFT is unnormalised). Computed in `f64`.
fn filter_spectrum(n_in: usize, cutoff: f32, keep: usize) -> Vec<Complex<f32>> {
    use std::f64::consts::PI;
    let cutoff = cutoff as f64;
    let centre = (n_in / 2) as f64;
    let mut taps: Vec<f64> = (0..n_in)
        .map(|x| {
            let t = 2.0 * PI * x as f64 / n_in as f64;
            let w =
                0.35875 - 0.48829 * t.cos() + 0.14128 * (2.0 * t).cos() - 0.01168 * (3.0 * t).cos();
            let arg = (x as f64 - centre) * cutoff;
            let sinc = if arg == 0.0 {
                1.0
            } else {
                (PI * arg).sin() / (PI * arg)
            };
            w * w * sinc
        })
        .collect();
    let sum: f64 = taps.iter().sum();
    let scale = 1.0 / (sum * (2 * n_in) as f64);
    taps.iter_mut().for_each(|t| *t *= scale);
    let mut buf: Vec<Complex<f64>> = taps.iter().map(|&t| Complex::new(t, 0.0)).collect();
    buf.resize(2 * n_in, Complex::default());
    FftPlanner::<f64>::new()
        .plan_fft_forward(2 * n_in)
        .process(&mut buf);
    buf[..keep]
        .iter()
        .map(|c| Complex::new(c.re as f32, c.im as f32))
        .collect()
}

/// A resampler for one rate pair, with its FFT plans and buffers kept for reuse.
pub struct Resampler {
    from_hz: u32,
    to_hz: u32,
    engine: Option<BlockResampler>,
    /// The engine's output, the delay included: the result is a slice of it.
    raw: Vec<f32>,
}

impl Resampler {
    /// A resampler from `from_hz` to `to_hz` (plans are made on first use).
    ///
    /// # Errors
    /// [`DspError::InvalidOption`] naming `fromHz` or `toHz` outside 1000..=384000 Hz.
    pub fn new(from_hz: u32, to_hz: u32) -> Result<Self> {
        for (name, hz) in [("fromHz", from_hz), ("toHz", to_hz)] {
            if !(1_000..=384_000).contains(&hz) {
                return Err(DspError::InvalidOption {
                    name,
                    allowed: "an integer in 1000..=384000 Hz",
                    received: hz.to_string(),
                });
            }
        }
        Ok(Self::for_ratio(from_hz, to_hz))
    }

    /// A resampler by the exact ratio `to / from` of any two positive integers, e.g. a
    /// rational approximation of a non-integer rate pair (no range check on the values).
    ///
    /// # Panics
    /// When `from` or `to` is 0.
    pub fn for_ratio(from: u32, to: u32) -> Self {
        assert!(from > 0 && to > 0, "ratio terms must be positive");
        Self {
            from_hz: from,
            to_hz: to,
            engine: None,
            raw: Vec::new(),
        }
    }

    /// Input and output rates.
    pub fn rates(&self) -> (u32, u32) {
        (self.from_hz, self.to_hz)
    }

    /// Number of output samples for `input_len` input samples: `ceil(len · to / from)`,
    /// in `f64` as librosa computes it.
    pub fn output_len(&self, input_len: usize) -> usize {
        if self.from_hz == self.to_hz {
            return input_len;
        }
        expected_len(self.from_hz as usize, self.to_hz as usize, input_len)
    }

    /// Resample a whole clip; returns a slice of an internal buffer reused across calls
    /// ([`output_len`](Self::output_len) samples).
    pub fn process(&mut self, input: &[f32]) -> &[f32] {
        self.raw.clear();
        if self.from_hz == self.to_hz {
            self.raw.extend_from_slice(input);
            return &self.raw;
        }
        if input.is_empty() {
            return &self.raw;
        }
        let wanted = self.output_len(input.len());
        let (from, to) = (self.from_hz as usize, self.to_hz as usize);
        let engine = self
            .engine
            .get_or_insert_with(|| BlockResampler::new(from, to));
        engine.reset();
        let blocks = engine.blocks_for(wanted);
        let n_in = engine.block_in();
        for b in 0..blocks {
            let start = (b * n_in).min(input.len());
            let end = (start + n_in).min(input.len());
            engine.push_block(&input[start..end], &mut self.raw);
        }
        engine.flush(&mut self.raw);
        let delay = engine.delay();
        &self.raw[delay..delay + wanted]
    }
}

/// Resample `input` from `from_hz` to `to_hz` (a copy when the rates are equal).
///
/// # Errors
/// [`DspError::InvalidOption`] naming `fromHz` or `toHz` outside 1000..=384000 Hz.
pub fn resample(input: &[f32], from_hz: u32, to_hz: u32) -> Result<Vec<f32>> {
    let mut resampler = Resampler::new(from_hz, to_hz)?;
    Ok(resampler.process(input).to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, sr: u32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| (2.0 * std::f32::consts::PI * freq * i as f32 / sr as f32).sin())
            .collect()
    }

    #[test]
    fn length_is_ceil_and_a_sine_stays_in_phase() {
        // librosa's length, ceil(len · to / from); no delay: a sine resampled is the same
        // sine sampled at the new rate (librosa parity itself is tests/parity.rs).
        let x = sine(440.0, 48_000, 48_000);
        let y = resample(&x, 48_000, 44_100).unwrap();
        assert_eq!(y.len(), 44_100);
        let want = sine(440.0, 44_100, 44_100);
        // Away from the edges the resampled sine is the sine at the new rate.
        let err = y[2000..42000]
            .iter()
            .zip(&want[2000..42000])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(err < 1e-3, "max error {err}");
    }

    /// The JS engine mirrors rubato's BlackmanHarris2 cutoff fit
    /// (`RUBATO_BH2_CUTOFF_FIT` in packages/features/src/js/resample.ts), and so does this
    /// module: the same coefficients, in f32 as rubato computes, must give rubato's own
    /// cutoff.
    #[test]
    fn cutoff_fit_constants_are_rubatos() {
        let source = include_str!("../../../packages/features/src/js/resample.ts");
        let at = source
            .find("const RUBATO_BH2_CUTOFF_FIT = [")
            .expect("resample.ts names RUBATO_BH2_CUTOFF_FIT");
        let rest = &source[at..];
        let inside = &rest[rest.find('[').unwrap() + 1..rest.find(']').unwrap()];
        let k: Vec<f64> = inside
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| v.parse::<f64>().unwrap())
            .collect();
        assert_eq!(k, RUBATO_BH2_CUTOFF_FIT, "the JS engine's copy");
        for n in [32usize, 147, 294, 300, 320, 441, 640, 2048] {
            let rubato =
                rubato::calculate_cutoff::<f32>(n, rubato::WindowFunction::BlackmanHarris2);
            assert_eq!(cutoff_for(n), rubato, "cutoff for {n} points");
        }
        let (from, to) = (48_000, 44_100);
        assert_eq!(
            (block_frames(from, to), block_frames(from, to) * to / from),
            (320, 294),
            "the block sizes the JS engine's blockFrames gives"
        );
    }

    /// rubato 5.1.0's own `Fft` resampler, configured as this module's method.
    fn rubato_resample(x: &[f32], from: usize, to: usize) -> Vec<f32> {
        use rubato::audioadapter_buffers::direct::InterleavedSlice;
        use rubato::{Fft, FixedSync, Resampler as _, WindowFunction};
        let mut fft = Fft::<f32>::new_custom(
            from,
            to,
            block_frames(from, to),
            1,
            1,
            WindowFunction::BlackmanHarris2,
            FixedSync::Both,
        )
        .unwrap();
        let needed = fft.process_all_needed_output_len(x.len());
        let mut out = vec![0.0; needed];
        let src = InterleavedSlice::new(x, 1, x.len()).unwrap();
        let mut dst = InterleavedSlice::new_mut(&mut out, 1, needed).unwrap();
        let (_, written) = fft
            .process_all_into_buffer(&src, &mut dst, x.len(), None)
            .unwrap();
        out.truncate(written);
        out
    }

    /// Two blocks per complex FFT compute rubato's method: same length, and the same
    /// samples up to f32 rounding, on noise plus a sine, downsampling and upsampling,
    /// even and odd block counts: ≥ 110 dB SNR for the usual rate pairs, ≥ 100 dB for
    /// 44100 → 44101 (88,200-point transforms, where both sides' rounding grows).
    #[test]
    fn agrees_with_rubato() {
        let mut state = 0x2545_f491_u32;
        let mut noise = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32 - 0.5) * 0.6
        };
        let x: Vec<f32> = (0..20_011)
            .map(|i| noise() + 0.3 * (i as f32 * 0.05).sin())
            .collect();
        for (from, to) in [
            (48_000, 44_100),
            (16_000, 44_100),
            (22_050, 44_100),
            (48_000, 16_000),
            (44_100, 44_101),
        ] {
            for len in [x.len(), 7, 320, 641, 12_345] {
                let ours = resample(&x[..len], from as u32, to as u32).unwrap();
                let theirs = rubato_resample(&x[..len], from, to);
                assert_eq!(ours.len(), theirs.len(), "{from} -> {to}, {len} samples");
                let signal: f64 = theirs.iter().map(|&v| (v as f64).powi(2)).sum();
                let error: f64 = ours
                    .iter()
                    .zip(&theirs)
                    .map(|(&a, &b)| (a as f64 - b as f64).powi(2))
                    .sum();
                let snr = 10.0 * (signal / error.max(1e-30)).log10();
                let bar = if block_frames(from, to) > 10_000 {
                    100.0
                } else {
                    110.0
                };
                assert!(snr >= bar, "{from} -> {to}, {len} samples: SNR {snr:.1} dB");
            }
        }
    }

    #[test]
    fn same_rate_is_identity_and_odd_lengths_round_up() {
        let x = sine(100.0, 44_100, 1001);
        assert_eq!(resample(&x, 44_100, 44_100).unwrap(), x);
        assert_eq!(resample(&x[..1001], 22_050, 44_100).unwrap().len(), 2002);
        assert_eq!(resample(&x[..7], 48_000, 44_100).unwrap().len(), 7);
    }

    #[test]
    fn avx_and_portable_paths_agree_bit_for_bit() {
        let x: Vec<f32> = sine(440.0, 48_000, 20_011)
            .iter()
            .enumerate()
            .map(|(i, v)| v + ((i * 7919 % 101) as f32 / 50.0 - 1.0) * 0.1)
            .collect();
        let run = |avx: bool| {
            let mut engine = BlockResampler::new(48_000, 44_100);
            engine.avx = avx;
            let mut out = Vec::new();
            for block in x.chunks(engine.block_in()) {
                engine.push_block(block, &mut out);
            }
            engine.flush(&mut out);
            out
        };
        assert_eq!(run(false), run(crate::cpu::has_avx()));
    }

    #[test]
    fn rejects_absurd_rates() {
        assert!(matches!(
            resample(&[0.0], 0, 44_100),
            Err(DspError::InvalidOption { name: "fromHz", .. })
        ));
    }
}
