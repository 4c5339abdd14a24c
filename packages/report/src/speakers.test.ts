import { describe, expect, it } from 'vitest';
import { seenSpeakersSentence } from './speakers.js';
import type { SeenSpeakers } from './types.js';

const none = { heard: [], heardFiles: 0, other: [], otherFiles: 0 };
const scores = { otherAccuracy: null, otherUar: null };

describe('seenSpeakersSentence', () => {
  it('calls a figure speaker-independent only when the model records its speakers', () => {
    const fresh: SeenSpeakers = {
      basis: 'model',
      ...none,
      other: ['09', '14'],
      otherFiles: 7,
      otherAccuracy: 1,
      otherUar: 1,
    };
    expect(seenSpeakersSentence(fresh, 7)).toBe(
      'all 7 unseen files are by speakers the model never heard (09, 14): speaker-independent, accuracy 100.00 %, UAR 100.00 %',
    );
    // Inferred from the evaluated files: nothing found proves nothing.
    expect(seenSpeakersSentence({ ...fresh, basis: 'evaluated-files' }, 7)).toBeNull();
  });

  it('says when every unseen file is by a heard speaker', () => {
    const heard: SeenSpeakers = {
      basis: 'model',
      ...none,
      ...scores,
      heard: ['04', '05'],
      heardFiles: 8,
    };
    expect(seenSpeakersSentence(heard, 8)).toBe(
      'all 8 unseen files are by speakers the model heard in training (04, 05): not a speaker-independent figure',
    );
    expect(seenSpeakersSentence({ ...heard, heardFiles: 1, heard: ['04'] }, 1)).toBe(
      'the unseen file is by a speaker the model heard in training (04): not a speaker-independent figure',
    );
    expect(seenSpeakersSentence({ ...heard, heard: ['04'] }, 8)).toBe(
      'all 8 unseen files are by a speaker the model heard in training (04): not a speaker-independent figure',
    );
  });

  it('counts one file and one speaker in the singular', () => {
    const fresh: SeenSpeakers = {
      basis: 'model',
      ...none,
      other: ['09'],
      otherFiles: 1,
      otherAccuracy: 1,
      otherUar: 1,
    };
    expect(seenSpeakersSentence(fresh, 1)).toBe(
      'the unseen file is by a speaker the model never heard (09): speaker-independent, accuracy 100.00 %, UAR 100.00 %',
    );
    expect(seenSpeakersSentence({ ...fresh, otherFiles: 3 }, 3)).toBe(
      'all 3 unseen files are by a speaker the model never heard (09): speaker-independent, accuracy 100.00 %, UAR 100.00 %',
    );
    expect(seenSpeakersSentence({ ...fresh, otherFiles: 2 }, 2)).toBe(
      'both unseen files are by a speaker the model never heard (09): speaker-independent, accuracy 100.00 %, UAR 100.00 %',
    );
    const mixed: SeenSpeakers = { ...fresh, heard: ['04'], heardFiles: 1 };
    expect(seenSpeakersSentence(mixed, 2)).toBe(
      '1 of the 2 unseen files is by a speaker the model heard in training (04): not speaker-independent; on the 1 file by a speaker it never heard (09): accuracy 100.00 %, UAR 100.00 %',
    );
    expect(
      seenSpeakersSentence(
        { ...mixed, heard: ['04', '05'], heardFiles: 4, other: ['09', '14'], otherFiles: 2 },
        6,
      ),
    ).toBe(
      '4 of the 6 unseen files are by speakers the model heard in training (04, 05): not speaker-independent; on the 2 files by speakers it never heard (09, 14): accuracy 100.00 %, UAR 100.00 %',
    );
  });

  it('gives a lower bound, and no new-speaker figure, when the speakers are inferred', () => {
    const inferred: SeenSpeakers = {
      basis: 'evaluated-files',
      heard: ['04'],
      heardFiles: 1,
      other: ['05'],
      otherFiles: 2,
      otherAccuracy: 1,
      otherUar: 1,
    };
    const sentence = seenSpeakersSentence(inferred, 3);
    expect(sentence).toBe(
      'at least 1 of the 3 unseen files is by a speaker the model heard in training (04): not speaker-independent (the model records no training speakers for this data, so the other speaker may have been heard too)',
    );
    expect(seenSpeakersSentence({ ...inferred, heard: ['04', '06'], other: ['05', '07'] }, 3)).toBe(
      'at least 1 of the 3 unseen files is by speakers the model heard in training (04, 06): not speaker-independent (the model records no training speakers for this data, so the other speakers may have been heard too)',
    );
  });

  it('drops the lower bound when every unseen file is by a speaker found among the seen ones', () => {
    const inferred: SeenSpeakers = {
      basis: 'evaluated-files',
      heard: ['04'],
      heardFiles: 1,
      other: [],
      otherFiles: 0,
      otherAccuracy: null,
      otherUar: null,
    };
    expect(seenSpeakersSentence(inferred, 1)).toBe(
      'the unseen file is by a speaker the model heard in training (04): not a speaker-independent figure',
    );
    expect(seenSpeakersSentence({ ...inferred, heard: ['04', '05'], heardFiles: 5 }, 5)).toBe(
      'all 5 unseen files are by speakers the model heard in training (04, 05): not a speaker-independent figure',
    );
  });

  it('says nothing without unseen files', () => {
    expect(seenSpeakersSentence({ basis: 'model', ...none, ...scores }, 0)).toBeNull();
  });
});
