//! The streaming pipeline (`ser_dsp::stream`) equals the in-memory one, bit for bit,
//! on real files of every rate and container in the shared data, and its windows and
//! resampler behave as documented.

use std::path::{Path, PathBuf};

use ser_dsp::resample::Resampler;
use ser_dsp::stream::{
    extract_file_streaming_into, preprocess_input_into, AudioInput, FileWindows, LiveWindows,
    StreamResampler, Window, WindowOptions, WindowStatus,
};
use ser_dsp::{read_wav, DspOptions, LogMelExtractor};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

fn data(rel: &str) -> PathBuf {
    Path::new(DATA).join(rel)
}

/// 48 kHz WAV (mono and stereo), 48 kHz FLAC, 16 kHz and 22.05 kHz WAV.
fn real_files() -> Vec<PathBuf> {
    [
        "ravdess/Actor_01/03-01-01-01-01-01-01.wav",
        "ravdess/Actor_01/03-01-02-01-01-02-01.wav",
        "ravdess/Actor_05/03-01-02-01-02-02-05.flac",
        "ravdess/Actor_07/03-01-05-02-01-01-07.flac",
        "emodb-original/wav/03a01Fa.wav",
        "emodb-original/wav/16b10Wb.wav",
        "emodb/wav/03a04Ta.wav",
    ]
    .iter()
    .map(|r| data(r))
    .collect()
}

#[test]
fn streamed_extraction_equals_in_memory_extraction() {
    for opts in [
        DspOptions::default(),
        DspOptions {
            sample_rate: 16_000,
            ..Default::default()
        },
    ] {
        let mut ex = LogMelExtractor::new(opts.clone()).unwrap();
        for path in real_files() {
            let want = ex.extract_file(&path).unwrap();
            // Threshold 0: every file decoded block by block from disk.
            let input = AudioInput::open_with(&path, 0).unwrap();
            assert!(input.is_streamed(), "{}", path.display());
            let mut fixed = vec![0.0; opts.n_samples()];
            preprocess_input_into(&input, &opts, &mut fixed).unwrap();
            let audio = read_wav(&path).unwrap();
            assert_eq!(
                fixed,
                ex.preprocess(&audio.samples, audio.sample_rate).unwrap(),
                "pre-processed waveform of {} at {} Hz",
                path.display(),
                opts.sample_rate
            );
            let got = ex.log_mel(&fixed).unwrap();
            assert_eq!(got, want, "log-mel of {}", path.display());
            // The default entry point (small files read whole) agrees too.
            let mut out = vec![0.0; opts.feature_len()];
            extract_file_streaming_into(&mut ex, &path, &mut out).unwrap();
            assert_eq!(out, want);
        }
    }
}

#[test]
fn streamed_resampling_equals_whole_clip_resampling_for_any_block_size() {
    let audio = read_wav(&data("ravdess/Actor_01/03-01-01-01-01-01-01.wav")).unwrap();
    for (from, to) in [
        (48_000, 44_100),
        (16_000, 44_100),
        (22_050, 44_100),
        (48_000, 16_000),
    ] {
        let x = &audio.samples[..(audio.samples.len() * 2 / 3)];
        let want = Resampler::new(from, to).unwrap().process(x).to_vec();
        for block in [1usize, 37, 300, 4096, 100_000] {
            let mut r = StreamResampler::new(from, to).unwrap();
            let mut got = Vec::new();
            for chunk in x.chunks(block) {
                r.push(chunk, &mut got);
            }
            r.finish(&mut got);
            assert_eq!(got, want, "{from} -> {to}, blocks of {block}");
        }
        // Shorter than one chunk.
        let short = &x[..7];
        let want = Resampler::new(from, to).unwrap().process(short).to_vec();
        let mut r = StreamResampler::new(from, to).unwrap();
        let mut got = Vec::new();
        r.push(short, &mut got);
        r.finish(&mut got);
        assert_eq!(got, want);
    }
}

/// Two utterances with 4 s of digital silence between them, at 48 kHz.
fn speech_silence_speech() -> (Vec<f32>, u32) {
    let a = read_wav(&data("ravdess/Actor_01/03-01-05-01-01-01-01.wav")).unwrap();
    let b = read_wav(&data("ravdess/Actor_01/03-01-03-01-01-01-01.wav")).unwrap();
    let mut y = a.samples.clone();
    y.extend(std::iter::repeat(0.0).take(4 * 48_000));
    y.extend_from_slice(&b.samples);
    (y, 48_000)
}

