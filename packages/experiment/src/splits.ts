/**
 * Every split of the experiment, all drawn from serkit's one seeded generator
 * (`seededRandom` of `@serkit/model`, mulberry32): the paper's stratified random split, a
 * speaker-independent split, stratified and speaker K-fold, leave-one-speaker-out, and the
 * validation carve-out of a training part. Indices refer to the caller's file list.
 */
import { seededRandom, shuffleInPlace, stratifiedSplit } from '@serkit/model';
import { classList, ExperimentError } from './errors.js';

/** How test files are held out: stratified by class (the paper's), or by whole speakers. */
export type SplitProtocol = 'random' | 'speaker';

/** A training part and a test part (sorted file indices). */
export interface Split {
  train: number[];
  test: number[];
  /** Speakers held out (speaker protocols only), sorted. */
  testSpeakers?: string[];
  /**
   * One line saying what the split became and why, when its test fraction differs from the
   * one asked (speaker split: whole speakers only); null otherwise.
   */
  note?: string | null;
  /** Classes (indices) with no file in the training part, sorted (empty when none). */
  classesMissingFromTraining?: number[];
}

/** One fold of a K-fold or leave-one-speaker-out protocol. */
export interface Fold extends Split {
  /** 1-based fold number. */
  fold: number;
}

const pct = (x: number) => (100 * x).toFixed(1).replace(/\.0$/, '');
const sorted = (a: number[]) => a.sort((x, y) => x - y);

function missingClasses(labels: readonly number[], train: readonly number[]): number[] {
  const have = new Set(train.map((i) => labels[i]));
  return sorted([...new Set(labels)].filter((c) => !have.has(c)));
}

function complement(n: number, test: readonly number[]): number[] {
  const held = new Set(test);
  return Array.from({ length: n }, (_, i) => i).filter((i) => !held.has(i));
}

/** Files by speaker, speakers sorted; throws when a file has no speaker or there are < `min`. */
function bySpeaker(speakers: readonly (string | null)[], what: string, min: number) {
  const unknown = speakers.indexOf(null);
  if (unknown >= 0) {
    throw new ExperimentError(
      `${what}: file ${unknown + 1} has no speaker id (use --split random)`,
    );
  }
  const groups = new Map<string, number[]>();
  speakers.forEach((s, i) => {
    const list = groups.get(s as string) ?? [];
    list.push(i);
    groups.set(s as string, list);
  });
  const ids = [...groups.keys()].sort();
  if (ids.length < min) {
    throw new ExperimentError(
      `${what}: needs files of at least ${min} speakers, found ${ids.length}`,
    );
  }
  return { groups, ids };
}

/**
 * The paper's split: `round(testSize × count)` of each class held out for the test (seeded).
 *
 * @param labels Class index of each file.
 * @param testSize Test fraction in (0, 1); the paper's is 0.2.
 * @param seed Seed of the one generator.
 */
export function randomSplit(labels: readonly number[], testSize: number, seed: number): Split {
  const { train, validation } = stratifiedSplit(labels, testSize, seed);
  return {
    train,
    test: validation,
    note: null,
    classesMissingFromTraining: missingClasses(labels, train),
  };
}

/**
 * Hold out whole speakers, chosen in a seeded order until at least `testSize` of the files are
 * in the test part (one speaker always stays for training), so no speaker is in both parts.
 * `note` says what the fraction became when whole speakers do not add up to the one asked.
 *
 * @throws {ExperimentError} when a file has no speaker id or there are fewer than 2 speakers.
 */
