import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExperimentError } from './errors.js';
import { checkExperimentFolder, EXPERIMENT_FILES } from './write.js';

const tmp = mkdtempSync(join(tmpdir(), 'serkit-write-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function refusal(dir: string): string {
  try {
    checkExperimentFolder(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(ExperimentError);
    return (err as Error).message;
  }
  throw new Error(`${dir}: expected a refusal`);
}

describe('checkExperimentFolder', () => {
  it('accepts a new or empty folder, and one holding only an earlier run’s files (returned)', () => {
    expect(checkExperimentFolder(join(tmp, 'new'))).toEqual([]);
    mkdirSync(join(tmp, 'empty'));
    expect(checkExperimentFolder(join(tmp, 'empty'))).toEqual([]);
    const earlier = join(tmp, 'earlier');
    mkdirSync(earlier);
    for (const f of EXPERIMENT_FILES) writeFileSync(join(earlier, f), '');
    expect(checkExperimentFolder(earlier)).toEqual([...EXPERIMENT_FILES].sort());
  });

  it('refuses a folder holding anything else, naming what is in the way; loses nothing', () => {
    const mixed = join(tmp, 'mixed');
    mkdirSync(join(mixed, 'data'), { recursive: true });
    for (const f of ['model.json', 'weights.bin', 'thesis.txt', 'a.wav', 'b.wav']) {
      writeFileSync(join(mixed, f), 'x');
    }
    expect(refusal(mixed)).toBe(
      `${mixed}: holds files that are not an experiment's (a.wav, b.wav, data/ and 1 more): the model and report replace the folder as a whole; choose a new or empty folder`,
    );
    // A folder under an experiment file's name is not that file.
    const odd = join(tmp, 'odd');
    mkdirSync(join(odd, 'report.md'), { recursive: true });
    expect(refusal(odd)).toMatch(/\(report\.md\/\)/);
    writeFileSync(join(tmp, 'file'), 'x');
    expect(refusal(join(tmp, 'file'))).toBe(`${join(tmp, 'file')}: exists and is not a folder`);
    expect(refusal(join(tmp, 'file', 'x'))).toBe(
      `${join(tmp, 'file', 'x')}: a parent is not a folder`,
    );
    // The caller's own files, written with the run's (a cross-validation fold's record).
    const fold = join(tmp, 'fold');
    mkdirSync(fold);
    writeFileSync(join(fold, 'fold.json'), '{');
    writeFileSync(join(fold, 'report.md'), '');
    expect(refusal(fold)).toMatch(/\(fold\.json\)/);
    expect(checkExperimentFolder(fold, ['fold.json'])).toEqual(['fold.json', 'report.md']);
  });

  it('refuses the working folder and a folder that holds it, even when empty', () => {
    const cwd = process.cwd();
    const inner = join(tmp, 'work', 'inner');
    mkdirSync(inner, { recursive: true });
    process.chdir(inner);
    try {
      expect(refusal('.')).toBe(
        '.: is the working folder: the model and report replace the folder as a whole; name a new folder (e.g. model)',
      );
      expect(refusal('..')).toMatch(/^\.\.: holds the working folder: /);
      expect(refusal(relative(inner, join(tmp, 'work')))).toMatch(/holds the working folder/);
      expect(checkExperimentFolder('model')).toEqual([]);
      symlinkSync(join(tmp, 'work'), join(tmp, 'link-to-parent'));
      expect(refusal(join(tmp, 'link-to-parent'))).toMatch(/holds the working folder/);
    } finally {
      process.chdir(cwd);
    }
  });
});
