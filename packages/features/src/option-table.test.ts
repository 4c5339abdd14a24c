/** The option table: the JS fallback equals the core's table, and the documented defaults match. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadNative } from './engine.js';
import { FALLBACK_OPTION_TABLE, optionTable } from './option-table.js';
import { DEFAULT_DSP_OPTIONS } from './types.js';

describe('DSP option table', () => {
  it('the fallback copy equals the table the addon exports from the Rust core', () => {
    const native = loadNative().dspOptionTable();
    expect(native.map((s) => s.name)).toEqual(FALLBACK_OPTION_TABLE.map((s) => s.name));
    expect(native).toEqual(FALLBACK_OPTION_TABLE);
    expect(optionTable()).toEqual(native);
  });

  it('DEFAULT_DSP_OPTIONS and every @default of DspOptions come from the table', () => {
    const defaults = Object.fromEntries(optionTable().map((s) => [s.name, s.default]));
    expect(DEFAULT_DSP_OPTIONS).toEqual(defaults);
    const src = readFileSync(new URL('./types.ts', import.meta.url), 'utf8');
    const documented = Object.fromEntries(
      [...src.matchAll(/@default (\S+) \*\/\n\s+(\w+):/g)].map(([, v, name]) => [
        name,
        JSON.parse(v.replace(/'/g, '"')),
      ]),
    );
    expect(documented).toEqual(defaults);
  });
});
