import { stratifiedSplit } from '@serkit/model';
import { UsageError } from '../context.js';

/** How the held-out test files are chosen. */
export type SplitKind = 'random' | 'speaker';

/** Indices of the training and test files. */
export interface SplitResult {
  train: number[];
  test: number[];
  /** Speakers held out (speaker split only). */
  testSpeakers?: string[];
  /**
   * One line saying what the split became and why, when its test fraction differs from the
   * one asked (speaker split: whole speakers only); null otherwise.
   */
  note?: string | null;
  /** Classes (indices) with no file in the training part (speaker split), sorted. */
  classesMissingFromTraining?: number[];
}

/**
 * Split labelled files 80:20 (by default): `random` is stratified by class (the paper's);
 * `speaker` holds out whole speakers, chosen at random until at least `testSize` of the
 * files are in the test part, so no speaker is in both parts.
 */
export function splitFiles(
  labels: readonly number[],
  speakers: readonly (string | null)[],
  kind: SplitKind,
  testSize: number,
  seed: number,
  chosenTestSpeakers?: readonly string[],
): SplitResult {
  if (chosenTestSpeakers && kind !== 'speaker') {
    throw new UsageError('--test-speakers: needs --split speaker');
  }
  if (kind === 'random') {
    const { train, validation } = stratifiedSplit(labels, testSize, seed);
    return { train, test: validation };
  }
  const unknown = speakers.indexOf(null);
  if (unknown >= 0) {
    throw new UsageError(
      `--split speaker: file ${unknown + 1} has no speaker id (use --split random)`,
    );
  }
  const bySpeaker = new Map<string, number[]>();
  speakers.forEach((s, i) => {
    const list = bySpeaker.get(s as string) ?? [];
    list.push(i);
    bySpeaker.set(s as string, list);
  });
  const order = [...bySpeaker.keys()].sort();
  if (order.length < 2)
    throw new UsageError('--split speaker: needs files of at least two speakers');
  if (chosenTestSpeakers) return chosenSpeakers(labels, bySpeaker, order, chosenTestSpeakers);
  // Seeded Fisher–Yates over the sorted speaker ids (same generator as the model's splits).
  let state = seed >>> 0 || 1;
  const rand = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const want = Math.max(1, Math.round(testSize * labels.length));
  const testSpeakers: string[] = [];
  const test: number[] = [];
  for (const s of order) {
    if (test.length >= want || testSpeakers.length === order.length - 1) break;
    testSpeakers.push(s);
    test.push(...(bySpeaker.get(s) as number[]));
  }
  const held = new Set(test);
  const train = labels.map((_, i) => i).filter((i) => !held.has(i));
  testSpeakers.sort();
  const fraction = test.length / labels.length;
  const speakersText = `held out speaker${testSpeakers.length > 1 ? 's' : ''} ${testSpeakers.join(', ')}`;
  // Whole speakers rarely add up to the fraction asked: say what it became, and why.
  const note =
    Math.abs(fraction - testSize) >= 0.005
      ? `--split speaker: ${speakersText} (${test.length} of ${labels.length} files, ${pct(fraction)} %, not the ${pct(testSize)} % asked): ${test.length < want ? 'one speaker must stay for training' : `only whole speakers are held out, added in a seeded order until at least ${pct(testSize)} % are`}`
      : null;
  const trainClasses = new Set(train.map((i) => labels[i]));
  const missing = [...new Set(labels)].filter((c) => !trainClasses.has(c)).sort((a, b) => a - b);
  return {
    train,
    test: test.sort((a, b) => a - b),
    testSpeakers,
    note,
    classesMissingFromTraining: missing,
  };
}

/** The split that holds out exactly `chosen` (`--test-speakers`). */
function chosenSpeakers(
  labels: readonly number[],
  bySpeaker: Map<string, number[]>,
  known: readonly string[],
  chosen: readonly string[],
): SplitResult {
  const unknown = chosen.filter((s) => !bySpeaker.has(s));
  if (unknown.length > 0) {
    throw new UsageError(
      `--test-speakers: no file of speaker ${unknown.join(', ')} (speakers in the data: ${known.join(', ')})`,
    );
  }
  if (chosen.length >= known.length) {
    throw new UsageError('--test-speakers: at least one speaker must stay for training');
  }
  const test = chosen.flatMap((s) => bySpeaker.get(s) as number[]).sort((a, b) => a - b);
  const held = new Set(test);
  const train = labels.map((_, i) => i).filter((i) => !held.has(i));
  const trainClasses = new Set(train.map((i) => labels[i]));
  const missing = [...new Set(labels)].filter((c) => !trainClasses.has(c)).sort((a, b) => a - b);
  return {
    train,
    test,
    testSpeakers: [...chosen].sort(),
    note: null,
    classesMissingFromTraining: missing,
  };
}

const pct = (x: number) => (100 * x).toFixed(1).replace(/\.0$/, '');
