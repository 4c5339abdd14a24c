//! The whole per-utterance pipeline: resample → trim → Wiener → fix length →
//! power STFT → mel → dB. One [`LogMelExtractor`] per thread holds every plan,
//! filterbank and scratch buffer, so extracting the next file allocates only
//! what decoding needs.

use std::collections::HashMap;
use std::path::Path;

use crate::augment::{draw_seed, Augmentation, Augmenter};
use crate::decode::read_wav;
use crate::error::{DspError, Result};
use crate::fix_length::fix_length_into;
use crate::mel::MelFilterbank;
use crate::min_length::check_min_speech;
use crate::options::DspOptions;
use crate::resample::Resampler;
use crate::stft::PowerSpectrogram;
use crate::to_db::power_to_db_in_place;
use crate::trim::{bounds_from_powers, frame_powers_with};
use crate::wiener::wiener_into;

/// `Err(Empty)` for an empty waveform, `Err(NonFinite)` naming the first NaN or
/// infinite sample: the check every entry point of the pipeline makes on its input.
pub fn check_waveform(y: &[f32]) -> Result<()> {
    if y.is_empty() {
        return Err(DspError::Empty);
    }
    // Branch-free scan (vectorised) first; the index only when something is wrong.
    if y.iter().fold(false, |bad, x| bad | !x.is_finite()) {
        let index = y.iter().position(|x| !x.is_finite()).unwrap_or(0);
        return Err(DspError::NonFinite { index });
    }
    Ok(())
}

/// Reusable log-mel extractor for one set of options.
pub struct LogMelExtractor {
    opts: DspOptions,
    resamplers: HashMap<u32, Resampler>,
    stft: PowerSpectrogram,
    mel: MelFilterbank,
    filtered: Vec<f32>,
    /// The fixed-length waveform of [`extract_into`](Self::extract_into).
    fixed: Vec<f32>,
    /// Block sums of squares and frame energies of the trim.
    trim_scratch: Vec<f64>,
    /// The augmentations' plans, made on the first augmented extraction.
    augmenter: Option<Augmenter>,
}

impl LogMelExtractor {
    /// Validate `opts` and build the plans.
    pub fn new(opts: DspOptions) -> Result<Self> {
        opts.validate()?;
        let stft = PowerSpectrogram::new(opts.n_fft, opts.hop_length);
        let mel = MelFilterbank::for_options(&opts);
        Ok(Self {
            fixed: vec![0.0; opts.n_samples()],
            opts,
            resamplers: HashMap::new(),
            stft,
            mel,
            filtered: Vec::new(),
            trim_scratch: Vec::new(),
            augmenter: None,
        })
    }

    /// The options in force.
    pub fn options(&self) -> &DspOptions {
        &self.opts
    }

    /// The mel filterbank in use.
    pub fn filterbank(&self) -> &MelFilterbank {
        &self.mel
    }

    /// Resample to the target rate, trim, Wiener-filter and fix the length:
    /// exactly `n_samples()` samples at `sample_rate`.
    pub fn preprocess(&mut self, samples: &[f32], sample_rate: u32) -> Result<Vec<f32>> {
        let mut out = vec![0.0; self.opts.n_samples()];
        self.preprocess_into(samples, sample_rate, &mut out)?;
        Ok(out)
    }

    /// [`preprocess`](Self::preprocess) into `out` (`n_samples()` long).
    ///
    /// # Errors
    /// As [`clean`](Self::clean).
    ///
    /// # Panics
    /// When `out` does not hold `n_samples()` values.
    pub fn preprocess_into(
        &mut self,
        samples: &[f32],
        sample_rate: u32,
        out: &mut [f32],
    ) -> Result<()> {
        assert_eq!(
            out.len(),
            self.opts.n_samples(),
            "out must hold n_samples() values"
        );
        let cleaned = self.clean(samples, sample_rate)?;
        fix_length_into(cleaned, out);
        Ok(())
    }

