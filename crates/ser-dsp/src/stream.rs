//! Long recordings and live input in bounded memory.
//!
//! The per-utterance pipeline of [`LogMelExtractor`](crate::LogMelExtractor) holds the
//! whole decoded and resampled file. This module computes the same result from
//! blocks of samples, in two passes over the file:
//!
//! 1. decode → resample → frame energies ([`TrimScan`]): the trim bounds relative to
//!    the loudest frame of the whole file (`librosa.effects.trim`);
//! 2. decode → resample again → from the first to the last kept sample, the Wiener
//!    filter's running local mean and variance ([`WienerScan`]): the noise estimate is
//!    the mean local variance of the whole trimmed signal (`scipy.signal.wiener`), and
//!    only the first `duration_seconds` of the trimmed signal are kept for the output.
//!
//! Every sum runs in the same order and precision as the in-memory stages, so the
//! result is bit-identical to [`LogMelExtractor::extract_file`](crate::LogMelExtractor::extract_file)
//! (tests/stream.rs). Memory is a few blocks, the 3 s output and one `f64` per trim
//! hop (2.5 MB per hour at 44.1 kHz), whatever the length of the file.
//!
//! [`StreamResampler`] resamples block by block exactly as
//! [`Resampler::process`](crate::resample::Resampler::process) does for a whole clip.
//! [`Windower`], [`FileWindows`] and [`LiveWindows`] cut a recording into windows that
//! each go through the per-utterance pipeline (`ser predict --window`, `--stream`).

use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

use crate::decode::{read_wav, Audio, SAMPLE_RATE_RANGE};
use crate::error::{DspError, Result};
use crate::fix_length::fix_length_into;
use crate::min_length::{check_min_speech, speech_samples};
use crate::options::DspOptions;
use crate::pipeline::LogMelExtractor;
use crate::resample::BlockResampler;
use crate::trim::{bounds_from_powers, power_db};

/// Files larger than this are decoded block by block; smaller ones are read whole
/// (the in-memory decoder, with its lenient WAV handling, is then used as is).
pub const STREAM_ABOVE_BYTES: u64 = 16 << 20;

/// Mono samples handed on per block when a decoded file is replayed from memory.
const BLOCK: usize = 1 << 16;

// ---------------------------------------------------------------------------
// Decoding, block by block.

/// A source of mono blocks at a fixed sample rate.
trait MonoSource: Send {
    /// Append the next block of mono samples to `out`; `false` at the end.
    fn next_block(&mut self, out: &mut Vec<f32>) -> Result<bool>;
}

/// A decoded file kept in memory, replayed in blocks.
struct MemorySource {
    audio: Arc<Audio>,
    pos: usize,
}

impl MonoSource for MemorySource {
    fn next_block(&mut self, out: &mut Vec<f32>) -> Result<bool> {
        let samples = &self.audio.samples;
        if self.pos >= samples.len() {
            return Ok(false);
        }
        let end = (self.pos + BLOCK).min(samples.len());
        out.extend_from_slice(&samples[self.pos..end]);
        self.pos = end;
        Ok(true)
    }
}

/// A file decoded packet by packet with symphonia (container recognised by content),
/// downmixed to mono as [`crate::decode`] does.
struct FileSource {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    channels: usize,
    interleaved: Vec<f32>,
    /// Mono samples produced so far (for the index of a non-finite sample).
    produced: usize,
}

/// A stream symphonia's demuxer or decoder rejects (the container is known only to it).
fn invalid_stream(reason: impl Into<String>) -> DspError {
    DspError::InvalidAudio {
        format: "audio",
        reason: reason.into(),
    }
}

impl FileSource {
    /// Open `path` for streaming: its sample rate and the source.
    fn open(path: &Path) -> Result<(u32, FileSource)> {
        let file = File::open(path).map_err(|e| DspError::Io(e.to_string()))?;
        let mss = MediaSourceStream::new(Box::new(file), Default::default());
        let format = symphonia::default::get_probe()
            .probe(
                &Hint::new(),
                mss,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
            .map_err(|e| invalid_stream(e.to_string()))?;
        let track = format
            .default_track(TrackType::Audio)
            .ok_or_else(|| invalid_stream("no audio track"))?;
        let track_id = track.id;
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| invalid_stream("no audio format description"))?
            .clone();
        let sample_rate = params.sample_rate.unwrap_or(0);
        if !SAMPLE_RATE_RANGE.contains(&sample_rate) {
            return Err(DspError::InvalidSampleRate {
                received: sample_rate,
            });
        }
        let channels = params.channels.as_ref().map(|c| c.count()).unwrap_or(0);
        if channels == 0 {
            return Err(invalid_stream("the header declares 0 channels"));
        }
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(&params, &AudioDecoderOptions::default())
            .map_err(|e| DspError::UnsupportedEncoding {
                format: "audio",
                detail: e.to_string(),
            })?;
        Ok((
            sample_rate,
            FileSource {
                format,
                decoder,
                track_id,
                channels,
                interleaved: Vec::new(),
                produced: 0,
            },
        ))
    }
}

