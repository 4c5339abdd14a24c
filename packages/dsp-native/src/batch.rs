//! `extractFiles`: the core's bulk extraction on the libuv thread pool (rayon
//! inside), with throttled progress events through a threadsafe function and
//! cancellation through an `AbortSignal` that sets an `AtomicBool`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

use crate::error::{guard, run_sync, to_napi_error, to_uint, BindError, BindResult};
use crate::options::{self, DspOptions};

/// Minimum time between two progress events (the last one is always sent).
const PROGRESS_INTERVAL_MS: u64 = 50;

/// Progress of `extractFiles`.
#[napi(object)]
#[derive(Clone, Copy)]
pub struct BatchProgress {
    /// Files finished, successfully or not.
    pub done: u32,
    /// Files in the batch.
    pub total: u32,
    /// Files that failed so far.
    pub failed: u32,
}

type ProgressFn = ThreadsafeFunction<BatchProgress, (), BatchProgress, Status, false>;

/// How `extractFiles` runs.
#[napi(object, object_to_js = false)]
pub struct BatchOptions {
    /// Worker threads; 0 or missing uses every core.
    pub threads: Option<f64>,
    /// Called with progress while the batch runs (throttled to one call every
    /// 50 ms, plus the final one). Must not throw.
    #[napi(ts_type = "(progress: BatchProgress) => void")]
    pub on_progress: Option<ProgressFn>,
    /// Augmented copies appended after each file's own spectrogram (SPEC.md §3),
    /// in order. Default none.
    pub augmentations: Option<Vec<Augmentation>>,
    /// Seed of the augmentations' random draws (file `i` draws from `(seed, i)`). Default 0.
    pub seed: Option<f64>,
    /// One seed per path replacing `(seed, i)`, e.g. derived from each file's
    /// content so cached augmented copies stay valid. Default none.
    pub file_seeds: Option<Vec<f64>>,
}

/// The kind of an augmentation.
#[napi(string_enum)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AugmentationKind {
    /// Additive noise; value = factor.
    #[napi(value = "noise")]
    Noise,
    /// Phase-vocoder time stretch; value = rate.
    #[napi(value = "timeStretch")]
    TimeStretch,
    /// Pitch shift; value = semitones.
    #[napi(value = "pitchShift")]
    PitchShift,
}

/// One augmentation: `noise` (value = factor, paper 0.1), `timeStretch`
/// (value = rate, paper 1.1 and 0.8) or `pitchShift` (value = semitones, paper 1.5).
#[napi(object)]
#[derive(Clone)]
pub struct Augmentation {
    pub kind: AugmentationKind,
    pub value: f64,
}

/// Seeds travel as JS numbers: integers up to 2^53.
fn to_seed(name: &str, value: f64) -> BindResult<u64> {
    Ok(to_uint(name, value, 9_007_199_254_740_991.0)? as u64)
}

fn to_core_augmentation(a: &Augmentation) -> BindResult<ser_dsp::augment::Augmentation> {
    use ser_dsp::augment::Augmentation as A;
    Ok(match a.kind {
        AugmentationKind::Noise => A::Noise { factor: a.value },
        AugmentationKind::TimeStretch => A::TimeStretch { rate: a.value },
        AugmentationKind::PitchShift => A::PitchShift { semitones: a.value },
    })
}

/// Result of `extractFiles`.
#[napi(object, object_from_js = false)]
pub struct ExtractFilesResult {
    /// Log-mel spectrograms of the files that succeeded, in input order:
    /// `[nOk][nMels][nFrames]` float32.
    pub features: Float32Array,
    /// Per input: its row in `features`, or -1 when the file failed.
    pub rows: Int32Array,
    /// Per input: null, or the one-line error (which names the file).
    #[napi(ts_type = "(string | null)[]")]
    pub errors: Vec<Option<String>>,
    /// Per input: null, or the error code (e.g. `ERR_SER_INVALID_WAV`).
    #[napi(ts_type = "(string | null)[]")]
    pub codes: Vec<Option<String>>,
    /// Rows of one spectrogram.
    pub n_mels: u32,
    /// Columns of one spectrogram.
    pub n_frames: u32,
    /// Spectrograms per successful file: 1 + the number of augmentations.
    pub copies_per_file: u32,
}

/// The asynchronous batch.
pub struct ExtractFilesTask {
    paths: Vec<PathBuf>,
    opts: ser_dsp::DspOptions,
    config: ser_dsp::BatchConfig,
    on_progress: Option<ProgressFn>,
    cancel: Arc<AtomicBool>,
    error: Option<BindError>,
}

