/** `n` and the noun, plural unless `n` is 1: `1 file`, `2 files`, `0 folds`. */
export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
