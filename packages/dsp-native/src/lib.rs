//! Node.js binding of the serkit DSP core (`ser-dsp`), built with napi-rs.
//!
//! Thin by design: type conversion, error mapping and threading only; every
//! computation is the core's. `Float32Array` inputs are borrowed without a copy
//! (a slice for synchronous calls, a reference to the JS buffer for asynchronous
//! ones) and outputs hand the Rust `Vec` to JS as an external buffer.
//!
//! Heavy functions come in pairs: `fooSync` runs on the calling thread,
//! `foo` returns a Promise computed on the libuv thread pool and accepts an
//! optional `AbortSignal`.

#![deny(clippy::all)]

mod batch;
mod error;
mod options;
mod stdio;
mod windows;

use std::path::{Path, PathBuf};

use napi::bindgen_prelude::*;
use napi_derive::napi;
use ser_dsp::{LogMelExtractor, MelFilterbank};

pub use batch::*;
use error::{guard, run_sync, to_napi_error, to_uint, BindError, BindResult};
pub use options::*;
pub use stdio::*;
pub use windows::*;

/// A decoded WAV file: mono samples (channels averaged), its sample rate and
/// its channel count before the downmix.
#[napi(object)]
pub struct WavAudio {
    /// Mono samples in [-1, 1).
    pub samples: Float32Array,
    /// Sample rate of the file, Hz.
    pub sample_rate: u32,
    /// Channels in the file (before averaging to mono).
    pub channels: u32,
}

impl From<ser_dsp::Audio> for WavAudio {
    fn from(a: ser_dsp::Audio) -> Self {
        WavAudio {
            samples: Float32Array::new(a.samples),
            sample_rate: a.sample_rate,
            channels: a.channels as u32,
        }
    }
}

/// Decode the bytes of a WAV file (PCM 8/16/24/32-bit, float 32/64, any
/// channel count) to a mono waveform.
#[napi]
pub fn decode_wav(env: Env, bytes: &[u8]) -> Result<WavAudio> {
    run_sync(&env, || Ok(ser_dsp::decode_wav(bytes)?.into()))
}

/// Read and decode a WAV file; errors name the file.
#[napi]
pub fn read_wav(env: Env, path: String) -> Result<WavAudio> {
    run_sync(&env, || Ok(ser_dsp::read_wav(Path::new(&path))?.into()))
}

fn rate(name: &str, value: f64) -> BindResult<u32> {
    Ok(to_uint(name, value, u32::MAX as f64)? as u32)
}

/// Band-limited resampling (output length `ceil(len · toHz / fromHz)`; a copy
/// when the rates are equal).
#[napi]
pub fn resample(env: Env, input: &[f32], from_hz: f64, to_hz: f64) -> Result<Float32Array> {
    run_sync(&env, || {
        let out = ser_dsp::resample(input, rate("fromHz", from_hz)?, rate("toHz", to_hz)?)?;
        Ok(Float32Array::new(out))
    })
}

/// Start and end (exclusive) sample of the non-silent part of a waveform.
#[napi(object)]
pub struct TrimBounds {
    /// First kept sample.
    pub start: u32,
    /// One past the last kept sample.
    pub end: u32,
}

/// `librosa.effects.trim` bounds: frame RMS in dB relative to the loudest
/// frame; keeps from the first to the last frame above `-topDb`.
#[napi]
pub fn trim_bounds(
    env: Env,
    y: &[f32],
    top_db: Option<f64>,
    frame_length: Option<f64>,
    hop_length: Option<f64>,
) -> Result<TrimBounds> {
    run_sync(&env, || {
        let o = options::to_core(Some(&options::DspOptions {
            trim_top_db: top_db,
            trim_frame_length: frame_length,
            trim_hop_length: hop_length,
            ..Default::default()
        }))?;
        let (start, end) =
            ser_dsp::trim_bounds(y, o.trim_top_db, o.trim_frame_length, o.trim_hop_length);
        Ok(TrimBounds {
            start: start as u32,
            end: end as u32,
        })
    })
}

/// `scipy.signal.wiener(y, mysize=size)`; fails with `ERR_SER_SILENT` when
/// every sample is zero.
#[napi]
pub fn wiener(env: Env, y: &[f32], size: Option<f64>) -> Result<Float32Array> {
    run_sync(&env, || {
        let o = options::to_core(Some(&options::DspOptions {
            wiener_size: size,
            ..Default::default()
        }))?;
        Ok(Float32Array::new(ser_dsp::wiener(y, o.wiener_size)?))
    })
}

