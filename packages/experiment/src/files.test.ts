/**
 * Labelled files: the notice for training on part of a corpus's classes.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { absentClassesNotice, loadEvents, loadLabelledFiles } from './files.js';

const DATA = resolve(import.meta.dirname, '../../../../shared/data');
const emodb = (...names: string[]) => names.map((n) => resolve(DATA, 'emodb/wav', n));

describe('absentClassesNotice', () => {
  it("names a corpus's classes without files, and that the model keeps them", () => {
    const files = loadLabelledFiles(emodb('03a01Wa.wav', '03a01Nc.wav'), 'auto');
    expect(files.kind).toBe('emodb');
    expect(absentClassesNotice(files)).toBe(
      "no file of classes boredom, disgust, fear, happiness, sadness: the model keeps EMO-DB's 7 classes but cannot learn those 5",
    );
  });

  it('is null when every class has a file, and for folder labels', () => {
    const all = loadLabelledFiles([resolve(DATA, 'emodb/wav')], 'emodb');
    expect(absentClassesNotice(all)).toBeNull();
    const ravdess = loadLabelledFiles([resolve(DATA, 'ravdess/Actor_01')], 'auto');
    expect(ravdess.kind).toBe('ravdess');
    expect(absentClassesNotice(ravdess)).toBeNull();
    const folders = loadLabelledFiles([resolve(DATA, 'ravdess')], 'folders');
    expect(absentClassesNotice(folders)).toBeNull();
  });
});

describe('loadEvents', () => {
  it('gives the walk notices, the unusable entries, then (training) the classes without files', () => {
    const files = loadLabelledFiles(
      [...emodb('03a01Wa.wav', '03a01Nc.wav'), resolve(DATA, 'README.md')],
      'emodb',
    );
    const training = loadEvents(files, true);
    expect(training.map((e) => e.type)).toEqual([
      ...files.notices.map(() => 'notice'),
      ...files.problems.map(() => 'problem'),
      'notice',
    ]);
    expect(training.at(-1)?.message).toBe(`note: ${absentClassesNotice(files)}`);
    expect(loadEvents(files, false)).toEqual(training.slice(0, -1));
  });
});
