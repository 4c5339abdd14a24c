import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { CheckpointMismatchError } from './checkpoint.js';
import { buildCrnn } from './crnn.js';
import { stratifiedSplit } from './random.js';
import { SPEC_AUGMENT_DEFAULTS } from './spec-augment.js';
import { randomDataset, TINY } from './testing.js';
import { evaluate, predictProbabilities, train, zScoreOfAllValues } from './train.js';
import type { EpochEvent } from './types.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'serkit-train-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A TINY model trained with a checkpoint in `dir`, interrupted (Ctrl-C) after epoch `epoch`. */
async function interruptedRun(
  data: ReturnType<typeof randomDataset>,
  opts: Parameters<typeof train>[2],
  dir: string,
  epoch: number,
) {
  const ac = new AbortController();
  const model = await buildCrnn(TINY);
  const result = await train(model, data, {
    ...opts,
    checkpointDir: dir,
    signal: ac.signal,
    onEpochEnd: (e) => {
      if (e.epoch === epoch) ac.abort();
    },
  });
  return { model, result };
}

describe('train (real input shape, K = 8)', () => {
  it('one training step and a prediction leave no tensors behind', async () => {
    const tf = await loadBackend();
    const model = await buildCrnn({ numClasses: 8 });
    const data = randomDataset(4, 128, 259, 8, 1);
    const zs = zScoreOfAllValues(data.x);
    const before = tf.memory().numTensors;
    const p = await predictProbabilities(model, data.x.subarray(0, 128 * 259), zs);
    expect(tf.memory().numTensors).toBe(before);
    expect(p.length).toBe(8);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);

    const batches: number[] = [];
    const epochs: EpochEvent[] = [];
    const r = await train(model, data, {
      epochs: 1,
      batchSize: 4,
      validationFraction: 0,
      onBatchEnd: (e) => batches.push(e.loss),
      onEpochEnd: (e) => epochs.push(e),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(batches).toHaveLength(1);
    expect(Number.isFinite(batches[0])).toBe(true);
    expect(epochs[0]).toMatchObject({ epoch: 1, epochs: 1 });
    expect(epochs[0].seconds).toBeGreaterThan(0);
    expect(r.sizes).toEqual({ train: 4, validation: 0 });
    model.dispose();
  });
});

describe('train (tiny model)', () => {
  const data = randomDataset(48, 16, 20, 3, 3, true);

  it('learns a learnable problem, reports val loss/accuracy, restores the best epoch', async () => {
    const model = await buildCrnn({ ...TINY, l2: 0 });
    const opts = {
      epochs: 12,
      batchSize: 8,
      learningRate: 1e-2,
      validationFraction: 0.25,
      patience: 3,
    };
    const r = await train(model, data, opts);
    expect(r.sizes).toEqual({ train: 36, validation: 12 });
    const last = r.history.at(-1) as EpochEvent;
    expect(Number.isFinite(last.valLoss)).toBe(true);
    const bestLoss = Math.min(...r.history.map((h) => h.valLoss));
    expect(r.history[r.bestEpoch - 1].valLoss).toBe(bestLoss);
    // The model now holds the best epoch's weights: its validation loss is the best one.
    const split = stratifiedSplit(data.labels, 0.25, 42);
    const per = 16 * 20;
    const vx = new Float32Array(split.validation.length * per);
    split.validation.forEach((e, i) => {
      vx.set(data.x.subarray(e * per, (e + 1) * per), i * per);
    });
    const p = await predictProbabilities(model, vx, r.zscore);
    let ce = 0;
    split.validation.forEach((e, i) => {
      ce -= Math.log(Math.max(p[i * 3 + data.labels[e]], 1e-7));
    });
    expect(ce / split.validation.length).toBeCloseTo(bestLoss, 4);
    const report = await evaluate(model, data, r.zscore, ['a', 'b', 'c']);
    expect(report.accuracy).toBeGreaterThan(0.6);
    model.dispose();
  });

  it('stops early when validation loss stops improving', async () => {
    const noise = randomDataset(30, 16, 20, 3, 9, false);
    const model = await buildCrnn({ ...TINY, l2: 0 });
    const r = await train(model, noise, {
      epochs: 40,
      batchSize: 6,
      learningRate: 3e-2,
      validationFraction: 0.2,
      patience: 2,
    });
    expect(r.stoppedEarly).toBe(true);
    expect(r.history.length).toBeLessThan(40);
    expect(r.history.length - r.bestEpoch).toBe(2);
    model.dispose();
  });

  it('checkpoints every epoch; an interrupted run resumes and matches an uninterrupted one', async () => {
    const opts = {
      epochs: 3,
      batchSize: 8,
      learningRate: 1e-2,
      validationFraction: 0.25,
      patience: 5,
    };
    const ref = await buildCrnn(TINY);
    const full = await train(ref, data, opts);

    const dir = path.join(tmp, 'ckpt');
    const { model: m1, result: part } = await interruptedRun(data, opts, dir, 2);
    expect(part.aborted).toBe(true);
    expect(part.history).toHaveLength(2);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'best.bin',
      'optimizer.bin',
      'state.json',
      'weights.bin',
    ]);
    m1.dispose();

    // Simulate a kill between writeDirAtomic's two renames: only `.ckpt.old-*` is left.
    fs.renameSync(dir, path.join(tmp, '.ckpt.old-test'));
    const m2 = await buildCrnn({ ...TINY, seed: 999 }); // different init: weights must come from the checkpoint
    const resumed = await train(m2, data, { ...opts, checkpointDir: dir });
    expect(resumed.resumedFrom).toBe(2);
    expect(resumed.history).toHaveLength(3);
    resumed.history.forEach((h, i) => {
      expect(h.loss).toBeCloseTo(full.history[i].loss, 3);
      expect(h.valLoss).toBeCloseTo(full.history[i].valLoss, 3);
    });
    expect(resumed.bestEpoch).toBe(full.bestEpoch);
    ref.dispose();
    m2.dispose();
  });

  it('a resumed run continues bit for bit after a hundred Adam steps', async () => {
    // 36 fitting examples in batches of 2: 108 steps before the interruption, where tfjs's own
    // pow(β2, t + 1) differs from the running product an uninterrupted run has (from t = 2).
    const small = randomDataset(48, 16, 20, 3, 1);
    const opts = {
      epochs: 8,
      batchSize: 2,
      learningRate: 1e-3,
      validationFraction: 0.25,
      patience: 100,
    };
    const ref = await buildCrnn(TINY);
    const full = await train(ref, small, opts);
    const dir = path.join(tmp, 'ckpt-long');
    const { model: m1 } = await interruptedRun(small, opts, dir, 6);
    // The same checkpoint as one written before the powers were kept: it resumes, not bit for bit.
    const old = path.join(tmp, 'ckpt-long-old');
    fs.cpSync(dir, old, { recursive: true });
    const stateFile = path.join(old, 'state.json');
    const { adamBetaPowers, ...rest } = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    expect(adamBetaPowers).toHaveLength(2);
    fs.writeFileSync(stateFile, JSON.stringify(rest));
    const m3 = await buildCrnn(TINY);
    const approx = await train(m3, small, { ...opts, checkpointDir: old });
    expect(approx.resumedFrom).toBe(6);
    approx.history.forEach((h, i) => {
      expect(h.loss).toBeCloseTo(full.history[i].loss, 3);
    });
    m3.dispose();

    const m2 = await buildCrnn(TINY);
    const resumed = await train(m2, small, { ...opts, checkpointDir: dir });
    expect(resumed.resumedFrom).toBe(6);
    const losses = (h: EpochEvent[]) => h.map((e) => [e.loss, e.valLoss]);
    expect(losses(resumed.history)).toEqual(losses(full.history));
    const a = ref.getWeights().map((t) => Array.from(t.dataSync()));
    const b = m2.getWeights().map((t) => Array.from(t.dataSync()));
    expect(b).toEqual(a);
    for (const m of [ref, m1, m2]) m.dispose();
  });

  it('lets the event loop run between batches: an abort from a timer stops within one batch', async () => {
    const model = await buildCrnn(TINY);
    const ac = new AbortController();
    const batches: number[] = [];
    const r = await train(model, data, {
      epochs: 3,
      batchSize: 8,
      validationFraction: 0.25,
      signal: ac.signal,
      onBatchEnd: (e) => {
        batches.push(e.batch);
        // A macrotask, as a SIGINT handler is: it runs only if training yields to the loop.
        if (e.batch === 1) setImmediate(() => ac.abort());
      },
    });
    expect(r.aborted).toBe(true);
    expect(batches).toEqual([1]);
    expect(r.history).toHaveLength(0);
    model.dispose();
  });

  it('specAugment: true means SPEC_AUGMENT_DEFAULTS (checked against the input like them)', async () => {
    // The tiny model has 16 mel bands: the defaults' 16-band masks are too wide for it, and
    // `true` is refused with the same message as the defaults spelled out.
    const model = await buildCrnn(TINY);
    const message =
      /train option specAugment\.maxFrequencyWidth: expected an integer in 0…15 .*got 16/;
    await expect(train(model, data, { epochs: 1, specAugment: true })).rejects.toThrow(message);
    await expect(
      train(model, data, { epochs: 1, specAugment: { ...SPEC_AUGMENT_DEFAULTS } }),
    ).rejects.toThrow(message);
    model.dispose();
  });

  it('an option given as undefined keeps its default (as runExperiment passes unset ones)', async () => {
    const model = await buildCrnn(TINY);
    const r = await train(model, data, {
      epochs: 1,
      batchSize: 8,
      validationFraction: 0.25,
      dbReference: undefined,
      patience: undefined,
      specAugment: undefined,
    });
    expect(r.history).toHaveLength(1);
    expect(r.zscore.dbReference ?? 'absolute').toBe('absolute');
    model.dispose();
  });

  it('rejects bad input with one-line errors naming the parameter', async () => {
    const model = await buildCrnn(TINY);
    await expect(train(model, { x: new Float32Array(10), labels: [0] })).rejects.toThrow(
      /train data\.x: expected 1 × 320 = 320 values/,
    );
    await expect(train(model, { x: new Float32Array(320), labels: [5] })).rejects.toThrow(
      /train data\.labels\[0\]: expected a class index in 0…2, got 5/,
    );
    await expect(train(model, data, { batchSize: 0 })).rejects.toThrow(/train option batchSize/);
    await expect(
      predictProbabilities(model, new Float32Array(7), { mean: 0, std: 1 }),
    ).rejects.toThrow(/predict x: .*multiple of 16×20/);
    // A checkpoint left by another run (here: another learning rate) is refused, not resumed.
    const other = path.join(tmp, 'other');
    const once = { epochs: 1, batchSize: 8, validationFraction: 0.25, checkpointDir: other };
    await train(model, data, { ...once, learningRate: 1e-2 });
    expect(fs.readdirSync(other)).toContain('state.json');
    await expect(train(model, data, { ...once, learningRate: 2e-2 })).rejects.toThrow(
      `${other}: checkpoint is from a different run (learningRate: checkpoint 0.01, now 0.02); remove it to start over, or pass resume: false`,
    );
    model.dispose();
  });

  it('a checkpoint resumes only on the same examples, not on other data of the same size', async () => {
    const dir = path.join(tmp, 'same-size');
    const once = { epochs: 1, batchSize: 8, validationFraction: 0.25, checkpointDir: dir };
    const model = await buildCrnn(TINY);
    await train(model, data, once);
    // Same count, classes and options; one feature value changed.
    const x = data.x.slice();
    x[0] += 1;
    const error = await train(model, { x, labels: data.labels }, { ...once, epochs: 2 }).catch(
      (err: Error) => err,
    );
    expect(error).toBeInstanceOf(CheckpointMismatchError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${dir}: checkpoint is from a different run \\(examplesSha256: checkpoint "[0-9a-f]{16}", now "[0-9a-f]{16}" \\(other training examples: other files, or the same in another order or split\\)\\); remove it to start over`,
      ),
    );
    // A checkpoint written before the examples were hashed resumes, compared on the rest.
    const stateFile = path.join(dir, 'state.json');
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    delete state.fingerprint.examplesSha256;
    fs.writeFileSync(stateFile, JSON.stringify(state));
    const resumedAt: number[] = [];
    const r = await train(model, data, { ...once, onResume: (e) => resumedAt.push(e.epoch) });
    expect(resumedAt).toEqual([1]);
    expect(r.history).toHaveLength(1);
    model.dispose();
  });

  it('SpecAugment: masks the training batches only, reproducibly; a checkpoint with other masking is refused', async () => {
    const sa = { frequencyMasks: 2, maxFrequencyWidth: 4, timeMasks: 2, maxTimeWidth: 5 };
    const opts = {
      epochs: 2,
      batchSize: 8,
      learningRate: 1e-2,
      validationFraction: 0.25,
      patience: 5,
    };
    const run = async (extra: Parameters<typeof train>[2] = {}, seed = TINY.seed) => {
      const model = await buildCrnn({ ...TINY, seed });
      const r = await train(model, data, { ...opts, ...extra }).catch((err) => {
        model.dispose();
        throw err;
      });
      return { model, r };
    };
    const a = await run({ specAugment: sa });
    const b = await run({ specAugment: sa });
    const plain = await run();
    expect(a.r.history).toHaveLength(2);
    a.r.history.forEach((h, i) => {
      expect(h.loss).toBeCloseTo(b.r.history[i].loss, 4);
      expect(h.valLoss).toBeCloseTo(b.r.history[i].valLoss, 4);
    });
    // Same initial weights and shuffles: only the masks make the training loss differ.
    expect(Math.abs(a.r.history[0].loss - plain.r.history[0].loss)).toBeGreaterThan(1e-3);
    // Validation is not masked: the best epoch's validation loss is that of the raw inputs.
    const split = stratifiedSplit(data.labels, 0.25, 42);
    const per = 16 * 20;
    const vx = new Float32Array(split.validation.length * per);
    split.validation.forEach((e, i) => {
      vx.set(data.x.subarray(e * per, (e + 1) * per), i * per);
    });
    const p = await predictProbabilities(a.model, vx, a.r.zscore);
    let ce = 0;
    split.validation.forEach((e, i) => {
      ce -= Math.log(Math.max(p[i * 3 + data.labels[e]], 1e-7));
    });
    expect(ce / split.validation.length).toBeCloseTo(a.r.history[a.r.bestEpoch - 1].valLoss, 4);
    for (const m of [a, b, plain]) m.model.dispose();

    // Interrupted after epoch 1 and resumed: the masks of epoch 2 are those of an uninterrupted run.
    const dir = path.join(tmp, 'ckpt-spec-augment');
    const ac = new AbortController();
    const part = await run({
      specAugment: sa,
      checkpointDir: dir,
      signal: ac.signal,
      onEpochEnd: () => ac.abort(),
    });
    expect(part.r.history).toHaveLength(1);
    part.model.dispose();
    const resumed = await run({ specAugment: sa, checkpointDir: dir }, 999);
    expect(resumed.r.resumedFrom).toBe(1);
    resumed.r.history.forEach((h, i) => {
      expect(h.loss).toBeCloseTo(a.r.history[i].loss, 3);
    });
    const masks = JSON.stringify(sa);
    await expect(run({ checkpointDir: dir })).rejects.toThrow(
      `${dir}: checkpoint is from a different run (specAugment: checkpoint ${masks}, now (not set: the default)); remove it to start over, or pass resume: false`,
    );
    await expect(run({ checkpointDir: dir, specAugment: { ...sa, timeMasks: 1 } })).rejects.toThrow(
      `(specAugment: checkpoint ${masks}, now ${JSON.stringify({ ...sa, timeMasks: 1 })})`,
    );
    const off = path.join(tmp, 'ckpt-no-spec-augment');
    (await run({ epochs: 1, checkpointDir: off })).model.dispose();
    await expect(run({ checkpointDir: off, specAugment: sa })).rejects.toThrow(
      `(specAugment: checkpoint (not set: the default), now ${masks})`,
    );
    await expect(run({ specAugment: { ...sa, maxFrequencyWidth: 16 } })).rejects.toThrow(
      'train option specAugment.maxFrequencyWidth: expected an integer in 0…15 (narrower than the 16 mel bands), got 16',
    );
  });

  it('stratified split and z-score', () => {
    const s = stratifiedSplit([0, 0, 0, 0, 1, 1, 1, 1, 1, 1], 0.5, 1);
    expect(s.validation.filter((i) => i < 4)).toHaveLength(2);
    expect(s.validation.filter((i) => i >= 4)).toHaveLength(3);
    expect(stratifiedSplit([0, 1, 0, 1], 0.5, 3)).toEqual(stratifiedSplit([0, 1, 0, 1], 0.5, 3));
    const z = zScoreOfAllValues(new Float32Array([1, 2, 3, 4]));
    expect(z.mean).toBe(2.5);
    expect(z.std).toBeCloseTo(Math.sqrt(1.25), 12);
  });
});
