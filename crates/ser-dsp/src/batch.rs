//! Bulk extraction: N files → one contiguous `[n_ok][n_mels][n_frames]` array,
//! on all cores (rayon), in input order, with per-file errors, progress and
//! cancellation.
//!
//! Every file's spectrograms are written straight into their slot of the one
//! output buffer (no per-file vectors, no second copy), and each worker thread
//! keeps one [`LogMelExtractor`] (plans, resamplers, scratch) for the whole batch.
//! A thread holds one decoded waveform at a time, so memory beyond the output is
//! bounded by the thread count however many files there are. Rayon's work
//! stealing balances files of different lengths without per-group barriers.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use crate::augment::{draw_seed, Augmentation};
use crate::decode::read_wav;
use crate::error::{DspError, Result};
use crate::options::DspOptions;
use crate::pipeline::LogMelExtractor;

/// How a batch runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchConfig {
    /// Worker threads; 0 uses every core. Default 0.
    pub threads: usize,
    /// Augmented copies to add after each file's own spectrogram (training split only). Default none.
    pub augmentations: Vec<Augmentation>,
    /// Seed of the augmentations' random draws; file `i` draws from `(seed, i)`. Default 0.
    pub seed: u64,
    /// Per-file seeds that replace `(seed, i)` when not empty (one per path), e.g. seeds
    /// derived from each file's content so a cache of augmented copies stays valid.
    pub file_seeds: Vec<u64>,
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
    /// Log-mel spectrograms of the files that succeeded, in input order; each file's
    /// original is followed by its augmented copies.
    pub features: Vec<f32>,
    /// Spectrograms per successful file: `1 + augmentations.len()`.
    pub copies_per_file: usize,
    /// Per input: `Ok(row)` of its first spectrogram in `features`, or the file's
    /// error (which names it).
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
    for augmentation in &config.augmentations {
        augmentation.validate()?;
    }
    if !config.file_seeds.is_empty() && config.file_seeds.len() != paths.len() {
        return Err(DspError::InvalidOption {
            name: "fileSeeds",
            allowed: "one seed per path, or none",
            received: format!(
                "{} seeds for {} paths",
                config.file_seeds.len(),
                paths.len()
            ),
        });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .thread_name(|i| format!("ser-dsp-{i}"))
        .build()
        .map_err(|e| DspError::ThreadPool(e.to_string()))?;
    let total = paths.len();
    let copies = 1 + config.augmentations.len();
    let file_len = opts.feature_len() * copies;
    // One extractor per worker thread, built on its first file and reused for the rest.
    let extractors: Vec<Mutex<Option<LogMelExtractor>>> = (0..pool.current_num_threads())
        .map(|_| Mutex::new(None))
        .collect();
    let done = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);

    // Zero-filled allocations come from fresh pages: no cost for slots never written.
    let mut features = vec![0.0f32; total * file_len];
    let results: Vec<Result<()>> = pool.install(|| {
        features
            .par_chunks_mut(file_len.max(1))
            .zip(paths.par_iter())
            .enumerate()
            .map(|(index, (out, path))| {
                if cancel.load(Ordering::Relaxed) {
                    return Err(DspError::Cancelled);
                }
                let slot = rayon::current_thread_index().unwrap_or(0) % extractors.len();
                let mut extractor = extractors[slot]
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let result = match extractor.as_mut() {
                    Some(extractor) => extract_one_into(extractor, path, config, index, out),
                    None => LogMelExtractor::new(opts.clone()).and_then(|new| {
                        extract_one_into(extractor.insert(new), path, config, index, out)
                    }),
                };
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
            })
            .collect()
    });
    if cancel.load(Ordering::Relaxed) {
        return Err(DspError::Cancelled);
    }
    // Close the gaps the failed files left, keeping input order.
    let mut rows = Vec::with_capacity(total);
    let mut kept = 0;
    for (index, result) in results.into_iter().enumerate() {
        rows.push(result.map(|()| {
            if kept != index {
                features.copy_within(index * file_len..(index + 1) * file_len, kept * file_len);
            }
            kept += 1;
            (kept - 1) * copies
        }));
    }
    features.truncate(kept * file_len);
    Ok(BatchOutput {
        features,
        copies_per_file: copies,
        rows,
    })
}

