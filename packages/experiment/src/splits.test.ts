/**
 * The splits on the real EMO-DB labels and speakers (535 files, 10 speakers, 7 classes):
 * partitions, stratification, speaker independence, determinism per seed.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLabelledFiles } from './files.js';
import {
  carveValidation,
  leaveOneSpeakerOut,
  randomSplit,
  speakerKFold,
  speakerSplit,
  stratifiedKFold,
} from './splits.js';

const EMODB = resolve(import.meta.dirname, '../../../../shared/data/emodb/wav');
const files = loadLabelledFiles([EMODB], 'emodb');
const { labels, speakers } = files;
const n = labels.length;
const count = (idx: number[], c: number) => idx.filter((i) => labels[i] === c).length;

function expectPartition(parts: number[][]) {
  const all = parts.flat().sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
}

describe('splits on EMO-DB', () => {
  it('reads 535 files of 10 speakers', () => {
    expect(n).toBe(535);
    expect(new Set(speakers).size).toBe(10);
  });

  it('stratified K-fold: every file tested once, each class spread evenly, same folds per seed', () => {
    const folds = stratifiedKFold(labels, 5, 42);
    expect(folds).toHaveLength(5);
    expectPartition(folds.map((f) => f.test));
    for (const f of folds) {
      expect(f.train.length + f.test.length).toBe(n);
      for (let c = 0; c < files.classes.length; c++) {
        const share = count(f.test, c) / count([...f.train, ...f.test], c);
        expect(Math.abs(share - 0.2)).toBeLessThan(0.04);
      }
    }
    const sizes = folds.map((f) => f.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(stratifiedKFold(labels, 5, 42)).toEqual(folds);
    expect(stratifiedKFold(labels, 5, 43)[0].test).not.toEqual(folds[0].test);
  });

  it('speaker K-fold: no speaker on both sides, every speaker tested once', () => {
    const folds = speakerKFold(labels, speakers, 4, 7);
    expectPartition(folds.map((f) => f.test));
    expect(folds.flatMap((f) => f.testSpeakers).sort()).toEqual([...new Set(speakers)].sort());
    for (const f of folds) {
      const trainSpeakers = new Set(f.train.map((i) => speakers[i]));
      for (const s of f.testSpeakers ?? []) expect(trainSpeakers.has(s)).toBe(false);
    }
    expect(() => speakerKFold(labels, speakers, 11, 7)).toThrow(
      '--folds: expected an integer in 2…10 (the data has 10 speakers), got 11',
    );
  });

  it('leave-one-speaker-out: one fold per speaker, in sorted order', () => {
    const folds = leaveOneSpeakerOut(labels, speakers);
    expect(folds.map((f) => f.testSpeakers?.[0])).toEqual([...new Set(speakers)].sort());
    expectPartition(folds.map((f) => f.test));
    for (const f of folds) expect(f.classesMissingFromTraining).toEqual([]);
  });

  it('random 80:20 split is the stratified carve-out; speaker split holds out whole speakers', () => {
    const r = randomSplit(labels, 0.2, 42);
    expectPartition([r.train, r.test]);
    // round(0.2 × count) of each class.
    const perClass = files.classes.map((_, c) =>
      Math.round(0.2 * count(r.train.concat(r.test), c)),
    );
    expect(r.test.length).toBe(perClass.reduce((a, b) => a + b, 0));
    for (let c = 0; c < files.classes.length; c++) expect(count(r.test, c)).toBe(perClass[c]);
    const s = speakerSplit(labels, speakers, 0.2, 42);
    expectPartition([s.train, s.test]);
    const held = new Set(s.testSpeakers);
    expect(s.test.every((i) => held.has(speakers[i] as string))).toBe(true);
    expect(s.train.some((i) => held.has(speakers[i] as string))).toBe(false);
  });

  it('validation of a speaker protocol: whole training speakers, every class still fitted', () => {
    const fold = leaveOneSpeakerOut(labels, speakers)[0];
    const v = carveValidation(fold.train, labels, speakers, 'speaker', 0.1, 42);
    expect(v.kind).toBe('speaker');
    expect(v.note).toBeNull();
    expect(v.speakers?.length).toBeGreaterThan(0);
    expectPartition([v.fit, v.validation, fold.test]);
    const valSpeakers = new Set(v.validation.map((i) => speakers[i]));
    expect([...valSpeakers].sort()).toEqual(v.speakers);
    expect(v.fit.some((i) => valSpeakers.has(speakers[i]))).toBe(false);
    expect(new Set(v.fit.map((i) => labels[i])).size).toBe(files.classes.length);
    // Never out of the test part.
    const test = new Set(fold.test);
    expect(v.validation.some((i) => test.has(i))).toBe(false);
  });

  it('validation falls back to a stratified random carve-out with fewer than 3 training speakers', () => {
    const two = labels.map((_, i) => i).filter((i) => speakers[i] === '03' || speakers[i] === '08');
    const v = carveValidation(two, labels, speakers, 'speaker', 0.1, 42);
    expect(v.kind).toBe('random');
    expect(v.note).toBe(
      'validation: 2 training speakers (fewer than 3): validation files carved at random (stratified), not by speaker',
    );
    expect(new Set(v.validation.map((i) => speakers[i])).size).toBe(2);
  });

  it('chosen validation speakers that take a class or every file away are refused by name', () => {
    // Speaker 03's files and speaker 08's but anger: with 03 validating, no anger is left, nor
    // disgust (08 has none in this copy).
    const anger = files.classes.indexOf('anger');
    const train = labels
      .map((_, i) => i)
      .filter((i) => speakers[i] === '03' || (speakers[i] === '08' && labels[i] !== anger));
    expect(() =>
      carveValidation(train, labels, speakers, 'speaker', 0.1, 42, ['03'], files.classes),
    ).toThrow(
      /^--validation-speakers: with speaker 03 validating, no file of classes anger, disgust is left to train on; choose other validation speakers$/,
    );
    expect(() =>
      carveValidation(train, labels, speakers, 'speaker', 0.1, 42, ['03', '08'], files.classes),
    ).toThrow(
      '--validation-speakers: speakers 03, 08 hold every training file, so none is left to train on; choose fewer or other validation speakers',
    );
  });

  it('a random protocol keeps the stratified random carve-out', () => {
    const r = randomSplit(labels, 0.2, 42);
    const v = carveValidation(r.train, labels, speakers, 'random', 0.1, 42);
    expect(v.kind).toBe('random');
    expect(v.validation.length).toBeGreaterThan(35);
    expect(v.validation.length).toBeLessThan(50);
  });
});