#[test]
fn windows_cover_the_signal_and_mark_silence() {
    let (y, sr) = speech_silence_speech();
    let opts = DspOptions::default();
    let mut live = LiveWindows::new(sr, opts.clone(), WindowOptions::default()).unwrap();
    let mut windows = Vec::new();
    for chunk in y.chunks(4800) {
        windows.extend(live.push(chunk).unwrap());
    }
    windows.extend(live.finish().unwrap());
    let n = (y.len() as u64 * 44_100).div_ceil(48_000) as usize;
    let (win, hop) = (3 * 44_100, 44_100);
    assert_eq!(windows.len(), 1 + (n - win).div_ceil(hop));
    for (k, w) in windows.iter().enumerate() {
        assert_eq!(w.start, k * hop);
        assert_eq!(w.end, (k * hop + win).min(n));
    }
    assert_eq!(windows.last().unwrap().end, n);
    // The first window is speech; one inside the 4 s gap is silent.
    assert_eq!(windows[0].status, WindowStatus::Speech);
    assert_eq!(
        windows[0].features.as_ref().unwrap().len(),
        opts.feature_len()
    );
    let first_len = read_wav(&data("ravdess/Actor_01/03-01-05-01-01-01-01.wav"))
        .unwrap()
        .samples
        .len() as f64
        / 48_000.0;
    let gap = windows
        .iter()
        .find(|w| {
            w.start as f64 / 44_100.0 > first_len + 0.1
                && (w.end as f64 / 44_100.0) < first_len + 4.0
        })
        .expect("a window inside the gap");
    assert_eq!(gap.status, WindowStatus::Silent);
    assert!(gap.features.is_none());
}

