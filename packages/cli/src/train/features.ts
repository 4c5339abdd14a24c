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
import type { CliContext } from '../context.js';
import { createProgress } from '../progress.js';

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
  /** Progress label, e.g. `extracting training files`. */
  label: string;
  signal?: AbortSignal;
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * Extract the files' log-mel spectrograms, reusing a cache keyed by each file's content
 * (SHA-256) and the DSP options (plus the augmentations and seed, when augmenting).
 * Augmented copies draw their randomness from `(seed, content)`, so a cached copy is the
 * one a fresh run would make. Failed files are reported, never cached.
 */
export async function extractWithCache(
  paths: readonly string[],
  req: ExtractRequest,
  ctx: CliContext,
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
  const hashes: (string | null)[] = paths.map((p) => {
    try {
      return sha256(readFileSync(p));
    } catch {
      return null; // Unreadable: extraction reports why.
    }
  });
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
    const progress = createProgress(
      ctx,
      misses.length,
      `${req.label} [{bar}] {value}/{total} files | {failed} failed | ETA {eta_formatted}`,
      {
        lineEverySeconds: 10,
        payload: { failed: 0 },
      },
    );
    const onProgress = (p: { done: number; failed: number }) =>
      progress.update(p.done, { failed: p.failed });
    const missPaths = misses.map((i) => paths[i]);
    let batch: { features: Float32Array; rows: Int32Array; errors: (string | null)[] };
    try {
      batch = req.augment
        ? await extractFilesAugmented(missPaths, req.dsp, {
            threads: req.jobs,
            onProgress,
            signal: req.signal,
            seed: req.seed,
            // 48 bits of the content hash, mixed with the seed: a number JS holds exactly.
            fileSeeds: misses.map(
              (i) =>
                (Number.parseInt((hashes[i] ?? '0').slice(0, 12), 16) + req.seed * 7919) % 2 ** 48,
            ),
          })
        : await extractFiles(missPaths, req.dsp, {
            threads: req.jobs,
            onProgress,
            signal: req.signal,
          });
    } finally {
      progress.stop();
    }
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
