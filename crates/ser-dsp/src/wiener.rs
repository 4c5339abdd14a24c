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
    let half = size / 2;
    let inv = 1.0 / size as f64;
    // Two passes over the same local statistics, recomputed rather than stored (no
    // allocation): the first sums the variances into the noise power, the second
    // filters. Both see identical values, so the result is what storing them gives.
    let mut noise = 0.0f64;
    local_stats(y, half, inv, |_, _, v| noise += v);
    noise /= n as f64;
    local_stats(y, half, inv, |i, m, v| {
        out[i] = if v < noise {
            m as f32
        } else {
            ((y[i] as f64 - m) * (1.0 - noise / v) + m) as f32
        };
    });
    Ok(())
}

/// Call `f(i, mean, variance)` for every sample `i` of `y`, over the centred window of
/// `2·half + 1` samples (zeros beyond the edges, always divided by the window size,
/// `inv` = 1 / size), in f64 like scipy.
///
/// Small windows (the paper's 3) sum each window directly, as scipy's correlation
/// does; wide ones keep running sums.
#[inline(always)]
fn local_stats(y: &[f32], half: usize, inv: f64, mut f: impl FnMut(usize, f64, f64)) {
    let n = y.len();
    let at = |j: isize| -> f64 {
        if j >= 0 && (j as usize) < n {
            y[j as usize] as f64
        } else {
            0.0
        }
    };
    if half == 1 {
        // Interior: no bounds checks, a loop the compiler vectorises.
        #[inline(always)]
        fn emit(i: usize, a: f64, b: f64, c: f64, inv: f64, f: &mut impl FnMut(usize, f64, f64)) {
            let m = (a + b + c) * inv;
            f(i, m, (a * a + b * b + c * c) * inv - m * m);
        }
        if n == 1 {
            emit(0, 0.0, at(0), 0.0, inv, &mut f);
            return;
        }
        emit(0, 0.0, at(0), at(1), inv, &mut f);
        for (k, w) in y.windows(3).enumerate() {
            emit(k + 1, w[0] as f64, w[1] as f64, w[2] as f64, inv, &mut f);
        }
        emit(
            n - 1,
            at(n as isize - 2),
            at(n as isize - 1),
            0.0,
            inv,
            &mut f,
        );
        return;
    }
    let h = half as isize;
    let mut sum = 0.0f64;
    let mut sum_sq = 0.0f64;
    for j in -h..h {
        let v = at(j);
        sum += v;
        sum_sq += v * v;
    }
    for i in 0..n as isize {
        let entering = at(i + h);
        sum += entering;
        sum_sq += entering * entering;
        let m = sum * inv;
        f(i as usize, m, sum_sq * inv - m * m);
        let leaving = at(i - h);
        sum -= leaving;
        sum_sq -= leaving * leaving;
    }
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
    fn direct_and_running_window_sums_agree() {
        // The size-3 fast path against the general running-sum path on the same signal
        // (a 3-wide window through the general code: half = 1 is only special-cased in
        // `local_stats`, so compare with a direct evaluation of scipy's definition).
        let y: Vec<f32> = (0..1000)
            .map(|i| ((i as f32) * 0.21).sin() * 0.4 + ((i * 7919) % 13) as f32 * 0.01)
            .collect();
        for size in [3usize, 5, 9] {
            let out = wiener(&y, size).unwrap();
            let h = (size / 2) as isize;
            let stats: Vec<(f64, f64)> = (0..y.len() as isize)
                .map(|i| {
                    let w: Vec<f64> = (i - h..=i + h)
                        .map(|j| {
                            y.get(j as usize)
                                .filter(|_| j >= 0)
                                .map_or(0.0, |&v| v as f64)
                        })
                        .collect();
                    let m = w.iter().sum::<f64>() / size as f64;
                    (
                        m,
                        w.iter().map(|v| v * v).sum::<f64>() / size as f64 - m * m,
                    )
                })
                .collect();
            let noise = stats.iter().map(|s| s.1).sum::<f64>() / y.len() as f64;
            for (i, &(m, v)) in stats.iter().enumerate() {
                let want = if v < noise {
                    m
                } else {
                    (y[i] as f64 - m) * (1.0 - noise / v) + m
                };
                assert!((out[i] as f64 - want).abs() < 1e-6, "size {size}, {i}");
            }
        }
    }

    #[test]
    fn silent_input_is_an_error_not_nan() {
        assert_eq!(wiener(&[0.0; 100], 3), Err(DspError::Silent));
    }
}
