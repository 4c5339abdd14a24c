/**
 * Which inputs of `ser predict` the model was trained or validated on: the model's metadata
 * records the SHA-256 of each of those files' bytes, as `ser evaluate` compares them. A shipped
 * model predicts its own training data far better than new speech, so such predictions are no
 * test of it: they are marked, and one line on stderr says how many there were.
 */

/** Appended to the text output of a file the model was trained or validated on. */
export const SEEN_MARK = 'seen in training';

/**
 * A test of whether a file (by the SHA-256 of its bytes) is one of `trainingSha256`, or null
 * when the model does not record its files (trained by an older serkit).
 */
export async function trainingFileTest(
  trainingSha256: readonly string[] | undefined,
): Promise<((path: string) => boolean) | null> {
  if (!trainingSha256) return null;
  // Loaded on first use, as every command's heavier imports are.
  const { sha256File } = await import('@serkit/experiment');
  const known = new Set(trainingSha256);
  return (path) => known.has(sha256File(path) ?? '');
}

/**
 * The one stderr line saying how many of the `predictions` were marked `seen` (in the model's
 * training data), prefixed `ser predict:` and ending in a newline, or null when none was.
 */
export function seenNotice(
  predictions: readonly { seen?: boolean }[],
  json: boolean,
): string | null {
  const seen = predictions.filter((p) => p.seen).length;
  const total = predictions.length;
  if (seen === 0) return null;
  const which =
    seen < total
      ? `${seen} of ${total} files ${seen === 1 ? 'was' : 'were'}`
      : total === 1
        ? 'the file was'
        : total === 2
          ? 'both files were'
          : `all ${total} files were`;
  const marked = json ? '"seen": true' : `"${SEEN_MARK}"`;
  return `ser predict: ${which} in the model's training data, so ${seen === 1 ? 'its prediction is' : 'their predictions are'} no test of the model (marked ${marked}; ser evaluate reports unseen files separately)\n`;
}