export function speakerSplit(
  labels: readonly number[],
  speakers: readonly (string | null)[],
  testSize: number,
  seed: number,
): Split {
  const { groups, ids } = bySpeaker(speakers, '--split speaker', 2);
  const order = shuffleInPlace([...ids], seededRandom(seed));
  const want = Math.max(1, Math.round(testSize * labels.length));
  const testSpeakers: string[] = [];
  const test: number[] = [];
  for (const s of order) {
    if (test.length >= want || testSpeakers.length === order.length - 1) break;
    testSpeakers.push(s);
    test.push(...(groups.get(s) as number[]));
  }
  const train = complement(labels.length, test);
  testSpeakers.sort();
  const fraction = test.length / labels.length;
  const speakersText = `held out speaker${testSpeakers.length > 1 ? 's' : ''} ${testSpeakers.join(', ')}`;
  // Whole speakers rarely add up to the fraction asked: say what it became, and why.
  const note =
    Math.abs(fraction - testSize) >= 0.005
      ? `--split speaker: ${speakersText} (${test.length} of ${labels.length} files, ${pct(fraction)} %, not the ${pct(testSize)} % asked): ${test.length < want ? 'one speaker must stay for training' : `only whole speakers are held out, added in a seeded order until at least ${pct(testSize)} % are`}`
      : null;
  return {
    train,
    test: sorted(test),
    testSpeakers,
    note,
    classesMissingFromTraining: missingClasses(labels, train),
  };
}

/**
 * Hold out exactly the speakers `chosen` (`ser train --test-speakers`), so a run can be
 * measured on the same voices as another.
 *
 * @throws {ExperimentError} naming an unknown speaker (and the known ones), or when no
 *   speaker would be left for training.
 */
export function chosenSpeakerSplit(
  labels: readonly number[],
  speakers: readonly (string | null)[],
  chosen: readonly string[],
): Split {
  const { groups, ids } = bySpeaker(speakers, '--test-speakers', 2);
  const unknown = chosen.filter((s) => !groups.has(s));
  if (unknown.length > 0) {
    throw new ExperimentError(
      `--test-speakers: no file of speaker ${unknown.join(', ')} (speakers in the data: ${ids.join(', ')})`,
    );
  }
  if (chosen.length >= ids.length) {
    throw new ExperimentError('--test-speakers: at least one speaker must stay for training');
  }
  const test = sorted(chosen.flatMap((s) => groups.get(s) as number[]));
  const train = complement(labels.length, test);
  return {
    train,
    test,
    testSpeakers: [...chosen].sort(),
    note: null,
    classesMissingFromTraining: missingClasses(labels, train),
  };
}

/**
 * {@link randomSplit} or {@link speakerSplit}, by `protocol` (what `ser train --split` does);
 * with `testSpeakers` (speaker protocol only), {@link chosenSpeakerSplit}.
 */
export function splitFiles(
  labels: readonly number[],
  speakers: readonly (string | null)[],
  protocol: SplitProtocol,
  testSize: number,
  seed: number,
  testSpeakers?: readonly string[],
): Split {
  if (testSpeakers) {
    if (protocol !== 'speaker') throw new ExperimentError('--test-speakers: needs --split speaker');
    return chosenSpeakerSplit(labels, speakers, testSpeakers);
  }
  return protocol === 'random'
    ? randomSplit(labels, testSize, seed)
    : speakerSplit(labels, speakers, testSize, seed);
}

function checkK(k: number, max: number, what: string, unit: string) {
  if (!Number.isInteger(k) || k < 2 || k > max) {
    throw new ExperimentError(
      `--folds: expected an integer in 2…${max} (${what} has ${max} ${unit}), got ${k}`,
    );
  }
}

/**
 * Stratified K-fold: each class's files (seeded shuffle, classes in ascending order) are dealt
 * round-robin into `k` test folds, continuing from fold to fold across classes, so every fold
 * holds ~1/k of each class and the folds differ in size by at most one file.
 *
 * @param k Folds, 2 … number of files.
 * @throws {ExperimentError} for a `k` outside 2 … number of files.
 */
export function stratifiedKFold(labels: readonly number[], k: number, seed: number): Fold[] {
  checkK(k, labels.length, 'the data', 'files');
  const rand = seededRandom(seed);
  const tests: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const c of sorted([...new Set(labels)])) {
    const idx = shuffleInPlace(
      labels.flatMap((l, i) => (l === c ? [i] : [])),
      rand,
    );
    for (const i of idx) {
      tests[next].push(i);
      next = (next + 1) % k;
    }
  }
  return tests.map((t, f) => {
    const train = complement(labels.length, t);
    return {
      fold: f + 1,
      train,
      test: sorted(t),
      note: null,
      classesMissingFromTraining: missingClasses(labels, train),
    };
  });
}

