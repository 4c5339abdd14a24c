/**
 * `ser predict --window/--hop` (windows of long recordings) and `ser predict --stream -`
 * (live input on stdin). The windowing and DSP are `@serkit/features` (`fileWindows`,
 * `LiveWindows`, `PcmStreamDecoder`), the classification `@serkit/model`
 * (`classifyWindows`, `summarizeWindows`); this module parses, prints and plots.
 */

import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import {
  type AudioWindow,
  DEFAULT_HOP_SECONDS,
  DEFAULT_WINDOW_SECONDS,
  ENVELOPE_SECONDS,
  fileWindows,
  LiveWindows,
  listAudioFiles,
  MIN_WINDOW_SPEECH_SECONDS,
  PcmStreamDecoder,
  type RawPcmFormat,
} from '@serkit/features';
import {
  type BackendRequest,
  classifyWindows,
  createPredictor,
  type ModelMetadata,
  type Predictor,
  summarizeWindows,
  type WindowPrediction,
  type WindowSummary,
} from '@serkit/model';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadTensorFlow } from '../backend.js';
import { type CliContext, EXIT, UsageError } from '../context.js';
import { announceDefaultModel, type ModelRef, resolveModelRef } from '../model-ref.js';
import { ensureWritableDir } from '../out-dir.js';
import { SEEN_MARK, seenNotice, trainingFileTest } from '../seen-files.js';
import { loadTrainedModel, readModelMetadata } from '../trained-model.js';
import { reasonOf, reportWalk } from '../walk-report.js';

/**
 * Windows per network call. The first convolution block's activations alone take 8.5 MB per
 * window (64 × 128 × 259 float32), so batches of 8 keep a long file's peak memory well
 * below the 32-window batches of whole-file prediction.
 */
const PREDICT_BATCH = 8;

/** The options `ser predict` takes for windows and live input. */
export interface WindowCliOptions {
  model?: string;
  /** `--backend`: the TensorFlow.js backend. */
  backend?: BackendRequest;
  json: boolean;
  /** Window length, seconds; set when windows were asked for. */
  window?: number;
  /** Hop, seconds. */
  hop?: number;
  /** Folder for one timeline PNG per file. */
  plot?: string;
  /** `-` to read stdin. */
  stream?: string;
  /** Raw PCM: sample rate, Hz. */
  rate?: number;
  /** Raw PCM: channels. */
  channels?: number;
  /** Raw PCM: sample format. */
  format?: RawPcmFormat;
}

/** One file of `ser predict --window --json`. */
export interface WindowedPrediction {
  path: string;
  /** Every window, in order; `label`/`probabilities` null when not classified. */
  windows: WindowPrediction[];
  /** Share of time per emotion and mean probabilities. */
  summary: WindowSummary;
  /**
   * The file is one of the model's training or validation files (same bytes). Present only
   * when the model records its files.
   */
  seen?: boolean;
}

/** `ser predict --window --json` output. */
export interface WindowedPredictOutput {
  /** The model used: its folder, and its name when it is a shipped pretrained model. */
  model: ModelRef;
  predictions: WindowedPrediction[];
  /** Files that could not be read or classified, each with its reason (`error`, without the path). */
  failed: { path: string; error: string }[];
}

/** A number of seconds from `min` to a day (86400), in decimal; `why` explains `min`. */
function seconds(min: number, why: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!(/^\s*(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(value) && n >= min && n <= 86400)) {
      throw new InvalidArgumentError(`Expected a number of seconds from ${min} to 86400${why}.`);
    }
    return n;
  };
}

/**
 * `--window`: from the least speech a window is classified with
 * (`MIN_WINDOW_SPEECH_SECONDS`, 0.5 s: a shorter window is never classified) to a day.
 */
export const parseWindowSeconds = seconds(
  MIN_WINDOW_SPEECH_SECONDS,
  ` (a window is classified when it holds ${MIN_WINDOW_SPEECH_SECONDS} s of speech)`,
);

