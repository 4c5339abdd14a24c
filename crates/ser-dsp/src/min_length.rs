//! The shortest input the pipeline labels.
//!
//! The model sees 3 s windows; a clip with less than [`MIN_SPEECH_SECONDS`] of
//! speech is mostly zero padding, and a label for it would look as confident as
//! any other while saying nothing (before this rule a 1-sample file was labelled
//! "anger" at 62 %). 0.5 s is about two syllables, and less than half the shortest
//! trimmed utterance of RAVDESS and EMO-DB (1.28 s, EMO-DB `12a02Ac.wav`, over the
//! 655 files of `tests/fixtures/fixtures.json`), so no utterance of either corpus
//! is refused.
//!
//! Speech is measured the same way for a whole file and for a window of a long
//! recording ([`crate::stream`]), with the trim's frames ([`speech_samples`]): each
//! run of loud frames counts for about the length of the sound behind it, and the
//! runs are added up. A recording that is sound from end to end counts whole; the
//! silence between two short sounds does not count.

use crate::error::{DspError, Result};
use crate::trim::{power_db, AMIN_POWER};

/// Minimum speech, in seconds.
pub const MIN_SPEECH_SECONDS: f64 = 0.5;

/// Samples of speech in a signal of `n` samples, from its trim frames' mean squares
/// `powers` (frame `i` covers `[i·hop − frame/2, i·hop + frame/2)`, as [`crate::trim`]):
/// the frames above the -100 dB floor (digital silence is never speech, however quiet the
/// recording) and within `top_db` of `reference` (mean square of the recording's loudest
/// frame). A run of such frames `first..=last` is the sound between the end of the quiet
/// frame before it and the start of the quiet frame after it,
/// `[(first − 1)·hop + frame/2, (last + 1)·hop − frame/2)` (from the signal's start, or to
/// its end, when the run reaches it): about the sound's own length, not every sample its
/// frames touch, so a few clicks do not add up to speech. The runs are added up, so
/// digital zeros or quiet between two sounds are not speech either.
pub fn speech_samples(
    powers: &[f64],
    n: usize,
    top_db: f32,
    frame: usize,
    hop: usize,
    reference: f64,
) -> usize {
    let ref_db = power_db(reference);
    let speech = |p: f64| p > AMIN_POWER && power_db(p) - ref_db > -(top_db as f64);
    let half = frame / 2;
    let mut total = 0;
    let mut first = None;
    for (i, &p) in powers.iter().enumerate() {
        match (speech(p), first) {
            (true, None) => first = Some(i),
            (false, Some(f)) => {
                total += run_samples(f, i - 1, false, n, half, hop);
                first = None;
            }
            _ => {}
        }
    }
    if let Some(f) = first {
        total += run_samples(f, powers.len() - 1, true, n, half, hop);
    }
    total
}

/// Samples of the sound behind the loud frames `first..=last` (see [`speech_samples`]).
fn run_samples(
    first: usize,
    last: usize,
    to_end: bool,
    n: usize,
    half: usize,
    hop: usize,
) -> usize {
    let start = if first == 0 {
        0
    } else {
        ((first - 1) * hop + half).min(n)
    };
    let end = if to_end {
        n
    } else {
        ((last + 1) * hop).saturating_sub(half).min(n)
    };
    end.saturating_sub(start)
}

/// [`DspError::TooShort`] when a signal of `n` samples at `sample_rate` Hz, with trim
/// frames' mean squares `powers`, holds less than [`MIN_SPEECH_SECONDS`] of speech
/// ([`speech_samples`], relative to its own loudest frame).
pub fn check_min_speech(
    powers: &[f64],
    n: usize,
    top_db: f32,
    frame: usize,
    hop: usize,
    sample_rate: u32,
) -> Result<()> {
    let loudest = powers.iter().cloned().fold(0.0f64, f64::max);
    let speech = speech_samples(powers, n, top_db, frame, hop, loudest);
    let seconds = speech as f64 / sample_rate as f64;
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

    const FRAME: usize = 2048;
    const HOP: usize = 512;

    #[test]
    fn half_a_second_is_enough_and_less_is_not() {
        // Sound from end to end counts whole.
        let powers = vec![1.0; 22_050 / HOP + 1];
        assert!(check_min_speech(&powers, 22_050, 60.0, FRAME, HOP, 44_100).is_ok());
        let err = check_min_speech(&[1.0], 1, 60.0, FRAME, HOP, 44_100).unwrap_err();
        assert_eq!(
            err.to_string(),
            "too short: 0.000 s of speech once silence is left out; at least 0.5 s is needed for a label"
        );
        assert_eq!(err.code(), "ERR_SER_TOO_SHORT");
    }

    #[test]
    fn runs_are_added_and_silence_between_them_is_not_speech() {
        // Frames 0–9 loud (from the start), 10–39 digital zeros (below the floor),
        // 40–49 loud, 50–69 faint, 70 zeros.
        let mut powers = vec![0.5; 10];
        powers.extend(vec![0.0; 30]);
        powers.extend(vec![0.5; 10]);
        powers.extend(vec![1e-9; 20]);
        powers.push(0.0);
        let n = (powers.len() - 1) * HOP;
        // [0, 10·hop − frame/2) and [39·hop + frame/2, 50·hop − frame/2).
        let first = 10 * HOP - FRAME / 2;
        let second = 11 * HOP - FRAME;
        assert_eq!(
            speech_samples(&powers, n, 60.0, FRAME, HOP, 0.5),
            first + second
        );
        // The faint run is within 90 dB of the loudest, not within 60.
        assert_eq!(
            speech_samples(&powers, n, 90.0, FRAME, HOP, 0.5),
            first + 31 * HOP - FRAME
        );
        // A run that reaches the end counts to the signal's end.
        assert_eq!(speech_samples(&[1.0; 3], 1000, 60.0, FRAME, HOP, 1.0), 1000);
    }
}
