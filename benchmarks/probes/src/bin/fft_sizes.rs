//! rustfft 6.4.1: the planner's transforms of the sizes the pipeline uses (the resampler's 640 and
//! 588, the STFT's 1024) against hand-made factorisations of 588 (RESULTS.md, "issue 16: what was
//! measured and left").
use rustfft::{algorithm::*, num_complex::Complex, Fft, FftDirection, FftPlanner};
use std::sync::Arc;
use std::time::Instant;
fn bench(name: &str, f: Arc<dyn Fft<f32>>) {
    let n = f.len();
    let mut buf: Vec<Complex<f32>> = (0..n)
        .map(|i| Complex::new((i as f32 * 0.37).sin(), (i as f32 * 0.11).cos()))
        .collect();
    let mut scratch = vec![Complex::default(); f.get_inplace_scratch_len()];
    for _ in 0..2000 {
        f.process_with_scratch(&mut buf, &mut scratch);
        buf.iter_mut().for_each(|c| *c *= 1.0 / (n as f32).sqrt());
    }
    let iters = 100_000;
    let t = Instant::now();
    for _ in 0..iters {
        f.process_with_scratch(&mut buf, &mut scratch);
    }
    let ns = t.elapsed().as_nanos() as f64 / iters as f64;
    println!("{name:40} n={n:5} {ns:8.1} ns");
}
fn main() {
    let mut p = FftPlanner::<f32>::new();
    let d = FftDirection::Inverse;
    bench("planner 588", p.plan_fft(588, d));
    bench("planner 640", p.plan_fft(640, d));
    bench("planner 1024", p.plan_fft(1024, d));
    bench("planner 576", p.plan_fft(576, d));
    bench("planner 600", p.plan_fft(600, d));
    for (a, b) in [
        (12usize, 49usize),
        (4, 147),
        (3, 196),
        (49, 12),
        (28, 21),
        (21, 28),
        (7, 84),
        (84, 7),
        (14, 42),
        (42, 14),
    ] {
        bench(
            &format!("mixedradix {a}x{b}"),
            Arc::new(MixedRadix::new(p.plan_fft(a, d), p.plan_fft(b, d))),
        );
    }
    for (a, b) in [(12usize, 49usize), (4, 147), (3, 196)] {
        bench(
            &format!("goodthomas {a}x{b}"),
            Arc::new(GoodThomasAlgorithm::new(p.plan_fft(a, d), p.plan_fft(b, d))),
        );
    }
}
