import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBackend } from './backend.js';
import { buildCrnn } from './crnn.js';
import { topologyInputShape } from './metadata.js';
import {
  checkModelFolder,
  diffDspOptions,
  loadModel,
  readMetadata,
  saveModel,
  writeDirAtomic,
} from './persistence.js';
import { randomDataset, TINY } from './testing.js';
import { predictProbabilities } from './train.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'serkit-persist-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const dsp = {
  sampleRate: 44100,
  nFft: 2048,
  hopLength: 512,
  nMels: 16,
  melScale: 'slaney',
  topDb: 80,
};
const zscore = { mean: -50, std: 12 };

/** Save an untrained TINY model (input 16 × 20, classes a, b, c) as `tmp/<name>`. */
async function saveTiny(name: string, dspOptions: Record<string, unknown> = dsp): Promise<string> {
  const model = await buildCrnn(TINY);
  const dir = path.join(tmp, name);
  await saveModel(dir, model, {
    classNames: ['a', 'b', 'c'],
    zscore,
    dsp: dspOptions,
    inputShape: [16, 20, 1],
    crnn: TINY as never,
  });
  model.dispose();
  return dir;
}

describe('saveModel / loadModel', () => {
  it('round-trips weights (same predictions) and metadata', async () => {
    const tf = await loadBackend();
    const model = await buildCrnn(TINY);
    const dir = path.join(tmp, 'm1');
    await saveModel(dir, model, {
      classNames: ['a', 'b', 'c'],
      zscore,
      dsp,
      inputShape: [16, 20, 1],
      crnn: { ...TINY, l2: 1e-4, lstmUnits: 4 } as never,
      dataset: { name: 'synthetic', examples: 12 },
      split: { kind: 'stratified', test: 0.2, seed: 1 },
      seed: 42,
    });
    expect(fs.readdirSync(dir).sort()).toEqual(['metadata.json', 'model.json', 'weights.bin']);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('.'))).toEqual([]);
    const meta = readMetadata(dir);
    expect(meta.format).toBe('serkit-crnn');
    expect(meta.versions.tfjs).toBe(tf.version_core);
    expect(meta.versions['@serkit/model']).toBe('0.1.0');
    expect(meta.dataset).toEqual({ name: 'synthetic', examples: 12 });

    const x = randomDataset(2, 16, 20, 3, 5).x;
    const before = await predictProbabilities(model, x, zscore);
    const loaded = await loadModel(dir, { dsp: { ...dsp } });
    expect(loaded.metadata.classNames).toEqual(['a', 'b', 'c']);
    const after = await predictProbabilities(loaded.model, x, loaded.metadata.zscore);
    expect(Array.from(after)).toEqual(Array.from(before));
    // Also readable by plain tf.loadLayersModel (tfjs layers format).
    const plain = await tf.loadLayersModel(`file://${path.join(dir, 'model.json')}`);
    expect(plain.countParams()).toBe(model.countParams());
    plain.dispose();
    loaded.model.dispose();
    model.dispose();
  });

  it('refuses a model whose DSP options differ, naming each option', async () => {
    const dir = await saveTiny('m2');
    await expect(loadModel(dir, { dsp: { ...dsp, nMels: 64, melScale: 'htk' } })).rejects.toThrow(
      /metadata\.json: model was trained with different DSP options \(melScale: model has "slaney", given "htk"; nMels: model has 16, given 64\)/,
    );
    // Options left out are named once, with the way to fill them in.
    await expect(loadModel(dir, { dsp: { nMels: 64 } })).rejects.toThrow(
      /metadata\.json: model was trained with different DSP options \(nMels: model has 16, given 64\); the DSP options given leave out hopLength, melScale, nFft, sampleRate, topDb \(pass complete options: resolveDspOptions\(\) of @serkit\/features fills in the defaults\)$/,
    );
  });

  it("refuses a model whose metadata's DSP options give another input shape than the model", async () => {
    // 3 s at 44.1 kHz with hop 512: 259 frames of 16 mel bands; the model's input is 16 × 20.
    const dir = await saveTiny('m-shape', { ...dsp, durationSeconds: 3 });
    const message =
      /m-shape\/metadata\.json: its dsp options give 16 × 259 log-mel inputs, but the model's input is 16 × 20$/;
    await expect(loadModel(dir)).rejects.toThrow(message);
    // The same check from the files alone, before TensorFlow or any feature extraction.
    expect(() => checkModelFolder(dir)).toThrow(message);
    expect(
      topologyInputShape(JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'))),
    ).toEqual([16, 20]);
    // A topology that does not say (here: no input layer) leaves the check to loadModel.
    expect(topologyInputShape({ modelTopology: { config: { layers: [] } } })).toBeNull();
  });

  it("reads the shipped models' input shape from model.json alone", () => {
    for (const name of ['ravdess', 'emodb']) {
      const dir = path.resolve(import.meta.dirname, `../../model-${name}/model`);
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      expect(topologyInputShape(json)).toEqual([128, 259]);
      expect(checkModelFolder(dir).metadata.dsp.nMels).toBe(128);
    }
  });

  it('checkModelFolder refuses each kind of broken folder without TensorFlow, naming the file', async () => {
    const good = await saveTiny('m-good'); // input 16 × 20, 3 outputs
    expect(checkModelFolder(good).metadata.classNames).toEqual(['a', 'b', 'c']);
    const json = (f: string) => JSON.parse(fs.readFileSync(path.join(good, f), 'utf8'));
    // Each variant: a copy of the good folder with one file changed (null: removed).
    const variants: [string, Record<string, string | Buffer | null>, RegExp][] = [
      ['no-weights', { 'weights.bin': null }, /no-weights\/weights\.bin: weights file missing$/],
      [
        'short-weights',
        { 'weights.bin': Buffer.alloc(250) },
        /short-weights\/weights\.bin: 250 bytes of weights, but model\.json's manifest needs \d+$/,
      ],
      [
        'no-model-json',
        { 'model.json': null },
        /no-model-json\/model\.json: cannot read \(ENOENT\)$/,
      ],
      [
        'not-layers',
        { 'model.json': '{"format":"graph-model"}' },
        /not-layers\/model\.json: not a tfjs layers model/,
      ],
      [
        'more-classes',
        {
          'metadata.json': JSON.stringify({
            ...json('metadata.json'),
            classNames: ['a', 'b', 'c', 'd'],
            crnn: { ...TINY, numClasses: 4 },
          }),
        },
        /more-classes\/metadata\.json: 4 class names but the model has 3 outputs$/,
      ],
      [
        'duplicate-class',
        {
          'metadata.json': JSON.stringify({
            ...json('metadata.json'),
            classNames: ['a', 'b', 'a'],
          }),
        },
        /duplicate-class\/metadata\.json: duplicate class name "a"$/,
      ],
      [
        'input-shape',
        {
          'metadata.json': JSON.stringify({ ...json('metadata.json'), inputShape: [16, 21, 1] }),
        },
        /input-shape\/metadata\.json: inputShape is \[16, 21, 1\], but the model's input is \[16, 20, 1\]$/,
      ],
      [
        'num-classes',
        {
          'metadata.json': JSON.stringify({
            ...json('metadata.json'),
            crnn: { ...TINY, numClasses: 2 },
          }),
        },
        /num-classes\/metadata\.json: crnn\.numClasses is 2 but classNames lists 3 classes$/,
      ],
    ];
    const manifest = json('model.json');
    const withWeights = (
      change: (w: { name: string; dtype: string }[], m: typeof manifest) => void,
    ) => {
      const m = structuredClone(manifest);
      change(m.weightsManifest[0].weights, m);
      return JSON.stringify(m);
    };
    variants.push(
      [
        'int32-weight',
        {
          'model.json': withWeights((w) => {
            w[0].dtype = 'int32';
          }),
        },
        /int32-weight\/model\.json: weight "[^"]+" has dtype "int32"; serkit models' weights are float32$/,
      ],
      [
        'weights-outside',
        {
          'model.json': withWeights((_, m) => {
            m.weightsManifest[0].paths = ['../m-good/weights.bin'];
          }),
        },
        /weights-outside\/model\.json: weights path "\.\.\/m-good\/weights\.bin" is outside the model folder$/,
      ],
      [
        'garbled-json',
        { 'model.json': '{"modelTopology":\n  garbage\n}' },
        /garbled-json\/model\.json: invalid JSON \([^\n]*\)$/,
      ],
    );
    for (const [name, files, message] of variants) {
      const dir = path.join(tmp, name);
      fs.cpSync(good, dir, { recursive: true });
      for (const [f, content] of Object.entries(files)) {
        if (content === null) fs.rmSync(path.join(dir, f));
        else fs.writeFileSync(path.join(dir, f), content);
      }
      expect(() => checkModelFolder(dir), name).toThrow(message);
      await expect(loadModel(dir), name).rejects.toThrow(message);
      await expect(loadModel(dir), name).rejects.toMatchObject({ code: 'ERR_SER_INVALID_MODEL' });
    }
    const folder = path.join(tmp, 'weights-folder');
    fs.cpSync(good, folder, { recursive: true });
    fs.rmSync(path.join(folder, 'weights.bin'));
    fs.mkdirSync(path.join(folder, 'weights.bin'));
    expect(() => checkModelFolder(folder)).toThrow(/weights-folder\/weights\.bin: not a file$/);
  });

  it('replaces an existing folder atomically and keeps it when writing fails', async () => {
    const dir = path.join(tmp, 'atomic');
    await writeDirAtomic(dir, async (t) => fs.writeFileSync(path.join(t, 'a'), '1'));
    await writeDirAtomic(dir, async (t) => fs.writeFileSync(path.join(t, 'b'), '2'));
    expect(fs.readdirSync(dir)).toEqual(['b']);
    await expect(
      writeDirAtomic(dir, async (t) => {
        fs.writeFileSync(path.join(t, 'c'), '3');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(fs.readdirSync(dir)).toEqual(['b']);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('bad input: one-line errors naming the file or parameter', async () => {
    await expect(loadModel(path.join(tmp, 'nope'))).rejects.toThrow(/nope: no such model folder/);
    const bad = path.join(tmp, 'bad');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'metadata.json'), '{"format":"other"}');
    await expect(loadModel(bad)).rejects.toThrow(/bad\/metadata\.json: not a serkit model/);
    fs.writeFileSync(path.join(bad, 'metadata.json'), '{oops');
    await expect(loadModel(bad)).rejects.toThrow(/bad\/metadata\.json: invalid JSON/);
    const model = await buildCrnn(TINY);
    await expect(
      saveModel(path.join(tmp, 'm3'), model, {
        classNames: ['a'],
        zscore,
        dsp,
        inputShape: [16, 20, 1],
        crnn: TINY as never,
      }),
    ).rejects.toThrow(/metadata\.classNames: expected 3 names/);
    model.dispose();
    expect(diffDspOptions({ a: 1, b: [1, 2] }, { a: 1, b: [1, 2] })).toEqual([]);
    expect(diffDspOptions({ a: 1 }, { b: 2 })).toEqual([
      'a: model has 1, given (unset)',
      'b: model has (unset), given 2',
    ]);
  });
});
