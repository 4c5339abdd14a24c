//! Power to decibels, as `librosa.power_to_db`:
//! `10·log10(max(amin, S)) − 10·log10(max(amin, ref))`, then clamped at
//! `max − top_db` when `top_db` is set.

/// Convert a power spectrogram to dB in place.
pub fn power_to_db_in_place(s: &mut [f32], db_ref: f32, amin: f32, top_db: Option<f32>) {
    let offset = 10.0 * db_ref.max(amin).log10();
    let mut peak = f32::NEG_INFINITY;
    for v in s.iter_mut() {
        *v = 10.0 * v.max(amin).log10() - offset;
        peak = peak.max(*v);
    }
    if let Some(top_db) = top_db {
        let floor = peak - top_db;
        for v in s.iter_mut() {
            *v = v.max(floor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_and_clamps() {
        let mut s = [1.0, 0.1, 1e-12, 100.0];
        power_to_db_in_place(&mut s, 1.0, 1e-10, Some(80.0));
        for (got, want) in s.iter().zip([0.0, -10.0, -60.0, 20.0]) {
            assert!((got - want).abs() < 1e-5, "{got} vs {want}");
        }
        let mut s = [1.0, 1e-12];
        power_to_db_in_place(&mut s, 1.0, 1e-10, None);
        assert!(s[0].abs() < 1e-6 && (s[1] + 100.0).abs() < 1e-4);
    }
}
