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
///
/// # Errors
/// [`DspError::InvalidOption`] for an even or zero `size`, [`DspError::Silent`] for an
/// all-zero (or empty) `y`.
///
/// # Panics
/// When `out.len() != y.len()`.
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
    if half == 1 && n >= 3 {
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::has_avx512f() {
            // SAFETY: the CPU reported AVX-512F at run time.
            unsafe { wiener3_avx512(y, out) };
            return Ok(());
        }
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        if crate::cpu::has_avx() {
            // SAFETY: the CPU reported AVX at run time.
            unsafe { wiener3_avx(y, out) };
            return Ok(());
        }
        wiener3(y, out);
        return Ok(());
    }
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

/// Local mean and variance of the 3-sample window `a, b, c`, in f64.
#[inline(always)]
fn stats3(a: f32, b: f32, c: f32) -> (f64, f64) {
    const INV: f64 = 1.0 / 3.0;
    let (a, b, c) = (a as f64, b as f64, c as f64);
    let m = (a + b + c) * INV;
    (m, (a * a + b * b + c * c) * INV - m * m)
}

/// The paper's 3-sample window on `y` (at least 3 samples) into `out`: the same
/// statistics and formula as [`local_stats`], written as loops over whole arrays that
/// the compiler vectorises. The noise power is summed in [`LANES`] interleaved partial
/// sums (a different order of the same f64 additions: ≈ 1e-16 relative).
#[inline(always)]
fn wiener3(y: &[f32], out: &mut [f32]) {
    const LANES: usize = 8;
    let n = y.len();
    let (a, b, c) = (&y[..n - 2], &y[1..n - 1], &y[2..]);
    let first = stats3(0.0, y[0], y[1]);
    let last = stats3(y[n - 2], y[n - 1], 0.0);
    let len = n - 2;
    let full = len / LANES * LANES;
    let mut acc = [0.0f64; LANES];
    for k0 in (0..full).step_by(LANES) {
        let a: &[f32; LANES] = a[k0..k0 + LANES].try_into().unwrap();
        let b: &[f32; LANES] = b[k0..k0 + LANES].try_into().unwrap();
        let c: &[f32; LANES] = c[k0..k0 + LANES].try_into().unwrap();
        for j in 0..LANES {
            acc[j] += stats3(a[j], b[j], c[j]).1;
        }
    }
    let mut noise = first.1 + last.1 + acc.iter().sum::<f64>();
    for i in full..len {
        noise += stats3(a[i], b[i], c[i]).1;
    }
    noise /= n as f64;
    let apply = |x: f32, (m, v): (f64, f64)| -> f32 {
        if v < noise {
            m as f32
        } else {
            ((x as f64 - m) * (1.0 - noise / v) + m) as f32
        }
    };
    out[0] = apply(y[0], first);
    out[n - 1] = apply(y[n - 1], last);
    for (((o, &a), &b), &c) in out[1..n - 1].iter_mut().zip(a).zip(b).zip(c) {
        *o = apply(b, stats3(a, b, c));
    }
}

/// [`wiener3`] compiled for AVX.
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
#[target_feature(enable = "avx")]
unsafe fn wiener3_avx(y: &[f32], out: &mut [f32]) {
    wiener3(y, out)
}

/// [`wiener3`] compiled for AVX-512F: eight f64 lanes per instruction.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn wiener3_avx512(y: &[f32], out: &mut [f32]) {
    wiener3(y, out)
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
    fn vector_copies_give_the_portable_bits() {
        // The AVX and AVX-512 copies of the 3-sample filter run the same operations in the
        // same order per lane (eight partial noise sums whatever the register width).
        let y: Vec<f32> = (0..10_007)
            .map(|i| ((i as f32) * 0.013).sin() * (0.2 + ((i * 31) % 17) as f32 * 0.03))
            .collect();
        let mut want = vec![0.0; y.len()];
        wiener3(&y, &mut want);
        #[cfg(target_arch = "x86_64")]
        {
            let mut got = vec![0.0; y.len()];
            if crate::cpu::has_avx() {
                // SAFETY: the CPU reported AVX.
                unsafe { wiener3_avx(&y, &mut got) };
                assert_eq!(got, want, "AVX");
            }
            if crate::cpu::has_avx512f() {
                // SAFETY: the CPU reported AVX-512F.
                unsafe { wiener3_avx512(&y, &mut got) };
                assert_eq!(got, want, "AVX-512F");
            }
        }
    }

    #[test]
    fn silent_input_is_an_error_not_nan() {
        assert_eq!(wiener(&[0.0; 100], 3), Err(DspError::Silent));
    }
}