impl MonoSource for FileSource {
    fn next_block(&mut self, out: &mut Vec<f32>) -> Result<bool> {
        loop {
            let packet = match self.format.next_packet() {
                Ok(Some(packet)) => packet,
                Ok(None) => return Ok(false),
                // A data chunk cut short: keep what was readable (as crate::decode).
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return Ok(false)
                }
                Err(e) => return Err(invalid_stream(e.to_string())),
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let buf = match self.decoder.decode(&packet) {
                Ok(buf) => buf,
                Err(SymError::DecodeError(msg)) => return Err(invalid_stream(msg)),
                Err(e) => return Err(invalid_stream(e.to_string())),
            };
            self.interleaved.resize(buf.samples_interleaved(), 0.0);
            buf.copy_to_slice_interleaved(&mut self.interleaved);
            let start = out.len();
            if self.channels == 1 {
                out.extend_from_slice(&self.interleaved);
            } else {
                let scale = 1.0 / self.channels as f32;
                out.extend(
                    self.interleaved
                        .chunks_exact(self.channels)
                        .map(|frame| frame.iter().sum::<f32>() * scale),
                );
            }
            if let Some(i) = out[start..].iter().position(|x| !x.is_finite()) {
                return Err(DspError::NonFinite {
                    index: self.produced + i,
                });
            }
            self.produced += out.len() - start;
            if out.len() > start {
                return Ok(true);
            }
        }
    }
}

/// An audio file opened for repeated block-wise passes: large files are decoded
/// again on every pass (bounded memory), small ones are decoded once and kept.
pub struct AudioInput {
    path: PathBuf,
    sample_rate: u32,
    memory: Option<Arc<Audio>>,
}

