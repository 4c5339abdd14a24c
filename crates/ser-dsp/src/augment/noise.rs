//! Additive white noise with a random level, the common SER-notebook form
//! `noise(data, random=True, threshold=0.1)` the paper's "threshold 0.1" names.

use rand::Rng;
use rand_distr::StandardNormal;

/// `y + a·N(0,1)` with `a = factor · U(0,1) · max|y|`, drawn from `rng`.
pub fn add_noise<R: Rng>(y: &[f32], factor: f64, rng: &mut R) -> Vec<f32> {
    let peak = y.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let amplitude = (factor * rng.random::<f64>()) as f32 * peak;
    y.iter()
        .map(|&x| x + amplitude * rng.sample::<f32, _>(StandardNormal))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn noise_level_is_bounded_and_seeded() {
        let y: Vec<f32> = (0..20_000).map(|i| (i as f32 * 0.01).sin() * 0.5).collect();
        let a = add_noise(&y, 0.1, &mut ChaCha8Rng::seed_from_u64(7));
        let b = add_noise(&y, 0.1, &mut ChaCha8Rng::seed_from_u64(7));
        assert_eq!(a, b);
        let rms =
            (a.iter().zip(&y).map(|(a, y)| (a - y).powi(2)).sum::<f32>() / y.len() as f32).sqrt();
        assert!(rms > 0.0 && rms <= 0.1 * 0.5 * 1.05, "noise rms {rms}");
    }
}
