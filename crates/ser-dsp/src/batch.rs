//! Bulk extraction: N files → one contiguous `[n_ok][n_mels][n_frames]` array,
//! on all cores (rayon), in input order, with per-file errors, progress and
//! cancellation.
//!
//! Files are taken in chunks of a few per thread, so memory holds at most one
//! chunk's decoded waveforms however many files there are; only the output grows.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::error::{DspError, Result};
use crate::options::DspOptions;
use crate::pipeline::LogMelExtractor;

/// How a batch runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchConfig {
    /// Worker threads; 0 uses every core. Default 0.
    pub threads: usize,
    /// Files in flight per thread: bounds memory to `threads · files_per_thread` waveforms. Default 4.
    pub files_per_thread: usize,
}

impl Default for BatchConfig {
    fn default() -> Self {
        Self {
            threads: 0,
            files_per_thread: 4,
        }
    }
}

/// Progress of a running batch, reported after every file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchProgress {
    /// Files finished (successfully or not).
    pub done: usize,
    /// Files in the batch.
    pub total: usize,
    /// Files that failed so far.
    pub failed: usize,
}

/// Result of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchOutput {
    /// Log-mel spectrograms of the files that succeeded, in input order.
    pub features: Vec<f32>,
    /// Per input: `Ok(row)` into `features`, or the file's error (which names it).
    pub rows: Vec<std::result::Result<usize, DspError>>,
}

impl BatchOutput {
    /// Number of files that succeeded.
    pub fn ok_count(&self) -> usize {
        self.rows.iter().filter(|r| r.is_ok()).count()
    }
}

/// Extract the log-mel spectrogram of every file in `paths`.
///
/// Fails as a whole only for invalid options, a thread pool that cannot start,
/// or cancellation (`cancel` set), in which case nothing is returned.
pub fn extract_files(
    paths: &[PathBuf],
    opts: &DspOptions,
    config: &BatchConfig,
    on_progress: &(dyn Fn(BatchProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<BatchOutput> {
    opts.validate()?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .thread_name(|i| format!("ser-dsp-{i}"))
        .build()
        .map_err(|e| DspError::Io(format!("cannot start worker threads: {e}")))?;
    let threads = pool.current_num_threads();
    let chunk = threads * config.files_per_thread.max(1);
    let total = paths.len();
    let done = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let feature_len = opts.feature_len();

    let mut features = Vec::new();
    let mut rows = Vec::with_capacity(total);
    for group in paths.chunks(chunk) {
        let results: Vec<Result<Vec<f32>>> = pool.install(|| {
            group
                .par_iter()
                .map_init(
                    || LogMelExtractor::new(opts.clone()).expect("options were validated"),
                    |extractor, path| {
                        if cancel.load(Ordering::Relaxed) {
                            return Err(DspError::Cancelled);
                        }
                        let result = extractor.extract_file(path);
                        if result.is_err() {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                        let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                        on_progress(BatchProgress {
                            done,
                            total,
                            failed: failed.load(Ordering::Relaxed),
                        });
                        result
                    },
                )
                .collect()
        });
        if cancel.load(Ordering::Relaxed) {
            return Err(DspError::Cancelled);
        }
        for result in results {
            rows.push(result.map(|feature| {
                debug_assert_eq!(feature.len(), feature_len);
                features.extend_from_slice(&feature);
                features.len() / feature_len - 1
            }));
        }
    }
    Ok(BatchOutput { features, rows })
}
