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

/// A bound of an option's range: a constant, or another option's value times a factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// A fixed value.
    Value(f64),
    /// `factor ×` the (validated) value of option `name`, e.g. `sampleRate / 2`.
    Option {
        /// Name of the option (camelCase, as in [`OPTION_TABLE`]).
        name: &'static str,
        /// Factor applied to its value.
        factor: f64,
    },
}

/// The type of an option's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptionKind {
    /// A whole number (optionally odd or even).
    Integer,
    /// A finite number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// One of the given strings.
    Choice(&'static [&'static str]),
}

/// An option's default value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptionDefault {
    /// A number.
    Number(f64),
    /// A boolean.
    Boolean(bool),
    /// A string (a [`OptionKind::Choice`]).
    Text(&'static str),
    /// `null` (e.g. `fmax`: `sampleRate / 2`).
    Null,
}

/// Parity an integer option must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parity {
    /// Any integer.
    Any,
    /// An odd integer.
    Odd,
    /// An even integer.
    Even,
}

/// One option of [`DspOptions`] as data: name, default and allowed range. [`OPTION_TABLE`] is
/// the single source of the options' defaults and ranges: [`DspOptions::validate`] checks with
/// it and the Node binding exports it to the TypeScript API.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptionSpec {
    /// camelCase name, as in the JS API and error messages.
    pub name: &'static str,
    /// Type of the value.
    pub kind: OptionKind,
    /// Default (equal to `DspOptions::default()`; a test checks it).
    pub default: OptionDefault,
    /// `null` is allowed (the option is an `Option` in Rust).
    pub nullable: bool,
    /// Lower bound, if any.
    pub min: Option<Bound>,
    /// The lower bound itself is excluded.
    pub min_exclusive: bool,
    /// Upper bound, if any.
    pub max: Option<Bound>,
    /// The upper bound itself is excluded.
    pub max_exclusive: bool,
    /// Required parity of an integer.
    pub parity: Parity,
    /// The range in words, as error messages state it.
    pub allowed: &'static str,
}

const fn spec(
    name: &'static str,
    kind: OptionKind,
    default: OptionDefault,
    allowed: &'static str,
) -> OptionSpec {
    OptionSpec {
        name,
        kind,
        default,
        nullable: false,
        min: None,
        min_exclusive: false,
        max: None,
        max_exclusive: false,
        parity: Parity::Any,
        allowed,
    }
}

const fn int_in(
    name: &'static str,
    default: f64,
    min: f64,
    max: f64,
    allowed: &'static str,
) -> OptionSpec {
    OptionSpec {
        min: Some(Bound::Value(min)),
        max: Some(Bound::Value(max)),
        ..spec(
            name,
            OptionKind::Integer,
            OptionDefault::Number(default),
            allowed,
        )
    }
}

const fn positive(name: &'static str, default: f64) -> OptionSpec {
    OptionSpec {
        min: Some(Bound::Value(0.0)),
        min_exclusive: true,
        ..spec(
            name,
            OptionKind::Number,
            OptionDefault::Number(default),
            "a finite number > 0",
        )
    }
}

const fn boolean(name: &'static str, default: bool) -> OptionSpec {
    spec(
        name,
        OptionKind::Boolean,
        OptionDefault::Boolean(default),
        "a boolean",
    )
}

const HALF_RATE: Bound = Bound::Option {
    name: "sampleRate",
    factor: 0.5,
};

