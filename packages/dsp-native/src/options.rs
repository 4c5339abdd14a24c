//! JS options object → `ser_dsp::DspOptions`. Every field is optional; a missing
//! one takes the core's default. Integers arrive as JS numbers and are checked
//! here (a float such as 1.5 or a negative number is an option error, never a
//! silent truncation); ranges are checked by `DspOptions::validate`.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use ser_dsp::{DspError, MelScale};

use crate::error::BindResult;

/// A mel scale by name: `slaney` (librosa's default) or `htk`.
#[napi(string_enum)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MelScaleName {
    /// Slaney's Auditory Toolbox scale (linear below 1 kHz).
    #[napi(value = "slaney")]
    Slaney,
    /// The HTK formula `2595 · log10(1 + f / 700)`.
    #[napi(value = "htk")]
    Htk,
}

impl From<MelScaleName> for MelScale {
    fn from(s: MelScaleName) -> Self {
        match s {
            MelScaleName::Slaney => MelScale::Slaney,
            MelScaleName::Htk => MelScale::Htk,
        }
    }
}

impl From<MelScale> for MelScaleName {
    fn from(s: MelScale) -> Self {
        match s {
            MelScale::Slaney => MelScaleName::Slaney,
            MelScale::Htk => MelScaleName::Htk,
        }
    }
}

/// Options of the pre-processing and log-mel pipeline (SPEC §1–2). Every field
/// is optional; missing ones take the defaults of the DSP core.
#[napi(object)]
#[derive(Default)]
pub struct DspOptions {
    /// Sample rate every input is resampled to, Hz. Default 44100.
    pub sample_rate: Option<f64>,
    /// Remove leading/trailing silence. Default true.
    pub trim: Option<bool>,
    /// Trim threshold below the loudest frame, dB. Default 60.
    pub trim_top_db: Option<f64>,
    /// Trim RMS frame length, samples. Default 2048.
    pub trim_frame_length: Option<f64>,
    /// Trim RMS hop, samples. Default 512.
    pub trim_hop_length: Option<f64>,
    /// Apply the Wiener filter after trimming. Default true.
    pub wiener: Option<bool>,
    /// Wiener window, samples (odd). Default 3.
    pub wiener_size: Option<f64>,
    /// Fixed length, seconds. Default 3.0.
    pub duration_seconds: Option<f64>,
    /// FFT size. Default 2048.
    pub n_fft: Option<f64>,
    /// STFT hop, samples. Default 512.
    pub hop_length: Option<f64>,
    /// Mel bands. Default 128.
    pub n_mels: Option<f64>,
    /// Lowest mel edge, Hz. Default 0.
    pub fmin: Option<f64>,
    /// Highest mel edge, Hz; null = sampleRate / 2. Default null.
    pub fmax: Option<Either<f64, Null>>,
    /// Mel scale. Default 'slaney'. An unknown name is an `ERR_SER_INVALID_OPTION`
    /// naming `melScale`.
    // A string, not `MelScaleName`, on input: napi's own enum conversion would throw
    // its generic `InvalidArg` instead of the option error every other option gives.
    #[napi(ts_type = "MelScaleName")]
    pub mel_scale: Option<String>,
    /// Reference power of 0 dB. Default 1.0.
    pub db_ref: Option<f64>,
    /// Power floor before the logarithm. Default 1e-10.
    pub amin: Option<f64>,
    /// Dynamic range kept below the peak, dB; null keeps everything. Default 80.
    pub top_db: Option<Either<f64, Null>>,
}

fn invalid(name: &'static str, allowed: &'static str, received: impl ToString) -> DspError {
    DspError::InvalidOption {
        name,
        allowed,
        received: received.to_string(),
    }
}

fn int(name: &'static str, value: Option<f64>, default: usize) -> BindResult<usize> {
    match value {
        None => Ok(default),
        Some(v) if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 => {
            Ok(v as usize)
        }
        Some(v) => Err(invalid(name, "a non-negative integer", v).into()),
    }
}

fn num(name: &'static str, value: Option<f64>, default: f32) -> BindResult<f32> {
    match value {
        None => Ok(default),
        Some(v) if v.is_finite() => Ok(v as f32),
        Some(v) => Err(invalid(name, "a finite number", v).into()),
    }
}

