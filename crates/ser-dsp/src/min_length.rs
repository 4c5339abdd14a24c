//! The shortest input the pipeline labels.
//!
//! The model sees 3 s windows; a clip with less than [`MIN_SPEECH_SECONDS`] of
//! audio left after trimming silence is mostly zero padding, and a label for it
//! would look as confident as any other while saying nothing (before this rule a
//! 1-sample file was labelled "anger" at 62 %). 0.5 s is about two syllables, and
//! less than half the shortest trimmed utterance of RAVDESS and EMO-DB (1.28 s,
//! EMO-DB `12a02Ac.wav`, over the 655 files of `tests/fixtures/fixtures.json`),
//! so no utterance of either corpus is refused.

use crate::error::{DspError, Result};

/// Minimum audio after trimming, in seconds.
pub const MIN_SPEECH_SECONDS: f64 = 0.5;

/// [`DspError::TooShort`] when `len` samples at `sample_rate` Hz are under [`MIN_SPEECH_SECONDS`].
pub fn check_min_length(len: usize, sample_rate: u32) -> Result<()> {
    let seconds = len as f64 / sample_rate as f64;
    if seconds < MIN_SPEECH_SECONDS {
        Err(DspError::TooShort {
            seconds,
            min_seconds: MIN_SPEECH_SECONDS,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_a_second_is_enough_and_less_is_not() {
        assert!(check_min_length(22_050, 44_100).is_ok());
        let err = check_min_length(1, 44_100).unwrap_err();
        assert_eq!(
            err.to_string(),
            "too short: 0.000 s of audio after trimming silence; at least 0.5 s is needed for a label"
        );
        assert_eq!(err.code(), "ERR_SER_TOO_SHORT");
    }
}