/** `--hop`: from 1 ms (the core's least, `WindowOptions::validate`) to a day. */
export const parseHopSeconds = seconds(0.001, '');

function parseRate(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1000 || n > 384000) {
    throw new InvalidArgumentError('Expected an integer from 1000 to 384000 (Hz).');
  }
  return n;
}

function parseChannels(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 64) {
    throw new InvalidArgumentError('Expected an integer from 1 to 64.');
  }
  return n;
}

/** Add the window and stream options to `ser predict`. */
export function addWindowOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--window <s>',
        `classify windows of <s> seconds of each file (default ${DEFAULT_WINDOW_SECONDS} when --hop, --plot or --stream is given)`,
      ).argParser(parseWindowSeconds),
    )
    .addOption(
      new Option(
        '--hop <s>',
        `seconds between window starts (default ${DEFAULT_HOP_SECONDS})`,
      ).argParser(parseHopSeconds),
    )
    .option('--plot <dir>', 'write one timeline PNG per file (windows mode) into <dir>')
    .option('--stream <source>', 'read a live WAV or raw PCM stream from stdin (`-`)')
    .addOption(
      new Option('--rate <hz>', 'raw PCM on stdin: sample rate (no WAV header)').argParser(
        parseRate,
      ),
    )
    .addOption(
      new Option('--channels <n>', 'raw PCM on stdin: interleaved channels (default 1)').argParser(
        parseChannels,
      ),
    )
    .addOption(
      new Option('--format <f>', 'raw PCM on stdin: sample format (default s16le)').choices([
        's16le',
        'f32le',
      ]),
    );
}

/** Whether `ser predict` was asked for windows or a stream. */
export function wantsWindows(o: WindowCliOptions): boolean {
  return [o.window, o.hop, o.plot, o.stream, o.rate, o.channels, o.format].some(
    (v) => v !== undefined,
  );
}

/** Dispatch `ser predict` in windows or stream mode. */
export async function runPredictWindowed(
  inputs: string[],
  o: WindowCliOptions,
  ctx: CliContext,
): Promise<number> {
  if (o.stream !== undefined) {
    if (o.stream !== '-') throw new UsageError(`--stream takes - (stdin), got ${o.stream}`);
    if (inputs.length > 0) throw new UsageError('--stream - reads stdin: give no files');
    if (o.plot !== undefined) throw new UsageError('--plot is for files, not --stream');
    return runPredictStream(o, ctx);
  }
  if (o.rate !== undefined || o.channels !== undefined || o.format !== undefined) {
    throw new UsageError('--rate, --channels and --format describe raw PCM on --stream -');
  }
  return runPredictWindows(inputs, o, ctx);
}

/** One stderr note when windows leave gaps between them (`--hop` longer than `--window`). */
function noteGaps({ window, hop }: { window: number; hop: number }, ctx: CliContext): void {
  if (hop > window) {
    ctx.stderr.write(
      `ser predict: --hop ${hop} is longer than --window ${window}: only the first ${window} s of every ${hop} s is classified, and the share of time is of those windows only\n`,
    );
  }
}

async function loadPredictor(
  o: WindowCliOptions,
  ctx: CliContext,
): Promise<{
  ref: ModelRef;
  meta: ModelMetadata;
  predictor: Predictor;
}> {
  const ref = resolveModelRef(o.model);
  const { dir } = ref;
  announceDefaultModel(o.model, ctx, 'predict');
  const meta = readModelMetadata(dir);
  // The model sees a fixed-length clip: a longer window is classified on its start.
  const clip = meta.dsp.durationSeconds;
  const window = o.window ?? DEFAULT_WINDOW_SECONDS;
  if (typeof clip === 'number' && window > clip) {
    ctx.stderr.write(
      `ser predict: --window ${window} is longer than the model's ${clip} s clips: each window is classified on its first ${clip} s of speech (after the trim); --window ${clip} or less classifies all of it\n`,
    );
  }
  // TensorFlow's start-up lines stay off stderr, as in every other command.
  await loadTensorFlow(ctx, o.backend);
  const model = await loadTrainedModel(dir, meta);
  let predictor: Predictor;
  try {
    predictor = await createPredictor(model, meta.zscore, { batchSize: PREDICT_BATCH });
  } catch (err) {
    model.dispose();
    throw err;
  }
  // Without native TensorFlow (wasm, cpu) the predictor runs the model's own layers: the model
  // lives as long as the predictor.
  const dispose = () => {
    predictor.dispose();
    model.dispose();
  };
  return { ref, meta, predictor: { ...predictor, dispose } };
}

