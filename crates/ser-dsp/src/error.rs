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
    /// The bytes are not audio in any format serkit recognises (empty, text, unknown
    /// header). Code `ERR_SER_INVALID_WAV` (its historical name, kept stable).
    #[error("not an audio file: {0}")]
    NotAudio(String),
    /// A file of a recognised `format` (e.g. `"WAV"`, `"FLAC"`) whose header or
    /// stream is malformed. Code `ERR_SER_INVALID_WAV`.
    #[error("not a valid {format} file: {reason}")]
    InvalidAudio {
        format: &'static str,
        reason: String,
    },
    /// A recognised `format` whose sample encoding is not supported (e.g. ADPCM in WAV).
    /// Code `ERR_SER_UNSUPPORTED_ENCODING`.
    #[error("unsupported {format} encoding: {detail}")]
    UnsupportedEncoding {
        format: &'static str,
        detail: String,
    },
    /// A recognised audio format serkit cannot decode (e.g. Opus, WMA), named.
    /// Code `ERR_SER_UNSUPPORTED_ENCODING`.
    #[error("unsupported format: {0}")]
    UnsupportedFormat(String),
    /// A header that declares zero samples, or a stream without any.
    #[error("no audio samples in the file")]
    Empty,
    /// Less speech than the pipeline labels (see [`crate::min_length`]).
    #[error("too short: {seconds:.3} s of speech once silence is left out; at least {min_seconds} s is needed for a label")]
    TooShort { seconds: f64, min_seconds: f64 },
    /// Sample rate 0 or outside what the pipeline accepts.
    #[error("unsupported sample rate {received} Hz: expected 1000..=384000 Hz")]
    InvalidSampleRate { received: u32 },
    /// A float sample that is NaN or infinite.
    #[error("non-finite sample (NaN or Inf) at sample {index}")]
    NonFinite { index: usize },
    /// An input with no signal at all: every sample is zero.
    #[error("silent input: every sample is zero")]
    Silent,
    /// The worker threads of a batch could not be started. Code `ERR_SER_THREADS`.
    #[error("cannot start worker threads: {0}")]
    ThreadPool(String),
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
            DspError::NotAudio(_) | DspError::InvalidAudio { .. } => "ERR_SER_INVALID_WAV",
            DspError::UnsupportedEncoding { .. } | DspError::UnsupportedFormat(_) => {
                "ERR_SER_UNSUPPORTED_ENCODING"
            }
            DspError::Empty => "ERR_SER_EMPTY",
            DspError::TooShort { .. } => "ERR_SER_TOO_SHORT",
            DspError::InvalidSampleRate { .. } => "ERR_SER_SAMPLE_RATE",
            DspError::NonFinite { .. } => "ERR_SER_NON_FINITE",
            DspError::Silent => "ERR_SER_SILENT",
            DspError::ThreadPool(_) => "ERR_SER_THREADS",
            DspError::Cancelled => "ABORT_ERR",
            DspError::File { .. } => unreachable!("root() never returns a File error"),
        }
    }
}

/// Result alias of the DSP core.
pub type Result<T, E = DspError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_pool_failures_have_their_own_code() {
        let e = DspError::ThreadPool("out of memory".into());
        assert_eq!(e.code(), "ERR_SER_THREADS");
        assert_eq!(e.to_string(), "cannot start worker threads: out of memory");
    }
}