fn nullable(
    name: &'static str,
    value: Option<Either<f64, Null>>,
    default: Option<f32>,
) -> BindResult<Option<f32>> {
    match value {
        None => Ok(default),
        Some(Either::B(_)) => Ok(None),
        Some(Either::A(v)) if v.is_finite() => Ok(Some(v as f32)),
        Some(Either::A(v)) => Err(invalid(name, "a finite number, or null", v).into()),
    }
}

/// Merge `opts` over the core's defaults and validate the result.
pub fn to_core(opts: Option<&DspOptions>) -> BindResult<ser_dsp::DspOptions> {
    let d = ser_dsp::DspOptions::default();
    let Some(o) = opts else {
        return Ok(d);
    };
    let mel_scale = match o.mel_scale.as_deref() {
        None => d.mel_scale,
        Some("slaney") => MelScale::Slaney,
        Some("htk") => MelScale::Htk,
        Some(other) => {
            return Err(invalid("melScale", "'slaney' or 'htk'", format!("'{other}'")).into())
        }
    };
    let core = ser_dsp::DspOptions {
        sample_rate: int("sampleRate", o.sample_rate, d.sample_rate as usize)? as u32,
        trim: o.trim.unwrap_or(d.trim),
        trim_top_db: num("trimTopDb", o.trim_top_db, d.trim_top_db)?,
        trim_frame_length: int("trimFrameLength", o.trim_frame_length, d.trim_frame_length)?,
        trim_hop_length: int("trimHopLength", o.trim_hop_length, d.trim_hop_length)?,
        wiener: o.wiener.unwrap_or(d.wiener),
        wiener_size: int("wienerSize", o.wiener_size, d.wiener_size)?,
        duration_seconds: match o.duration_seconds {
            None => d.duration_seconds,
            Some(v) => v,
        },
        n_fft: int("nFft", o.n_fft, d.n_fft)?,
        hop_length: int("hopLength", o.hop_length, d.hop_length)?,
        n_mels: int("nMels", o.n_mels, d.n_mels)?,
        fmin: num("fmin", o.fmin, d.fmin)?,
        fmax: nullable("fmax", o.fmax, d.fmax)?,
        mel_scale,
        db_ref: num("dbRef", o.db_ref, d.db_ref)?,
        amin: num("amin", o.amin, d.amin)?,
        top_db: nullable("topDb", o.top_db, d.top_db)?,
    };
    core.validate()?;
    Ok(core)
}

/// Shape of one log-mel spectrogram under the given options.
#[napi(object)]
pub struct FeatureShape {
    /// Mel bands (rows).
    pub n_mels: u32,
    /// STFT frames (columns).
    pub n_frames: u32,
    /// Samples of the fixed-length waveform.
    pub n_samples: u32,
    /// Sample rate of the fixed-length waveform, Hz.
    pub sample_rate: u32,
}

impl FeatureShape {
    pub fn of(o: &ser_dsp::DspOptions) -> Self {
        Self {
            n_mels: o.n_mels as u32,
            n_frames: o.n_frames() as u32,
            n_samples: o.n_samples() as u32,
            sample_rate: o.sample_rate,
        }
    }
}

/// The full option set after merging defaults, as the core will use it.
#[napi(object, object_from_js = false)]
pub struct ResolvedDspOptions {
    pub sample_rate: u32,
    pub trim: bool,
    pub trim_top_db: f64,
    pub trim_frame_length: u32,
    pub trim_hop_length: u32,
    pub wiener: bool,
    pub wiener_size: u32,
    pub duration_seconds: f64,
    pub n_fft: u32,
    pub hop_length: u32,
    pub n_mels: u32,
    pub fmin: f64,
    #[napi(ts_type = "number | null")]
    pub fmax: Either<f64, Null>,
    pub mel_scale: MelScaleName,
    pub db_ref: f64,
    pub amin: f64,
    #[napi(ts_type = "number | null")]
    pub top_db: Either<f64, Null>,
}

/// An `f32` option as the shortest `f64` that prints the same (1e-10, not 1.0000000133e-10).
fn wide(v: f32) -> f64 {
    v.to_string().parse().unwrap_or(v as f64)
}