/**
 * Speaker K-fold: speakers (sorted, then seeded shuffle) go one by one to the fold with the
 * fewest files so far, so no speaker is in a training and a test part and fold sizes stay close.
 *
 * @param k Folds, 2 … number of speakers.
 * @throws {ExperimentError} when a file has no speaker id or `k` is out of range.
 */
export function speakerKFold(
  labels: readonly number[],
  speakers: readonly (string | null)[],
  k: number,
  seed: number,
): Fold[] {
  const { groups, ids } = bySpeaker(speakers, '--split speaker', 2);
  checkK(k, ids.length, 'the data', 'speakers');
  const order = shuffleInPlace([...ids], seededRandom(seed));
  const folds = Array.from({ length: k }, () => ({
    speakers: [] as string[],
    files: [] as number[],
  }));
  for (const s of order) {
    let best = 0;
    for (let f = 1; f < k; f++) if (folds[f].files.length < folds[best].files.length) best = f;
    folds[best].speakers.push(s);
    folds[best].files.push(...(groups.get(s) as number[]));
  }
  return folds.map((f, i) => {
    const train = complement(labels.length, f.files);
    return {
      fold: i + 1,
      train,
      test: sorted(f.files),
      testSpeakers: f.speakers.sort(),
      note: null,
      classesMissingFromTraining: missingClasses(labels, train),
    };
  });
}

/**
 * Leave-one-speaker-out: one fold per speaker (in sorted order), testing on that speaker's
 * files and training on everyone else's: the standard protocol for EMO-DB and RAVDESS.
 *
 * @throws {ExperimentError} when a file has no speaker id or there are fewer than 2 speakers.
 */
export function leaveOneSpeakerOut(
  labels: readonly number[],
  speakers: readonly (string | null)[],
): Fold[] {
  const { groups, ids } = bySpeaker(speakers, '--folds loso', 2);
  return ids.map((s, i) => {
    const test = sorted([...(groups.get(s) as number[])]);
    const train = complement(labels.length, test);
    return {
      fold: i + 1,
      train,
      test,
      testSpeakers: [s],
      note: null,
      classesMissingFromTraining: missingClasses(labels, train),
    };
  });
}

/** The validation part carved out of a training part, and how. */
export interface ValidationCarve {
  /** Files the model is fitted on (sorted). */
  fit: number[];
  /** Files early stopping judges (sorted). */
  validation: number[];
  /** `speaker`: whole training speakers; `random`: stratified by class. */
  kind: SplitProtocol;
  /** The validation speakers (kind `speaker`), sorted. */
  speakers?: string[];
  /** One line when a speaker protocol had to fall back to a random carve-out; null otherwise. */
  note: string | null;
}

/** {@link carveValidation} with the validation speakers chosen by the caller. */
function chosenValidation(
  train: readonly number[],
  labels: readonly number[],
  speakers: readonly (string | null)[],
  chosen: readonly string[],
  classNames: readonly string[],
): ValidationCarve {
  const known = [...new Set(train.map((i) => speakers[i]))]
    .filter((s): s is string => s !== null)
    .sort();
  const unknown = chosen.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw new ExperimentError(
      `--validation-speakers: no training file of speaker ${unknown.join(', ')} (training speakers: ${known.join(', ')})`,
    );
  }
  const held = new Set(chosen);
  const fit = train.filter((i) => !held.has(speakers[i] ?? ''));
  const missing = missingClasses(labels, fit).filter((c) => train.some((i) => labels[i] === c));
  const who = `${chosen.length === 1 ? 'speaker' : 'speakers'} ${chosen.join(', ')}`;
  if (fit.length === 0) {
    throw new ExperimentError(
      `--validation-speakers: ${who} hold every training file, so none is left to train on; choose fewer or other validation speakers`,
    );
  }
  if (missing.length > 0) {
    const names = missing.map((c) => classNames[c] ?? String(c));
    throw new ExperimentError(
      `--validation-speakers: with ${who} validating, no file of ${classList(names)} is left to train on; choose other validation speakers`,
    );
  }
  return {
    fit,
    validation: sorted(train.filter((i) => held.has(speakers[i] ?? ''))),
    kind: 'speaker',
    speakers: [...chosen].sort(),
    note: null,
  };
}

