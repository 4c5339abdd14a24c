import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  detectDataset,
  EMODB_LABELS,
  listAudioFiles,
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
    // Actors 01–02 are WAV, 03–12 FLAC: one walk, every format.
    expect(new Set(ds.items.map((i) => i.speaker))).toEqual(
      new Set(Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'))),
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
    // Half the names are enough: a stray file beside a corpus file does not make folder
    // names labels (it is reported unlabelled instead).
    expect(detectDataset(['/x/a.wav', a])).toBe('ravdess');
    expect(detectDataset(['/x/a.wav', '/x/b.wav', a])).toBe('folders');
    const ds = loadDataset([a, '/dev/null'], 'ravdess');
    expect(ds.items[1]).toEqual({ path: '/dev/null', label: null, speaker: null });
    expect(() => listWavFiles(['/no/such/dir'])).toThrow(
      /no\/such\/dir: no such file or directory/,
    );
    expect(() => loadDataset([a], 'timit' as never)).toThrow(/invalid dataset 'timit'/);
  });
});

describe('listAudioFiles: every file once, every unusable entry named', () => {
  const root = join(tmp, 'walk');
  mkdirSync(join(root, 'real', 'sub'), { recursive: true });
  writeFileSync(join(root, 'real', 'a.wav'), '');
  writeFileSync(join(root, 'real', 'sub', 'b.Flac'), '');
  writeFileSync(join(root, 'real', 'notes.txt'), '');
  symlinkSync('.', join(root, 'real', 'loop')); // a loop: real/loop -> real
  symlinkSync('..', join(root, 'real', 'sub', 'up')); // another way back
  symlinkSync('a.wav', join(root, 'real', 'alias.wav')); // the same file twice
  symlinkSync('gone.wav', join(root, 'real', 'dangling.wav'));
  symlinkSync('gone.txt', join(root, 'real', 'dangling.txt')); // not audio: ignored
  symlinkSync('self.wav', join(root, 'real', 'self.wav')); // resolves to itself

  it('follows a symlink loop at most once and lists each real file once', () => {
    const r = listAudioFiles([join(root, 'real')]);
    expect(r.files.map((f) => f.path.slice(root.length + 1))).toEqual([
      'real/a.wav',
      'real/sub/b.Flac',
    ]);
    expect(r.notices.map((n) => `${n.path.slice(root.length + 1)}: ${n.message}`)).toEqual([
      `real/loop: symbolic link to ${join(root, 'real')}, a folder already walked; not followed again`,
      `real/sub/up: symbolic link to ${join(root, 'real')}, a folder already walked; not followed again`,
      `real/alias.wav: same file as ${join(root, 'real', 'a.wav')}; counted once`,
    ]);
    expect(r.skipped.map((s) => `${s.path.slice(root.length + 1)}: ${s.reason}`)).toEqual([
      'real/dangling.wav: dangling symbolic link: its target gone.wav does not exist',
      'real/self.wav: symbolic link loop: the link never resolves',
    ]);
  });

  it('counts a file named twice once, with a notice, and names a missing input', () => {
    const a = join(root, 'real', 'a.wav');
    const r = listAudioFiles([
      a,
      join(root, 'real', 'alias.wav'),
      a,
      '/no/such/x.wav',
      '/no/such/../such/x.wav', // the same unusable entry again: one line
    ]);
    expect(r.files).toEqual([{ path: a, root: null }]);
    expect(r.notices.map((n) => n.message)).toEqual([
      `same file as ${a}; counted once`,
      `same file as ${a}; counted once`,
    ]);
    expect(r.skipped).toEqual([{ path: '/no/such/x.wav', reason: 'no such file or directory' }]);
    // A folder named after a file inside it: the file is not listed twice.
    const both = listAudioFiles([a, join(root, 'real')]);
    expect(both.files.map((f) => f.path)).toEqual([a, join(root, 'real', 'sub', 'b.Flac')]);
  });

  it('says when an input folder holds no audio file', () => {
    const empty = join(root, 'empty');
    mkdirSync(join(empty, 'docs'), { recursive: true });
    writeFileSync(join(empty, 'docs', 'notes.txt'), 'not audio');
    const a = join(root, 'real', 'a.wav');
    const r = listAudioFiles([a, empty]);
    expect(r.files).toEqual([{ path: a, root: null }]);
    expect(r.notices).toEqual([{ path: empty, message: 'no audio files in this folder' }]);
    expect(r.skipped).toEqual([]);
  });

  it('parses EMO-DB and RAVDESS names whatever the extension case or format', () => {
    const emo = join(tmp, 'emo');
    mkdirSync(emo);
    for (const n of ['03a01Fa.WAV', '03a01Wa.flac', '08b02Ta.Mp3']) writeFileSync(join(emo, n), '');
    const ds = loadDataset([emo]);
    expect(ds.kind).toBe('emodb');
    expect(ds.items.map((i) => [i.label, i.speaker])).toEqual([
      ['happiness', '03'],
      ['anger', '03'],
      ['sadness', '08'],
    ]);
    expect(parseRavdessName('03-01-05-02-01-02-12.FLAC')?.label).toBe('angry');
  });
});
