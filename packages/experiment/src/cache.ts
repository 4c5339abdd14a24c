/**
 * Extraction with serkit's feature cache: log-mel spectrograms keyed by each file's content
 * (SHA-256 of its bytes) and the DSP options, so a run extracts each file once, whatever the
 * split, fold or command.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  type DspOptions,
  extractFiles,
  extractFilesAugmented,
  nFrames,
  PAPER_AUGMENTATIONS,
} from '@serkit/features';

/** Where extracted spectrograms are cached: `$SER_CACHE_DIR`, else `~/.cache/serkit/features`. */
export function defaultCacheDir(): string {
  return process.env.SER_CACHE_DIR || join(homedir(), '.cache', 'serkit', 'features');
}

/** Spectrograms of a list of files (each followed by its augmented copies, if any). */
export interface ExtractedFiles {
  /** Per file: `copies` spectrograms `[nMels][nFrames]` back to back, or null when it failed. */
  perFile: (Float32Array | null)[];
  /** Per file: null, or the one-line error naming the file. */
  errors: (string | null)[];
  /** Spectrograms per file: 1, or 5 with the paper's augmentations. */
  copies: number;
  /** Files served from the cache. */
  cached: number;
  /** Per file: SHA-256 of its bytes (hex), or null when it could not be read. */
  hashes: (string | null)[];
}

/** What {@link extractWithCache} does. */
export interface ExtractRequest {
  dsp: DspOptions;
  /** Add the paper's four augmented copies (training split only). */
  augment: boolean;
  /** Seed of the augmentations. */
  seed: number;
  /** Worker threads (0 = every core). */
  jobs: number;
  /** Cache folder, or null for none. */
  cacheDir: string | null;
  /**
   * Called as files are extracted: `done` of `total` files to extract, `cached` more served from
   * the cache (not called when every file is cached).
   */
  onProgress?: (p: { done: number; total: number; failed: number; cached: number }) => void;
  signal?: AbortSignal;
}

/** SHA-256 (hex) of a file's bytes, or null when it cannot be read. */
export function sha256File(path: string): string | null {
  try {
    return sha256(readFileSync(path));
  } catch {
    return null; // Unreadable: extraction reports why.
  }
}

/**
 * The seed of one file's augmentations: 48 bits of its content hash mixed with the run's seed
 * (a number JS holds exactly), so a file gets the same augmented copies in every split, fold
 * and run with that seed, and a cached copy is the one a fresh run would make.
 */
export function augmentationSeed(seed: number, sha256Hex: string | null): number {
  return (Number.parseInt((sha256Hex ?? '0').slice(0, 12), 16) + seed * 7919) % 2 ** 48;
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * Extract the files' log-mel spectrograms, reusing a cache keyed by each file's content
 * (SHA-256) and the DSP options (plus the augmentations and seed, when augmenting).
 * Augmented copies draw their randomness from `(seed, content)`, so a cached copy is the
 * one a fresh run would make. Failed files are reported, never cached.
 *
 * @param paths Audio files.
 * @param req DSP options, augmentation, seed, threads, cache folder, progress and signal.
 * @param knownHashes SHA-256 of each file when the caller has it already ({@link sha256File}).
 * @throws the extraction's AbortError when `req.signal` aborts.
 */
export async function extractWithCache(
  paths: readonly string[],
  req: ExtractRequest,
  knownHashes?: readonly (string | null)[],
): Promise<ExtractedFiles> {
  const copies = req.augment ? 1 + PAPER_AUGMENTATIONS.length : 1;
  const per = req.dsp.nMels * nFrames(req.dsp);
  const key = sha256(
    JSON.stringify({
      dsp: req.dsp,
      augment: req.augment ? PAPER_AUGMENTATIONS : [],
      seed: req.augment ? req.seed : null,
    }),
  ).slice(0, 16);
  const dir = req.cacheDir ? join(req.cacheDir, key) : null;
  const perFile: (Float32Array | null)[] = new Array(paths.length).fill(null);
  const errors: (string | null)[] = new Array(paths.length).fill(null);
  // Content hashes key the cache, seed the augmentations and name the training files in the
  // model's metadata (so `ser evaluate` can tell which files a model has seen).
  const hashes: (string | null)[] = knownHashes ? [...knownHashes] : paths.map(sha256File);
  const misses: number[] = [];
  paths.forEach((_, i) => {
    const h = hashes[i];
    if (dir && h) {
      try {
        const bytes = readFileSync(join(dir, `${h}.f32`));
        if (bytes.byteLength === copies * per * 4) {
          perFile[i] = new Float32Array(
            bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
          );
          return;
        }
      } catch {
        // Not cached yet.
      }
    }
    misses.push(i);
  });
  const cached = paths.length - misses.length;
  if (misses.length > 0) {
    const total = misses.length;
    const onProgress = (p: { done: number; failed: number }) =>
      req.onProgress?.({ done: p.done, total, failed: p.failed, cached });
    req.onProgress?.({ done: 0, total, failed: 0, cached });
    const missPaths = misses.map((i) => paths[i]);
    const batch = req.augment
      ? await extractFilesAugmented(missPaths, req.dsp, {
          threads: req.jobs,
          onProgress,
          signal: req.signal,
          seed: req.seed,
          fileSeeds: misses.map((i) => augmentationSeed(req.seed, hashes[i])),
        })
      : await extractFiles(missPaths, req.dsp, {
          threads: req.jobs,
          onProgress,
          signal: req.signal,
        });
    if (dir) mkdirSync(dir, { recursive: true });
    misses.forEach((i, j) => {
      const row = batch.rows[j];
      if (row < 0) {
        errors[i] = batch.errors[j];
        return;
      }
      const values = batch.features.slice(row * per, (row + copies) * per);
      perFile[i] = values;
      const h = hashes[i];
      if (dir && h) {
        const target = join(dir, `${h}.f32`);
        const tmp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
        try {
          writeFileSync(tmp, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
          renameSync(tmp, target);
        } catch {
          rmSync(tmp, { force: true }); // A cache that cannot be written only costs time.
        }
      }
    });
  }
  return { perFile, errors, copies, cached, hashes };
}