impl ExtractFilesTask {
    fn run(&self) -> BindResult<ser_dsp::BatchOutput> {
        let start = Instant::now();
        let last_ms = AtomicU64::new(u64::MAX);
        let report = |p: ser_dsp::BatchProgress| {
            let Some(tsfn) = &self.on_progress else {
                return;
            };
            let now = start.elapsed().as_millis() as u64;
            let last = last_ms.load(Ordering::Relaxed);
            let due = p.done >= p.total
                || ((last == u64::MAX || now.saturating_sub(last) >= PROGRESS_INTERVAL_MS)
                    && last_ms
                        .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                        .is_ok());
            if due {
                tsfn.call(
                    BatchProgress {
                        done: p.done as u32,
                        total: p.total as u32,
                        failed: p.failed as u32,
                    },
                    ThreadsafeFunctionCallMode::NonBlocking,
                );
            }
        };
        Ok(ser_dsp::extract_files(
            &self.paths,
            &self.opts,
            &self.config,
            &report,
            &self.cancel,
        )?)
    }
}

#[napi]
impl Task for ExtractFilesTask {
    type Output = ser_dsp::BatchOutput;
    type JsValue = ExtractFilesResult;

    fn compute(&mut self) -> Result<Self::Output> {
        let result = guard(|| self.run());
        result.map_err(|e| {
            let reason = e.message();
            self.error = Some(e);
            Error::new(Status::GenericFailure, reason)
        })
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        let n = output.rows.len();
        let mut rows = Vec::with_capacity(n);
        let mut errors = Vec::with_capacity(n);
        let mut codes = Vec::with_capacity(n);
        for r in &output.rows {
            match r {
                Ok(row) => {
                    rows.push(*row as i32);
                    errors.push(None);
                    codes.push(None);
                }
                Err(e) => {
                    rows.push(-1);
                    errors.push(Some(e.to_string()));
                    codes.push(Some(e.code().to_string()));
                }
            }
        }
        Ok(ExtractFilesResult {
            features: Float32Array::new(output.features),
            rows: Int32Array::new(rows),
            errors,
            codes,
            n_mels: self.opts.n_mels as u32,
            n_frames: self.opts.n_frames() as u32,
            copies_per_file: output.copies_per_file as u32,
        })
    }

    fn reject(&mut self, env: Env, err: Error) -> Result<Self::JsValue> {
        match self.error.take() {
            Some(e) => Err(to_napi_error(&env, &e)),
            None => Err(err),
        }
    }
}

/// Extract the log-mel spectrogram of every WAV file in `paths` on all cores.
///
/// Resolves with the spectrograms of the files that succeeded (input order)
/// and a per-file row or error; rejects only for invalid options (code
/// `ERR_SER_INVALID_OPTION`) or when `signal` aborts (name `AbortError`, code
/// `ABORT_ERR`). Check `signal.aborted` before calling: an already-aborted
/// signal is not seen by the addon.
#[napi(ts_return_type = "Promise<ExtractFilesResult>")]
pub fn extract_files(
    env: Env,
    paths: Vec<String>,
    options: Option<DspOptions>,
    batch: Option<BatchOptions>,
    signal: Option<AbortSignal>,
) -> Result<AsyncTask<ExtractFilesTask>> {
    let batch = batch.unwrap_or(BatchOptions {
        threads: None,
        on_progress: None,
        augmentations: None,
        seed: None,
        file_seeds: None,
    });
    let (opts, config) = run_sync(&env, || {
        let opts = options::to_core(options.as_ref())?;
        let mut config = ser_dsp::BatchConfig::default();
        if let Some(t) = batch.threads {
            config.threads = to_uint("threads", t, 1024.0)?;
        }
        if let Some(augmentations) = &batch.augmentations {
            config.augmentations = augmentations
                .iter()
                .map(to_core_augmentation)
                .collect::<BindResult<_>>()?;
        }
        if let Some(seed) = batch.seed {
            config.seed = to_seed("seed", seed)?;
        }
        if let Some(seeds) = &batch.file_seeds {
            config.file_seeds = seeds
                .iter()
                .map(|&s| to_seed("fileSeeds[]", s))
                .collect::<BindResult<_>>()?;
        }
        Ok((opts, config))
    })?;
    let cancel = Arc::new(AtomicBool::new(false));
    if let Some(signal) = &signal {
        let flag = cancel.clone();
        signal.on_abort(move || flag.store(true, Ordering::SeqCst));
    }
    let task = ExtractFilesTask {
        paths: paths.into_iter().map(PathBuf::from).collect(),
        opts,
        config,
        on_progress: batch.on_progress,
        cancel,
        error: None,
    };
    Ok(AsyncTask::with_optional_signal(task, signal))
}