function pct(p: number): string {
  return `${(100 * p).toFixed(1)} %`;
}

/**
 * Decimals that show every window's start and end as written (`--hop 0.125` → 3, `--hop 0.001`
 * → 3, `--hop 1` → 2): at least 2, at most 6 (a microsecond; a sample at 44.1 kHz is 23 µs).
 */
export function timeDecimals(hopSeconds: number, windowSeconds: number): number {
  const exact = (x: number, d: number) => Math.abs(x * 10 ** d - Math.round(x * 10 ** d)) < 1e-6;
  let d = 2;
  while (d < 6 && !(exact(hopSeconds, d) && exact(windowSeconds, d))) d++;
  return d;
}

function fmtTime(s: number, decimals: number): string {
  return s.toFixed(decimals).padStart(6 + decimals);
}

/** `ser predict --window <s> --hop <s> [--plot <dir>]`: windows of every file. */
export async function runPredictWindows(
  inputs: string[],
  o: WindowCliOptions,
  ctx: CliContext,
): Promise<number> {
  if (inputs.length === 0) throw new UsageError('no input files (or use --stream -)');
  // As in file mode: entries that cannot be used (missing, dangling, a loop) are failures of
  // their own beside the rest, with the walk's notes; nothing usable at all is a usage error.
  const walk = listAudioFiles(inputs);
  reportWalk(walk, walk.files.length, inputs, ctx);
  const paths = walk.files.map((e) => e.path);
  if (o.plot !== undefined) {
    // `--plot timeline.png` would otherwise become a folder of that name.
    if (/\.(png|svg|jpe?g)$/i.test(o.plot) && !isDirectory(o.plot)) {
      throw new UsageError(
        `--plot ${o.plot}: takes a folder (one <file>.timeline.png is written there per input), not an image file name`,
      );
    }
    // Checked before the model loads, leaving nothing behind; made at the first timeline, so
    // a refused model or files that all fail leave no empty folder.
    ensureWritableDir(o.plot, '--plot');
  }
  const windows = { window: o.window ?? DEFAULT_WINDOW_SECONDS, hop: o.hop ?? DEFAULT_HOP_SECONDS };
  noteGaps(windows, ctx);
  const { ref, meta, predictor } = await loadPredictor(o, ctx);
  const isTrainingFile = await trainingFileTest(meta.trainingFiles?.sha256);
  const out: WindowedPredictOutput = {
    model: ref,
    predictions: [],
    failed: walk.skipped.map((e) => ({ path: e.path, error: e.reason })),
  };
  const plotted = new Set<string>();
  try {
    for (const path of paths) {
      if (ctx.signal?.aborted) return EXIT.INTERRUPTED;
      const all: WindowPrediction[] = [];
      const envelope: [number, number, number][] = [];
      try {
        for await (const batch of fileWindows(path, meta.dsp, windows, { signal: ctx.signal })) {
          all.push(
            ...(await classifyWindows(predictor, batch.windows, batch.features, meta.classNames)),
          );
          if (o.plot !== undefined) appendEnvelope(envelope, batch.windows);
        }
      } catch (err) {
        const e = err as Error & { code?: string };
        if (e.name === 'AbortError') return EXIT.INTERRUPTED;
        // Decoding errors name the file already; the model's do not.
        const error = reasonOf(path, e.message.split('\n')[0]);
        out.failed.push({ path, error });
        ctx.stderr.write(`${path}: ${error}\n`);
        continue;
      }
      const summary = summarizeWindows(all, meta.classNames);
      const seen = isTrainingFile?.(path);
      out.predictions.push({ path, windows: all, summary, ...(isTrainingFile ? { seen } : {}) });
      if (!o.json)
        printFile(
          ctx,
          seen ? `${path}, ${SEEN_MARK}` : path,
          all,
          summary,
          timeDecimals(windows.hop, windows.window),
        );
      if (o.plot !== undefined) {
        mkdirSync(o.plot, { recursive: true });
        const file = plotName(o.plot, path, plotted);
        // Loaded on first use: the charting stack is a fifth of a second of every ser start-up.
        const { renderSvg, svgToPng, timelineSpec } = await import('@serkit/report');
        const spec = timelineSpec({
          title: `${basename(path)} — window ${windows.window} s, hop ${windows.hop} s`,
          classes: meta.classNames,
          windows: all,
          envelope: reduceEnvelope(envelope, 3000),
        });
        writeFileSync(file, svgToPng(await renderSvg(spec)));
        if (!o.json) ctx.stdout.write(`  timeline: ${file}\n`);
      }
    }
  } finally {
    predictor.dispose();
  }
  const notice = seenNotice(out.predictions, o.json);
  if (notice) ctx.stderr.write(notice);
  if (o.json) ctx.stdout.write(`${JSON.stringify(out)}\n`);
  return out.failed.length > 0 ? EXIT.FAILED : EXIT.OK;
}

