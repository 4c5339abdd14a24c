//! Leading and trailing silence removal, as `librosa.effects.trim`.
//!
//! librosa computes the RMS of centred, zero-padded frames (`feature.rms`,
//! `center=True`), converts it to dB relative to the loudest frame
//! (`amplitude_to_db(ref=np.max)`, amin 1e-5) and keeps from the first to the
//! last frame louder than `-top_db`. Frame `i` covers samples
//! `[i·hop − frame/2, i·hop + frame/2)`; the kept span is
//! `[first·hop, min(len, (last + 1)·hop))`.

/// Power floor of `amplitude_to_db`: amin = 1e-5, squared.
const AMIN_POWER: f64 = 1e-10;

/// Start and end sample (end exclusive) of the non-silent part of `y`.
///
/// Returns `(0, 0)` when no frame is loud enough (which librosa also returns);
/// an all-zero input counts as entirely non-silent, as in librosa.
pub fn trim_bounds(
    y: &[f32],
    top_db: f32,
    frame_length: usize,
    hop_length: usize,
) -> (usize, usize) {
    let n = y.len();
    if n == 0 || frame_length == 0 || hop_length == 0 {
        return (0, 0);
    }
    let half = frame_length / 2;
    let padded = n + 2 * half;
    if padded < frame_length {
        return (0, n);
    }
    let n_frames = 1 + (padded - frame_length) / hop_length;

    // Prefix sums of squares (f64) make every frame's mean square O(1).
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0f64);
    let mut acc = 0.0f64;
    for &x in y {
        acc += (x as f64) * (x as f64);
        prefix.push(acc);
    }
    let mean_square = |frame: usize| -> f64 {
        // Frame in padded coordinates: [frame·hop, frame·hop + frame_length); shift by -half.
        let start = (frame * hop_length) as isize - half as isize;
        let end = start + frame_length as isize;
        let s = start.clamp(0, n as isize) as usize;
        let e = end.clamp(0, n as isize) as usize;
        (prefix[e] - prefix[s]) / frame_length as f64
    };
    let powers: Vec<f64> = (0..n_frames).map(mean_square).collect();
    let peak = powers.iter().cloned().fold(0.0f64, f64::max);
    let ref_db = 10.0 * peak.max(AMIN_POWER).log10();
    let threshold = -(top_db as f64);
    let loud = |p: &f64| 10.0 * p.max(AMIN_POWER).log10() - ref_db > threshold;

    match (powers.iter().position(loud), powers.iter().rposition(loud)) {
        (Some(first), Some(last)) => (first * hop_length, n.min((last + 1) * hop_length)),
        _ => (0, 0),
    }
}

/// The non-silent part of `y` (see [`trim_bounds`]).
pub fn trim(y: &[f32], top_db: f32, frame_length: usize, hop_length: usize) -> &[f32] {
    let (start, end) = trim_bounds(y, top_db, frame_length, hop_length);
    &y[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_silence_at_frame_boundaries() {
        // 1 s of silence, 1 s of tone, 1 s of silence at 8 kHz.
        let sr = 8000;
        let mut y = vec![0.0f32; 3 * sr];
        for (i, v) in y[sr..2 * sr].iter_mut().enumerate() {
            *v = (i as f32 * 0.3).sin() * 0.5;
        }
        let (start, end) = trim_bounds(&y, 60.0, 2048, 512);
        // The first frame reaching into the tone is centred at most 1024 samples before it.
        assert!(start <= sr && start > sr - 1024 - 512, "start {start}");
        assert!(end >= 2 * sr && end < 2 * sr + 1024 + 512, "end {end}");
        assert_eq!(start % 512, 0);
    }

    #[test]
    fn silence_is_kept_whole_and_empty_is_empty() {
        assert_eq!(trim_bounds(&[0.0; 5000], 60.0, 2048, 512), (0, 5000));
        assert_eq!(trim_bounds(&[], 60.0, 2048, 512), (0, 0));
    }
}
