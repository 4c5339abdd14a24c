/**
 * The DSP options as data: name, default and allowed range of each, in SPEC order (SPEC.md
 * §1–2). The source is the Rust core's `OPTION_TABLE` (`crates/ser-dsp/src/options.rs`), read
 * through the addon (`dspOptionTable()`); {@link FALLBACK_OPTION_TABLE} is the one copy used when
 * the addon cannot be loaded (the JS engine on a platform without a prebuilt binary), and
 * `option-table.test.ts` checks that it equals the native table.
 */
import type { DspOptionSpec, OptionBound } from '@serkit/dsp-native';
import { loadNative } from './engine.js';

export type { DspOptionSpec, OptionBound };

const int = (
  name: string,
  dflt: number,
  min: number | OptionBound,
  max: number | OptionBound,
  allowed: string,
  parity: DspOptionSpec['parity'] = 'any',
): DspOptionSpec => ({
  name,
  kind: 'integer',
  default: dflt,
  nullable: false,
  min,
  minExclusive: false,
  max,
  maxExclusive: false,
  parity,
  allowed,
});

const positive = (name: string, dflt: number): DspOptionSpec => ({
  name,
  kind: 'number',
  default: dflt,
  nullable: false,
  min: 0,
  minExclusive: true,
  maxExclusive: false,
  parity: 'any',
  allowed: 'a finite number > 0',
});

const boolean = (name: string, dflt: boolean): DspOptionSpec => ({
  name,
  kind: 'boolean',
  default: dflt,
  nullable: false,
  minExclusive: false,
  maxExclusive: false,
  parity: 'any',
  allowed: 'a boolean',
});

const halfRate: OptionBound = { option: 'sampleRate', factor: 0.5 };

/** The option table when the addon is missing; equal to the native one (tested). */
export const FALLBACK_OPTION_TABLE: readonly DspOptionSpec[] = Object.freeze([
  int('sampleRate', 44100, 8000, 192000, 'an integer in 8000..=192000 Hz'),
  boolean('trim', true),
  positive('trimTopDb', 60),
  int('trimFrameLength', 2048, 16, 65536, 'an integer in 16..=65536'),
  int(
    'trimHopLength',
    512,
    1,
    { option: 'trimFrameLength', factor: 1 },
    'an integer in 1..=trimFrameLength',
  ),
  boolean('wiener', true),
  int('wienerSize', 3, 1, 1025, 'an odd integer in 1..=1025', 'odd'),
  { ...positive('durationSeconds', 3), max: 600, allowed: 'a number in (0, 600]' },
  int('nFft', 2048, 16, 65536, 'an even integer in 16..=65536', 'even'),
  int('hopLength', 512, 1, { option: 'nFft', factor: 1 }, 'an integer in 1..=nFft'),
  int('nMels', 128, 1, 1024, 'an integer in 1..=1024'),
  {
    name: 'fmin',
    kind: 'number',
    default: 0,
    nullable: false,
    min: 0,
    minExclusive: false,
    max: halfRate,
    maxExclusive: true,
    parity: 'any',
    allowed: 'a number in [0, sampleRate/2)',
  },
  {
    name: 'fmax',
    kind: 'number',
    default: null,
    nullable: true,
    min: { option: 'fmin', factor: 1 },
    minExclusive: true,
    max: halfRate,
    maxExclusive: false,
    parity: 'any',
    allowed: 'a number in (fmin, sampleRate/2], or null',
  },
  {
    name: 'melScale',
    kind: 'choice',
    choices: ['slaney', 'htk'],
    default: 'slaney',
    nullable: false,
    minExclusive: false,
    maxExclusive: false,
    parity: 'any',
    allowed: "'slaney' or 'htk'",
  },
  positive('dbRef', 1),
  positive('amin', 1e-10),
  {
    name: 'topDb',
    kind: 'number',
    default: 80,
    nullable: true,
    min: 0,
    minExclusive: false,
    maxExclusive: false,
    parity: 'any',
    allowed: 'a finite number >= 0, or null',
  },
]);

let table: readonly DspOptionSpec[] | undefined;

/**
 * The option table: the addon's (the Rust core's `OPTION_TABLE`), or
 * {@link FALLBACK_OPTION_TABLE} when the addon cannot be loaded. Read once per process.
 */
export function optionTable(): readonly DspOptionSpec[] {
  if (!table) {
    try {
      table = Object.freeze(loadNative().dspOptionTable());
    } catch {
      table = FALLBACK_OPTION_TABLE;
    }
  }
  return table;
}

/**
 * True when `value` is allowed for option `spec`, given the other options `all` (bounds such
 * as `sampleRate / 2` read them). The same rule as the core's `OptionSpec::accepts_number`.
 */
export function optionAccepts(
  spec: DspOptionSpec,
  value: unknown,
  all: Readonly<Record<string, unknown>>,
): boolean {
  if (value === null) return spec.nullable;
  switch (spec.kind) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'choice':
      return typeof value === 'string' && (spec.choices ?? []).includes(value);
    case 'integer':
      if (!Number.isInteger(value)) return false;
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      break;
  }
  const v = value as number;
  if (spec.parity === 'odd' && Math.abs(v % 2) !== 1) return false;
  if (spec.parity === 'even' && v % 2 !== 0) return false;
  const bound = (b: number | OptionBound) =>
    typeof b === 'number' ? b : (all[b.option] as number) * b.factor;
  if (spec.min != null) {
    const lo = bound(spec.min);
    if (v < lo || (spec.minExclusive && v === lo)) return false;
  }
  if (spec.max != null) {
    const hi = bound(spec.max);
    if (v > hi || (spec.maxExclusive && v === hi)) return false;
  }
  return true;
}