impl AudioInput {
    /// Open `path`. Files above [`STREAM_ABOVE_BYTES`] are streamed; when streaming
    /// cannot open one (a header symphonia's demuxer rejects) it is read whole by
    /// [`read_wav`], which reads such headers leniently or names the problem.
    /// Errors name the file.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, STREAM_ABOVE_BYTES)
    }

    /// [`open`](Self::open) with another size threshold (0 streams every file).
    pub fn open_with(path: &Path, stream_above_bytes: u64) -> Result<Self> {
        let size = std::fs::metadata(path)
            .map_err(|e| DspError::Io(e.to_string()).in_file(path))?
            .len();
        if size > stream_above_bytes {
            if let Ok((sample_rate, mut source)) = FileSource::open(path) {
                // A stream that yields samples is used as a stream; one that yields
                // none (a header lie the demuxer believes) goes to the lenient reader.
                let mut probe = Vec::new();
                if matches!(source.next_block(&mut probe), Ok(true)) {
                    return Ok(Self {
                        path: path.to_path_buf(),
                        sample_rate,
                        memory: None,
                    });
                }
            }
        }
        let audio = read_wav(path)?;
        Ok(Self {
            path: path.to_path_buf(),
            sample_rate: audio.sample_rate,
            memory: Some(Arc::new(audio)),
        })
    }

    /// Sample rate of the file, Hz.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Whether the file is decoded block by block (not held in memory).
    pub fn is_streamed(&self) -> bool {
        self.memory.is_none()
    }

    /// A new pass over the file from its first sample.
    fn pass(&self) -> Result<Box<dyn MonoSource>> {
        match &self.memory {
            Some(audio) => Ok(Box::new(MemorySource {
                audio: Arc::clone(audio),
                pos: 0,
            })),
            None => Ok(Box::new(
                FileSource::open(&self.path)
                    .map_err(|e| e.in_file(&self.path))?
                    .1,
            )),
        }
    }

    /// Run one pass: every block, resampled to `target` Hz, goes to `sink`.
    /// Returns the number of input samples.
    fn for_each_resampled(
        &self,
        target: u32,
        sink: &mut dyn FnMut(&[f32]) -> Result<()>,
    ) -> Result<usize> {
        let mut source = self.pass()?;
        let mut resampler = StreamResampler::new(self.sample_rate, target)?;
        let (mut block, mut out) = (Vec::new(), Vec::new());
        let mut n_in = 0;
        loop {
            block.clear();
            let more = source
                .next_block(&mut block)
                .map_err(|e| e.in_file(&self.path))?;
            n_in += block.len();
            out.clear();
            if more {
                resampler.push(&block, &mut out);
            } else {
                resampler.finish(&mut out);
            }
            if !out.is_empty() {
                sink(&out)?;
            }
            if !more {
                return Ok(n_in);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Resampling, block by block.

/// A resampler fed block by block whose output equals
/// [`Resampler::process`](crate::resample::Resampler::process) on the whole clip,
/// sample for sample: the same block engine fed the same blocks (full blocks as they
/// fill, the last partial one zero-padded, then silent blocks until the delay is
/// flushed), the startup delay dropped and the length `ceil(len · to / from)`.
pub struct StreamResampler {
    engine: Option<BlockResampler>,
    /// Input not yet handed to the engine (less than one block).
    pending: Vec<f32>,
    /// The engine's output not yet moved to `held`.
    raw: Vec<f32>,
    to_trim: usize,
    total_in: usize,
    emitted: usize,
    /// Output produced but not yet handed on (never past `ceil(total_in · ratio)`).
    held: VecDeque<f32>,
    finished: bool,
}

impl StreamResampler {
    /// A resampler from `from_hz` to `to_hz` (a pass-through when equal).
    ///
    /// # Errors
    /// [`DspError::InvalidOption`] naming `fromHz` or `toHz` outside 1000..=384000 Hz.
    pub fn new(from_hz: u32, to_hz: u32) -> Result<Self> {
        // Same validation as the whole-clip resampler.
        crate::resample::Resampler::new(from_hz, to_hz)?;
        let engine =
            (from_hz != to_hz).then(|| BlockResampler::new(from_hz as usize, to_hz as usize));
        let to_trim = engine.as_ref().map_or(0, BlockResampler::delay);
        Ok(Self {
            engine,
            pending: Vec::new(),
            raw: Vec::new(),
            to_trim,
            total_in: 0,
            emitted: 0,
            held: VecDeque::new(),
            finished: false,
        })
    }

    /// Output samples for `n` input samples (as the whole-clip resampler counts them).
    fn expected(&self, n: usize) -> usize {
        self.engine.as_ref().map_or(n, |e| e.output_len(n))
    }

    /// Move the engine's new output to `held`, the startup delay dropped.
    fn absorb(&mut self) {
        let skip = self.to_trim.min(self.raw.len());
        self.to_trim -= skip;
        self.held.extend(&self.raw[skip..]);
        self.raw.clear();
    }

    fn release(&mut self, limit: usize, out: &mut Vec<f32>) {
        let n = limit.saturating_sub(self.emitted).min(self.held.len());
        out.extend(self.held.drain(..n));
        self.emitted += n;
    }

    /// Resample the next block; the samples ready so far are appended to `out`.
    ///
    /// # Panics
    /// When called after `finish`.
    pub fn push(&mut self, input: &[f32], out: &mut Vec<f32>) {
        assert!(!self.finished, "push after finish");
        self.total_in += input.len();
        let Some(engine) = self.engine.as_mut() else {
            out.extend_from_slice(input);
            self.emitted += input.len();
            return;
        };
        self.pending.extend_from_slice(input);
        let n_in = engine.block_in();
        let mut offset = 0;
        while self.pending.len() - offset >= n_in {
            engine.push_block(&self.pending[offset..offset + n_in], &mut self.raw);
            offset += n_in;
        }
        self.pending.drain(..offset);
        self.absorb();
        let limit = self.expected(self.total_in);
        self.release(limit, out);
    }

    /// End of input: the rest of the output (exactly `ceil(len · to / from)` in all).
    pub fn finish(&mut self, out: &mut Vec<f32>) {
        if self.finished {
            return;
        }
        self.finished = true;
        let wanted = self.expected(self.total_in);
        let Some(engine) = self.engine.as_mut() else {
            return;
        };
        if self.total_in == 0 {
            return;
        }
        let blocks = engine.blocks_for(wanted);
        if !self.pending.is_empty() {
            engine.push_block(&self.pending, &mut self.raw);
            self.pending.clear();
        }
        while engine.blocks() < blocks {
            engine.push_block(&[], &mut self.raw);
        }
        engine.flush(&mut self.raw);
        self.absorb();
        self.release(wanted, out);
        self.held.clear();
    }
}

// ---------------------------------------------------------------------------
// Pass 1: trim bounds.

/// Frame energies of `librosa.effects.trim` (centred frames), accumulated block by
/// block: the running f64 sum of squares is recorded at every frame edge, so each
/// frame's mean square is the same difference of the same prefix sums as in
/// [`crate::trim::trim_bounds`].
pub struct TrimScan {
    frame: usize,
    hop: usize,
    half: usize,
    acc: f64,
    n: usize,
    /// Prefix sums at frame starts `k·hop − half` (those ≥ 0, in order).
    starts: Vec<f64>,
    /// Prefix sums at frame ends `k·hop − half + frame` (those ≥ 0, in order).
    ends: Vec<f64>,
    next_start: usize,
    next_end: usize,
    first_start_frame: usize,
    first_end_frame: usize,
}

/// Position of the first frame edge `k·hop − back + forward` that is ≥ 0, and its `k`.
fn first_edge(hop: usize, back: usize, forward: usize) -> (usize, usize) {
    if forward >= back {
        (forward - back, 0)
    } else {
        let k = (back - forward).div_ceil(hop);
        (k * hop + forward - back, k)
    }
}

impl TrimScan {
    /// A scan with the given trim frame and hop lengths.
    pub fn new(frame: usize, hop: usize) -> Self {
        let half = frame / 2;
        let (next_start, first_start_frame) = first_edge(hop, half, 0);
        let (next_end, first_end_frame) = first_edge(hop, half, frame);
        Self {
            frame,
            hop: hop.max(1),
            half,
            acc: 0.0,
            n: 0,
            starts: Vec::new(),
            ends: Vec::new(),
            next_start,
            next_end,
            first_start_frame,
            first_end_frame,
        }
    }

    /// Add the next samples.
    pub fn push(&mut self, y: &[f32]) {
        for &x in y {
            self.mark();
            self.acc += (x as f64) * (x as f64);
            self.n += 1;
        }
    }

    #[inline]
    fn mark(&mut self) {
        if self.n == self.next_start {
            self.starts.push(self.acc);
            self.next_start += self.hop;
        }
        if self.n == self.next_end {
            self.ends.push(self.acc);
            self.next_end += self.hop;
        }
    }

    /// Samples seen.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether no sample was seen.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Mean square of every frame (`1 + (len + 2·half − frame) / hop` frames).
    pub fn powers(&mut self) -> Vec<f64> {
        self.mark();
        let n = self.n;
        let padded = n + 2 * self.half;
        if n == 0 || self.frame == 0 || padded < self.frame {
            return Vec::new();
        }
        let n_frames = 1 + (padded - self.frame) / self.hop;
        let prefix_at = |edges: &[f64], first_frame: usize, k: usize, pos: isize| -> f64 {
            if pos <= 0 {
                0.0
            } else if pos as usize >= n {
                self.acc
            } else {
                edges[k - first_frame]
            }
        };
        (0..n_frames)
            .map(|k| {
                let s = (k * self.hop) as isize - self.half as isize;
                let e = s + self.frame as isize;
                let ps = prefix_at(&self.starts, self.first_start_frame, k, s);
                let pe = prefix_at(&self.ends, self.first_end_frame, k, e);
                (pe - ps) / self.frame as f64
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Pass 2: Wiener filter, fix length.

/// `scipy.signal.wiener` fed block by block with the same running sums as
/// [`crate::wiener::wiener_into`]; keeps the local statistics of the first `keep`
/// samples only, and the output of those once the noise estimate (mean local
/// variance of the whole signal) is known.
pub struct WienerScan {
    size: usize,
    inv: f64,
    keep: usize,
    /// The zero-padded signal from `padded[i]` on (the next output index `i`).
    window: VecDeque<f64>,
    sum: f64,
    sum_sq: f64,
    started: bool,
    i: usize,
    n: usize,
    var_sum: f64,
    any_nonzero: bool,
    y: Vec<f32>,
    mean: Vec<f64>,
    var: Vec<f64>,
}

impl WienerScan {
    /// A filter of `size` samples (odd) keeping the first `keep` outputs.
    pub fn new(size: usize, keep: usize) -> Result<Self> {
        if size == 0 || size % 2 == 0 {
            return Err(DspError::InvalidOption {
                name: "wienerSize",
                allowed: "an odd integer >= 1",
                received: size.to_string(),
            });
        }
        Ok(Self {
            size,
            inv: 1.0 / size as f64,
            keep,
            window: std::iter::repeat(0.0).take(size / 2).collect(),
            sum: 0.0,
            sum_sq: 0.0,
            started: false,
            i: 0,
            n: 0,
            var_sum: 0.0,
            any_nonzero: false,
            y: Vec::new(),
            mean: Vec::new(),
            var: Vec::new(),
        })
    }

    fn step(&mut self) {
        if !self.started {
            let first: Vec<f64> = self.window.iter().take(self.size).copied().collect();
            self.sum = first.iter().sum();
            self.sum_sq = first.iter().map(|v| v * v).sum();
            self.started = true;
        }
        let m = self.sum * self.inv;
        let v = self.sum_sq * self.inv - m * m;
        if self.i < self.keep {
            self.mean.push(m);
            self.var.push(v);
        }
        self.var_sum += v;
        let leaving = self
            .window
            .pop_front()
            .expect("window holds size + 1 values");
        let entering = self.window[self.size - 1];
        self.sum += entering - leaving;
        self.sum_sq += entering * entering - leaving * leaving;
        self.i += 1;
    }

    /// Add the next samples.
    pub fn push(&mut self, y: &[f32]) {
        for &x in y {
            if self.y.len() < self.keep {
                self.y.push(x);
            }
            self.any_nonzero |= x != 0.0;
            self.n += 1;
            self.window.push_back(x as f64);
            if self.window.len() > self.size {
                self.step();
            }
        }
    }

    /// The filtered first `keep` samples, zero-padded to `out.len()`.
    /// `Err(Silent)` when every sample was zero (or there were none).
    pub fn finish_into(mut self, out: &mut [f32]) -> Result<()> {
        if self.n == 0 || !self.any_nonzero {
            return Err(DspError::Silent);
        }
        for _ in 0..self.size / 2 + 1 {
            self.window.push_back(0.0);
        }
        while self.i < self.n {
            self.step();
        }
        let noise = self.var_sum / self.n as f64;
        let filtered: Vec<f32> = (0..self.y.len())
            .map(|i| {
                let (m, v) = (self.mean[i], self.var[i]);
                if v < noise {
                    m as f32
                } else {
                    ((self.y[i] as f64 - m) * (1.0 - noise / v) + m) as f32
                }
            })
            .collect();
        fix_length_into(&filtered, out);
        Ok(())
    }
}

/// Collects the first `keep` samples (when the Wiener filter is off).
struct KeepFirst {
    keep: usize,
    y: Vec<f32>,
    any_nonzero: bool,
}

// ---------------------------------------------------------------------------
// The per-utterance pipeline in two passes.

/// Pre-process a file in two streaming passes: exactly
/// [`LogMelExtractor::preprocess`](crate::LogMelExtractor::preprocess) of the decoded
/// file, `n_samples()` long, in memory bounded by the output and a few blocks.
///
/// # Errors
/// As [`LogMelExtractor::clean`](crate::LogMelExtractor::clean), and the decoder's
/// errors.
///
/// # Panics
/// When `out` does not hold `opts.n_samples()` values.
pub fn preprocess_input_into(input: &AudioInput, opts: &DspOptions, out: &mut [f32]) -> Result<()> {
    assert_eq!(
        out.len(),
        opts.n_samples(),
        "out must hold n_samples() values"
    );
    let target = opts.sample_rate;
    // Pass 1: how long is the resampled signal, and where is the speech?
    let mut scan = TrimScan::new(opts.trim_frame_length, opts.trim_hop_length);
    let n_in = input.for_each_resampled(target, &mut |y| {
        scan.push(y);
        Ok(())
    })?;
    if n_in == 0 {
        return Err(DspError::Empty.in_file(&input.path));
    }
    let n = scan.len();
    let powers = scan.powers();
    drop(scan);
    let (start, end) = if opts.trim {
        bounds_from_powers(&powers, n, opts.trim_top_db, opts.trim_hop_length)
    } else {
        (0, n)
    };
    // Digital silence is ERR_SER_SILENT (below), as in memory; anything else needs the
    // minimum of speech (crate::min_length).
    if powers.iter().any(|&p| p > 0.0) {
        check_min_speech(
            &powers,
            n,
            opts.trim_top_db,
            opts.trim_frame_length,
            opts.trim_hop_length,
            opts.sample_rate,
        )
        .map_err(|e| e.in_file(&input.path))?;
    }
    // Pass 2: the trimmed span through the Wiener filter's running sums.
    let keep = opts.n_samples();
    let mut wiener = if opts.wiener {
        Some(WienerScan::new(opts.wiener_size, keep)?)
    } else {
        None
    };
    let mut plain = KeepFirst {
        keep,
        y: Vec::new(),
        any_nonzero: false,
    };
    let mut pos = 0usize;
    input.for_each_resampled(target, &mut |y| {
        let (lo, hi) = (pos.max(start), (pos + y.len()).min(end));
        if lo < hi {
            let span = &y[lo - pos..hi - pos];
            match wiener.as_mut() {
                Some(w) => w.push(span),
                None => {
                    let room = plain.keep.saturating_sub(plain.y.len()).min(span.len());
                    plain.y.extend_from_slice(&span[..room]);
                    plain.any_nonzero |= span.iter().any(|&x| x != 0.0);
                }
            }
        }
        pos += y.len();
        Ok(())
    })?;
    let result = match wiener {
        Some(w) => w.finish_into(out),
        None if plain.any_nonzero => {
            fix_length_into(&plain.y, out);
            Ok(())
        }
        None => Err(DspError::Silent),
    };
    result.map_err(|e| e.in_file(&input.path))
}

/// Extract one file into `out` (`feature_len()` long) in memory bounded whatever its
/// length: files up to [`STREAM_ABOVE_BYTES`] go through
/// [`LogMelExtractor::extract_file_into`] as they are, larger ones through
/// [`extract_file_streaming_into`] (the same values). Errors name the file.
pub fn extract_file_bounded_into(
    extractor: &mut LogMelExtractor,
    path: &Path,
    out: &mut [f32],
) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > STREAM_ABOVE_BYTES => {
            extract_file_streaming_into(extractor, path, out)
        }
        _ => extractor.extract_file_into(path, out),
    }
}

/// Read a file of any length in two streaming passes and write its log-mel
/// spectrogram into `out` (`feature_len()` long): the same values as
/// [`LogMelExtractor::extract_file_into`], in bounded memory. Errors name the file.
pub fn extract_file_streaming_into(
    extractor: &mut LogMelExtractor,
    path: &Path,
    out: &mut [f32],
) -> Result<()> {
    let input = AudioInput::open(path)?;
    let mut fixed = vec![0.0; extractor.options().n_samples()];
    preprocess_input_into(&input, extractor.options(), &mut fixed)?;
    extractor.log_mel_into(&fixed, out)
}

// ---------------------------------------------------------------------------
// Windows.

/// Default window length, seconds (the model's input length).
pub const DEFAULT_WINDOW_SECONDS: f64 = 3.0;
/// Default hop between window starts, seconds.
pub const DEFAULT_HOP_SECONDS: f64 = 1.0;
/// Least speech a window must keep after trimming to be classified, seconds: less
/// than this is too little for a label (the network sees mostly zero padding) and the
/// window is marked [`WindowStatus::TooShort`].
pub const MIN_WINDOW_SPEECH_SECONDS: f64 = crate::min_length::MIN_SPEECH_SECONDS;

/// How a recording is cut into windows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowOptions {
    /// Window length, seconds (> 0). Default [`DEFAULT_WINDOW_SECONDS`].
    pub window_seconds: f64,
    /// Hop between window starts, seconds (> 0). Default [`DEFAULT_HOP_SECONDS`].
    pub hop_seconds: f64,
    /// Least speech after trimming, seconds. Default [`MIN_WINDOW_SPEECH_SECONDS`].
    pub min_speech_seconds: f64,
}

impl Default for WindowOptions {
    fn default() -> Self {
        Self {
            window_seconds: DEFAULT_WINDOW_SECONDS,
            hop_seconds: DEFAULT_HOP_SECONDS,
            min_speech_seconds: MIN_WINDOW_SPEECH_SECONDS,
        }
    }
}

impl WindowOptions {
    /// Check the values; errors name the option.
    pub fn validate(&self) -> Result<()> {
        let check = |name: &'static str, v: f64, lo: f64| {
            if v.is_finite() && v >= lo && v <= 86_400.0 {
                Ok(())
            } else {
                Err(DspError::InvalidOption {
                    name,
                    allowed: "a number of seconds in 0.001..=86400",
                    received: v.to_string(),
                })
            }
        };
        check("window", self.window_seconds, 1e-3)?;
        check("hop", self.hop_seconds, 1e-3)?;
        if !(self.min_speech_seconds.is_finite() && self.min_speech_seconds >= 0.0) {
            return Err(DspError::InvalidOption {
                name: "minSpeech",
                allowed: "a number of seconds >= 0",
                received: self.min_speech_seconds.to_string(),
            });
        }
        Ok(())
    }
}

/// What became of one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowStatus {
    /// Speech: the window was pre-processed and has a log-mel spectrogram.
    Speech,
    /// No frame of the window is within `trim_top_db` of the loudest frame of the
    /// recording (of the recording so far, for live input): not classified.
    Silent,
    /// Less than `min_speech_seconds` of the window's trim frames are within
    /// `trim_top_db` of the recording's loudest frame (digital silence never counts), or
    /// left after the window's own trim: not classified.
    TooShort,
}

impl WindowStatus {
    /// `"speech"`, `"silent"` or `"too-short"`.
    pub fn as_str(self) -> &'static str {
        match self {
            WindowStatus::Speech => "speech",
            WindowStatus::Silent => "silent",
            WindowStatus::TooShort => "too-short",
        }
    }
}

/// One window of a recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// First sample, at the pipeline's sample rate.
    pub start: usize,
    /// One past the last sample, at the pipeline's sample rate.
    pub end: usize,
    /// What became of it.
    pub status: WindowStatus,
    /// Samples kept by the trim (0 for silent windows).
    pub speech_samples: usize,
    /// `[n_mels][n_frames]` log-mel dB of a [`WindowStatus::Speech`] window.
    pub features: Option<Vec<f32>>,
    /// Waveform envelope of the window (before any processing): minimum and maximum
    /// sample of each [`ENVELOPE_SECONDS`] slice from `start`, interleaved, for plots.
    pub envelope: Vec<f32>,
}

