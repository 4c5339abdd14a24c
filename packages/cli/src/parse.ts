import { InvalidArgumentError } from 'commander';

/** `--jobs`: an integer from 0 to 1024 (0 = every core). */
export function parseJobs(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n > 1024) {
    throw new InvalidArgumentError('Expected an integer from 0 to 1024 (0 = every core).');
  }
  return n;
}

/** An integer ≥ `min`. */
export function parseInteger(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`Expected an integer of ${min} or more.`);
    }
    return n;
  };
}

/** A fraction in (0, 1). */
export function parseFraction(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0 && n < 1))
    throw new InvalidArgumentError('Expected a number between 0 and 1 (both excluded).');
  return n;
}

/** A comma-separated list of distinct, non-empty ids (speaker ids such as `04,10`). */
export function parseIdList(value: string): string[] {
  const ids = value.split(',').map((s) => s.trim());
  if (ids.some((s) => s === '')) {
    throw new InvalidArgumentError('Expected comma-separated ids such as 04,10.');
  }
  if (new Set(ids).size !== ids.length) {
    throw new InvalidArgumentError('Expected distinct ids.');
  }
  return ids;
}

/** `--folds`: an integer ≥ 2, or `loso`. */
export function parseFolds(value: string): number | 'loso' {
  if (value.trim() === 'loso') return 'loso';
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 2) {
    throw new InvalidArgumentError('Expected an integer of 2 or more, or loso.');
  }
  return n;
}

/** `--seeds`: comma-separated distinct integers ≥ 0. */
export function parseSeeds(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || !Number.isSafeInteger(Number(p)))) {
    throw new InvalidArgumentError(
      'Expected comma-separated integers of 0 or more, such as 1,2,3.',
    );
  }
  const seeds = parts.map(Number);
  if (new Set(seeds).size !== seeds.length) {
    throw new InvalidArgumentError('Expected distinct seeds.');
  }
  return seeds;
}
