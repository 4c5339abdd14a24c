//! Adaptive Wiener filter, as `scipy.signal.wiener(y, mysize)`.
//!
//! Local mean `m` and variance `v = E[x²] − m²` over a centred window of `size`
//! samples (zeros beyond the edges, always divided by `size`); the noise power is
//! the mean of `v`; the output is `m` where `v < noise`, else
//! `(y − m)(1 − noise / v) + m`. Computed in f64 like scipy's float64 result.

use crate::error::{DspError, Result};

/// Wiener-filter `y` with a window of `size` samples (odd).
pub fn wiener(y: &[f32], size: usize) -> Result<Vec<f32>> {
    let mut out = vec![0.0; y.len()];
    wiener_into(y, size, &mut out)?;
    Ok(out)
}

/// Wiener-filter `y` into `out` (same length). `Err(Silent)` when every sample is zero,
/// where scipy would return NaN (0 / 0).
pub fn wiener_into(y: &[f32], size: usize, out: &mut [f32]) -> Result<()> {
    if size == 0 || size % 2 == 0 {
        return Err(DspError::InvalidOption {
            name: "wienerSize",
            allowed: "an odd integer >= 1",
            received: size.to_string(),
        });
    }
    assert_eq!(
        y.len(),
        out.len(),
        "wiener_into: output length must equal input length"
    );
    let n = y.len();
    if n == 0 || y.iter().all(|&x| x == 0.0) {
        return Err(DspError::Silent);
    }
    let inv = 1.0 / size as f64;
    // The signal in f64 with `size / 2` zeros on each side (scipy's zero-filled edges)
    // and one more at the end, so the running window sums need no bounds checks.
    let half = size / 2;
    let mut padded = vec![0.0f64; n + 2 * half + 1];
    for (p, &x) in padded[half..half + n].iter_mut().zip(y) {
        *p = x as f64;
    }
    let mut sum: f64 = padded[..size].iter().sum();
    let mut sum_sq: f64 = padded[..size].iter().map(|v| v * v).sum();
    let mut mean = vec![0.0f64; n];
    let mut var = vec![0.0f64; n];
    for i in 0..n {
        let m = sum * inv;
        mean[i] = m;
        var[i] = sum_sq * inv - m * m;
        let (leaving, entering) = (padded[i], padded[i + size]);
        sum += entering - leaving;
        sum_sq += entering * entering - leaving * leaving;
    }
    let noise = var.iter().sum::<f64>() / n as f64;
    for i in 0..n {
        let (m, v) = (mean[i], var[i]);
        out[i] = if v < noise {
            m as f32
        } else {
            ((y[i] as f64 - m) * (1.0 - noise / v) + m) as f32
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computed_scipy_output() {
        // scipy.signal.wiener([1, 2, 3, 10, 3, 2, 1], 3)
        let y = [1.0f32, 2.0, 3.0, 10.0, 3.0, 2.0, 1.0];
        let out = wiener(&y, 3).unwrap();
        // Local means and variances, by hand.
        let m = [1.0, 2.0, 5.0, 16.0 / 3.0, 5.0, 2.0, 1.0];
        let sq = [
            5.0 / 3.0,
            14.0 / 3.0,
            113.0 / 3.0,
            118.0 / 3.0,
            113.0 / 3.0,
            14.0 / 3.0,
            5.0 / 3.0,
        ];
        let v: Vec<f64> = (0..7).map(|i| sq[i] - m[i] * m[i]).collect();
        let noise = v.iter().sum::<f64>() / 7.0;
        for i in 0..7 {
            let want = if v[i] < noise {
                m[i]
            } else {
                (y[i] as f64 - m[i]) * (1.0 - noise / v[i]) + m[i]
            };
            assert!(
                (out[i] as f64 - want).abs() < 1e-6,
                "{i}: {} vs {want}",
                out[i]
            );
        }
    }

    #[test]
    fn silent_input_is_an_error_not_nan() {
        assert_eq!(wiener(&[0.0; 100], 3), Err(DspError::Silent));
    }
}