/** Fewest training speakers from which validation is carved by whole speakers. */
export const MIN_SPEAKERS_FOR_SPEAKER_VALIDATION = 3;

/**
 * Carve the validation part for early stopping out of the training part `train` (never out of
 * the test part). Random protocols: stratified random, `round(fraction × count)` per class.
 * Speaker protocols: whole training speakers (seeded order) until at least `fraction` of the
 * training files, skipping a speaker whose files would leave a class without fitting files, so
 * early stopping judges voices the model is not fitted on. With fewer than
 * {@link MIN_SPEAKERS_FOR_SPEAKER_VALIDATION} training speakers (or no speaker that can go),
 * it falls back to the stratified random carve-out and says so in `note`.
 *
 * @param train Indices of the training part.
 * @param labels Class index of every file.
 * @param speakers Speaker of every file (null when unknown).
 * @param protocol The split protocol the training part came from.
 * @param fraction Validation fraction of the training part, [0, 1); serkit's is 0.1.
 * @param seed Seed of the one generator.
 * @param chosenSpeakers Validation speakers chosen by the caller (`--validation-speakers`): all their
 *   training files validate, whatever `protocol` and `fraction` say.
 * @param classNames Class names by index, for errors; default: the indices.
 * @throws {ExperimentError} when a chosen speaker has no training file or taking them would
 *   leave a class without fitting files.
 */
export function carveValidation(
  train: readonly number[],
  labels: readonly number[],
  speakers: readonly (string | null)[],
  protocol: SplitProtocol,
  fraction: number,
  seed: number,
  chosenSpeakers?: readonly string[],
  classNames: readonly string[] = [],
): ValidationCarve {
  if (chosenSpeakers) return chosenValidation(train, labels, speakers, chosenSpeakers, classNames);
  const random = (note: string | null): ValidationCarve => {
    const trainLabels = train.map((i) => labels[i]);
    const carve = stratifiedSplit(trainLabels, fraction, seed);
    return {
      fit: carve.train.map((j) => train[j]),
      validation: carve.validation.map((j) => train[j]),
      kind: 'random',
      note,
    };
  };
  if (protocol === 'random' || fraction === 0) return random(null);
  const groups = new Map<string, number[]>();
  for (const i of train) {
    const s = speakers[i] ?? '';
    const list = groups.get(s) ?? [];
    list.push(i);
    groups.set(s, list);
  }
  const ids = [...groups.keys()].sort();
  if (ids.length < MIN_SPEAKERS_FOR_SPEAKER_VALIDATION) {
    return random(
      `validation: ${ids.length} training speaker${ids.length === 1 ? '' : 's'} (fewer than ${MIN_SPEAKERS_FOR_SPEAKER_VALIDATION}): validation files carved at random (stratified), not by speaker`,
    );
  }
  const want = Math.max(1, Math.round(fraction * train.length));
  const classCount = new Map<number, number>();
  for (const i of train) classCount.set(labels[i], (classCount.get(labels[i]) ?? 0) + 1);
  const chosen: string[] = [];
  let taken = 0;
  for (const s of shuffleInPlace([...ids], seededRandom(seed))) {
    if (taken >= want) break;
    const files = groups.get(s) as number[];
    const lose = new Map<number, number>();
    for (const i of files) lose.set(labels[i], (lose.get(labels[i]) ?? 0) + 1);
    if ([...lose].some(([c, n]) => (classCount.get(c) as number) - n <= 0)) continue;
    if (chosen.length === ids.length - 1) break;
    for (const [c, n] of lose) classCount.set(c, (classCount.get(c) as number) - n);
    chosen.push(s);
    taken += files.length;
  }
  if (chosen.length === 0) {
    return random(
      'validation: every training speaker holds the last fitting files of some class: validation files carved at random (stratified), not by speaker',
    );
  }
  const held = new Set(chosen);
  return {
    fit: train.filter((i) => !held.has(speakers[i] ?? '')),
    validation: sorted(train.filter((i) => held.has(speakers[i] ?? ''))),
    kind: 'speaker',
    speakers: chosen.sort(),
    note: null,
  };
}