/// Decode one file and write its spectrogram and augmented copies into `out`.
fn extract_one_into(
    extractor: &mut LogMelExtractor,
    path: &Path,
    config: &BatchConfig,
    index: usize,
    out: &mut [f32],
) -> Result<()> {
    if config.augmentations.is_empty() {
        return crate::stream::extract_file_bounded_into(extractor, path, out);
    }
    let audio = read_wav(path)?;
    let seed = config
        .file_seeds
        .get(index)
        .copied()
        .unwrap_or_else(|| draw_seed(config.seed, index, 0));
    extractor
        .extract_augmented_into(
            &audio.samples,
            audio.sample_rate,
            &config.augmentations,
            seed,
            out,
        )
        .map_err(|e| e.in_file(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::augment::PAPER_AUGMENTATIONS;

    fn data(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data")
            .join(rel)
    }

    #[test]
    fn rows_follow_input_order_and_failures_are_per_file() {
        let paths = vec![
            data("emodb/wav/03a01Fa.wav"),
            PathBuf::from("/nonexistent/missing.wav"),
            data("ravdess/Actor_01/03-01-02-01-01-02-01.wav"),
        ];
        let progress = std::sync::Mutex::new(Vec::new());
        let config = BatchConfig {
            threads: 2,
            ..Default::default()
        };
        let out = extract_files(
            &paths,
            &DspOptions::default(),
            &config,
            &|p| progress.lock().unwrap().push(p.done),
            &AtomicBool::new(false),
        )
        .unwrap();
        assert_eq!(out.features.len(), 2 * 128 * 259);
        assert_eq!(out.rows[0], Ok(0));
        assert!(out.rows[1]
            .as_ref()
            .unwrap_err()
            .to_string()
            .starts_with("/nonexistent/missing.wav: cannot read file"));
        assert_eq!(out.rows[2], Ok(1));
        let mut seen = progress.into_inner().unwrap();
        seen.sort();
        assert_eq!(seen, vec![1, 2, 3]);
        let single = LogMelExtractor::new(DspOptions::default())
            .unwrap()
            .extract_file(&paths[2])
            .unwrap();
        assert_eq!(
            &out.features[128 * 259..],
            &single[..],
            "same result as the one-file path"
        );
    }

    #[test]
    fn augmented_batches_are_reproducible_across_thread_counts() {
        let paths = vec![data("emodb/wav/03a01Fa.wav"), data("emodb/wav/03a04Ta.wav")];
        let run = |threads| {
            let config = BatchConfig {
                threads,
                augmentations: PAPER_AUGMENTATIONS.to_vec(),
                seed: 9,
                ..Default::default()
            };
            extract_files(
                &paths,
                &DspOptions::default(),
                &config,
                &|_| {},
                &AtomicBool::new(false),
            )
            .unwrap()
        };
        let (one, two) = (run(1), run(2));
        assert_eq!(one.copies_per_file, 5);
        assert_eq!(one.rows, vec![Ok(0), Ok(5)]);
        assert_eq!(one.features.len(), 10 * 128 * 259);
        assert_eq!(one.features, two.features);
    }

    #[test]
    fn cancellation_returns_nothing() {
        let paths = vec![data("emodb/wav/03a01Fa.wav"); 8];
        let cancel = AtomicBool::new(true);
        let result = extract_files(
            &paths,
            &DspOptions::default(),
            &BatchConfig::default(),
            &|_| {},
            &cancel,
        );
        assert_eq!(result, Err(DspError::Cancelled));
    }
}