/// Width of one waveform envelope slice of a [`Window`], seconds.
pub const ENVELOPE_SECONDS: f64 = 0.05;

/// Where the silence threshold of windows is measured from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Loudness {
    /// The loudest trim frame of the whole recording (mean square).
    Peak(f64),
    /// The loudest frame seen so far (live input).
    Running,
}

/// Cuts a signal at the pipeline's sample rate into windows `[round(k·hop·sr), … + window)`
/// (window `k` starts at the sample nearest to `k·hop` seconds, so a hop that is not a
/// whole number of samples does not drift; the last window ends at the end of the signal)
/// and runs each through the per-utterance pipeline (trim relative to the window, Wiener,
/// fix length, log-mel). A window is emitted as soon as its last sample has been pushed.
pub struct Windower {
    extractor: LogMelExtractor,
    win: usize,
    /// Hop in samples, not rounded.
    hop: f64,
    /// Index of the next window.
    k: usize,
    min_speech: usize,
    loudness: Loudness,
    running_peak: f64,
    /// Samples from absolute index `buf_start` on.
    buf: Vec<f32>,
    buf_start: usize,
    received: usize,
    /// Start of the next window.
    next: usize,
    /// End of the last window emitted.
    covered: usize,
}

impl Windower {
    /// A windower for signals at `opts.sample_rate`.
    pub fn new(opts: DspOptions, windows: WindowOptions, loudness: Loudness) -> Result<Self> {
        windows.validate()?;
        let sr = opts.sample_rate as f64;
        let extractor = LogMelExtractor::new(opts)?;
        Ok(Self {
            extractor,
            win: ((windows.window_seconds * sr).round() as usize).max(1),
            hop: windows.hop_seconds * sr,
            k: 0,
            min_speech: (windows.min_speech_seconds * sr).round() as usize,
            loudness,
            running_peak: 0.0,
            buf: Vec::new(),
            buf_start: 0,
            received: 0,
            next: 0,
            covered: 0,
        })
    }

