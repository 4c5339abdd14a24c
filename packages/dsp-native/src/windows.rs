//! Windows of long recordings and live input (`ser predict --window`, `--stream`):
//! the core's `stream` module behind two small classes. A file's windows come in
//! batches from the libuv thread pool, so a one-hour file never holds more than one
//! batch of spectrograms; live windows come back from each `push`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use napi::bindgen_prelude::*;
use napi_derive::napi;
use ser_dsp::stream::{FileWindows, LiveWindows, Window, WindowOptions as CoreWindowOptions};

use crate::error::{guard, run_sync, to_napi_error, to_uint, BindError, BindResult};
use crate::options::{self, DspOptions};

/// How a recording is cut into windows (seconds).
#[napi(object)]
#[derive(Clone, Copy, Default)]
pub struct WindowOptions {
    /// Window length, seconds. Default 3.
    pub window: Option<f64>,
    /// Hop between window starts, seconds. Default 1.
    pub hop: Option<f64>,
    /// Least speech left after trimming for a window to be classified, seconds.
    /// Default 0.5.
    pub min_speech: Option<f64>,
}

fn to_core_windows(o: Option<WindowOptions>) -> BindResult<CoreWindowOptions> {
    let d = CoreWindowOptions::default();
    let o = o.unwrap_or_default();
    let w = CoreWindowOptions {
        window_seconds: o.window.unwrap_or(d.window_seconds),
        hop_seconds: o.hop.unwrap_or(d.hop_seconds),
        min_speech_seconds: o.min_speech.unwrap_or(d.min_speech_seconds),
    };
    w.validate()?;
    Ok(w)
}

/// What became of a window.
#[napi(string_enum)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowStatus {
    /// Pre-processed: the window has a log-mel spectrogram.
    #[napi(value = "speech")]
    Speech,
    /// Nothing within `trimTopDb` of the loudest frame: not classified.
    #[napi(value = "silent")]
    Silent,
    /// Less than the minimum speech left after trimming: not classified.
    #[napi(value = "too-short")]
    TooShort,
}

impl From<ser_dsp::stream::WindowStatus> for WindowStatus {
    fn from(s: ser_dsp::stream::WindowStatus) -> Self {
        use ser_dsp::stream::WindowStatus as S;
        match s {
            S::Speech => WindowStatus::Speech,
            S::Silent => WindowStatus::Silent,
            S::TooShort => WindowStatus::TooShort,
        }
    }
}

/// One window: its span in seconds and what became of it.
#[napi(object)]
pub struct WindowInfo {
    /// Start, seconds from the start of the recording.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
    /// `speech` (has a spectrogram), `silent` or `too-short` (neither is classified).
    pub status: WindowStatus,
    /// Seconds kept by the trim (0 for a silent window).
    pub speech_seconds: f64,
    /// Waveform envelope for plots: minimum and maximum sample of each 50 ms slice
    /// from `start`, interleaved.
    pub envelope: Float32Array,
}

/// Windows in order, and the log-mel spectrograms of the `speech` ones back to back
/// (`[n][nMels][nFrames]`, the i-th spectrogram belongs to the i-th speech window).
#[napi(object)]
pub struct WindowBatch {
    pub windows: Vec<WindowInfo>,
    pub features: Float32Array,
}

/// A batch of core windows and the rate their sample indices are at.
pub struct CoreBatch {
    windows: Vec<Window>,
    sample_rate: u32,
}

impl CoreBatch {
    fn into_js(self) -> WindowBatch {
        let sr = self.sample_rate as f64;
        let n_speech: usize = self
            .windows
            .iter()
            .filter_map(|w| w.features.as_ref().map(Vec::len))
            .sum();
        let mut features = Vec::with_capacity(n_speech);
        let windows = self
            .windows
            .into_iter()
            .map(|w| {
                if let Some(f) = &w.features {
                    features.extend_from_slice(f);
                }
                WindowInfo {
                    start: w.start as f64 / sr,
                    end: w.end as f64 / sr,
                    status: w.status.into(),
                    speech_seconds: w.speech_samples as f64 / sr,
                    envelope: Float32Array::new(w.envelope),
                }
            })
            .collect();
        WindowBatch {
            windows,
            features: Float32Array::new(features),
        }
    }
}

