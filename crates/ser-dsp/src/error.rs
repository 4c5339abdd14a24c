//! The one error type of the DSP core. Bindings map it to their own errors;
//! every message is a single line that says what was wrong and, for options,
//! which parameter, its allowed range and the value received.

use std::path::PathBuf;

/// Everything that can go wrong in the DSP core.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum DspError {
    /// An option is outside its allowed range.
    #[error("invalid option `{name}`: expected {allowed}, received {received}")]
    InvalidOption {
        name: &'static str,
        allowed: &'static str,
        received: String,
    },
    /// The file could not be read from disk.
    #[error("cannot read file: {0}")]
    Io(String),
    /// The bytes are not a WAV (RIFF/WAVE) file, or its header is malformed.
    #[error("not a valid WAV file: {0}")]
    InvalidWav(String),
    /// A WAV file whose sample encoding is not supported.
    #[error("unsupported WAV encoding: {0}")]
    UnsupportedEncoding(String),
    /// A WAV header that declares zero samples, or a data chunk without any.
    #[error("no audio samples in the file")]
    Empty,
    /// Sample rate 0 or outside what the pipeline accepts.
    #[error("unsupported sample rate {received} Hz: expected 1000..=384000 Hz")]
    InvalidSampleRate { received: u32 },
    /// A float sample that is NaN or infinite.
    #[error("non-finite sample (NaN or Inf) at sample {index}")]
    NonFinite { index: usize },
    /// An input with no signal at all: every sample is zero.
    #[error("silent input: every sample is zero")]
    Silent,
    /// The caller cancelled the work.
    #[error("cancelled")]
    Cancelled,
    /// An error attributed to one input file.
    #[error("{}: {source}", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: Box<DspError>,
    },
}

impl DspError {
    /// Attribute this error to `path` (idempotent: a file error is not wrapped twice).
    pub fn in_file(self, path: impl Into<PathBuf>) -> DspError {
        match self {
            DspError::File { .. } | DspError::Cancelled => self,
            other => DspError::File {
                path: path.into(),
                source: Box::new(other),
            },
        }
    }

    /// The error without its file attribution.
    pub fn root(&self) -> &DspError {
        match self {
            DspError::File { source, .. } => source.root(),
            other => other,
        }
    }

    /// A stable machine-readable code, e.g. for a JS `error.code`.
    pub fn code(&self) -> &'static str {
        match self.root() {
            DspError::InvalidOption { .. } => "ERR_SER_INVALID_OPTION",
            DspError::Io(_) => "ERR_SER_IO",
            DspError::InvalidWav(_) => "ERR_SER_INVALID_WAV",
            DspError::UnsupportedEncoding(_) => "ERR_SER_UNSUPPORTED_ENCODING",
            DspError::Empty => "ERR_SER_EMPTY",
            DspError::InvalidSampleRate { .. } => "ERR_SER_SAMPLE_RATE",
            DspError::NonFinite { .. } => "ERR_SER_NON_FINITE",
            DspError::Silent => "ERR_SER_SILENT",
            DspError::Cancelled => "ABORT_ERR",
            DspError::File { .. } => unreachable!("root() never returns a File error"),
        }
    }
}

/// Result alias of the DSP core.
pub type Result<T, E = DspError> = std::result::Result<T, E>;
