import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  detectDataset,
  EMODB_LABELS,
  listWavFiles,
  loadDataset,
  parseEmodbName,
  parseRavdessName,
  RAVDESS_LABELS,
} from './datasets.js';

const DATA = resolve(import.meta.dirname, '../../../../shared/data');
const tmp = mkdtempSync(join(tmpdir(), 'serkit-ds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('file names', () => {
  it('parses RAVDESS names (SPEC §6)', () => {
    expect(parseRavdessName('/x/Actor_12/03-01-05-02-01-02-12.wav')).toEqual({
      label: 'angry',
      speaker: '12',
      modality: 3,
      vocalChannel: 1,
      emotion: 5,
      intensity: 2,
      statement: 1,
      repetition: 2,
      actor: 12,
    });
    expect(
      RAVDESS_LABELS.map((_, i) => parseRavdessName(`03-01-0${i + 1}-01-01-01-01.wav`)?.label),
    ).toEqual([...RAVDESS_LABELS]);
    expect(parseRavdessName('03-01-09-01-01-01-01.wav')).toBeNull();
    expect(parseRavdessName('03-01-05-01-01-01.wav')).toBeNull();
    expect(parseRavdessName('03a01Fa.wav')).toBeNull();
  });

  it('parses EMO-DB names (SPEC §6)', () => {
    expect(parseEmodbName('wav/03a01Fa.wav')).toEqual({
      label: 'happiness',
      speaker: '03',
      text: 'a01',
      letter: 'F',
      version: 'a',
    });
    const letters = {
      W: 'anger',
      L: 'boredom',
      E: 'disgust',
      A: 'fear',
      F: 'happiness',
      T: 'sadness',
      N: 'neutral',
    };
    for (const [l, label] of Object.entries(letters))
      expect(parseEmodbName(`16b10${l}b.wav`)?.label).toBe(label);
    expect(new Set(Object.values(letters))).toEqual(new Set(EMODB_LABELS));
    expect(parseEmodbName('03a01Xa.wav')).toBeNull();
    expect(parseEmodbName('03-01-05-01-01-01-01.wav')).toBeNull();
  });
});

describe('datasets on disk', () => {
  it('walks the RAVDESS folders: sorted, labelled, speakers = actors', () => {
    const ds = loadDataset([join(DATA, 'ravdess')]);
    expect(ds.kind).toBe('ravdess');
    expect(ds.items.length).toBe(720);
    expect(ds.labels).toEqual([...RAVDESS_LABELS]);
    const paths = ds.items.map((i) => i.path);
    expect([...paths].sort()).toEqual(paths);
    expect(new Set(ds.items.map((i) => i.speaker))).toEqual(
      new Set(Array.from({ length: 12 }, (_, a) => String(a + 1).padStart(2, '0'))),
    );
    expect(ds.items.every((i) => i.label !== null)).toBe(true);
    expect(ds.items[0]).toMatchObject({ label: 'neutral', speaker: '01' });
  });

  it('detects EMO-DB', () => {
    const ds = loadDataset([join(DATA, 'emodb')], 'auto');
    expect(ds.kind).toBe('emodb');
    expect(ds.items.length).toBe(535);
    expect(ds.labels).toEqual([...EMODB_LABELS]);
    expect(new Set(ds.items.map((i) => i.speaker)).size).toBe(10);
  });

  it('labels one-folder-per-label corpora and ignores non-WAV files', () => {
    const root = join(tmp, 'corpus');
    for (const [label, names] of [
      ['happy', ['b.wav', 'a.WAV', 'notes.txt']],
      ['sad', ['x.wav']],
    ] as const) {
      mkdirSync(join(root, label, 'sub'), { recursive: true });
      for (const n of names) writeFileSync(join(root, label, n), '');
      writeFileSync(join(root, label, 'sub', 'deep.wav'), '');
    }
    writeFileSync(join(root, 'stray.wav'), '');
    const ds = loadDataset([root]);
    expect(ds.kind).toBe('folders');
    expect(ds.labels).toEqual(['happy', 'sad']);
    expect(ds.items.map((i) => [i.path.slice(root.length + 1), i.label, i.speaker])).toEqual([
      ['happy/a.WAV', 'happy', null],
      ['happy/b.wav', 'happy', null],
      ['happy/sub/deep.wav', 'happy', null],
      ['sad/sub/deep.wav', 'sad', null],
      ['sad/x.wav', 'sad', null],
      ['stray.wav', null, null],
    ]);
    // A file given directly is labelled by its parent folder.
    expect(loadDataset([join(root, 'sad', 'x.wav')], 'folders').items[0].label).toBe('sad');
  });

  it('keeps input order, detects by majority, and reports missing inputs', () => {
    const a = join(DATA, 'ravdess/Actor_02/03-01-01-01-01-01-02.wav');
    const b = join(DATA, 'ravdess/Actor_01/03-01-01-01-01-01-01.wav');
    expect(listWavFiles([a, b]).map((e) => e.path)).toEqual([a, b]);
    expect(detectDataset([a, b, '/x/broken.wav'])).toBe('ravdess');
    expect(detectDataset(['/x/a.wav', a])).toBe('folders');
    const ds = loadDataset([a, '/dev/null'], 'ravdess');
    expect(ds.items[1]).toEqual({ path: '/dev/null', label: null, speaker: null });
    expect(() => listWavFiles(['/no/such/dir'])).toThrow(
      /no\/such\/dir: no such file or directory/,
    );
    expect(() => loadDataset([a], 'timit' as never)).toThrow(/invalid dataset 'timit'/);
  });
});
