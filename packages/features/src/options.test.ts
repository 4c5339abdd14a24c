import { createRequire } from 'node:module';
import type * as Native from '@serkit/dsp-native';
import { describe, expect, it } from 'vitest';
import { featureShape, nFrames, nSamples, resolveDspOptions } from './options.js';
import { DEFAULT_DSP_OPTIONS } from './types.js';

const native = createRequire(import.meta.url)('@serkit/dsp-native') as typeof Native;

describe('resolveDspOptions', () => {
  it('fills SPEC defaults', () => {
    const o = resolveDspOptions();
    expect(o).toEqual(DEFAULT_DSP_OPTIONS);
    expect(nSamples(o)).toBe(132300);
    expect(nFrames(o)).toBe(259);
    expect(featureShape()).toEqual([128, 259]);
    expect(featureShape({ nMels: 64, durationSeconds: 1 })).toEqual([64, 87]);
  });

  it('merges, keeping undefined as default and null where allowed', () => {
    const o = resolveDspOptions({ nMels: 64, fmax: 8000, topDb: null, trim: undefined });
    expect(o.nMels).toBe(64);
    expect(o.fmax).toBe(8000);
    expect(o.topDb).toBeNull();
    expect(o.trim).toBe(true);
  });

  it('agrees with the Rust core on the defaults and on merged values', () => {
    expect(native.resolveOptions({})).toEqual(resolveDspOptions());
    const o = { nMels: 64, fmax: 8000, topDb: null, melScale: 'htk', amin: 1e-5 } as const;
    expect(native.resolveOptions(o)).toEqual(resolveDspOptions(o));
  });

  const bad: [Record<string, unknown>, string][] = [
    [{ sampleRate: 1000 }, 'sampleRate'],
    [{ sampleRate: 44100.5 }, 'sampleRate'],
    [{ trim: 'yes' }, 'trim'],
    [{ trimTopDb: 0 }, 'trimTopDb'],
    [{ trimFrameLength: 8 }, 'trimFrameLength'],
    [{ trimHopLength: 4096 }, 'trimHopLength'],
    [{ wienerSize: 4 }, 'wienerSize'],
    [{ durationSeconds: 0 }, 'durationSeconds'],
    [{ nFft: 2047 }, 'nFft'],
    [{ hopLength: 0 }, 'hopLength'],
    [{ nMels: 0 }, 'nMels'],
    [{ nMels: 2000 }, 'nMels'],
    [{ fmin: -1 }, 'fmin'],
    [{ fmax: 30000 }, 'fmax'],
    [{ melScale: 'mel' }, 'melScale'],
    [{ dbRef: 0 }, 'dbRef'],
    [{ amin: -1 }, 'amin'],
    [{ topDb: -5 }, 'topDb'],
  ];

  it.each(bad)(
    'rejects %j naming the parameter, range and value (as the core does)',
    (opts, name) => {
      let tsMessage = '';
      try {
        resolveDspOptions(opts as never);
        expect.unreachable();
      } catch (e) {
        const err = e as Error & { code: string };
        expect(err.code).toBe('ERR_SER_INVALID_OPTION');
        expect(err.message).toMatch(
          new RegExp(`^invalid option \`${name}\`: expected .+, received .+$`),
        );
        tsMessage = err.message;
      }
      if (name === 'trim') return; // a type error the addon reports differently
      try {
        native.resolveOptions(opts as never);
        expect.unreachable();
      } catch (e) {
        const err = e as Error & { code: string };
        expect(err.code).toBe('ERR_SER_INVALID_OPTION');
        expect(err.message.split(':')[0]).toBe(tsMessage.split(':')[0]);
      }
    },
  );

  it('rejects unknown keys and non-objects', () => {
    expect(() => resolveDspOptions({ nmels: 3 } as never)).toThrow(
      expect.objectContaining({
        code: 'ERR_SER_INVALID_OPTION',
        message: expect.stringMatching(
          /^unknown option `nmels` \(did you mean `nMels`\?\): the DSP options are sampleRate, trim, .*, topDb$/,
        ),
      }),
    );
    expect(() => resolveDspOptions({ bogus: 1 } as never)).toThrow(
      /^unknown option `bogus`: the DSP options are sampleRate, /,
    );
    expect(() => resolveDspOptions(5 as never)).toThrow(/invalid option `options`/);
  });
});