/// Zero-pad at the end or cut to exactly `n` samples.
#[napi]
pub fn fix_length(env: Env, y: &[f32], n: f64) -> Result<Float32Array> {
    run_sync(&env, || {
        let n = to_uint("n", n, (u32::MAX >> 2) as f64)?;
        Ok(Float32Array::new(ser_dsp::fix_length(y, n)))
    })
}

/// A mel filterbank matrix, mel-major `[nMels][nBins]`.
#[napi(object, object_from_js = false)]
pub struct MelFilterbankMatrix {
    /// Weights, row = mel band.
    pub weights: Float32Array,
    /// Rows.
    pub n_mels: u32,
    /// Columns: `nFft / 2 + 1`.
    pub n_bins: u32,
    /// librosa's warnings for this filterbank, one line each: empty when every band
    /// has weights, else the message naming the empty bands (which always read
    /// `amin`), as librosa warns "Empty filters detected in mel frequency basis".
    pub warnings: Vec<String>,
    /// The empty bands (0-based rows of `weights`).
    pub empty_bands: Vec<u32>,
}

/// The mel filterbank of the given options (`librosa.filters.mel`).
#[napi]
pub fn mel_filterbank(env: Env, options: Option<DspOptions>) -> Result<MelFilterbankMatrix> {
    run_sync(&env, || {
        let o = options::to_core(options.as_ref())?;
        let fb = MelFilterbank::for_options(&o);
        Ok(MelFilterbankMatrix {
            weights: Float32Array::new(fb.weights().to_vec()),
            n_mels: fb.n_mels() as u32,
            n_bins: fb.n_bins() as u32,
            warnings: fb.warnings(),
            empty_bands: fb.empty_filters().iter().map(|&m| m as u32).collect(),
        })
    })
}

/// The options after merging the defaults, validated by the core.
#[napi]
pub fn resolve_options(env: Env, options: Option<DspOptions>) -> Result<ResolvedDspOptions> {
    run_sync(&env, || {
        Ok(ResolvedDspOptions::of(&options::to_core(options.as_ref())?))
    })
}

/// Every DSP option with its default and allowed range, in SPEC order: the
/// core's option table, the single source the TypeScript API reads them from.
#[napi]
pub fn dsp_option_table() -> Vec<DspOptionSpec> {
    options::option_table()
}

/// Shape of one log-mel spectrogram (`[nMels, nFrames]`) and of the
/// fixed-length waveform under the given options.
#[napi]
pub fn feature_shape(env: Env, options: Option<DspOptions>) -> Result<FeatureShape> {
    run_sync(&env, || {
        Ok(FeatureShape::of(&options::to_core(options.as_ref())?))
    })
}

// ---------------------------------------------------------------------------
// The computations shared by the sync and async variants.

fn log_mel_impl(y: &[f32], o: ser_dsp::DspOptions) -> BindResult<Vec<f32>> {
    Ok(LogMelExtractor::new(o)?.log_mel(y)?)
}

fn preprocess_impl(
    samples: &[f32],
    sample_rate: u32,
    o: ser_dsp::DspOptions,
) -> BindResult<Vec<f32>> {
    Ok(LogMelExtractor::new(o)?.preprocess(samples, sample_rate)?)
}

fn extract_impl(samples: &[f32], sample_rate: u32, o: ser_dsp::DspOptions) -> BindResult<Vec<f32>> {
    Ok(LogMelExtractor::new(o)?.extract(samples, sample_rate)?)
}

fn extract_file_impl(path: &Path, o: ser_dsp::DspOptions) -> BindResult<Vec<f32>> {
    Ok(LogMelExtractor::new(o)?.extract_file(path)?)
}

/// An asynchronous computation that yields a `Float32Array`.
pub struct F32Task {
    job: Option<Box<dyn FnOnce() -> BindResult<Vec<f32>> + Send>>,
    error: Option<BindError>,
}

impl F32Task {
    fn spawn(
        job: impl FnOnce() -> BindResult<Vec<f32>> + Send + 'static,
        signal: Option<AbortSignal>,
    ) -> AsyncTask<F32Task> {
        AsyncTask::with_optional_signal(
            F32Task {
                job: Some(Box::new(job)),
                error: None,
            },
            signal,
        )
    }
}

#[napi]
impl Task for F32Task {
    type Output = Vec<f32>;
    type JsValue = Float32Array;

    fn compute(&mut self) -> Result<Self::Output> {
        let job = self.job.take().expect("an F32Task runs once");
        guard(job).map_err(|e| {
            let reason = e.message();
            self.error = Some(e);
            Error::new(Status::GenericFailure, reason)
        })
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(Float32Array::new(output))
    }

