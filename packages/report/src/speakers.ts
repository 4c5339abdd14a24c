/**
 * The sentence that says whether an evaluation's unseen files are by speakers the model heard:
 * the same words in `report.md`, `ser evaluate`'s notice and its summary. No dependencies, so that
 * the CLI can import it (`@serkit/report/speakers`) without loading the charting stack.
 */
import { count } from './plural.js';
import type { SeenSpeakers } from './types.js';

const pct = (x: number | null) => (100 * (x ?? Number.NaN)).toFixed(2);
const ids = (list: string[]) => list.join(', ');
/** `speakers <what> (03, 08)`, or `a speaker <what> (09)` for one. */
const speakers = (list: string[], what: string) =>
  `${list.length === 1 ? 'a speaker' : 'speakers'} ${what} (${ids(list)})`;

/**
 * One line on the `unseen` files' speakers (see {@link SeenSpeakers}), or null when there is
 * nothing to say: no unseen file, or heard speakers only inferred (`evaluated-files`) and none
 * found, which proves nothing. Files and speakers are counted in the singular when there is one.
 *
 * @example
 * // "35 of the 42 unseen files are by speakers the model heard in training (03, 08, …): not
 * //  speaker-independent; on the 7 files by speakers it never heard (09, 14): accuracy 57.14 %,
 * //  UAR 55.00 %"
 * // "the unseen file is by a speaker the model never heard (09): speaker-independent, …"
 */
export function seenSpeakersSentence(s: SeenSpeakers, unseen: number): string | null {
  if (unseen === 0) return null;
  const all =
    unseen === 1
      ? 'the unseen file is'
      : unseen === 2
        ? 'both unseen files are'
        : `all ${unseen} unseen files are`;
  const some = `${s.heardFiles} of the ${unseen} unseen files ${s.heardFiles === 1 ? 'is' : 'are'}`;
  const heard = `by ${speakers(s.heard, 'the model heard in training')}`;
  const scores = `accuracy ${pct(s.otherAccuracy)} %, UAR ${pct(s.otherUar)} %`;
  if (s.basis === 'evaluated-files') {
    if (s.heardFiles === 0) return null;
    // Every unseen file by a heard speaker: no lower bound, and no other speaker to doubt.
    if (s.heardFiles === unseen) return `${all} ${heard}: not a speaker-independent figure`;
    return `at least ${some} ${heard}: not speaker-independent (the model records no training speakers for this data, so the other ${s.other.length === 1 ? 'speaker' : 'speakers'} may have been heard too)`;
  }
  if (s.heardFiles === 0) {
    return `${all} by ${speakers(s.other, 'the model never heard')}: speaker-independent, ${scores}`;
  }
  if (s.otherFiles === 0) return `${all} ${heard}: not a speaker-independent figure`;
  return `${some} ${heard}: not speaker-independent; on the ${count(s.otherFiles, 'file')} by ${speakers(s.other, 'it never heard')}: ${scores}`;
}