/// Every option of [`DspOptions`] in SPEC order (SPEC.md §1–2): default and allowed range.
pub const OPTION_TABLE: [OptionSpec; 17] = [
    int_in(
        "sampleRate",
        44_100.0,
        8_000.0,
        192_000.0,
        "an integer in 8000..=192000 Hz",
    ),
    boolean("trim", true),
    positive("trimTopDb", 60.0),
    int_in(
        "trimFrameLength",
        2048.0,
        16.0,
        65_536.0,
        "an integer in 16..=65536",
    ),
    OptionSpec {
        max: Some(Bound::Option {
            name: "trimFrameLength",
            factor: 1.0,
        }),
        ..int_in(
            "trimHopLength",
            512.0,
            1.0,
            0.0,
            "an integer in 1..=trimFrameLength",
        )
    },
    boolean("wiener", true),
    OptionSpec {
        parity: Parity::Odd,
        ..int_in("wienerSize", 3.0, 1.0, 1025.0, "an odd integer in 1..=1025")
    },
    OptionSpec {
        max: Some(Bound::Value(600.0)),
        allowed: "a number in (0, 600]",
        ..positive("durationSeconds", 3.0)
    },
    OptionSpec {
        parity: Parity::Even,
        ..int_in(
            "nFft",
            2048.0,
            16.0,
            65_536.0,
            "an even integer in 16..=65536",
        )
    },
    OptionSpec {
        max: Some(Bound::Option {
            name: "nFft",
            factor: 1.0,
        }),
        ..int_in("hopLength", 512.0, 1.0, 0.0, "an integer in 1..=nFft")
    },
    int_in("nMels", 128.0, 1.0, 1024.0, "an integer in 1..=1024"),
    OptionSpec {
        min: Some(Bound::Value(0.0)),
        max: Some(HALF_RATE),
        max_exclusive: true,
        ..spec(
            "fmin",
            OptionKind::Number,
            OptionDefault::Number(0.0),
            "a number in [0, sampleRate/2)",
        )
    },
    OptionSpec {
        nullable: true,
        min: Some(Bound::Option {
            name: "fmin",
            factor: 1.0,
        }),
        min_exclusive: true,
        max: Some(HALF_RATE),
        ..spec(
            "fmax",
            OptionKind::Number,
            OptionDefault::Null,
            "a number in (fmin, sampleRate/2], or null",
        )
    },
    spec(
        "melScale",
        OptionKind::Choice(&["slaney", "htk"]),
        OptionDefault::Text("slaney"),
        "'slaney' or 'htk'",
    ),
    positive("dbRef", 1.0),
    positive("amin", 1e-10),
    OptionSpec {
        nullable: true,
        min: Some(Bound::Value(0.0)),
        ..spec(
            "topDb",
            OptionKind::Number,
            OptionDefault::Number(80.0),
            "a finite number >= 0, or null",
        )
    },
];

/// The [`OPTION_TABLE`] entry of option `name` (camelCase).
///
/// # Panics
/// When `name` is not an option (a programming error: names are constants).
pub fn option_spec(name: &str) -> &'static OptionSpec {
    OPTION_TABLE
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no DSP option named {name}"))
}

impl OptionSpec {
    /// True when the number `v` is in this option's range; `value_of` gives the values of the
    /// options the bounds refer to.
    pub fn accepts_number(&self, v: f64, value_of: impl Fn(&str) -> f64) -> bool {
        let bound = |b: Bound| match b {
            Bound::Value(x) => x,
            Bound::Option { name, factor } => value_of(name) * factor,
        };
        if !v.is_finite() {
            return false;
        }
        if self.kind == OptionKind::Integer {
            let odd = v.rem_euclid(2.0) == 1.0;
            if v.fract() != 0.0
                || (self.parity == Parity::Odd && !odd)
                || (self.parity == Parity::Even && odd)
            {
                return false;
            }
        }
        if let Some(lo) = self.min.map(bound) {
            if v < lo || (self.min_exclusive && v == lo) {
                return false;
            }
        }
        if let Some(hi) = self.max.map(bound) {
            if v > hi || (self.max_exclusive && v == hi) {
                return false;
            }
        }
        true
    }
}

