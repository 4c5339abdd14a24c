//! The paper's training augmentations (SPEC.md §3), applied to a pre-processed
//! waveform before fix-length: additive noise, time stretch (phase vocoder, as
//! `librosa.effects.time_stretch`) and pitch shift (stretch + band-limited
//! resample, as `librosa.effects.pitch_shift`). One module per algorithm.

mod noise;
mod pitch_shift;
mod time_stretch;

pub use noise::add_noise;
pub use pitch_shift::{pitch_shift, PitchShifter};
pub use time_stretch::{time_stretch, TimeStretcher};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{DspError, Result};

/// One augmentation of a training utterance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Augmentation {
    /// `y + a·N(0,1)` with `a = factor · U(0,1) · max|y|`.
    Noise { factor: f64 },
    /// Phase-vocoder time stretch: `rate > 1` is faster (shorter), `< 1` slower.
    TimeStretch { rate: f64 },
    /// Pitch shift by `semitones` (12 per octave), duration unchanged.
    PitchShift { semitones: f64 },
}

/// The paper's four copies: noise 0.1, stretch 1.1 and 0.8, pitch +1.5 semitones.
pub const PAPER_AUGMENTATIONS: [Augmentation; 4] = [
    Augmentation::Noise { factor: 0.1 },
    Augmentation::TimeStretch { rate: 1.1 },
    Augmentation::TimeStretch { rate: 0.8 },
    Augmentation::PitchShift { semitones: 1.5 },
];

impl Augmentation {
    /// A short stable name: `noise0.1`, `stretch1.1`, `pitch+1.5`.
    pub fn name(&self) -> String {
        match self {
            Augmentation::Noise { factor } => format!("noise{factor}"),
            Augmentation::TimeStretch { rate } => format!("stretch{rate}"),
            Augmentation::PitchShift { semitones } => format!("pitch{semitones:+}"),
        }
    }

    /// Check the parameter's range.
    pub fn validate(&self) -> Result<()> {
        let bad = |name, allowed, v: f64| {
            Err(DspError::InvalidOption {
                name,
                allowed,
                received: v.to_string(),
            })
        };
        match *self {
            Augmentation::Noise { factor }
                if !(factor.is_finite() && (0.0..=10.0).contains(&factor)) =>
            {
                bad("noise.factor", "a number in [0, 10]", factor)
            }
            Augmentation::TimeStretch { rate }
                if !(rate.is_finite() && (0.25..=4.0).contains(&rate)) =>
            {
                bad("timeStretch.rate", "a number in [0.25, 4]", rate)
            }
            Augmentation::PitchShift { semitones }
                if !(semitones.is_finite() && (-24.0..=24.0).contains(&semitones)) =>
            {
                bad("pitchShift.semitones", "a number in [-24, 24]", semitones)
            }
            _ => Ok(()),
        }
    }

    /// Apply to `y`. `rng_seed` makes the noise reproducible. Plans the FFTs on every
    /// call: for many signals, reuse an [`Augmenter`].
    pub fn apply(&self, y: &[f32], rng_seed: u64) -> Result<Vec<f32>> {
        Augmenter::default().apply(self, y, rng_seed)
    }
}

/// Applies augmentations with the FFT plans and resamplers made once and reused
/// (the time stretcher's STFT, one resampler per pitch-shift ratio).
#[derive(Default)]
pub struct Augmenter {
    pitch: PitchShifter,
}

impl Augmenter {
    /// An augmenter with librosa's phase-vocoder defaults (n_fft 2048, hop 512).
    pub fn new() -> Self {
        Self::default()
    }

    /// Apply `augmentation` to `y`. `rng_seed` makes the noise reproducible.
    pub fn apply(
        &mut self,
        augmentation: &Augmentation,
        y: &[f32],
        rng_seed: u64,
    ) -> Result<Vec<f32>> {
        augmentation.validate()?;
        Ok(match *augmentation {
            Augmentation::Noise { factor } => {
                add_noise(y, factor, &mut ChaCha8Rng::seed_from_u64(rng_seed))
            }
            Augmentation::TimeStretch { rate } => self.pitch.stretcher().process(y, rate),
            Augmentation::PitchShift { semitones } => self.pitch.process(y, semitones)?,
        })
    }
}

/// The seed of one random draw: a function of the run's seed, the file's index in
/// the batch and the augmentation's index, so results do not depend on threading.
pub fn draw_seed(seed: u64, file_index: usize, augmentation_index: usize) -> u64 {
    // SplitMix64 finaliser over the three inputs.
    let mut z = seed
        ^ (file_index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ ((augmentation_index as u64) << 56);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
