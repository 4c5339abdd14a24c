//! Pad with zeros at the end, or cut, to a fixed length (`librosa.util.fix_length`).

/// `y` padded with zeros at the end, or cut, to exactly `n` samples.
pub fn fix_length(y: &[f32], n: usize) -> Vec<f32> {
    let mut out = vec![0.0; n];
    fix_length_into(y, &mut out);
    out
}

/// Write `y` cut or zero-padded to `out.len()` samples into `out`.
pub fn fix_length_into(y: &[f32], out: &mut [f32]) {
    let keep = y.len().min(out.len());
    out[..keep].copy_from_slice(&y[..keep]);
    out[keep..].fill(0.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_and_cuts() {
        assert_eq!(fix_length(&[1.0, 2.0], 4), vec![1.0, 2.0, 0.0, 0.0]);
        assert_eq!(fix_length(&[1.0, 2.0, 3.0], 2), vec![1.0, 2.0]);
    }
}