    /// The options in force.
    pub fn options(&self) -> &DspOptions {
        self.extractor.options()
    }

    /// Add samples; every window completed by them goes to `emit`, in order.
    pub fn push(&mut self, y: &[f32], emit: &mut dyn FnMut(Window)) -> Result<()> {
        self.buf.extend_from_slice(y);
        self.received += y.len();
        while self.next + self.win <= self.received {
            let (s, e) = (self.next, self.next + self.win);
            let w = self.window(s, e)?;
            emit(w);
            self.covered = e;
            self.k += 1;
            // At least one sample on: at a sample rate below 1 kHz a hop of 1 ms is < 1 sample.
            self.next = ((self.k as f64 * self.hop).round() as usize).max(s + 1);
            let drop = self.next.min(self.received) - self.buf_start;
            self.buf.drain(..drop);
            self.buf_start += drop;
        }
        Ok(())
    }

    /// End of the signal: the last, shorter window when the signal's end is not covered yet.
    pub fn finish(&mut self, emit: &mut dyn FnMut(Window)) -> Result<()> {
        if self.received > self.covered && self.next < self.received {
            let w = self.window(self.next, self.received)?;
            emit(w);
            self.covered = self.received;
        }
        Ok(())
    }

    fn window(&mut self, start: usize, end: usize) -> Result<Window> {
        let opts = self.extractor.options().clone();
        let samples = &self.buf[start - self.buf_start..end - self.buf_start];
        let mut scan = TrimScan::new(opts.trim_frame_length, opts.trim_hop_length);
        scan.push(samples);
        let powers = scan.powers();
        let loudest = powers.iter().cloned().fold(0.0f64, f64::max);
        self.running_peak = self.running_peak.max(loudest);
        let peak = match self.loudness {
            Loudness::Peak(p) => p,
            Loudness::Running => self.running_peak,
        };
        let slice = ((ENVELOPE_SECONDS * opts.sample_rate as f64).round() as usize).max(1);
        let envelope = samples
            .chunks(slice)
            .flat_map(|c| {
                let (lo, hi) = c
                    .iter()
                    .fold((f32::MAX, f32::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
                [lo, hi]
            })
            .collect();
        let silent = Window {
            start,
            end,
            status: WindowStatus::Silent,
            speech_samples: 0,
            features: None,
            envelope,
        };
        if loudest == 0.0 || power_db(loudest) - power_db(peak) <= -(opts.trim_top_db as f64) {
            return Ok(silent);
        }
        // The window's own trim measures from the window's loudest frame and keeps what
        // lies between its first and last loud frames, digital zeros (-100 dB) included:
        // a faint tail before digital silence (or anything in a recording quieter than
        // -40 dBFS) would count as a whole window of speech.
        let speech = speech_samples(
            &powers,
            samples.len(),
            opts.trim_top_db,
            opts.trim_frame_length,
            opts.trim_hop_length,
            peak,
        );
        if speech < self.min_speech {
            return Ok(Window {
                status: WindowStatus::TooShort,
                speech_samples: speech,
                ..silent
            });
        }
        let samples = &self.buf[start - self.buf_start..end - self.buf_start];
        let cleaned = match self.extractor.clean(samples, opts.sample_rate) {
            Ok(c) => c,
            Err(DspError::Silent) => return Ok(silent),
            // Less speech than the pipeline labels (crate::min_length): marked, not an error.
            Err(DspError::TooShort { seconds, .. }) => {
                return Ok(Window {
                    status: WindowStatus::TooShort,
                    speech_samples: (seconds * opts.sample_rate as f64).round() as usize,
                    ..silent
                })
            }
            Err(e) => return Err(e),
        };
        let kept = cleaned.len();
        if kept < self.min_speech {
            return Ok(Window {
                status: WindowStatus::TooShort,
                speech_samples: kept,
                ..silent
            });
        }
        let mut fixed = vec![0.0; opts.n_samples()];
        fix_length_into(cleaned, &mut fixed);
        let mut features = vec![0.0; opts.feature_len()];
        self.extractor.log_mel_into(&fixed, &mut features)?;
        Ok(Window {
            status: WindowStatus::Speech,
            speech_samples: kept,
            features: Some(features),
            ..silent
        })
    }
}

/// The windows of an audio file, produced in batches in bounded memory: pass 1 finds
/// the loudest frame of the whole file (the silence reference), pass 2 cuts windows.
pub struct FileWindows {
    input: AudioInput,
    windower: Windower,
    started: bool,
    done: bool,
    ready: VecDeque<Window>,
    pass: Option<PassState>,
}

/// Pass 2 in progress: a fresh decode of the file and its resampler.
struct PassState {
    source: Box<dyn MonoSource>,
    resampler: StreamResampler,
}

impl FileWindows {
    /// Open `path`; errors name the file.
    pub fn open(path: &Path, opts: DspOptions, windows: WindowOptions) -> Result<Self> {
        opts.validate()?;
        windows.validate()?;
        let input = AudioInput::open(path)?;
        let windower = Windower::new(opts, windows, Loudness::Running)?;
        Ok(Self {
            input,
            windower,
            started: false,
            done: false,
            ready: VecDeque::new(),
            pass: None,
        })
    }

    /// The pipeline's sample rate (window bounds are in its samples).
    pub fn sample_rate(&self) -> u32 {
        self.windower.options().sample_rate
    }

    /// Up to `max` (≥ 1) further windows, in order; empty at the end. Errors name the file.
    pub fn next_batch(&mut self, max: usize) -> Result<Vec<Window>> {
        let max = max.max(1);
        let path = self.input.path.clone();
        self.fill(max).map_err(|e| e.in_file(&path))?;
        let n = max.min(self.ready.len());
        Ok(self.ready.drain(..n).collect())
    }

    fn fill(&mut self, max: usize) -> Result<()> {
        let target = self.windower.options().sample_rate;
        if !self.started {
            self.started = true;
            let opts = self.windower.options().clone();
            let mut scan = TrimScan::new(opts.trim_frame_length, opts.trim_hop_length);
            let n_in = self.input.for_each_resampled(target, &mut |y| {
                scan.push(y);
                Ok(())
            })?;
            if n_in == 0 {
                return Err(DspError::Empty);
            }
            // A file of digital silence (peak 0) has only silent windows, as live input
            // of zeros does: a timeline, not an error.
            let peak = scan.powers().into_iter().fold(0.0f64, f64::max);
            self.windower.loudness = Loudness::Peak(peak);
            self.pass = Some(PassState {
                source: self.input.pass()?,
                resampler: StreamResampler::new(self.input.sample_rate, target)?,
            });
        }
        let Some(pass) = self.pass.as_mut() else {
            return Ok(());
        };
        let (mut block, mut out) = (Vec::new(), Vec::new());
        while !self.done && self.ready.len() < max {
            block.clear();
            let more = pass.source.next_block(&mut block)?;
            out.clear();
            if more {
                pass.resampler.push(&block, &mut out);
            } else {
                pass.resampler.finish(&mut out);
            }
            let ready = &mut self.ready;
            self.windower.push(&out, &mut |w| ready.push_back(w))?;
            if !more {
                self.windower.finish(&mut |w| ready.push_back(w))?;
                self.done = true;
            }
        }
        if self.done {
            self.pass = None;
        }
        Ok(())
    }
}

/// Windows of live input (e.g. a microphone on stdin): samples at any rate go in,
/// each window comes out as soon as its last sample (plus the resampler's delay of a
/// few milliseconds) has arrived. The silence reference is the loudest frame so far.
pub struct LiveWindows {
    resampler: StreamResampler,
    windower: Windower,
    out: Vec<f32>,
}

impl LiveWindows {
    /// Live windows of input at `sample_rate` Hz.
    pub fn new(sample_rate: u32, opts: DspOptions, windows: WindowOptions) -> Result<Self> {
        opts.validate()?;
        if !SAMPLE_RATE_RANGE.contains(&sample_rate) {
            return Err(DspError::InvalidSampleRate {
                received: sample_rate,
            });
        }
        let target = opts.sample_rate;
        Ok(Self {
            resampler: StreamResampler::new(sample_rate, target)?,
            windower: Windower::new(opts, windows, Loudness::Running)?,
            out: Vec::new(),
        })
    }

    /// Mono samples in; the windows they complete out.
    pub fn push(&mut self, samples: &[f32]) -> Result<Vec<Window>> {
        if let Some(index) = samples.iter().position(|x| !x.is_finite()) {
            return Err(DspError::NonFinite { index });
        }
        self.out.clear();
        self.resampler.push(samples, &mut self.out);
        let mut done = Vec::new();
        self.windower.push(&self.out, &mut |w| done.push(w))?;
        Ok(done)
    }

    /// End of input: the last windows.
    pub fn finish(&mut self) -> Result<Vec<Window>> {
        self.out.clear();
        self.resampler.finish(&mut self.out);
        let mut done = Vec::new();
        self.windower.push(&self.out, &mut |w| done.push(w))?;
        self.windower.finish(&mut |w| done.push(w))?;
        Ok(done)
    }
}