#[test]
fn a_window_of_a_file_is_the_pipeline_of_that_excerpt() {
    // A 44.1 kHz file (no resampling): window k is exactly the pipeline on samples
    // [k·hop, k·hop + win) of the file.
    let dir = std::env::temp_dir().join(format!("ser-stream-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("long.wav");
    let (y48, _) = speech_silence_speech();
    let y = ser_dsp::resample(&y48, 48_000, 44_100).unwrap();
    write_wav_f32(&path, &y, 44_100);
    let opts = DspOptions::default();
    let all = file_windows(&path, &opts, 3);
    let mut ex = LogMelExtractor::new(opts).unwrap();
    let mut speech = 0;
    for w in &all {
        if let Some(f) = &w.features {
            assert_eq!(f, &ex.extract(&y[w.start..w.end], 44_100).unwrap());
            speech += 1;
        }
    }
    assert!(speech >= 2 && all.iter().any(|w| w.status == WindowStatus::Silent));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn window_starts_do_not_drift_when_the_hop_is_not_whole_samples() {
    // 0.125 s is 5512.5 samples at 44.1 kHz: window k starts at round(k · 5512.5), so
    // window 480 starts at exactly 60 s (a rounded hop of 5513 would put it 0.0054 s late).
    let y = vec![0.0f32; 70 * 44_100];
    let w = WindowOptions {
        hop_seconds: 0.125,
        ..WindowOptions::default()
    };
    let mut live = LiveWindows::new(44_100, DspOptions::default(), w).unwrap();
    let mut all = Vec::new();
    for chunk in y.chunks(10_000) {
        all.extend(live.push(chunk).unwrap());
    }
    all.extend(live.finish().unwrap());
    for (k, w) in all.iter().enumerate() {
        assert_eq!(w.start, (k as f64 * 5512.5).round() as usize);
        assert_eq!(w.end, (w.start + 3 * 44_100).min(y.len()));
    }
    assert_eq!(all[480].start, 60 * 44_100);
    assert_eq!(all.last().unwrap().end, y.len());
}

#[test]
fn a_faint_tail_before_digital_silence_is_too_short_not_speech() {
    // 3 s of a tone, 0.2 s of the same tone 40 dB lower, then 3 s of zeros. The window
    // from 3 s holds 0.2 s of signal: measured against its own loudest frame, the zeros
    // (-100 dB floor) are within 60 dB and would count as 3 s of speech. The same at
    // -40 dB overall (a quiet recording: the floor is within 60 dB of everything), and a
    // faint sound before silence at the start of live input (the loudest frame so far is
    // that sound itself).
    let sr = 44_100usize;
    let tone =
        |i: usize, a: f32| a * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / sr as f32).sin();
    let windows = |y: &[f32]| {
        let mut live =
            LiveWindows::new(44_100, DspOptions::default(), WindowOptions::default()).unwrap();
        let mut all = live.push(y).unwrap();
        all.extend(live.finish().unwrap());
        all
    };
    for gain in [1.0f32, 0.01] {
        let mut y: Vec<f32> = (0..3 * sr).map(|i| tone(i, 0.5 * gain)).collect();
        y.extend((0..sr / 5).map(|i| tone(i, 0.005 * gain)));
        y.extend(std::iter::repeat(0.0).take(3 * sr));
        let all = windows(&y);
        assert_eq!(all[0].status, WindowStatus::Speech, "gain {gain}");
        let w = all.iter().find(|w| w.start == 3 * sr).unwrap();
        assert_eq!(w.status, WindowStatus::TooShort, "gain {gain}");
        assert!(
            w.speech_samples < sr / 2,
            "gain {gain}: {}",
            w.speech_samples
        );
    }
    let mut y: Vec<f32> = (0..sr / 5).map(|i| tone(i, 0.005)).collect();
    y.extend(std::iter::repeat(0.0).take(3 * sr));
    y.extend((0..3 * sr).map(|i| tone(i, 0.5)));
    let all = windows(&y);
    assert_eq!(all[0].status, WindowStatus::TooShort);
    assert_eq!(all.last().unwrap().status, WindowStatus::Speech);
    // Zeros between two short sounds are not speech either: 0.15 s, 1 s of zeros, 0.15 s.
    let blip = |y: &mut Vec<f32>| y.extend((0..sr * 3 / 20).map(|i| tone(i, 0.5)));
    let mut y = Vec::new();
    blip(&mut y);
    y.extend(std::iter::repeat(0.0).take(sr));
    blip(&mut y);
    y.extend(std::iter::repeat(0.0).take(3 * sr));
    let all = windows(&y);
    assert_eq!(all[0].status, WindowStatus::TooShort);
    assert!(all[0].speech_samples < sr / 2, "{}", all[0].speech_samples);
    // Six 50 ms clicks (0.3 s of sound) spread over a window: each is counted for about
    // its own length, not for every frame it touches (that would add up to 0.58 s).
    let mut y = Vec::new();
    for _ in 0..6 {
        y.extend((0..sr / 20).map(|i| tone(i, 0.5)));
        y.extend(std::iter::repeat(0.0).take(sr * 9 / 20));
    }
    let all = windows(&y);
    assert_eq!(all[0].status, WindowStatus::TooShort);
    let s = all[0].speech_samples as f64 / sr as f64;
    assert!((0.3..0.45).contains(&s), "{s}");
}

#[test]
fn live_input_resampled_faint_start_before_an_onset_at_the_window_end_is_too_short() {
    // 16 kHz live input: a faint 0.2 s sound, zeros up to 3.000 s, then a loud tone. The
    // resampler rings a few samples ahead of the onset, inside the first window; against
    // the loudest frame so far (the faint sound) those count, but a few ms are not speech.
    let sr = 16_000usize;
    let tone =
        |i: usize, a: f32| a * (2.0 * std::f32::consts::PI * 440.0 * i as f32 / sr as f32).sin();
    let mut y: Vec<f32> = (0..sr / 5).map(|i| tone(i, 0.0006)).collect();
    y.resize(3 * sr, 0.0);
    y.extend((0..3 * sr).map(|i| tone(i, 0.5)));
    let mut live =
        LiveWindows::new(sr as u32, DspOptions::default(), WindowOptions::default()).unwrap();
    let mut all = Vec::new();
    for chunk in y.chunks(1600) {
        all.extend(live.push(chunk).unwrap());
    }
    all.extend(live.finish().unwrap());
    assert_eq!(
        all[0].status,
        WindowStatus::TooShort,
        "{:?}",
        all[0].speech_samples
    );
    assert_eq!(all[3].status, WindowStatus::Speech);
}

#[test]
fn a_file_of_digital_silence_has_silent_windows_like_live_input_of_zeros() {
    let dir = std::env::temp_dir().join(format!("ser-stream-zeros-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let opts = DspOptions::default();
    // 7 s of zeros (five windows of 3 s every 1 s), and 0.2 s (one short window).
    for (seconds, n_windows) in [(7.0, 5), (0.2, 1)] {
        let path = dir.join(format!("zeros-{seconds}.wav"));
        write_wav_f32(&path, &vec![0.0; (seconds * 16_000.0) as usize], 16_000);
        let all = file_windows(&path, &opts, 8);
        assert_eq!(all.len(), n_windows, "{seconds} s");
        assert!(all
            .iter()
            .all(|w| w.status == WindowStatus::Silent && w.features.is_none()));
        // Live input of the same zeros: the same statuses.
        let mut live = LiveWindows::new(16_000, opts.clone(), WindowOptions::default()).unwrap();
        let mut got = live
            .push(&vec![0.0; (seconds * 16_000.0) as usize])
            .unwrap();
        got.extend(live.finish().unwrap());
        assert_eq!(got.len(), n_windows, "live, {seconds} s");
        assert!(got.iter().all(|w| w.status == WindowStatus::Silent));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn too_short_windows_are_marked_not_classified() {
    // A 1-sample click in 3 s of silence, then 2 s of silence: the click keeps far less
    // than 0.5 s after trimming.
    let mut y = vec![0.0f32; 5 * 44_100];
    y[10_000] = 0.5;
    let mut live =
        LiveWindows::new(44_100, DspOptions::default(), WindowOptions::default()).unwrap();
    let mut all = live.push(&y).unwrap();
    all.extend(live.finish().unwrap());
    assert_eq!(all[0].status, WindowStatus::TooShort);
    assert!(all[0].features.is_none());
    assert!(all[0].speech_samples < 22_050);
}

#[test]
fn a_file_and_its_window_apply_one_minimum_of_speech() {
    // Two tones with 0.6 s of digital zeros between them and 0.5 s around: 2 × 0.2 s of
    // sound is too short, 2 × 0.3 s is speech, for the file in memory, for the file read
    // in two streaming passes, and for its one window. (The file used to count the zeros
    // between the tones as speech, and the streamed path had no minimum at all.)
    let sr = 44_100usize;
    let dir = std::env::temp_dir().join(format!("ser-min-speech-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tone = |n: usize| {
        (0..n).map(|i| 0.5 * (2.0 * std::f32::consts::PI * 440.0 * i as f32 / sr as f32).sin())
    };
    let opts = DspOptions::default();
    let mut ex = LogMelExtractor::new(opts.clone()).unwrap();
    for (seconds, speech) in [(0.2, false), (0.3, true)] {
        let n = (seconds * sr as f64) as usize;
        let mut y = vec![0.0f32; sr / 2];
        y.extend(tone(n));
        y.extend(std::iter::repeat(0.0).take(sr * 6 / 10));
        y.extend(tone(n));
        y.extend(std::iter::repeat(0.0).take(sr / 2));
        let path = dir.join(format!("gap-{seconds}.wav"));
        write_wav_f32(&path, &y, sr as u32);
        let code = |r: ser_dsp::Result<()>| r.map_err(|e| e.code()).err();
        let mut out = vec![0.0; opts.feature_len()];
        let in_memory = code(ex.extract_file_into(&path, &mut out));
        let input = AudioInput::open_with(&path, 0).unwrap();
        let mut fixed = vec![0.0; opts.n_samples()];
        let streamed = code(preprocess_input_into(&input, &opts, &mut fixed));
        let windows = file_windows(&path, &opts, 4);
        assert_eq!(windows.len(), 1, "{seconds} s");
        let expected = if speech {
            None
        } else {
            Some("ERR_SER_TOO_SHORT")
        };
        assert_eq!((in_memory, streamed), (expected, expected), "{seconds} s");
        let status = if speech {
            WindowStatus::Speech
        } else {
            WindowStatus::TooShort
        };
        assert_eq!(windows[0].status, status, "{seconds} s");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every window of `path` (default window options), read `batch` at a time.
fn file_windows(path: &Path, opts: &DspOptions, batch: usize) -> Vec<Window> {
    let mut fw = FileWindows::open(path, opts.clone(), WindowOptions::default()).unwrap();
    let mut all = Vec::new();
    loop {
        let got = fw.next_batch(batch).unwrap();
        if got.is_empty() {
            return all;
        }
        assert!(got.len() <= batch);
        all.extend(got);
    }
}

fn write_wav_f32(path: &Path, y: &[f32], sr: u32) {
    let mut b = Vec::with_capacity(44 + 4 * y.len());
    let data_len = (4 * y.len()) as u32;
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data_len).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&3u16.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&sr.to_le_bytes());
    b.extend_from_slice(&(sr * 4).to_le_bytes());
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&32u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data_len.to_le_bytes());
    for v in y {
        b.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(path, b).unwrap();
}
