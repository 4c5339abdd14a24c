/** The JS engine behind the DspEngine interface: sync calls, async calls on the shared pool, abort. */
import { describe, expect, it } from 'vitest';
import { getEngine } from '../engine.js';
import { resolveDspOptions } from '../options.js';
import { encodeWav } from '../testing.js';
import { jsEngine } from './engine.js';
import { JsLogMelExtractor } from './pipeline.js';
import { dataPath } from './testing.js';

const o = resolveDspOptions({});
const file = dataPath('emodb/wav/03a01Fa.wav');

describe('jsEngine', () => {
  it('is registered under the name js', () => {
    expect(getEngine('js')).toBe(jsEngine);
  });

  it('sync and async calls give the extractor’s numbers; async inputs are not detached', async () => {
    const direct = new JsLogMelExtractor(o).extractFile(file);
    expect(Array.from(jsEngine.extractFileSync(file, o))).toEqual(Array.from(direct));
    expect(Array.from(await jsEngine.extractFile(file, o))).toEqual(Array.from(direct));
    const audio = jsEngine.readWav(file);
    const y = await jsEngine.preprocess(audio.samples, audio.sampleRate, o);
    expect(audio.samples.length).toBe(44100); // still usable after the call
    expect(Array.from(y)).toEqual(
      Array.from(jsEngine.preprocessSync(audio.samples, audio.sampleRate, o)),
    );
    const mel = await jsEngine.logMelSpectrogram(y, o);
    expect(Array.from(mel)).toEqual(Array.from(direct));
    expect(Array.from(await jsEngine.extract(audio.samples, audio.sampleRate, o))).toEqual(
      Array.from(direct),
    );
    const bytes = encodeWav(audio.samples, audio.sampleRate, { encoding: 'float32' });
    expect(Array.from(jsEngine.decodeWav(bytes).samples)).toEqual(Array.from(audio.samples));
  });

  it('async calls reject with an AbortError when the signal fires, and errors keep their codes', async () => {
    await expect(jsEngine.extractFile(file, o, AbortSignal.abort())).rejects.toMatchObject({
      code: 'ABORT_ERR',
    });
    const ctrl = new AbortController();
    const pending = jsEngine.extractFile(file, o, ctrl.signal);
    ctrl.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(jsEngine.extract(new Float32Array(1000), 16000, o)).rejects.toMatchObject({
      code: 'ERR_SER_SILENT',
    });
    await expect(jsEngine.extractFile('/nonexistent.wav', o)).rejects.toMatchObject({
      code: 'ERR_SER_IO',
      message: expect.stringMatching(/^\/nonexistent\.wav: cannot read file/),
    });
  });

  it('bulk extraction through the interface', async () => {
    const progress: number[] = [];
    const r = await jsEngine.extractFiles([file, '/nonexistent.wav'], o, {
      threads: 1,
      onProgress: (p) => progress.push(p.done),
    });
    expect(Array.from(r.rows)).toEqual([0, -1]);
    expect(r.codes).toEqual([null, 'ERR_SER_IO']);
    expect(progress).toEqual([1, 2]);
  });
});
