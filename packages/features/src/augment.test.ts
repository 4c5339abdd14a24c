import { describe, expect, it } from 'vitest';
import { augmentationName, extractFilesAugmented, PAPER_AUGMENTATIONS } from './augment.js';
import { extractFiles } from './extract.js';

const DATA = new URL('../../../../shared/data/', import.meta.url).pathname;
const files = [
  `${DATA}emodb/wav/03a01Fa.wav`,
  `${DATA}emodb/wav/nope.wav`,
  `${DATA}emodb/wav/03a04Ta.wav`,
];
const LEN = 128 * 259;

describe('extractFilesAugmented', () => {
  it("adds the paper's four copies after each original, reproducibly", async () => {
    const a = await extractFilesAugmented(files, {}, { seed: 7, threads: 2 });
    expect(a.copiesPerFile).toBe(5);
    expect(a.shape).toEqual([10, 128, 259]);
    expect([...a.rows]).toEqual([0, -1, 5]);
    expect(a.errors[1]).toMatch(/nope\.wav: cannot read file/);
    const plain = await extractFiles(files);
    expect(a.features.subarray(0, LEN)).toEqual(plain.features.subarray(0, LEN));
    expect(a.features.subarray(5 * LEN, 6 * LEN)).toEqual(plain.features.subarray(LEN, 2 * LEN));
    const b = await extractFilesAugmented(files, {}, { seed: 7, threads: 1 });
    expect(b.features).toEqual(a.features);
  });

  it('names the augmentations and rejects bad ones with the parameter and range', async () => {
    expect(PAPER_AUGMENTATIONS.map(augmentationName)).toEqual([
      'noise0.1',
      'stretch1.1',
      'stretch0.8',
      'pitch+1.5',
    ]);
    await expect(
      extractFilesAugmented(files, {}, { augmentations: [{ kind: 'timeStretch', value: 9 }] }),
    ).rejects.toThrow(/timeStretch\.rate.*\[0\.25, 4\].*9/);
  });
});
