//! # ser-dsp
//!
//! The DSP core of serkit: the pre-processing and log-mel front end of the CRNN
//! speech-emotion-recognition method of Yadav, Bastola & Sharma, with librosa 0.10
//! and scipy as the reference semantics (see `SPEC.md`).
//!
//! One module per stage, each usable on its own (waveform in, waveform out):
//! [`decode`] → [`resample`] → [`trim`] → [`wiener`] → [`fix_length`] →
//! [`stft`] → [`mel`] → [`to_db`]. [`pipeline::LogMelExtractor`] chains them with
//! FFT plans, filterbank and scratch buffers created once; [`batch`] runs it over
//! many files on all cores with bounded memory; [`augment`] makes the paper's
//! training copies.
//!
//! Pure Rust, no binding code: the Node addon lives in `packages/dsp-native`.

#![warn(clippy::missing_panics_doc)]

pub mod augment;
pub mod batch;
mod cpu;
pub mod decode;
pub mod error;
pub mod fix_length;
pub mod mel;
pub mod min_length;
pub mod options;
pub mod pipeline;
pub mod resample;
pub mod stft;
pub mod stream;
pub mod to_db;
pub mod trim;
pub mod wiener;

pub use batch::{extract_files, BatchConfig, BatchOutput, BatchProgress};
pub use decode::{decode_audio, decode_wav, detect_format, read_audio, read_wav, Audio};
pub use error::{DspError, Result};
pub use fix_length::fix_length;
pub use mel::MelFilterbank;
pub use min_length::MIN_SPEECH_SECONDS;
pub use options::{DspOptions, MelScale};
pub use pipeline::{check_waveform, LogMelExtractor};
pub use resample::resample;
pub use stft::PowerSpectrogram;
pub use to_db::power_to_db_in_place;
pub use trim::{trim, trim_bounds};
pub use wiener::wiener;