impl DspOptions {
    /// The value of numeric option `name` as f64 (`NaN` for a non-numeric or unset one).
    fn number(&self, name: &str) -> f64 {
        match name {
            "sampleRate" => self.sample_rate as f64,
            "trimTopDb" => self.trim_top_db as f64,
            "trimFrameLength" => self.trim_frame_length as f64,
            "trimHopLength" => self.trim_hop_length as f64,
            "wienerSize" => self.wiener_size as f64,
            "durationSeconds" => self.duration_seconds,
            "nFft" => self.n_fft as f64,
            "hopLength" => self.hop_length as f64,
            "nMels" => self.n_mels as f64,
            "fmin" => self.fmin as f64,
            "fmax" => self.fmax.map_or(f64::NAN, |v| v as f64),
            "dbRef" => self.db_ref as f64,
            "amin" => self.amin as f64,
            "topDb" => self.top_db.map_or(f64::NAN, |v| v as f64),
            _ => f64::NAN,
        }
    }

    /// Check every option against [`OPTION_TABLE`], in its order; the first one out of range is
    /// reported with its allowed range and the value received.
    pub fn validate(&self) -> Result<()> {
        for spec in &OPTION_TABLE {
            let (v, shown) = match spec.name {
                "sampleRate" => (self.number(spec.name), self.sample_rate.to_string()),
                "trimTopDb" => (self.number(spec.name), self.trim_top_db.to_string()),
                "trimFrameLength" => (self.number(spec.name), self.trim_frame_length.to_string()),
                "trimHopLength" => (self.number(spec.name), self.trim_hop_length.to_string()),
                "wienerSize" => (self.number(spec.name), self.wiener_size.to_string()),
                "durationSeconds" => (self.number(spec.name), self.duration_seconds.to_string()),
                "nFft" => (self.number(spec.name), self.n_fft.to_string()),
                "hopLength" => (self.number(spec.name), self.hop_length.to_string()),
                "nMels" => (self.number(spec.name), self.n_mels.to_string()),
                "fmin" => (self.number(spec.name), self.fmin.to_string()),
                "fmax" => match self.fmax {
                    Some(v) => (v as f64, v.to_string()),
                    None => continue,
                },
                "dbRef" => (self.number(spec.name), self.db_ref.to_string()),
                "amin" => (self.number(spec.name), self.amin.to_string()),
                "topDb" => match self.top_db {
                    Some(v) => (v as f64, v.to_string()),
                    None => continue,
                },
                // Booleans and the mel scale are typed in Rust: nothing to check.
                _ => continue,
            };
            if !spec.accepts_number(v, |n| self.number(n)) {
                return Err(invalid(spec.name, spec.allowed, shown));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_table_defaults_are_the_struct_defaults() {
        let d = DspOptions::default();
        let want = |name: &str| match option_spec(name).default {
            OptionDefault::Number(v) => Some(v),
            OptionDefault::Null => None,
            other => panic!("{name}: unexpected default {other:?}"),
        };
        for spec in &OPTION_TABLE {
            match spec.name {
                "trim" => assert_eq!(spec.default, OptionDefault::Boolean(d.trim)),
                "wiener" => assert_eq!(spec.default, OptionDefault::Boolean(d.wiener)),
                "melScale" => assert_eq!(spec.default, OptionDefault::Text("slaney")),
                "fmax" => assert_eq!(want("fmax"), d.fmax.map(|v| v as f64)),
                "topDb" => assert_eq!(want("topDb"), d.top_db.map(|v| v as f64)),
                // Compared in f32: the table states `amin` as 1e-10, the struct holds its f32.
                name => assert_eq!(
                    want(name).map(|v| v as f32),
                    Some(d.number(name) as f32),
                    "{name}"
                ),
            }
        }
        assert_eq!(d.mel_scale, MelScale::Slaney);
    }

    #[test]
    fn validate_reports_the_table_range_and_the_value() {
        let o = DspOptions {
            wiener_size: 4,
            ..DspOptions::default()
        };
        let err = o.validate().unwrap_err().to_string();
        assert!(
            err.contains("wienerSize")
                && err.contains("an odd integer in 1..=1025")
                && err.contains('4'),
            "{err}"
        );
        let o = DspOptions {
            fmax: Some(22_050.5),
            ..DspOptions::default()
        };
        assert!(o.validate().unwrap_err().to_string().contains("22050.5"));
        assert!(DspOptions {
            fmax: Some(22_050.0),
            ..DspOptions::default()
        }
        .validate()
        .is_ok());
    }
}