    /// Resample, trim and Wiener-filter, without fixing the length: the waveform
    /// the augmentations work on (SPEC.md §3). Borrowed from an internal buffer.
    pub fn clean(&mut self, samples: &[f32], sample_rate: u32) -> Result<&[f32]> {
        check_waveform(samples)?;
        let target = self.opts.sample_rate;
        let resampled: &[f32] = if sample_rate == target {
            samples
        } else {
            let resampler = match self.resamplers.entry(sample_rate) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(Resampler::new(sample_rate, target)?)
                }
            };
            resampler.process(samples)
        };
        let powers = frame_powers_with(
            resampled,
            self.opts.trim_frame_length,
            self.opts.trim_hop_length,
            &mut self.trim_scratch,
        );
        let (start, end) = if self.opts.trim {
            bounds_from_powers(
                powers,
                resampled.len(),
                self.opts.trim_top_db,
                self.opts.trim_hop_length,
            )
        } else {
            (0, resampled.len())
        };
        let trimmed = &resampled[start..end];
        if trimmed.iter().all(|&x| x == 0.0) {
            return Err(DspError::Silent);
        }
        check_min_speech(
            powers,
            resampled.len(),
            self.opts.trim_top_db,
            self.opts.trim_frame_length,
            self.opts.trim_hop_length,
            target,
        )?;
        self.filtered.resize(trimmed.len(), 0.0);
        if self.opts.wiener {
            wiener_into(trimmed, self.opts.wiener_size, &mut self.filtered)?;
        } else {
            self.filtered.copy_from_slice(trimmed);
        }
        Ok(&self.filtered)
    }

    /// The original and one copy per augmentation, each fixed in length and turned
    /// into a log-mel: `(1 + augmentations.len())` spectrograms back to back in
    /// `out`. `seed` drives the random draws (see [`draw_seed`]).
    ///
    /// # Errors
    /// As [`clean`](Self::clean), or an augmentation's parameter out of range.
    ///
    /// # Panics
    /// When `out` does not hold `(1 + augmentations.len()) · feature_len()` values.
    pub fn extract_augmented_into(
        &mut self,
        samples: &[f32],
        sample_rate: u32,
        augmentations: &[Augmentation],
        seed: u64,
        out: &mut [f32],
    ) -> Result<()> {
        let feature_len = self.opts.feature_len();
        assert_eq!(
            out.len(),
            feature_len * (1 + augmentations.len()),
            "out must hold one spectrogram per copy"
        );
        let cleaned = self.clean(samples, sample_rate)?.to_vec();
        let mut fixed = vec![0.0; self.opts.n_samples()];
        let mut augmenter = self.augmenter.take().unwrap_or_default();
        let mut run = || -> Result<()> {
            for (copy, dst) in out.chunks_exact_mut(feature_len).enumerate() {
                if copy == 0 {
                    fix_length_into(&cleaned, &mut fixed);
                } else {
                    let augmented = augmenter.apply(
                        &augmentations[copy - 1],
                        &cleaned,
                        draw_seed(seed, 0, copy - 1),
                    )?;
                    fix_length_into(&augmented, &mut fixed);
                }
                self.log_mel_into(&fixed, dst)?;
            }
            Ok(())
        };
        let result = run();
        self.augmenter = Some(augmenter);
        result
    }

    /// Log-mel dB spectrogram of a pre-processed waveform, mel-major
    /// `[n_mels][1 + len / hop]` into `out`.
    ///
    /// The power spectrogram never exists whole: the STFT hands over blocks of
    /// [`BLOCK`](crate::stft::BLOCK) frames (bin-major, cache-resident) and the
    /// filterbank turns each into mel power straight in `out`.
    ///
    /// # Errors
    /// [`DspError::Empty`] for an empty waveform, [`DspError::NonFinite`] for a NaN or
    /// infinite sample.
    ///
    /// # Panics
    /// When `out` does not hold `n_mels · (1 + y.len() / hop_length)` values.
    pub fn log_mel_into(&mut self, y: &[f32], out: &mut [f32]) -> Result<()> {
        check_waveform(y)?;
        let n_frames = self.stft.n_frames(y.len());
        assert_eq!(
            out.len(),
            self.opts.n_mels * n_frames,
            "out must hold n_mels * (1 + len / hop) values"
        );
        let mel = &self.mel;
        self.stft.process_blocks(y, |t0, count, block| {
            mel.apply_block(block, t0, count, n_frames, out)
        });
        power_to_db_in_place(out, self.opts.db_ref, self.opts.amin, self.opts.top_db);
        Ok(())
    }

    /// Log-mel of a pre-processed waveform as a new vector.
    ///
    /// # Errors
    /// As [`log_mel_into`](Self::log_mel_into).
    pub fn log_mel(&mut self, y: &[f32]) -> Result<Vec<f32>> {
        let mut out = vec![0.0; self.opts.n_mels * self.stft.n_frames(y.len())];
        self.log_mel_into(y, &mut out)?;
        Ok(out)
    }

    /// Pre-process and extract in one go into `out` (`feature_len()` long).
    pub fn extract_into(
        &mut self,
        samples: &[f32],
        sample_rate: u32,
        out: &mut [f32],
    ) -> Result<()> {
        let mut fixed = std::mem::take(&mut self.fixed);
        fixed.resize(self.opts.n_samples(), 0.0);
        let result = self
            .preprocess_into(samples, sample_rate, &mut fixed)
            .and_then(|()| self.log_mel_into(&fixed, out));
        self.fixed = fixed;
        result
    }

    /// Pre-process and extract: `[n_mels][n_frames]` log-mel dB.
    pub fn extract(&mut self, samples: &[f32], sample_rate: u32) -> Result<Vec<f32>> {
        let mut out = vec![0.0; self.opts.feature_len()];
        self.extract_into(samples, sample_rate, &mut out)?;
        Ok(out)
    }

    /// Read, decode and extract one WAV file; errors name the file.
    pub fn extract_file(&mut self, path: &Path) -> Result<Vec<f32>> {
        let mut out = vec![0.0; self.opts.feature_len()];
        self.extract_file_into(path, &mut out)?;
        Ok(out)
    }

    /// Read, decode and extract one WAV file into `out` (`feature_len()` long);
    /// errors name the file.
    pub fn extract_file_into(&mut self, path: &Path, out: &mut [f32]) -> Result<()> {
        let audio = read_wav(path)?;
        self.extract_into(&audio.samples, audio.sample_rate, out)
            .map_err(|e| e.in_file(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_is_128_by_259_for_any_length() {
        let mut ex = LogMelExtractor::new(DspOptions::default()).unwrap();
        for (n, sr) in [(12_000, 22_050), (300_000, 48_000), (132_300, 44_100)] {
            let y: Vec<f32> = (0..n).map(|i| ((i as f32) * 0.01).sin() * 0.3).collect();
            let out = ex.extract(&y, sr).unwrap();
            assert_eq!(out.len(), 128 * 259);
            assert!(out.iter().all(|v| v.is_finite()));
            let max = out.iter().cloned().fold(f32::MIN, f32::max);
            let min = out.iter().cloned().fold(f32::MAX, f32::min);
            assert!(max - min <= 80.0 + 1e-3);
        }
    }

    #[test]
    fn silent_and_non_finite_inputs_are_errors() {
        let mut ex = LogMelExtractor::new(DspOptions::default()).unwrap();
        assert_eq!(ex.extract(&[0.0; 50_000], 44_100), Err(DspError::Silent));
        assert_eq!(
            ex.extract(&[0.0, f32::NAN], 44_100),
            Err(DspError::NonFinite { index: 1 })
        );
        assert_eq!(ex.extract(&[], 44_100), Err(DspError::Empty));
    }

    #[test]
    fn augmented_copies_follow_the_original_and_are_seeded() {
        let mut ex = LogMelExtractor::new(DspOptions::default()).unwrap();
        let y: Vec<f32> = (0..60_000)
            .map(|i| ((i as f32) * 0.02).sin() * 0.3 * ((i as f32) * 1e-4).cos())
            .collect();
        let augs = crate::augment::PAPER_AUGMENTATIONS;
        let n = ex.options().feature_len();
        let mut a = vec![0.0; 5 * n];
        let mut b = vec![0.0; 5 * n];
        ex.extract_augmented_into(&y, 22_050, &augs, 42, &mut a)
            .unwrap();
        ex.extract_augmented_into(&y, 22_050, &augs, 42, &mut b)
            .unwrap();
        assert_eq!(a, b, "same seed, same copies");
        assert_eq!(
            &a[..n],
            &ex.extract(&y, 22_050).unwrap()[..],
            "copy 0 is the plain extraction"
        );
        for copy in 1..5 {
            assert_ne!(
                &a[..n],
                &a[copy * n..(copy + 1) * n],
                "copy {copy} differs from the original"
            );
        }
        ex.extract_augmented_into(&y, 22_050, &augs, 43, &mut b)
            .unwrap();
        assert_ne!(&a[n..2 * n], &b[n..2 * n], "another seed, other noise");
        assert_eq!(
            &a[2 * n..],
            &b[2 * n..],
            "the deterministic copies do not depend on the seed"
        );
    }

    #[test]
    fn invalid_options_name_the_parameter() {
        let opts = DspOptions {
            n_mels: 0,
            ..Default::default()
        };
        let err = LogMelExtractor::new(opts).err().unwrap();
        assert_eq!(
            err.to_string(),
            "invalid option `nMels`: expected an integer in 1..=1024, received 0"
        );
    }
}
