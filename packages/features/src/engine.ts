import { createRequire } from 'node:module';
import type * as Native from '@serkit/dsp-native';
import { SerkitError } from './errors.js';
import type { EngineName } from './options.js';
import type { DspOptions } from './types.js';

/** A decoded WAV file: mono samples (channels averaged), sample rate and channel count. */
export interface DecodedAudio {
  /** Mono samples in [-1, 1). */
  samples: Float32Array;
  /** Sample rate of the file, in Hz. */
  sampleRate: number;
  /** Channels in the file before the downmix to mono. */
  channels: number;
}

/** Progress of a bulk extraction. */
export interface BatchProgress {
  /** Files finished, successfully or not. */
  done: number;
  /** Files in the batch. */
  total: number;
  /** Files that failed so far. */
  failed: number;
}

/** Raw result of an engine's bulk extraction. */
export interface EngineBatchResult {
  /** `[nOk][nMels][nFrames]` float32, input order. */
  features: Float32Array;
  /** Per input: row in `features`, or -1 when the file failed. */
  rows: Int32Array;
  /** Per input: null, or the file's one-line error (which names the file). */
  errors: (string | null)[];
  /** Per input: null, or the error code. */
  codes: (string | null)[];
  /** Spectrograms per successful file: 1 + the number of augmentations (1 without). */
  copiesPerFile: number;
}

/** Augmented copies appended after each file's own spectrogram (SPEC.md §3). */
export interface EngineAugment {
  /** The copies, in order. */
  augmentations: Native.Augmentation[];
  /** Seed of the random draws; file `i` draws from `(seed, i)`. */
  seed: number;
  /** One seed per path replacing `(seed, i)`. */
  fileSeeds?: number[];
}

/**
 * What a DSP engine implements. Options arrive already merged and validated
 * ({@link resolveDspOptions}). The native engine is built in; the pure
 * TypeScript engine registers itself with {@link registerEngine}.
 */
export interface DspEngine {
  /** Engine name. */
  readonly name: EngineName;
  /** Decode WAV bytes to mono. */
  decodeWav(bytes: Uint8Array): DecodedAudio;
  /** Read and decode a WAV file. */
  readWav(path: string): DecodedAudio;
  /** Resample → trim → Wiener → fix length. */
  preprocessSync(samples: Float32Array, sampleRate: number, o: DspOptions): Float32Array;
  /** Async {@link DspEngine.preprocessSync}. */
  preprocess(
    samples: Float32Array,
    sampleRate: number,
    o: DspOptions,
    signal?: AbortSignal,
  ): Promise<Float32Array>;
  /** STFT → mel → dB of a waveform already at `o.sampleRate`. */
  logMelSpectrogramSync(y: Float32Array, o: DspOptions): Float32Array;
  /** Async {@link DspEngine.logMelSpectrogramSync}. */
  logMelSpectrogram(y: Float32Array, o: DspOptions, signal?: AbortSignal): Promise<Float32Array>;
  /** Whole pipeline on a waveform. */
  extractSync(samples: Float32Array, sampleRate: number, o: DspOptions): Float32Array;
  /** Async {@link DspEngine.extractSync}. */
  extract(
    samples: Float32Array,
    sampleRate: number,
    o: DspOptions,
    signal?: AbortSignal,
  ): Promise<Float32Array>;
  /** Whole pipeline on a file. */
  extractFileSync(path: string, o: DspOptions): Float32Array;
  /** Async {@link DspEngine.extractFileSync}. */
  extractFile(path: string, o: DspOptions, signal?: AbortSignal): Promise<Float32Array>;
  /**
   * Whole pipeline on many files; with `run.augment`, each file's spectrogram is followed by
   * its augmented copies (an engine that cannot augment rejects with
   * `ERR_SER_ENGINE_UNAVAILABLE`).
   */
  extractFiles(
    paths: string[],
    o: DspOptions,
    run: { threads?: number; onProgress?: (p: BatchProgress) => void; augment?: EngineAugment },
    signal?: AbortSignal,
  ): Promise<EngineBatchResult>;
}

let nativeModule: typeof Native | undefined;

/**
 * The `@serkit/dsp-native` addon, loaded on first use (so that importing this
 * package works on a platform without a prebuilt addon when the JS engine is used).
 *
 * @throws {SerkitError} code `ERR_SER_ENGINE_UNAVAILABLE` when the addon cannot be loaded.
 */
export function loadNative(): typeof Native {
  if (!nativeModule) {
    try {
      nativeModule = createRequire(import.meta.url)('@serkit/dsp-native') as typeof Native;
    } catch (cause) {
      throw new SerkitError(
        'ERR_SER_ENGINE_UNAVAILABLE',
        `the native DSP addon @serkit/dsp-native could not be loaded on ${process.platform}-${process.arch}: ${(cause as Error).message.split('\n')[0]}`,
        { cause },
      );
    }
  }
  return nativeModule;
}

/** The built-in engine backed by the Rust core. */
export const nativeEngine: DspEngine = {
  name: 'native',
  decodeWav: (bytes) => loadNative().decodeWav(bytes),
  readWav: (path) => loadNative().readWav(path),
  preprocessSync: (s, sr, o) => loadNative().preprocessSync(s, sr, o),
  preprocess: (s, sr, o, signal) => loadNative().preprocess(s, sr, o, signal),
  logMelSpectrogramSync: (y, o) => loadNative().logMelSpectrogramSync(y, o),
  logMelSpectrogram: (y, o, signal) => loadNative().logMelSpectrogram(y, o, signal),
  extractSync: (s, sr, o) => loadNative().extractSync(s, sr, o),
  extract: (s, sr, o, signal) => loadNative().extract(s, sr, o, signal),
  extractFileSync: (p, o) => loadNative().extractFileSync(p, o),
  extractFile: (p, o, signal) => loadNative().extractFile(p, o, signal),
  extractFiles: (paths, o, run, signal) =>
    loadNative().extractFiles(
      paths,
      o,
      {
        threads: run.threads,
        onProgress: run.onProgress,
        augmentations: run.augment?.augmentations,
        seed: run.augment?.seed,
        fileSeeds: run.augment?.fileSeeds,
      },
      signal,
    ),
};

const engines = new Map<EngineName, DspEngine>([['native', nativeEngine]]);

/** Make an engine available under its name (used by the pure-TypeScript engine). */
export function registerEngine(engine: DspEngine): void {
  engines.set(engine.name, engine);
}

/** Why the native addon could not be loaded, once the default engine found out. */
let nativeFailure: Error | undefined;

/**
 * The engine called `name`. Without a name: the native engine, or — when the
 * addon cannot be loaded on this platform and the pure-TypeScript engine is
 * registered — the JS engine, with a one-line notice on stderr (once per process).
 *
 * @throws {SerkitError} code `ERR_SER_ENGINE_UNAVAILABLE` for an engine that is not registered.
 */
export function getEngine(name?: EngineName): DspEngine {
  if (name === undefined) {
    const js = engines.get('js');
    if (!js) return nativeEngine;
    if (!nativeFailure) {
      try {
        loadNative();
        return nativeEngine;
      } catch (err) {
        nativeFailure = err as Error;
        process.stderr.write(
          `serkit: ${nativeFailure.message}; using the JS engine (engine: 'js')\n`,
        );
      }
    }
    return js;
  }
  const engine = engines.get(name);
  if (!engine) {
    throw new SerkitError(
      'ERR_SER_ENGINE_UNAVAILABLE',
      `DSP engine '${name}' is not available (registered: ${[...engines.keys()].join(', ')})`,
    );
  }
  return engine;
}
