//! Pipeline options. Every default is the value SPEC.md §1–2 pins (the paper's
//! setting, librosa 0.10 + scipy semantics); `validate` names the offending
//! parameter, its allowed range and the value received.

use crate::error::{DspError, Result};

/// Mel frequency scale of the filterbank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MelScale {
    /// Slaney's scale (linear below 1 kHz, log above): librosa's default, `htk=False`.
    #[default]
    Slaney,
    /// `m = 2595·log10(1 + f/700)`, the formula printed in the paper.
    Htk,
}

/// Options of the whole pre-processing and log-mel pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct DspOptions {
    /// Sample rate every input is resampled to, Hz. Default 44,100.
    pub sample_rate: u32,
    /// Remove leading and trailing silence. Default true.
    pub trim: bool,
    /// Frames this many dB below the loudest frame are silence. Default 60.
    pub trim_top_db: f32,
    /// Trim RMS frame length, samples. Default 2048.
    pub trim_frame_length: usize,
    /// Trim RMS hop, samples. Default 512.
    pub trim_hop_length: usize,
    /// Apply the Wiener filter after trimming. Default true.
    pub wiener: bool,
    /// Wiener window, samples (odd). Default 3.
    pub wiener_size: usize,
    /// Length every utterance is padded or cut to, seconds. Default 3.0.
    pub duration_seconds: f64,
    /// FFT size and window length. Default 2048.
    pub n_fft: usize,
    /// STFT hop, samples. Default 512.
    pub hop_length: usize,
    /// Number of mel bands. Default 128.
    pub n_mels: usize,
    /// Lowest filter edge, Hz. Default 0.
    pub fmin: f32,
    /// Highest filter edge, Hz; `None` is `sample_rate / 2`. Default `None`.
    pub fmax: Option<f32>,
    /// Mel scale. Default Slaney.
    pub mel_scale: MelScale,
    /// Reference power of 0 dB. Default 1.0.
    pub db_ref: f32,
    /// Power floor before the logarithm. Default 1e-10.
    pub amin: f32,
    /// Dynamic range kept below the peak, dB; `None` keeps everything. Default 80.
    pub top_db: Option<f32>,
}

impl Default for DspOptions {
    fn default() -> Self {
        Self {
            sample_rate: 44_100,
            trim: true,
            trim_top_db: 60.0,
            trim_frame_length: 2048,
            trim_hop_length: 512,
            wiener: true,
            wiener_size: 3,
            duration_seconds: 3.0,
            n_fft: 2048,
            hop_length: 512,
            n_mels: 128,
            fmin: 0.0,
            fmax: None,
            mel_scale: MelScale::Slaney,
            db_ref: 1.0,
            amin: 1e-10,
            top_db: Some(80.0),
        }
    }
}

fn invalid(name: &'static str, allowed: &'static str, received: impl ToString) -> DspError {
    DspError::InvalidOption {
        name,
        allowed,
        received: received.to_string(),
    }
}

impl DspOptions {
    /// Check every option; the first one out of range is reported.
    pub fn validate(&self) -> Result<()> {
        if !(8_000..=192_000).contains(&self.sample_rate) {
            return Err(invalid(
                "sampleRate",
                "an integer in 8000..=192000 Hz",
                self.sample_rate,
            ));
        }
        if !(self.trim_top_db.is_finite() && self.trim_top_db > 0.0) {
            return Err(invalid(
                "trimTopDb",
                "a finite number > 0",
                self.trim_top_db,
            ));
        }
        if !(16..=65_536).contains(&self.trim_frame_length) {
            return Err(invalid(
                "trimFrameLength",
                "an integer in 16..=65536",
                self.trim_frame_length,
            ));
        }
        if self.trim_hop_length == 0 || self.trim_hop_length > self.trim_frame_length {
            return Err(invalid(
                "trimHopLength",
                "an integer in 1..=trimFrameLength",
                self.trim_hop_length,
            ));
        }
        if self.wiener_size == 0 || self.wiener_size % 2 == 0 || self.wiener_size > 1025 {
            return Err(invalid(
                "wienerSize",
                "an odd integer in 1..=1025",
                self.wiener_size,
            ));
        }
        if !(self.duration_seconds.is_finite()
            && self.duration_seconds > 0.0
            && self.duration_seconds <= 600.0)
        {
            return Err(invalid(
                "durationSeconds",
                "a number in (0, 600]",
                self.duration_seconds,
            ));
        }
        if !(16..=65_536).contains(&self.n_fft) || self.n_fft % 2 != 0 {
            return Err(invalid("nFft", "an even integer in 16..=65536", self.n_fft));
        }
        if self.hop_length == 0 || self.hop_length > self.n_fft {
            return Err(invalid(
                "hopLength",
                "an integer in 1..=nFft",
                self.hop_length,
            ));
        }
        if !(1..=1024).contains(&self.n_mels) {
            return Err(invalid("nMels", "an integer in 1..=1024", self.n_mels));
        }
        let nyquist = self.sample_rate as f32 / 2.0;
        if !(self.fmin.is_finite() && self.fmin >= 0.0 && self.fmin < nyquist) {
            return Err(invalid("fmin", "a number in [0, sampleRate/2)", self.fmin));
        }
        if let Some(fmax) = self.fmax {
            if !(fmax.is_finite() && fmax > self.fmin && fmax <= nyquist) {
                return Err(invalid(
                    "fmax",
                    "a number in (fmin, sampleRate/2], or null",
                    fmax,
                ));
            }
        }
        if !(self.db_ref.is_finite() && self.db_ref > 0.0) {
            return Err(invalid("dbRef", "a finite number > 0", self.db_ref));
        }
        if !(self.amin.is_finite() && self.amin > 0.0) {
            return Err(invalid("amin", "a finite number > 0", self.amin));
        }
        if let Some(top_db) = self.top_db {
            if !(top_db.is_finite() && top_db >= 0.0) {
                return Err(invalid("topDb", "a finite number >= 0, or null", top_db));
            }
        }
        Ok(())
    }

    /// Samples of a fixed-length utterance: `round(duration · sample_rate)` (132,300 by default).
    pub fn n_samples(&self) -> usize {
        (self.duration_seconds * self.sample_rate as f64).round() as usize
    }

    /// STFT frames of a fixed-length utterance with centred frames: `1 + n_samples / hop` (259).
    pub fn n_frames(&self) -> usize {
        1 + self.n_samples() / self.hop_length
    }

    /// Floats of one log-mel spectrogram: `n_mels · n_frames` (128 × 259).
    pub fn feature_len(&self) -> usize {
        self.n_mels * self.n_frames()
    }

    /// The upper filter edge actually used.
    pub fn fmax_hz(&self) -> f32 {
        self.fmax.unwrap_or(self.sample_rate as f32 / 2.0)
    }
}
