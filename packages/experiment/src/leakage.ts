/** The guard against leakage: the same audio content on both sides of a split. */
import { ExperimentError } from './errors.js';

/**
 * Refuse a split whose training part (fitting + validation files) and test part hold the same
 * audio content: real corpora and merged copies contain duplicates, and a duplicate across
 * the split inflates the test figures (a folder with a symlink loop once gave 100 %).
 *
 * @param paths Path of every file.
 * @param hashes SHA-256 (hex) of every file's bytes, null when unreadable (never matched).
 * @param train Indices of the training part.
 * @param test Indices of the test part.
 * @param where The split's name for the message, e.g. `fold 3`.
 * @throws {ExperimentError} naming both paths of the first duplicate found.
 */
export function assertNoLeakage(
  paths: readonly string[],
  hashes: readonly (string | null)[],
  train: readonly number[],
  test: readonly number[],
  where = 'the split',
): void {
  const inTrain = new Map<string, number>();
  for (const i of train) {
    const h = hashes[i];
    if (h && !inTrain.has(h)) inTrain.set(h, i);
  }
  for (const i of test) {
    const h = hashes[i];
    const j = h ? inTrain.get(h) : undefined;
    if (j !== undefined) {
      throw new ExperimentError(
        `leakage in ${where}: ${paths[j]} (training) and ${paths[i]} (test) have the same audio content (SHA-256 ${(h as string).slice(0, 12)}…); remove one of them`,
      );
    }
  }
}
