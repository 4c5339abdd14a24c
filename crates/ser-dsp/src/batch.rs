//! Bulk extraction: N files → one contiguous `[n_ok][n_mels][n_frames]` array,
//! on all cores (rayon), in input order, with per-file errors, progress and
//! cancellation.
//!
//! Files are taken in chunks of a few per thread, so memory holds at most one
//! chunk's decoded waveforms however many files there are; only the output grows.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::augment::{draw_seed, Augmentation};
use crate::decode::read_wav;
use crate::error::{DspError, Result};
use crate::options::DspOptions;
use crate::pipeline::LogMelExtractor;

/// How a batch runs.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchConfig {
    /// Worker threads; 0 uses every core. Default 0.
    pub threads: usize,
    /// Files in flight per thread: bounds memory to `threads · files_per_thread` waveforms. Default 4.
    pub files_per_thread: usize,
    /// Augmented copies to add after each file's own spectrogram (training split only). Default none.
    pub augmentations: Vec<Augmentation>,
    /// Seed of the augmentations' random draws; file `i` draws from `(seed, i)`. Default 0.
    pub seed: u64,
    /// Per-file seeds that replace `(seed, i)` when not empty (one per path), e.g. seeds
    /// derived from each file's content so a cache of augmented copies stays valid.
    pub file_seeds: Vec<u64>,
}

impl Default for BatchConfig {
    fn default() -> Self {
        Self {
            threads: 0,
            files_per_thread: 4,
            augmentations: Vec::new(),
            seed: 0,
            file_seeds: Vec::new(),
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
        .map_err(|e| DspError::Io(format!("cannot start worker threads: {e}")))?;
    let threads = pool.current_num_threads();
    let chunk = threads * config.files_per_thread.max(1);
    let total = paths.len();
    let done = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let copies = 1 + config.augmentations.len();
    let file_len = opts.feature_len() * copies;

    let mut features = Vec::new();
    let mut rows = Vec::with_capacity(total);
    for (group_index, group) in paths.chunks(chunk).enumerate() {
        let first = group_index * chunk;
        let results: Vec<Result<Vec<f32>>> = pool.install(|| {
            group
                .par_iter()
                .enumerate()
                .map_init(
                    || LogMelExtractor::new(opts.clone()).expect("options were validated"),
                    |extractor, (offset, path)| {
                        if cancel.load(Ordering::Relaxed) {
                            return Err(DspError::Cancelled);
                        }
                        let result = extract_one(extractor, path, config, first + offset, file_len);
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
                let row = features.len() / opts.feature_len();
                features.extend_from_slice(&feature);
                row
            }));
        }
    }
    Ok(BatchOutput {
        features,
        copies_per_file: copies,
        rows,
    })
}

/// Decode one file and extract its spectrogram and augmented copies.
fn extract_one(
    extractor: &mut LogMelExtractor,
    path: &Path,
    config: &BatchConfig,
    index: usize,
    file_len: usize,
) -> Result<Vec<f32>> {
    if config.augmentations.is_empty() {
        return extractor.extract_file(path);
    }
    let audio = read_wav(path)?;
    let seed = config
        .file_seeds
        .get(index)
        .copied()
        .unwrap_or_else(|| draw_seed(config.seed, index, 0));
    let mut out = vec![0.0; file_len];
    extractor
        .extract_augmented_into(
            &audio.samples,
            audio.sample_rate,
            &config.augmentations,
            seed,
            &mut out,
        )
        .map_err(|e| e.in_file(path))?;
    Ok(out)
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