    fn reject(&mut self, env: Env, err: Error) -> Result<Self::JsValue> {
        match self.error.take() {
            Some(e) => Err(to_napi_error(&env, &e)),
            None => Err(err),
        }
    }
}

fn sample_rate_arg(sample_rate: f64) -> BindResult<u32> {
    rate("sampleRate", sample_rate)
}

/// Log-mel dB spectrogram (`[nMels][1 + len / hopLength]`, mel-major) of a
/// waveform already at `options.sampleRate` (normally the 3 s fixed-length
/// output of `preprocess`).
#[napi]
pub fn log_mel_spectrogram_sync(
    env: Env,
    y: &[f32],
    options: Option<DspOptions>,
) -> Result<Float32Array> {
    run_sync(&env, || {
        let o = options::to_core(options.as_ref())?;
        Ok(Float32Array::new(log_mel_impl(y, o)?))
    })
}

/// Asynchronous `logMelSpectrogramSync`, off the main thread.
#[napi(ts_return_type = "Promise<Float32Array>")]
pub fn log_mel_spectrogram(
    env: Env,
    y: Float32Array,
    options: Option<DspOptions>,
    signal: Option<AbortSignal>,
) -> Result<AsyncTask<F32Task>> {
    let o = run_sync(&env, || options::to_core(options.as_ref()))?;
    Ok(F32Task::spawn(move || log_mel_impl(&y, o), signal))
}

/// Resample to `options.sampleRate`, trim, Wiener-filter and fix the length:
/// exactly `durationSeconds · sampleRate` samples.
#[napi]
pub fn preprocess_sync(
    env: Env,
    samples: &[f32],
    sample_rate: f64,
    options: Option<DspOptions>,
) -> Result<Float32Array> {
    run_sync(&env, || {
        let o = options::to_core(options.as_ref())?;
        Ok(Float32Array::new(preprocess_impl(
            samples,
            sample_rate_arg(sample_rate)?,
            o,
        )?))
    })
}

/// Asynchronous `preprocessSync`, off the main thread.
#[napi(ts_return_type = "Promise<Float32Array>")]
pub fn preprocess(
    env: Env,
    samples: Float32Array,
    sample_rate: f64,
    options: Option<DspOptions>,
    signal: Option<AbortSignal>,
) -> Result<AsyncTask<F32Task>> {
    let (o, sr) = run_sync(&env, || {
        Ok((
            options::to_core(options.as_ref())?,
            sample_rate_arg(sample_rate)?,
        ))
    })?;
    Ok(F32Task::spawn(
        move || preprocess_impl(&samples, sr, o),
        signal,
    ))
}

/// The whole pipeline on a waveform: pre-processing then log-mel,
/// `[nMels][nFrames]` (128 × 259 by default), float32 dB before z-score.
#[napi]
pub fn extract_sync(
    env: Env,
    samples: &[f32],
    sample_rate: f64,
    options: Option<DspOptions>,
) -> Result<Float32Array> {
    run_sync(&env, || {
        let o = options::to_core(options.as_ref())?;
        Ok(Float32Array::new(extract_impl(
            samples,
            sample_rate_arg(sample_rate)?,
            o,
        )?))
    })
}

/// Asynchronous `extractSync`, off the main thread.
#[napi(ts_return_type = "Promise<Float32Array>")]
pub fn extract(
    env: Env,
    samples: Float32Array,
    sample_rate: f64,
    options: Option<DspOptions>,
    signal: Option<AbortSignal>,
) -> Result<AsyncTask<F32Task>> {
    let (o, sr) = run_sync(&env, || {
        Ok((
            options::to_core(options.as_ref())?,
            sample_rate_arg(sample_rate)?,
        ))
    })?;
    Ok(F32Task::spawn(
        move || extract_impl(&samples, sr, o),
        signal,
    ))
}

/// Read one WAV file and extract its log-mel spectrogram; errors name the file.
#[napi]
pub fn extract_file_sync(
    env: Env,
    path: String,
    options: Option<DspOptions>,
) -> Result<Float32Array> {
    run_sync(&env, || {
        let o = options::to_core(options.as_ref())?;
        Ok(Float32Array::new(extract_file_impl(Path::new(&path), o)?))
    })
}

/// Asynchronous `extractFileSync`, off the main thread.
#[napi(ts_return_type = "Promise<Float32Array>")]
pub fn extract_file(
    env: Env,
    path: String,
    options: Option<DspOptions>,
    signal: Option<AbortSignal>,
) -> Result<AsyncTask<F32Task>> {
    let o = run_sync(&env, || options::to_core(options.as_ref()))?;
    let path = PathBuf::from(path);
    Ok(F32Task::spawn(move || extract_file_impl(&path, o), signal))
}
