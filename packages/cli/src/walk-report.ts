import type { SkippedEntry, WalkNotice } from '@serkit/features';
import { type CliContext, UsageError } from './context.js';

/**
 * Print what a folder walk could not use (one `<path>: <reason>` line each, like a file
 * that fails to decode) and its notices (`ser: note: <path>: <message>`).
 *
 * @param walk The walk's skipped entries and notices.
 * @param found How many files the walk listed.
 * @param inputs The paths given on the command line (for the message).
 * @returns the number of skipped entries (each makes the command exit 1).
 * @throws {UsageError} when no file was found at all: the first skipped entry and its
 *   reason (e.g. `/x.wav: no such file or directory`), or `no audio files found in …`.
 */
export function reportWalk(
  walk: { skipped: readonly SkippedEntry[]; notices: readonly WalkNotice[] },
  found: number,
  inputs: readonly string[],
  ctx: CliContext,
): number {
  const { skipped, notices } = walk;
  if (found === 0) {
    if (skipped.length === 0) throw new UsageError(`no audio files found in ${inputs.join(', ')}`);
    const n = skipped.length - 1;
    const more = n > 0 ? ` (and ${n} more unusable ${n === 1 ? 'entry' : 'entries'})` : '';
    throw new UsageError(`${skipped[0].path}: ${skipped[0].reason}${more}`);
  }
  for (const n of notices) ctx.stderr.write(`ser: note: ${n.path}: ${n.message}\n`);
  for (const s of skipped) ctx.stderr.write(`${s.path}: ${s.reason}\n`);
  return skipped.length;
}

/**
 * The reason part of a one-line error about `path`: the message without its leading
 * `<path>: ` (decoding errors name their file; the path has its own field in JSON output).
 */
export function reasonOf(path: string, message: string): string {
  return message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
}
