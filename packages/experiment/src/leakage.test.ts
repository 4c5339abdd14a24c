/**
 * The leakage guard on a tiny fixture: real EMO-DB clips of speakers 03 and 08, and one clip
 * of speaker 03 copied under a speaker-08 name. Any speaker split puts the two copies on
 * opposite sides, and the experiment refuses it, naming both paths, before any training.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256File } from './cache.js';
import { ExperimentError } from './errors.js';
import { runExperiment } from './experiment.js';
import { assertNoLeakage } from './leakage.js';

const EMODB = resolve(import.meta.dirname, '../../../../shared/data/emodb/wav');
const tmp = mkdtempSync(join(tmpdir(), 'serkit-leak-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const wavs = readdirSync(EMODB).sort();
for (const speaker of ['03', '08']) {
  for (const letter of 'WN') {
    for (const f of wavs.filter((w) => w.startsWith(speaker) && w[5] === letter).slice(0, 2))
      copyFileSync(join(EMODB, f), join(tmp, f));
  }
}
const original = wavs.find((w) => w.startsWith('03') && w[5] === 'W') as string;
// The same recording under a speaker-08 name (a merged copy of the corpus, say).
const copy = `08b99${original[5]}z.wav`;
copyFileSync(join(EMODB, original), join(tmp, copy));

describe('leakage guard', () => {
  it('refuses the same audio content in training and test, naming both paths', async () => {
    const run = runExperiment({ data: [tmp], dataset: 'emodb', split: 'speaker', cacheDir: null });
    await expect(run).rejects.toThrow(ExperimentError);
    const message = String(await run.catch((e: Error) => e.message));
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^leakage in --split speaker: /);
    expect(message).toContain(join(tmp, original));
    expect(message).toContain(join(tmp, copy));
    expect(message).toContain('have the same audio content');
  });

  it('lets different content through', () => {
    const paths = [join(tmp, original), join(tmp, copy), join(EMODB, wavs[1])];
    const hashes = paths.map(sha256File);
    expect(hashes[0]).toBe(hashes[1]);
    expect(() => assertNoLeakage(paths, hashes, [0], [2])).not.toThrow();
    expect(() => assertNoLeakage(paths, hashes, [0, 2], [1], 'fold 2')).toThrow(
      `leakage in fold 2: ${paths[0]} (training) and ${paths[1]} (test)`,
    );
  });
});