/// The windows of one audio file, read in two streaming passes (pass 1 finds the
/// loudest frame of the whole file, the silence reference; pass 2 cuts the windows).
/// Create with `openFileWindows`.
#[napi]
pub struct FileWindowReader {
    inner: Arc<Mutex<FileWindows>>,
}

/// Open an audio file for `FileWindowReader.next`; errors (unreadable file, bad
/// options) name the file or the option.
#[napi]
pub fn open_file_windows(
    env: Env,
    path: String,
    options: Option<DspOptions>,
    windows: Option<WindowOptions>,
) -> Result<FileWindowReader> {
    run_sync(&env, || {
        let o = options::to_core(options.as_ref())?;
        let w = to_core_windows(windows)?;
        let reader = FileWindows::open(&PathBuf::from(path), o, w)?;
        Ok(FileWindowReader {
            inner: Arc::new(Mutex::new(reader)),
        })
    })
}

#[napi]
impl FileWindowReader {
    /// Up to `max` further windows (default 32), computed off the main thread; an
    /// empty batch at the end. Errors name the file.
    #[napi(ts_return_type = "Promise<WindowBatch>")]
    pub fn next(
        &self,
        env: Env,
        max: Option<f64>,
        signal: Option<AbortSignal>,
    ) -> Result<AsyncTask<NextWindows>> {
        let max = run_sync(&env, || to_uint("max", max.unwrap_or(32.0), 1e6))?;
        Ok(AsyncTask::with_optional_signal(
            NextWindows {
                inner: Arc::clone(&self.inner),
                max,
                error: None,
            },
            signal,
        ))
    }
}

/// The task behind `FileWindowReader.next`.
pub struct NextWindows {
    inner: Arc<Mutex<FileWindows>>,
    max: usize,
    error: Option<BindError>,
}

#[napi]
impl Task for NextWindows {
    type Output = CoreBatch;
    type JsValue = WindowBatch;

    fn compute(&mut self) -> Result<Self::Output> {
        let (inner, max) = (Arc::clone(&self.inner), self.max);
        guard(move || {
            let mut reader = inner.lock().unwrap_or_else(PoisonError::into_inner);
            let windows = reader.next_batch(max)?;
            Ok(CoreBatch {
                windows,
                sample_rate: reader.sample_rate(),
            })
        })
        .map_err(|e| {
            let reason = e.message();
            self.error = Some(e);
            Error::new(Status::GenericFailure, reason)
        })
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(output.into_js())
    }

    fn reject(&mut self, env: Env, err: Error) -> Result<Self::JsValue> {
        match self.error.take() {
            Some(e) => Err(to_napi_error(&env, &e)),
            None => Err(err),
        }
    }
}

/// Windows of live input: mono samples at any rate go in with `push`, every window
/// they complete comes out at once; `finish` at the end of the input. Silence is
/// measured against the loudest frame so far.
#[napi]
pub struct LiveWindowReader {
    inner: LiveWindows,
    sample_rate: u32,
}

#[napi]
impl LiveWindowReader {
    /// Live windows of input at `sampleRate` Hz.
    #[napi(constructor)]
    pub fn new(
        env: Env,
        sample_rate: f64,
        options: Option<DspOptions>,
        windows: Option<WindowOptions>,
    ) -> Result<Self> {
        run_sync(&env, || {
            let o = options::to_core(options.as_ref())?;
            let target = o.sample_rate;
            let w = to_core_windows(windows)?;
            let rate = to_uint("sampleRate", sample_rate, u32::MAX as f64)? as u32;
            Ok(LiveWindowReader {
                inner: LiveWindows::new(rate, o, w)?,
                sample_rate: target,
            })
        })
    }

    /// Mono samples in [-1, 1); returns the windows they complete.
    #[napi]
    pub fn push(&mut self, env: Env, samples: &[f32]) -> Result<WindowBatch> {
        let sr = self.sample_rate;
        run_sync(&env, || {
            Ok(CoreBatch {
                windows: self.inner.push(samples)?,
                sample_rate: sr,
            }
            .into_js())
        })
    }

    /// End of input: the last windows (the last one shorter when the input's end
    /// is not covered yet).
    #[napi]
    pub fn finish(&mut self, env: Env) -> Result<WindowBatch> {
        let sr = self.sample_rate;
        run_sync(&env, || {
            Ok(CoreBatch {
                windows: self.inner.finish()?,
                sample_rate: sr,
            }
            .into_js())
        })
    }
}