impl ResolvedDspOptions {
    pub fn of(o: &ser_dsp::DspOptions) -> Self {
        Self {
            sample_rate: o.sample_rate,
            trim: o.trim,
            trim_top_db: wide(o.trim_top_db),
            trim_frame_length: o.trim_frame_length as u32,
            trim_hop_length: o.trim_hop_length as u32,
            wiener: o.wiener,
            wiener_size: o.wiener_size as u32,
            duration_seconds: o.duration_seconds,
            n_fft: o.n_fft as u32,
            hop_length: o.hop_length as u32,
            n_mels: o.n_mels as u32,
            fmin: wide(o.fmin),
            fmax: o.fmax.map_or(Either::B(Null), |v| Either::A(wide(v))),
            mel_scale: o.mel_scale.into(),
            db_ref: wide(o.db_ref),
            amin: wide(o.amin),
            top_db: o.top_db.map_or(Either::B(Null), |v| Either::A(wide(v))),
        }
    }
}

/// A bound that is another option's value times a factor (e.g. `sampleRate / 2`).
#[napi(object)]
pub struct OptionBound {
    /// Name of the option.
    pub option: String,
    /// Factor applied to its value.
    pub factor: f64,
}

/// One DSP option as data: the core's `OPTION_TABLE` entry (default and allowed range).
#[napi(object, object_from_js = false)]
pub struct DspOptionSpec {
    /// camelCase name.
    pub name: String,
    /// Type of the value.
    #[napi(ts_type = "'integer' | 'number' | 'boolean' | 'choice'")]
    pub kind: String,
    /// The allowed strings of a `'choice'` option.
    pub choices: Option<Vec<String>>,
    /// Default value (`null`: e.g. `fmax` is `sampleRate / 2`).
    #[napi(js_name = "default")]
    pub default_value: Either4<f64, bool, String, Null>,
    /// `null` is allowed.
    pub nullable: bool,
    /// Lower bound: a number or another option's value times a factor.
    pub min: Option<Either<f64, OptionBound>>,
    /// The lower bound itself is excluded.
    pub min_exclusive: bool,
    /// Upper bound: a number or another option's value times a factor.
    pub max: Option<Either<f64, OptionBound>>,
    /// The upper bound itself is excluded.
    pub max_exclusive: bool,
    /// Required parity of an integer.
    #[napi(ts_type = "'any' | 'odd' | 'even'")]
    pub parity: String,
    /// The range in words, as error messages state it.
    pub allowed: String,
}

fn bound(b: Option<ser_dsp::options::Bound>) -> Option<Either<f64, OptionBound>> {
    b.map(|b| match b {
        ser_dsp::options::Bound::Value(v) => Either::A(v),
        ser_dsp::options::Bound::Option { name, factor } => Either::B(OptionBound {
            option: name.to_string(),
            factor,
        }),
    })
}

/// The core's option table (`ser_dsp::options::OPTION_TABLE`) as JS objects, in SPEC order.
pub fn option_table() -> Vec<DspOptionSpec> {
    use ser_dsp::options::{OptionDefault, OptionKind, Parity, OPTION_TABLE};
    OPTION_TABLE
        .iter()
        .map(|s| DspOptionSpec {
            name: s.name.to_string(),
            kind: match s.kind {
                OptionKind::Integer => "integer",
                OptionKind::Number => "number",
                OptionKind::Boolean => "boolean",
                OptionKind::Choice(_) => "choice",
            }
            .to_string(),
            choices: match s.kind {
                OptionKind::Choice(c) => Some(c.iter().map(|v| v.to_string()).collect()),
                _ => None,
            },
            default_value: match s.default {
                OptionDefault::Number(v) => Either4::A(v),
                OptionDefault::Boolean(v) => Either4::B(v),
                OptionDefault::Text(v) => Either4::C(v.to_string()),
                OptionDefault::Null => Either4::D(Null),
            },
            nullable: s.nullable,
            min: bound(s.min),
            min_exclusive: s.min_exclusive,
            max: bound(s.max),
            max_exclusive: s.max_exclusive,
            parity: match s.parity {
                Parity::Any => "any",
                Parity::Odd => "odd",
                Parity::Even => "even",
            }
            .to_string(),
            allowed: s.allowed.to_string(),
        })
        .collect()
}
