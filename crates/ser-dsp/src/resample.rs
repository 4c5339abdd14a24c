//! Band-limited resampling with rubato's synchronous FFT resampler.
//!
//! librosa's default (`soxr_hq`) is a linear-phase, band-limited converter; rubato's
//! `Fft` resampler is the same kind of filter, and `process_all_into_buffer` removes
//! its delay, so the output lines up sample for sample with librosa's
//! (`ceil(len · to / from)` samples; 79 dB SNR against soxr on a 48 kHz RAVDESS
//! file, see tests/parity.rs).

use rubato::audioadapter_buffers::direct::{InterleavedSlice, InterleavedSlice as OutSlice};
use rubato::{Fft, FixedSync, Resampler as _, WindowFunction};

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
/// both even. rubato trims `fft_size_out / 2` samples of delay, but its filter is
/// centred at `fft_size_in / 2` input samples: an odd output block would leave the
/// output half a sample late.
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

/// The rubato FFT resampler serkit uses from `from` to `to` Hz (mono, fixed blocks of
/// [`block_frames`], Blackman-Harris² window): one configuration for the whole-clip
/// [`Resampler`] and the streaming one.
pub(crate) fn fft_resampler(from: usize, to: usize) -> Result<Fft<f32>> {
    Fft::<f32>::new_custom(
        from,
        to,
        block_frames(from, to),
        1,
        1,
        WindowFunction::BlackmanHarris2,
        FixedSync::Both,
    )
    .map_err(|e| DspError::Resample(format!("{from} Hz -> {to} Hz: {e}")))
}

/// A resampler for one rate pair, with its FFT plans and buffers kept for reuse.
pub struct Resampler {
    from_hz: u32,
    to_hz: u32,
    fft: Option<Fft<f32>>,
    out: Vec<f32>,
}

impl Resampler {
    /// A resampler from `from_hz` to `to_hz` (plans are made on first use).
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
            fft: None,
            out: Vec::new(),
        }
    }

    /// Input and output rates.
    pub fn rates(&self) -> (u32, u32) {
        (self.from_hz, self.to_hz)
    }

    /// Number of output samples for `input_len` input samples: `ceil(len · to / from)`.
    pub fn output_len(&self, input_len: usize) -> usize {
        ((input_len as u128 * self.to_hz as u128).div_ceil(self.from_hz as u128)) as usize
    }

    /// Resample a whole clip; returns a slice of an internal buffer reused across calls.
    ///
    /// # Errors
    /// [`DspError::Resample`] when rubato cannot set up or run the conversion.
    ///
    /// # Panics
    /// Never on its own: the buffers it hands rubato are sized from rubato's own
    /// requirement.
    pub fn process(&mut self, input: &[f32]) -> Result<&[f32]> {
        if self.from_hz == self.to_hz {
            self.out.clear();
            self.out.extend_from_slice(input);
            return Ok(&self.out);
        }
        if input.is_empty() {
            self.out.clear();
            return Ok(&self.out);
        }
        let (from, to) = (self.from_hz as usize, self.to_hz as usize);
        let fft = match &mut self.fft {
            Some(fft) => fft,
            slot => slot.insert(fft_resampler(from, to)?),
        };
        fft.reset();
        let needed = fft.process_all_needed_output_len(input.len());
        self.out.clear();
        self.out.resize(needed, 0.0);
        let src =
            InterleavedSlice::new(input, 1, input.len()).expect("mono slice matches its length");
        let mut dst =
            OutSlice::new_mut(&mut self.out, 1, needed).expect("mono slice matches its length");
        let (_, written) = fft
            .process_all_into_buffer(&src, &mut dst, input.len(), None)
            .map_err(|e| {
                DspError::Resample(format!("{} Hz -> {} Hz: {e}", self.from_hz, self.to_hz))
            })?;
        self.out.truncate(written);
        Ok(&self.out)
    }
}

/// Resample `input` from `from_hz` to `to_hz` (a copy when the rates are equal).
pub fn resample(input: &[f32], from_hz: u32, to_hz: u32) -> Result<Vec<f32>> {
    let mut resampler = Resampler::new(from_hz, to_hz)?;
    Ok(resampler.process(input)?.to_vec())
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
    /// (`RUBATO_BH2_CUTOFF_FIT` in packages/features/src/js/resample.ts): the same
    /// coefficients, in f32 as rubato computes, must give rubato's own cutoff.
    #[test]
    fn js_mirror_constants_are_rubatos() {
        let source = include_str!("../../../packages/features/src/js/resample.ts");
        let at = source
            .find("const RUBATO_BH2_CUTOFF_FIT = [")
            .expect("resample.ts names RUBATO_BH2_CUTOFF_FIT");
        let rest = &source[at..];
        let inside = &rest[rest.find('[').unwrap() + 1..rest.find(']').unwrap()];
        let k: Vec<f32> = inside
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| v.parse::<f32>().unwrap())
            .collect();
        assert_eq!(k.len(), 3);
        for n in [32usize, 147, 294, 300, 320, 441, 640, 2048] {
            let x = n as f32;
            let mirrored = 1.0 / (k[0] / x + k[1] / (x * x) + k[2] / (x * x * x) + 1.0);
            let rubato = rubato::calculate_cutoff::<f32>(n, WindowFunction::BlackmanHarris2);
            assert_eq!(mirrored, rubato, "cutoff for {n} points");
        }
        let (from, to) = (48_000, 44_100);
        assert_eq!(
            (block_frames(from, to), block_frames(from, to) * to / from),
            (320, 294),
            "the block sizes the JS engine's blockFrames gives"
        );
    }

    #[test]
    fn same_rate_is_identity_and_odd_lengths_round_up() {
        let x = sine(100.0, 44_100, 1001);
        assert_eq!(resample(&x, 44_100, 44_100).unwrap(), x);
        assert_eq!(resample(&x[..1001], 22_050, 44_100).unwrap().len(), 2002);
        assert_eq!(resample(&x[..7], 48_000, 44_100).unwrap().len(), 7);
    }

    #[test]
    fn rejects_absurd_rates() {
        assert!(matches!(
            resample(&[0.0], 0, 44_100),
            Err(DspError::InvalidOption { name: "fromHz", .. })
        ));
    }
}
