//! Leading and trailing silence removal, as `librosa.effects.trim`.
//!
//! librosa computes the RMS of centred, zero-padded frames (`feature.rms`,
//! `center=True`), converts it to dB relative to the loudest frame
//! (`amplitude_to_db(ref=np.max)`, amin 1e-5) and keeps from the first to the
//! last frame louder than `-top_db`. Frame `i` covers samples
//! `[i·hop − frame/2, i·hop + frame/2)`; the kept span is
//! `[first·hop, min(len, (last + 1)·hop))`.

/// Power floor of `amplitude_to_db`: amin = 1e-5, squared.
pub(crate) const AMIN_POWER: f64 = 1e-10;

/// A frame's mean square in dB, floored at `AMIN_POWER` (-100 dB), as `amplitude_to_db`.
pub(crate) fn power_db(p: f64) -> f64 {
    10.0 * p.max(AMIN_POWER).log10()
}

/// `(start, end)` of the kept part of a signal of `n` samples from its trim frames' mean
/// squares `powers` (frame `i` centred on sample `i·hop`): from the first to the last frame
/// louder than `-top_db` relative to the loudest, `(0, 0)` when none is; `(0, n)` when
/// there is no frame. Shared by [`trim_bounds`] and the streaming trim.
pub(crate) fn bounds_from_powers(
    powers: &[f64],
    n: usize,
    top_db: f32,
    hop: usize,
) -> (usize, usize) {
    if n == 0 {
        return (0, 0);
    }
    if powers.is_empty() {
        return (0, n);
    }
    let ref_db = power_db(powers.iter().cloned().fold(0.0f64, f64::max));
    let threshold = -(top_db as f64);
    let loud = |p: &f64| power_db(*p) - ref_db > threshold;
    match (powers.iter().position(loud), powers.iter().rposition(loud)) {
        (Some(first), Some(last)) => (first * hop, n.min((last + 1) * hop)),
        _ => (0, 0),
    }
}

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
    trim_bounds_with(y, top_db, frame_length, hop_length, &mut Vec::new())
}

/// [`trim_bounds`] with a caller-owned scratch buffer, reused across calls (no
/// allocation once it has grown to the longest input).
///
/// Every frame starts and ends on a multiple of `g = gcd(hop, frame/2, frame)`, so
/// the signal is cut into blocks of `g` samples whose sums of squares (f64) are
/// taken once; a frame's energy is the sum of its `frame / g` blocks (4 by
/// default). Each sample is squared once and no long running sum can lose the
/// quiet frames' energy to cancellation.
pub fn trim_bounds_with(
    y: &[f32],
    top_db: f32,
    frame_length: usize,
    hop_length: usize,
    scratch: &mut Vec<f64>,
) -> (usize, usize) {
    if y.is_empty() || frame_length == 0 || hop_length == 0 {
        return (0, 0);
    }
    let powers = frame_powers_with(y, frame_length, hop_length, scratch);
    bounds_from_powers(powers, y.len(), top_db, hop_length)
}

/// Mean square of every trim frame of `y` (frame `i` centred on sample `i·hop`,
/// zero-padded: `1 + (len + 2·(frame/2) − frame) / hop` frames; none for an empty
/// input or a zero frame or hop), in `scratch`. Shared by [`trim_bounds_with`] and the
/// minimum-speech rule ([`crate::min_length`]).
pub(crate) fn frame_powers_with<'a>(
    y: &[f32],
    frame_length: usize,
    hop_length: usize,
    scratch: &'a mut Vec<f64>,
) -> &'a [f64] {
    scratch.clear();
    let n = y.len();
    if n == 0 || frame_length == 0 || hop_length == 0 {
        return scratch;
    }
    let half = frame_length / 2;
    let padded = n + 2 * half;
    if padded < frame_length {
        return scratch;
    }
    let n_frames = 1 + (padded - frame_length) / hop_length;
    let g = gcd(gcd(hop_length, half), frame_length);
    let blocks_per_frame = frame_length / g;

    // Block sums of squares, then each frame's mean square, in `scratch`.
    let n_blocks = n.div_ceil(g);
    scratch.extend(y.chunks(g).map(sum_of_squares));
    let frame_power = |frame: usize, blocks: &[f64]| -> f64 {
        // Frame in signal coordinates: [frame·hop − half, … + frame_length), in blocks of g.
        let first = (frame * hop_length) as isize / g as isize - (half / g) as isize;
        let lo = first.clamp(0, n_blocks as isize) as usize;
        let hi = (first + blocks_per_frame as isize).clamp(0, n_blocks as isize) as usize;
        blocks[lo..hi].iter().sum::<f64>() / frame_length as f64
    };
    for frame in 0..n_frames {
        let p = frame_power(frame, &scratch[..n_blocks]);
        scratch.push(p);
    }
    &scratch[n_blocks..]
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `Σ x²` in f64, over four interleaved partial sums (vectorisable).
fn sum_of_squares(x: &[f32]) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut chunks = x.chunks_exact(4);
    for c in &mut chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a += v as f64 * v as f64;
        }
    }
    let tail: f64 = chunks
        .remainder()
        .iter()
        .map(|&v| v as f64 * v as f64)
        .sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
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
    fn block_sums_match_direct_frame_sums_for_any_geometry() {
        let y: Vec<f32> = (0..5003)
            .map(|i| ((i as f32) * 0.37).sin() * (1.0 + (i as f32 * 0.003).cos()) * 0.3)
            .collect();
        let mut y = y;
        y[..1500].iter_mut().for_each(|v| *v *= 1e-4);
        for (frame, hop) in [(2048, 512), (1000, 300), (2047, 512), (64, 64), (17, 5)] {
            // Reference: each frame summed directly.
            let half = frame / 2;
            let n_frames = 1 + (y.len() + 2 * half - frame) / hop;
            let powers: Vec<f64> = (0..n_frames)
                .map(|i| {
                    let s = (i * hop) as isize - half as isize;
                    (s..s + frame as isize)
                        .filter(|&j| j >= 0 && (j as usize) < y.len())
                        .map(|j| (y[j as usize] as f64).powi(2))
                        .sum::<f64>()
                        / frame as f64
                })
                .collect();
            let peak = powers.iter().cloned().fold(0.0, f64::max);
            let loud: Vec<usize> = (0..n_frames)
                .filter(|&i| 10.0 * (powers[i].max(1e-10) / peak).log10() > -60.0)
                .collect();
            let want = (loud[0] * hop, y.len().min((loud[loud.len() - 1] + 1) * hop));
            assert_eq!(
                trim_bounds(&y, 60.0, frame, hop),
                want,
                "frame {frame} hop {hop}"
            );
        }
    }

    #[test]
    fn silence_is_kept_whole_and_empty_is_empty() {
        assert_eq!(trim_bounds(&[0.0; 5000], 60.0, 2048, 512), (0, 5000));
        assert_eq!(trim_bounds(&[], 60.0, 2048, 512), (0, 0));
    }
}
