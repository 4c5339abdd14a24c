/**
 * The two engines agree: mean |Δ| of the log-mel (dB) between the native
 * engine and the JS engine ≤ 0.05 dB on the files of ../shared/data (a fixed
 * sample of every 8th file, RAVDESS and EMO-DB, so that the test stays fast;
 * `npm run bench:engines` in benchmarks/ checks all 655). Both sides run their
 * bulk paths: the native extractFiles and the JS worker pool.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DSP_OPTIONS } from '../types.js';
import { extractFilesJs } from './pool.js';
import { allDataFiles, dataPath, tryNative } from './testing.js';

const { native, reason } = tryNative();
const files = allDataFiles()
  .filter((_, i) => i % 8 === 0)
  .map(dataPath);

describe('native vs JS engine', () => {
  it.skipIf(!native)(
    `mean |Δ| ≤ 0.05 dB on ${files.length} shared files${reason ? ` (skipped: the native addon @serkit/dsp-native is not built: ${reason})` : ''}`,
    async () => {
      const opts = { ...DEFAULT_DSP_OPTIONS };
      const [js, nat] = await Promise.all([
        extractFilesJs(files, opts, { threads: 2 }),
        native.extractFiles(files, opts, { threads: 1 }),
      ]);
      expect(js.errors.every((e) => e === null)).toBe(true);
      expect(Array.from(js.rows)).toEqual(Array.from(nat.rows));
      expect(js.features.length).toBe(nat.features.length);
      const per = 128 * 259;
      let sum = 0;
      let worstFile = 0;
      for (let f = 0; f < files.length; f++) {
        let s = 0;
        for (let i = f * per; i < (f + 1) * per; i++)
          s += Math.abs(js.features[i] - nat.features[i]);
        sum += s;
        worstFile = Math.max(worstFile, s / per);
      }
      const mean = sum / js.features.length;
      console.log(
        `native vs JS on ${files.length} files: mean |Δ| = ${mean.toExponential(3)} dB (worst file ${worstFile.toExponential(3)} dB)`,
      );
      expect(mean).toBeLessThanOrEqual(0.05);
      expect(worstFile).toBeLessThanOrEqual(0.05);
    },
  );
});
