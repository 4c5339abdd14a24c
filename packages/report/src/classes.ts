/**
 * How many of a report's classes the evaluated data hold: the same words in `report.md` and the
 * CLI's summaries. No dependencies, so that the CLI can import it (`@serkit/report/classes`)
 * without loading the charting stack.
 */

/**
 * How many of a report's classes (`all`) have examples (`present`, `support` > 0): UAR
 * averages over those (`uarOver`: "that class" or "those 2"), macro scores over all.
 */
export function classesPresent(perClass: readonly { support: number }[]): {
  present: number;
  all: number;
  uarOver: string;
} {
  const present = perClass.filter((c) => c.support > 0).length;
  return {
    present,
    all: perClass.length,
    uarOver: present === 1 ? 'that class' : `those ${present}`,
  };
}