function printFile(
  ctx: CliContext,
  heading: string,
  windows: WindowPrediction[],
  summary: WindowSummary,
  decimals: number,
): void {
  ctx.stdout.write(`${heading}\n`);
  for (const w of windows) {
    const what =
      w.label && w.probabilities ? `${w.label} (${pct(w.probabilities[w.label])})` : w.status;
    ctx.stdout.write(`  ${fmtTime(w.start, decimals)} – ${fmtTime(w.end, decimals)} s  ${what}\n`);
  }
  const shares = Object.entries(summary.share)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${pct(v)}`)
    .join(', ');
  ctx.stdout.write(`  share of time: ${shares}\n`);
}

/** Keep each window's envelope slices from where the previous windows stopped. */
function appendEnvelope(out: [number, number, number][], windows: AudioWindow[]): void {
  let covered = out.length > 0 ? out[out.length - 1][0] + ENVELOPE_SECONDS / 2 : 0;
  for (const w of windows) {
    const e = w.envelope;
    for (let i = 0; i + 1 < e.length; i += 2) {
      const t = w.start + (i / 2) * ENVELOPE_SECONDS;
      if (t + 1e-9 < covered) continue;
      out.push([t, e[i], e[i + 1]]);
      covered = t + ENVELOPE_SECONDS / 2;
    }
  }
}

/** At most `max` slices: neighbours merged (min of mins, max of maxes). */
function reduceEnvelope(e: [number, number, number][], max: number): [number, number, number][] {
  if (e.length <= max) return e;
  const k = Math.ceil(e.length / max);
  const out: [number, number, number][] = [];
  for (let i = 0; i < e.length; i += k) {
    let lo = e[i][1];
    let hi = e[i][2];
    for (let j = i + 1; j < Math.min(e.length, i + k); j++) {
      lo = Math.min(lo, e[j][1]);
      hi = Math.max(hi, e[j][2]);
    }
    out.push([e[i][0], lo, hi]);
  }
  return out;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function plotName(dir: string, path: string, taken: Set<string>): string {
  const stem = basename(path, extname(path));
  let name = `${stem}.timeline.png`;
  for (let i = 2; taken.has(name); i++) name = `${stem}-${i}.timeline.png`;
  taken.add(name);
  return join(dir, name);
}

/** One line of `ser predict --stream -`. */
export interface StreamLine {
  start: number;
  end: number;
  status: AudioWindow['status'];
  label: string | null;
  probabilities: Record<string, number> | null;
}

/**
 * `ser predict --stream -`: read a WAV stream or raw PCM from stdin and print one JSON line
 * per window as soon as it is complete. Exit 0 on end of input, 130 on Ctrl-C.
 */
export async function runPredictStream(
  o: WindowCliOptions,
  ctx: CliContext,
  stdin: NodeJS.ReadableStream & { destroy?: () => void } = process.stdin,
): Promise<number> {
  const decoder =
    o.rate !== undefined
      ? new PcmStreamDecoder({ sampleRate: o.rate, channels: o.channels, format: o.format })
      : new PcmStreamDecoder('wav');
  if (o.rate === undefined && (o.channels !== undefined || o.format !== undefined)) {
    throw new UsageError('raw PCM needs --rate (and optionally --channels, --format)');
  }
  const windows = { window: o.window ?? DEFAULT_WINDOW_SECONDS, hop: o.hop ?? DEFAULT_HOP_SECONDS };
  noteGaps(windows, ctx);
  const { meta, predictor } = await loadPredictor(o, ctx);
  ctx.stderr.write(
    `ser predict: reading ${o.rate === undefined ? 'a WAV stream' : `raw ${o.format ?? 's16le'} PCM`} from stdin (window ${windows.window} s, hop ${windows.hop} s)\n`,
  );
  let live: LiveWindows | null = null;
  const emit = async (ws: { windows: AudioWindow[]; features: Float32Array }) => {
    if (ws.windows.length === 0) return;
    const preds = await classifyWindows(predictor, ws.windows, ws.features, meta.classNames);
    for (const p of preds) {
      const line: StreamLine = {
        start: p.start,
        end: p.end,
        status: p.status,
        label: p.label,
        probabilities: p.probabilities,
      };
      ctx.stdout.write(`${JSON.stringify(line)}\n`);
    }
  };
  const onAbort = () => stdin.destroy?.();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stdin) {
      if (ctx.signal?.aborted) break;
      const bytes =
        typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
      const samples = decoder.push(bytes);
      if (!live && decoder.ready) live = new LiveWindows(decoder.sampleRate, meta.dsp, windows);
      if (live && samples.length > 0) await emit(live.push(samples));
    }
  } catch (err) {
    if (!ctx.signal?.aborted) {
      // The decoder's errors say `stdin:` already; the pipeline's (NaN samples) do not.
      const first = (err as Error).message.split('\n')[0];
      ctx.stderr.write(`ser: error: ${first.startsWith('stdin:') ? first : `stdin: ${first}`}\n`);
      predictor.dispose();
      return EXIT.FAILED;
    }
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
  }
  try {
    if (ctx.signal?.aborted) return EXIT.INTERRUPTED;
    // As the file mode: a stream without one whole sample frame is an error, not zero windows.
    if (!live || decoder.samplesDecoded === 0) {
      const partial = decoder.pendingBytes;
      ctx.stderr.write(
        decoder.ready
          ? `ser: error: stdin: no audio samples in the stream${partial > 0 ? ` (${partial} byte${partial === 1 ? '' : 's'} at its end, less than one sample frame)` : ''}\n`
          : 'ser: error: stdin: the stream ended before a complete WAV header\n',
      );
      return EXIT.FAILED;
    }
    await emit(live.finish());
    const partial = decoder.pendingBytes;
    if (partial > 0) {
      ctx.stderr.write(
        `ser: note: stdin: the last ${partial} byte${partial === 1 ? '' : 's'} of the stream, less than one sample frame (${decoder.channels} channel${decoder.channels === 1 ? '' : 's'}), were ignored\n`,
      );
    }
    return EXIT.OK;
  } finally {
    predictor.dispose();
  }
}
