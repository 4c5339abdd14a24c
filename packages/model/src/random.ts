/**
 * serkit's one seeded generator (mulberry32) and what is built directly on it: the seeded
 * Fisher–Yates shuffle and the stratified carve-out. Every split (`@serkit/experiment`'s
 * `splits.ts` builds the speaker, K-fold and leave-one-speaker-out splits on these), every
 * validation carve-out and every epoch's shuffle draws from {@link seededRandom}; nothing in
 * serkit uses another generator.
 */

/**
 * Seeded PRNG (mulberry32, Tommy Ettinger's 32-bit generator): a function returning floats in
 * [0, 1). The same `seed` (taken modulo 2³²) gives the same sequence on every platform.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of `a` in place with a generator from {@link seededRandom}; returns `a`. */
export function shuffleInPlace<T>(a: T[], rand: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Split example indices into a training and a held-out part, stratified by label:
 * round(fraction × count) of each class (seeded shuffle per class, classes in ascending order)
 * go to `validation`. Used for the paper's random 80:20 test split and for validation
 * carve-outs.
 *
 * @param labels Class index of each example.
 * @param fraction Held-out fraction in [0, 1).
 * @param seed Seed of {@link seededRandom}.
 * @returns Sorted indices of both parts.
 * @throws Error when `fraction` is outside [0, 1).
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  fraction: number,
  seed: number,
): { train: number[]; validation: number[] } {
  if (!(fraction >= 0 && fraction < 1)) {
    throw new Error(`validationFraction: expected a number in [0, 1), got ${fraction}`);
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!byClass.has(l)) byClass.set(l, []);
    (byClass.get(l) as number[]).push(i);
  }
  const rand = seededRandom(seed);
  const train: number[] = [];
  const validation: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = shuffleInPlace(byClass.get(c) as number[], rand);
    const nv = Math.round(idx.length * fraction);
    validation.push(...idx.slice(0, nv));
    train.push(...idx.slice(nv));
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}
