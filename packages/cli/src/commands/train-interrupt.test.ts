/**
 * Ctrl-C during `ser train`, end to end through the built binary: a real SIGINT to the child
 * in the middle of an epoch stops it within a batch (exit 130, nothing written, a checkpoint
 * kept), and the same command resumes and ends with the model of an uninterrupted run. The
 * repository's demo set (42 EMO-DB clips: 2 batches per epoch), 2 epochs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SER_BIN as BIN, runSer } from '../testing.js';

const DEMO = resolve(import.meta.dirname, '../../../../demo/emodb');
const tmp = mkdtempSync(join(tmpdir(), 'serkit-interrupt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const env = { ...process.env, SER_CACHE_DIR: join(tmp, 'cache') };
const trainArgs = (out: string) => ['train', '--data', DEMO, '--out', out, '--epochs', '2'];

const ser = (...args: string[]) => runSer(args, { env });

/** Float32 weights of a saved model. */
const weights = (dir: string) => {
  const b = readFileSync(join(dir, 'weights.bin'));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

describe('ser train: Ctrl-C and resume', () => {
  it('stops within a batch on SIGINT (exit 130, nothing written), then resumes to the uninterrupted model', async () => {
    const reference = join(tmp, 'reference');
    const full = ser(...trainArgs(reference));
    expect(full.code, full.stderr).toBe(0);
    // Results on stdout: the summary names every file written, spectrogram.png included.
    expect(full.stdout).toMatch(/^accuracy [\d.]+ %, UAR [\d.]+ % on 7 utterances/);
    const report = JSON.parse(readFileSync(join(reference, 'report.json'), 'utf8'));
    expect(full.stdout).toContain(
      `accuracy ${(100 * report.accuracy).toFixed(2)} %, UAR ${(100 * report.uar).toFixed(2)} % on 7 utterances`,
    );
    expect(full.stdout).toContain(
      `report: ${reference}/report.md (model.json, weights.bin, metadata.json, report.md, report.json, confusion-matrix.svg, confusion-matrix.png, training-curves.png, spectrogram.png)`,
    );
    expect(readFileSync(join(reference, 'report.md'), 'utf8')).toContain('(spectrogram.png)');

    const out = join(tmp, 'interrupted');
    const child = spawn(process.execPath, [BIN, ...trainArgs(out)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    let signalled = 0;
    child.stderr.on('data', (d) => {
      stderr += d;
      // Interrupt as soon as epoch 1 is done: the signal arrives in epoch 2's first batch.
      if (!signalled && /epoch 1\/2: /.test(stderr)) {
        signalled = performance.now();
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    const stopSeconds = (performance.now() - signalled) / 1000;
    expect(signalled).toBeGreaterThan(0);
    expect(code, stderr).toBe(130);
    // One batch of 16 takes a few seconds on a 2-core machine; training to the end would not.
    expect(stopSeconds).toBeLessThan(15);
    expect(stderr).not.toMatch(/epoch 2\/2: /);
    expect(stderr).toContain(
      `ser train: interrupted after epoch 1; ${out} was not written; run the same command again to resume from ${out}.checkpoint`,
    );
    expect(stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.checkpoint`)).toBe(true);

    // The same command with other options does not resume that checkpoint: one line, exit 2,
    // the checkpoint kept, and no "resuming" announced first.
    const other = ser(...trainArgs(out), '--spec-augment');
    expect(other.code, other.stderr).toBe(2);
    expect(other.stderr).not.toContain('resuming');
    expect(other.stderr).toContain(
      `ser: error: ${out}.checkpoint: checkpoint is from a different run (specAugment: checkpoint (not set: the default), now {"frequencyMasks":2,"maxFrequencyWidth":16,"timeMasks":2,"maxTimeWidth":26}): remove it to start over\n`,
    );
    expect(existsSync(`${out}.checkpoint`)).toBe(true);

    const resumed = ser(...trainArgs(out));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`ser train: resuming from ${out}.checkpoint (1 epoch done)`);
    expect(resumed.stderr).not.toMatch(/epoch 1\/2: /);
    expect(resumed.stderr).toMatch(/epoch 2\/2: /);
    expect(existsSync(`${out}.checkpoint`)).toBe(false);

    // The same model as the uninterrupted run.
    const a = weights(reference);
    const b = weights(out);
    expect(b.length).toBe(a.length);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    expect(maxDiff).toBeLessThan(1e-5);
    const ra = JSON.parse(readFileSync(join(reference, 'report.json'), 'utf8'));
    const rb = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(rb.confusion).toEqual(ra.confusion);
    expect(rb.bestEpoch).toBe(ra.bestEpoch);
    rb.epochs.forEach((e: { loss: number }, i: number) => {
      expect(e.loss).toBeCloseTo(ra.epochs[i].loss, 5);
    });
    // The reports say which run was resumed, and that its training time is the resumed part.
    expect(ra.resumedAfterEpoch).toBeUndefined();
    expect(rb.resumedAfterEpoch).toBe(1);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(
      'resumed from a checkpoint after epoch 1 (the training time below is the resumed part)',
    );
  }, 600_000);
});
