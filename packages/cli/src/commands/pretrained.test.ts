import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readWav } from '@serkit/features';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../features/src/testing.js';
import { runSer } from '../testing.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
const DATA = resolve(ROOT, '../shared/data');

const ser = (...args: string[]) =>
  runSer(args, { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' }, timeoutMs: 120_000 });

interface Out {
  model: { dir: string; pretrained: string | null };
  predictions: {
    path: string;
    label: string;
    probabilities: Record<string, number>;
    seen?: boolean;
  }[];
  failed: unknown[];
}

function expectDistributions(out: Out, k: number) {
  for (const p of out.predictions) {
    const probs = Object.values(p.probabilities);
    expect(probs).toHaveLength(k);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(Math.max(...probs)).toBe(p.probabilities[p.label]);
  }
}

// Files each shipped model never saw in training, with the label it gives them. For ravdess
// (trained on all 12 actors) they are from its own random test part, one per emotion, WAV and
// FLAC; for emodb, from its held-out speakers 09 and 14.
const RAVDESS_EXPECTED: [string, string][] = [
  ['Actor_05/03-01-01-01-02-02-05.flac', 'neutral'],
  ['Actor_04/03-01-02-01-01-01-04.flac', 'calm'],
  ['Actor_03/03-01-03-01-02-01-03.flac', 'happy'],
  ['Actor_08/03-01-04-01-02-01-08.flac', 'sad'],
  ['Actor_05/03-01-05-01-01-02-05.flac', 'angry'],
  ['Actor_02/03-01-06-01-01-01-02.wav', 'fearful'],
  ['Actor_08/03-01-07-01-01-02-08.flac', 'disgust'],
  ['Actor_06/03-01-08-01-01-01-06.flac', 'surprised'],
];
const EMODB_EXPECTED: [string, string][] = [
  ['09a01Wb.wav', 'anger'],
  ['14a02La.wav', 'boredom'],
  ['09a05Ed.wav', 'disgust'],
  ['14a01Aa.wav', 'fear'],
  ['14a07Fd.wav', 'happiness'],
  ['14a02Tb.wav', 'sadness'],
  ['14a01Na.wav', 'neutral'],
];

/** The parts of `ser evaluate --json`'s report these tests read. */
interface EvaluateReport {
  classes: string[];
  accuracy: number;
  dataset: { files: number };
  seen: Record<string, unknown>;
}

const tmp = mkdtempSync(join(tmpdir(), 'serkit-pretrained-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pretrained models from the CLI', () => {
  it('ravdess reads levels, not loudness: the same speech 6 and 12 dB quieter gets the same probabilities', () => {
    // The model's inputs are dB relative to each spectrogram's loudest bin (utterance-max), and
    // trim, Wiener filter and mel are scale-equivariant: a gain moves nothing but float rounding.
    // The copies are 32-bit float WAV, so the gain is all that changes. Two limits, both
    // measured in RESULTS.md's gain check: 16-bit copies also raise the quantisation floor
    // relative to the speech; and once a clip's loudest frame is below about −40 dB mean
    // square (RESULTS' neutral Actor_10 file at −24 dB), librosa's trim (absolute floor amin = 1e-10, which serkit
    // follows) no longer finds silence to cut, so the model sees other samples.
    const src = join(DATA, 'ravdess', RAVDESS_EXPECTED[0][0]);
    const audio = readWav(src);
    const files = [src];
    for (const db of [-6, -12]) {
      const f = join(tmp, `quieter${db}.wav`);
      writeFileSync(
        f,
        encodeWav(
          audio.samples.map((v) => v * 10 ** (db / 20)),
          audio.sampleRate,
          { encoding: 'float32' },
        ),
      );
      files.push(f);
    }
    const r = ser('predict', ...files, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Out;
    const [first, ...quieter] = out.predictions;
    expect(first.label).toBe('neutral');
    for (const p of quieter) {
      expect(p.label, p.path).toBe('neutral');
      for (const [k, v] of Object.entries(p.probabilities)) {
        expect(Math.abs(v - first.probabilities[k]), `${p.path} ${k}`).toBeLessThan(1e-3);
      }
    }
  });

  it('predict without --model uses ravdess, says so on stderr, names it in --json', () => {
    const files = RAVDESS_EXPECTED.map(([f]) => join(DATA, 'ravdess', f));
    const r = ser('predict', ...files, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^ser predict: using the pretrained model `ravdess`/m);
    const out = JSON.parse(r.stdout) as Out;
    expect(out.model.pretrained).toBe('ravdess');
    expect(out.predictions.map((p) => p.label)).toEqual(RAVDESS_EXPECTED.map(([, l]) => l));
    expectDistributions(out, 8);
    expect(out.predictions.map((p) => p.seen)).toEqual(RAVDESS_EXPECTED.map(() => false));
    expect(r.stderr).not.toMatch(/training data/);
  });

  it("predict says which files were in the model's training data (by content), in one line", () => {
    // The shipped ravdess model heard all 12 actors: this file was one of its training files.
    const trained = join(DATA, 'ravdess', 'Actor_01/03-01-01-01-01-02-01.wav');
    const unseen = join(DATA, 'ravdess', RAVDESS_EXPECTED[0][0]);
    const r = ser('predict', trained, unseen, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `ser predict: 1 of 2 files was in the model's training data, so its prediction is no test of the model (marked "seen": true; ser evaluate reports unseen files separately)\n`,
    );
    const out = JSON.parse(r.stdout) as Out;
    expect(out.predictions.map((p) => p.seen)).toEqual([true, false]);
    // The text lines mark it too; two files both seen are "both".
    const trainedToo = join(DATA, 'ravdess', 'Actor_01/03-01-01-01-01-01-01.wav');
    const text = ser('predict', trained, trainedToo);
    expect(text.stdout).toMatch(
      /^.*03-01-01-01-01-02-01\.wav: \w+ \(\d+\.\d %\), seen in training$/m,
    );
    expect(text.stderr).toContain(
      `ser predict: both files were in the model's training data, so their predictions are no test of the model (marked "seen in training"; ser evaluate reports unseen files separately)\n`,
    );
    // Windows of a long recording: the same marks, and the model named as in predict --json.
    const windows = ser('predict', trained, unseen, '--window', '3', '--json');
    expect(windows.code, windows.stderr).toBe(0);
    const w = JSON.parse(windows.stdout) as Out;
    expect(w.model.pretrained).toBe('ravdess');
    expect(w.predictions.map((p) => p.seen)).toEqual([true, false]);
    expect(windows.stderr).toContain('ser predict: 1 of 2 files was in the model');
  });

  it('predict --json lists a missing input under failed, beside the predictions (exit 1)', () => {
    const missing = join(tmp, 'no-such-recording.wav');
    const good = join(DATA, 'ravdess', RAVDESS_EXPECTED[0][0]);
    const r = ser('predict', missing, good, '--json');
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as Out;
    expect(out.predictions.map((p) => p.path)).toEqual([good]);
    expect(out.failed).toEqual([{ path: missing, error: 'no such file or directory' }]);
    expect(r.stderr).toContain(`${missing}: no such file or directory\n`);
  });

  it('a folder with no audio beside a good file is a note, not a failure; alone it is a usage error', () => {
    const empty = join(tmp, 'no-audio-here');
    mkdirSync(empty, { recursive: true });
    const good = join(DATA, 'ravdess', RAVDESS_EXPECTED[0][0]);
    const r = ser('predict', good, empty, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Out;
    expect(out.predictions.map((p) => p.path)).toEqual([good]);
    expect(out.failed).toEqual([]);
    expect(r.stderr).toContain(`ser: note: ${empty}: no audio files in this folder\n`);
    const alone = ser('predict', empty);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe(`ser: error: no audio files found in ${empty}\n`);
    // Nothing usable: the first unusable entry, and how many more (the same one twice is one).
    const [m1, m2] = [join(tmp, 'gone-1.wav'), join(tmp, 'gone-2.wav')];
    const none = ser('predict', m1, m2, m1);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      `ser: error: ${m1}: no such file or directory (and 1 more unusable entry)\n`,
    );
  });

  it('predict --model emodb reads the original 16 kHz EMO-DB', () => {
    const files = EMODB_EXPECTED.map(([f]) => join(DATA, 'emodb-original/wav', f));
    const r = ser('predict', '--model', 'emodb', ...files, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/using the pretrained model/);
    const out = JSON.parse(r.stdout) as Out;
    expect(out.model.pretrained).toBe('emodb');
    expect(out.predictions.map((p) => p.label)).toEqual(EMODB_EXPECTED.map(([, l]) => l));
    expectDistributions(out, 7);
  });

  it('evaluate --model ravdess reports on unseen utterances, and says it heard their speakers', () => {
    const r = ser('evaluate', '--model', 'ravdess', '--data', join(ROOT, 'demo/ravdess'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as EvaluateReport;
    expect(report.dataset.files).toBe(8);
    expect(report.classes).toHaveLength(8);
    // The final fit trained on all 12 actors (its metadata says so), not on these utterances.
    expect(report.seen).toMatchObject({
      files: 0,
      unseen: 8,
      speakers: { basis: 'model', heardFiles: 8, otherFiles: 0, otherAccuracy: null },
    });
    const heard = 'all 8 unseen files are by speakers the model heard in training (';
    expect(r.stderr).toContain(`ser evaluate: ${heard}`);
    // Without --json the summary on stdout says it, and stderr does not repeat it.
    const text = ser('evaluate', '--model', 'ravdess', '--data', join(ROOT, 'demo/ravdess'));
    expect(text.stdout).toContain(heard);
    expect(text.stderr).not.toContain(heard);
  });

  it('evaluate --model emodb on its held-out speakers is speaker-independent', () => {
    const files = EMODB_EXPECTED.map(([f]) => join(DATA, 'emodb-original/wav', f));
    const r = ser('evaluate', '--model', 'emodb', '--data', ...files, '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as EvaluateReport;
    expect(report.accuracy).toBe(1); // EMODB_EXPECTED are the true labels
    expect(report.seen).toMatchObject({
      files: 0,
      unseen: 7,
      speakers: {
        basis: 'model',
        heard: [],
        heardFiles: 0,
        other: ['09', '14'],
        otherFiles: 7,
        otherAccuracy: 1,
      },
    });
    expect(r.stderr).toContain(
      'ser evaluate: all 7 unseen files are by speakers the model never heard (09, 14): speaker-independent, accuracy 100.00 %',
    );
  });

  it('a wrong command without --model prints its error alone, not the model announcement first', () => {
    const missing = join(tmp, 'no-such.wav');
    const r = ser('predict', missing);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`ser: error: ${missing}: no such file or directory\n`);
  });

  it('evaluate without --model on EMO-DB data says to use --model emodb (exit 2), alone', () => {
    const message =
      "ser: error: the data follow EMO-DB's names (German) and the default model is ravdess (English): use --model emodb";
    const files = EMODB_EXPECTED.map(([f]) => join(DATA, 'emodb-original/wav', f));
    const r = ser('evaluate', '--data', ...files);
    expect(r.code).toBe(2);
    // One line: not preceded by the default model's announcement; --model ravdess is not
    // offered, as the English model does not know most of these classes.
    expect(r.stderr).toBe(`${message}\n`);
    // Also when every class is one the English model knows (EMO-DB's neutral): then it is.
    const neutral = ser('evaluate', '--data', join(DATA, 'emodb-original/wav/03a01Nc.wav'));
    expect(neutral.code).toBe(2);
    expect(neutral.stderr).toBe(
      `${message}, or --model ravdess to evaluate the English model on them anyway\n`,
    );
    // Labels from folder names are said to be so.
    const dir = join(tmp, 'my-recordings');
    mkdirSync(dir);
    copyFileSync(join(DATA, 'ravdess', RAVDESS_EXPECTED[0][0]), join(dir, 'clip.flac'));
    const folders = ser('evaluate', '--data', join(dir, 'clip.flac'));
    expect(folders.code).toBe(2);
    expect(folders.stderr).toBe(
      "ser: error: the data has classes the model does not know: my-recordings (model classes: neutral, calm, happy, sad, angry, fearful, disgust, surprised); the labels are the files' folder names (--dataset folders, chosen by --dataset auto)\n",
    );
    // Loose files beside one class folder: the class error alone, not first a line per file
    // skipped for want of a label.
    const mixed = join(tmp, 'mixed');
    mkdirSync(join(mixed, 'my-recordings'), { recursive: true });
    for (const name of ['a.flac', 'b.flac', join('my-recordings', 'c.flac')])
      copyFileSync(join(dir, 'clip.flac'), join(mixed, name));
    const beside = ser('evaluate', '--data', mixed);
    expect(beside.code).toBe(2);
    expect(beside.stderr).toBe(folders.stderr);
    // The folder itself: its loose files have no class folder, and the error says where
    // labels come from.
    const loose = ser('evaluate', '--data', dir);
    expect(loose.code).toBe(2);
    expect(loose.stderr).toBe(
      `ser: error: no labelled audio files found in ${dir} (labels are read from class folders: give the folder that holds one subfolder per label, or files inside such subfolders)\n`,
    );
  });

  it('evaluate exits 1 when every file fails to decode, each named on its own line', () => {
    const dir = join(tmp, 'unreadable');
    mkdirSync(dir);
    for (const name of ['09a01Wb.wav', '14a02La.wav'])
      writeFileSync(join(dir, name), 'not audio\n');
    const r = ser('evaluate', '--model', 'emodb', '--data', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${join(dir, '09a01Wb.wav')}: not an audio file: it is UTF-8 text\n`,
    );
    expect(r.stderr).toContain('ser: error: none of the 2 files could be read\n');
    expect(r.stdout).toBe('');
  });

  it('refuses a broken model folder before reading any file, naming the file (exit 2)', () => {
    // Copies of the shipped model, each with one file broken; the data would fail to decode,
    // and its error would show had extraction begun.
    const data = join(tmp, 'broken-model-data', 'angry');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'a.wav'), 'not audio\n');
    const src = join(ROOT, 'packages/model-ravdess/model');
    const meta = JSON.parse(readFileSync(join(src, 'metadata.json'), 'utf8'));
    const variants: [string, Record<string, string | null>, (dir: string) => string][] = [
      [
        'edited-nmels',
        { 'metadata.json': JSON.stringify({ ...meta, dsp: { ...meta.dsp, nMels: 64 } }) },
        (dir) =>
          `${join(dir, 'metadata.json')}: its dsp options give 64 × 259 log-mel inputs, but the model's input is 128 × 259`,
      ],
      [
        'invalid-dsp',
        { 'metadata.json': JSON.stringify({ ...meta, dsp: { ...meta.dsp, fmax: 100000 } }) },
        (dir) =>
          `${join(dir, 'metadata.json')}: dsp: invalid option \`fmax\`: expected a number in (fmin, sampleRate/2], or null, received 100000`,
      ],
      [
        'no-weights',
        { 'weights.bin': null },
        (dir) => `${join(dir, 'weights.bin')}: weights file missing`,
      ],
      [
        'duplicate-class',
        {
          'metadata.json': JSON.stringify({
            ...meta,
            classNames: meta.classNames.map((c: string) => (c === 'calm' ? 'angry' : c)),
          }),
        },
        (dir) => `${join(dir, 'metadata.json')}: duplicate class name "angry"`,
      ],
    ];
    for (const [name, files, reason] of variants) {
      const dir = join(tmp, name);
      mkdirSync(dir);
      for (const f of ['metadata.json', 'model.json', 'weights.bin']) {
        const content = f in files ? files[f] : readFileSync(join(src, f));
        if (content !== null) writeFileSync(join(dir, f), content);
      }
      const line = `ser: error: cannot use model ${dir}: ${reason(dir)}\n`;
      for (const args of [
        ['evaluate', '--model', dir, '--data', join(tmp, 'broken-model-data')],
        ['predict', '--model', dir, join(data, 'a.wav')],
        ['predict', '--model', dir, '--window', '3', join(data, 'a.wav')],
      ]) {
        const r = ser(...args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr, args.join(' ')).toBe(line);
        expect(r.stdout).toBe('');
      }
    }
  });

  it('refuses an unknown --model in one line (exit 2)', () => {
    const r = ser('predict', '--model', 'iemocap', join(ROOT, 'demo/ravdess'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'ser: error: --model iemocap: no such folder, and not a pretrained model name (ravdess, emodb)',
    );
    // A folder that is not a model says what it lacks.
    const folder = ser('predict', '--model', tmp, join(ROOT, 'demo/ravdess'));
    expect(folder.code).toBe(2);
    expect(folder.stderr.trim()).toBe(
      `ser: error: --model ${tmp}: not a model folder (no metadata.json), and not a pretrained model name (ravdess, emodb)`,
    );
    // A file of a model folder points to the folder.
    const metadata = join(ROOT, 'packages/model-emodb/model/metadata.json');
    const file = ser('predict', '--model', metadata, join(ROOT, 'demo/ravdess'));
    expect(file.code).toBe(2);
    expect(file.stderr.trim()).toBe(
      `ser: error: --model ${metadata}: a file; --model takes the model's folder, ${join(ROOT, 'packages/model-emodb/model')}`,
    );
  });

  it('info lists the installed models', () => {
    const r = ser('info', '--json');
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { models: { name: string; installed: boolean }[] };
    expect(info.models.map((m) => [m.name, m.installed])).toEqual([
      ['ravdess', true],
      ['emodb', true],
    ]);
  });
});
