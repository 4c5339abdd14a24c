/**
 * End-to-end tests of `ser train`, `evaluate`, `predict` and `info` through the built binary
 * on real EMO-DB speech, with a bad file in the folder. One epoch on a few clips: they check
 * behaviour, outputs and exit codes, not accuracy.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  carveValidation,
  EXPERIMENT_FILES,
  loadLabelledFiles,
  randomSplit,
  sha256File,
  speakerSplit,
} from '@serkit/experiment';
import { afterAll, describe, expect, it } from 'vitest';
import { SER_BIN as BIN, batchRunning, runSer } from '../testing.js';

const DATA = resolve(import.meta.dirname, '../../../../../shared/data');
const tmp = mkdtempSync(join(tmpdir(), 'serkit-train-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// TensorFlow's logging as a user gets it: no TF_CPP_MIN_LOG_LEVEL of our own.
const { TF_CPP_MIN_LOG_LEVEL: _, ...userEnv } = process.env;
const env = { ...userEnv, SER_CACHE_DIR: join(tmp, 'cache') };
const ser = (...args: string[]) => runSer(args, { env });

// Two clips per EMO-DB emotion (14) and a text file posing as a WAV.
const corpus = join(tmp, 'emodb');
mkdirSync(corpus);
const wavs = readdirSync(join(DATA, 'emodb/wav')).sort();
for (const letter of 'WLEAFTN') {
  for (const f of wavs.filter((w) => w[5] === letter).slice(0, 2))
    copyFileSync(join(DATA, 'emodb/wav', f), join(corpus, f));
}
writeFileSync(join(corpus, '03a01Wz.wav'), 'this is not audio\n');
const model = join(tmp, 'model');

/** EMO-DB emotion letter (6th character of the name) → serkit label. */
const EMODB = {
  W: 'anger',
  L: 'boredom',
  E: 'disgust',
  A: 'fear',
  F: 'happiness',
  T: 'sadness',
  N: 'neutral',
} as const;

interface Row {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** The report's accuracy, UAR and per-class scores are those of its confusion matrix. */
function expectConsistentScores(report: {
  confusion: number[][];
  accuracy: number;
  uar: number;
  perClass: Row[];
  macro: Row;
}) {
  const m = report.confusion;
  const total = m.flat().reduce((a, b) => a + b, 0);
  expect(report.accuracy).toBeCloseTo(m.reduce((a, row, i) => a + row[i], 0) / total, 12);
  const recalls = m.map((row, i) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n > 0 ? row[i] / n : 0;
  });
  report.perClass.forEach((c, i) => {
    expect(c.support).toBe(m[i].reduce((a, b) => a + b, 0));
    expect(c.recall).toBeCloseTo(recalls[i], 12);
  });
  // UAR: the mean recall over the classes present in the evaluated files.
  const present = recalls.filter((_, i) => m[i].some((n) => n > 0));
  expect(report.uar).toBeCloseTo(present.reduce((a, b) => a + b, 0) / present.length, 12);
}

describe('ser train → evaluate → predict', () => {
  it('trains for an epoch, writes the model and the report, and says which file failed (exit 1)', () => {
    const r = ser(
      'train',
      '--data',
      corpus,
      '--out',
      model,
      '--epochs',
      '1',
      '--test-size',
      '0.3',
      '--json',
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/03a01Wz\.wav: not an audio file: it is UTF-8 text/);
    expectOnlySerkitLines(r.stderr, 'train');
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ schema: 'serkit-report/1', kind: 'train', seed: 42 });
    expect(report.classes).toEqual([
      'anger',
      'boredom',
      'disgust',
      'fear',
      'happiness',
      'sadness',
      'neutral',
    ]);
    expect(report.confusion).toHaveLength(7);
    expect(report.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(
      report.split.test,
    );
    expect(report.perClass.map((c: { name: string }) => c.name)).toEqual(report.classes);
    expect(report.epochs).toHaveLength(1);
    expect(report.dataset).toMatchObject({ name: 'emodb', files: 15, failed: 1 });
    expectConsistentScores(report);
    // Test size 0.3, not the paper's 80:20: no comparison with the paper's figures.
    expect(readFileSync(join(model, 'report.md'), 'utf8')).not.toContain('Beside the paper');
    for (const f of [
      'model.json',
      'weights.bin',
      'metadata.json',
      'report.json',
      'report.md',
      'confusion-matrix.svg',
      'confusion-matrix.png',
      'training-curves.png',
      'spectrogram.png',
    ]) {
      expect(existsSync(join(model, f)), f).toBe(true);
    }
    expect(existsSync(`${model}.checkpoint`)).toBe(false);
    // The library's split with the same seed (one generator): its training and validation
    // files are the ones the model records as its training files (the text file failed).
    const files = loadLabelledFiles([corpus]);
    const split = randomSplit(files.labels, 0.3, 42);
    const carve = carveValidation(split.train, files.labels, files.speakers, 'random', 0.1, 42);
    const expected = [...carve.fit, ...carve.validation]
      .filter((i) => basename(files.paths[i]) !== '03a01Wz.wav')
      .map((i) => sha256File(files.paths[i]))
      .sort();
    const meta = JSON.parse(readFileSync(join(model, 'metadata.json'), 'utf8'));
    expect(meta.trainingFiles.sha256).toEqual(expected);
    expect(meta.trainingSpeakers).toEqual({
      dataset: 'emodb',
      ids: [
        ...new Set(
          [...carve.fit, ...carve.validation]
            .filter((i) => basename(files.paths[i]) !== '03a01Wz.wav')
            .map((i) => files.speakers[i]),
        ),
      ].sort(),
    });
    expect(report.split.test).toBe(split.test.length);
  });

  it('evaluates any labelled data with the same report, saying how many files the model has seen', () => {
    const trained = JSON.parse(readFileSync(join(model, 'report.json'), 'utf8'));
    const r = ser('evaluate', '--model', model, '--data', corpus, '--json');
    expect(r.code, r.stderr).toBe(1); // the text file again
    expectOnlySerkitLines(r.stderr, 'evaluate');
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ kind: 'evaluate', split: { kind: 'all', test: 14 } });
    const correct = report.confusion.reduce((s: number, row: number[], i: number) => s + row[i], 0);
    expect(report.accuracy).toBeCloseTo(correct / 14, 12);
    // Its training and validation files are in the folder; its test files are the unseen ones.
    const seen = trained.split.train + trained.split.validation;
    expect(report.seen).toMatchObject({ files: seen, unseen: 14 - seen });
    expect(report.seen.unseenAccuracy).toBeCloseTo(trained.accuracy, 12);
    // The unseen (test) files by speakers it trained on, from the metadata's speakers.
    const meta = JSON.parse(readFileSync(join(model, 'metadata.json'), 'utf8'));
    const heardFiles = readdirSync(corpus).filter(
      (f) => f !== '03a01Wz.wav' && meta.trainingSpeakers.ids.includes(f.slice(0, 2)),
    ).length;
    expect(report.seen.speakers).toMatchObject({
      basis: 'model',
      heardFiles: heardFiles - seen,
      otherFiles: 14 - heardFiles,
    });
    expect(report.seconds.train).toBeNull();
    expect(r.stderr).toContain(
      `ser evaluate: ${seen} of 14 evaluated files were the model's training or validation files`,
    );
    expectConsistentScores(report);
    // The confusion matrix is what `ser predict` says of each file against its true label.
    const files = readdirSync(corpus).sort();
    const p = ser('predict', '--model', model, ...files.map((f) => join(corpus, f)), '--json');
    const { predictions, failed } = JSON.parse(p.stdout);
    expect(failed.map((f: { path: string }) => f.path)).toEqual([join(corpus, '03a01Wz.wav')]);
    const classes: string[] = report.classes;
    const confusion = classes.map(() => classes.map(() => 0));
    for (const { path, label } of predictions as { path: string; label: string }[]) {
      const actual = EMODB[basename(path)[5] as keyof typeof EMODB];
      confusion[classes.indexOf(actual)][classes.indexOf(label)]++;
    }
    expect(report.confusion).toEqual(confusion);
  });

  it('evaluate --out: the summary on stdout names the files written, and only those', () => {
    const out = join(tmp, 'eval-out');
    const r = ser('evaluate', '--model', model, '--data', corpus, '--out', out);
    expect(r.code, r.stderr).toBe(1);
    const written = ['confusion-matrix.png', 'confusion-matrix.svg', 'report.json', 'report.md'];
    expect(readdirSync(out).sort()).toEqual(written);
    expect(r.stdout).toMatch(/^accuracy [\d.]+ %, UAR [\d.]+ % on 14 utterances/);
    const listed = /report: .*report\.md \((.*)\)/.exec(r.stdout)?.[1].split(', ');
    expect(listed?.sort()).toEqual(written);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).not.toMatch(/training-curves|train \d/);
    expect(md).toMatch(/Seen in training: \*\*\d+ of 14\*\*/);
    // Again into the same folder: its own earlier report is replaced. Into the model's folder:
    // the training report would be overwritten, so it is refused.
    expect(ser('evaluate', '--model', model, '--data', corpus, '--out', out).code).toBe(1);
    const intoModel = ser('evaluate', '--model', model, '--data', corpus, '--out', model);
    expect(intoModel.code).toBe(2);
    expect(intoModel.stderr).toBe(
      `ser: error: cannot write to --out ${model}: it holds report.md, report.json, confusion-matrix.svg, confusion-matrix.png (a \`ser train\` report), which ser evaluate would overwrite; choose another folder\n`,
    );
    expect(JSON.parse(readFileSync(join(model, 'report.json'), 'utf8')).kind).toBe('train');
  });

  it('predict prints its table on stdout (stderr empty)', () => {
    const files = readdirSync(corpus)
      .sort()
      .slice(0, 2)
      .map((f) => join(corpus, f));
    const r = ser('predict', '--model', model, ...files);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    lines.forEach((l, i) => {
      expect(l).toMatch(
        new RegExp(
          `^${files[i]}: (anger|boredom|disgust|fear|happiness|sadness|neutral) \\([\\d.]+ %\\)$`,
        ),
      );
    });
  });

  it.each([
    [
      'evaluate',
      [
        '--no-cache',
        '--data',
        // Distinct corpora: the same folder named twice is walked once.
        join(DATA, 'emodb/wav'),
        join(DATA, 'emodb-original/wav'),
        '--out',
        join(tmp, 'eval-int'),
      ],
    ],
    ['predict', ['emodb/wav', 'emodb-original/wav', 'ravdess'].map((d) => join(DATA, d))],
  ])(
    'ser %s: Ctrl-C during extraction → exit 130 at once, nothing written',
    async (command, args) => {
      const child = spawn(process.execPath, [BIN, command, '--model', model, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      await batchRunning(child.pid as number, 60_000);
      const t = performance.now();
      child.kill('SIGINT');
      const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
      expect(code, stderr).toBe(130);
      expect((performance.now() - t) / 1000).toBeLessThan(10);
      // At most the extraction's progress line, then the notice.
      const lines = stderr.trimEnd().split('\n');
      expect(lines.at(-1)).toBe(`ser ${command}: interrupted; nothing was written`);
      for (const l of lines.slice(0, -1)) expect(l).toMatch(/^extracting \d+\/\d+ files/);
      expect(stdout).toBe('');
      expect(existsSync(join(tmp, 'eval-int'))).toBe(false);
    },
    180_000,
  );

  it('predicts every class probability per file', () => {
    const a = join(corpus, readdirSync(corpus).sort()[0]);
    const r = ser('predict', '--model', model, a, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.predictions).toHaveLength(1);
    const p = out.predictions[0];
    expect(p.path).toBe(a);
    expect(Object.keys(p.probabilities)).toHaveLength(7);
    const total = Object.values(p.probabilities as Record<string, number>).reduce(
      (s, v) => s + v,
      0,
    );
    expect(total).toBeCloseTo(1, 4);
    expect(p.label).toBe(
      Object.entries(p.probabilities as Record<string, number>).sort((x, y) => y[1] - x[1])[0][0],
    );
  });

  it('refuses data whose classes the model does not know, an unreadable model and bad flags (exit 2, one line)', () => {
    const ravdess = join(DATA, 'ravdess/Actor_01');
    const cases = [
      ['evaluate', '--model', model, '--data', ravdess],
      ['predict', '--model', join(tmp, 'nope'), join(corpus, '03a01Wz.wav')],
      ['train', '--data', corpus, '--out', join(tmp, 'x'), '--test-size', '1.5'],
      // 2 or 3 files per class: a stratified 20 % of each class rounds to no test file.
      ['train', '--data', corpus, '--out', join(tmp, 'x'), '--test-size', '0.15'],
      ['train', '--data', join(tmp, 'missing'), '--out', join(tmp, 'x')],
      ['predict', '--model', model, '--frobnicate', 'a.wav'],
    ];
    for (const args of cases) {
      const r = ser(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(ser('evaluate', '--model', model, '--data', ravdess).stderr).toMatch(
      /classes the model does not know: .*calm.*surprised/,
    );
    expect(
      ser('train', '--data', corpus, '--out', join(tmp, 'x'), '--test-size', '0.15').stderr,
    ).toBe(
      'ser: error: --split random: the test part is empty: --test-size 0.15 of each class rounds to no file (the largest class has 3 files); raise --test-size or add files\n',
    );
  });
  it('refuses to train on wasm or cpu before extracting anything, saying what to do (exit 2)', () => {
    const runs: [string[], Record<string, string>, string][] = [
      [
        ['train', '--data', corpus, '--out', join(tmp, 'on-wasm'), '--backend', 'wasm'],
        {},
        'ser: error: ser train needs native TensorFlow (--backend auto, tensorflow or tensorflow-gpu), not --backend wasm: training on wasm would take hours',
      ],
      [
        ['crossval', '--data', corpus, '--out', join(tmp, 'on-cpu')],
        { SER_BACKEND: 'cpu' },
        'ser: error: ser crossval needs native TensorFlow (--backend auto, tensorflow or tensorflow-gpu), not SER_BACKEND=cpu: training on cpu would take hours',
      ],
    ];
    for (const [args, extra, line] of runs) {
      // An empty feature cache: extraction, had it begun, would show its progress.
      const cache = mkdtempSync(join(tmp, 'empty-cache-'));
      const r = runSer(args, { env: { ...env, ...extra, SER_CACHE_DIR: cache } });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
      expect(r.stderr).not.toMatch(/extracting/);
      expect(readdirSync(cache)).toEqual([]);
      expect(existsSync(join(args[4], 'report.json'))).toBe(false);
    }
  });
});

/** Every stderr line is serkit's: progress, epochs, per-file errors, `ser <command>:` notices. */
function expectOnlySerkitLines(stderr: string, command: string) {
  const ours = new RegExp(
    `^(extracting .* files( to extract, \\d+ from the cache)?( \\| \\d+ failed)?|epoch \\d+/\\d+: .*|ser ${command}: .*|/\\S+: .*)$`,
  );
  for (const line of stderr.trimEnd().split('\n')) expect(line).toMatch(ours);
}

describe('one option vocabulary, one error style', () => {
  it.each([
    [['train', '--data', 'x', '--ot', 'y'], /unknown option '--ot' \(did you mean --out\?\)$/],
    [
      ['evaluate', '--modle', 'm', '--data', 'x'],
      /unknown option '--modle' \(did you mean --model\?\)$/,
    ],
    [
      ['train', '--data', 'x', '--out', 'y', '--backend', 'gpu'],
      /argument 'gpu' is invalid\. Allowed choices are auto, tensorflow, tensorflow-gpu, wasm, cpu\.$/,
    ],
    [['evaluate', '--model', 'ravdess'], /required option '--data <paths...>' not specified$/],
    [['train', '--data', 'x'], /required option '-o, --out <dir>' not specified$/],
  ])('%j → exit 2, one line', (args, message) => {
    const r = ser(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(/^ser: error: /);
    expect(r.stderr.trimEnd()).toMatch(message);
  });

  it('an invalid --dataset is worded the same by every command, and --help lists the choices', () => {
    const errors = [
      ser('extract', corpus, '--out', join(tmp, 'x'), '--dataset', 'timit'),
      ser('train', '--data', corpus, '--out', join(tmp, 'x'), '--dataset', 'timit'),
      ser('evaluate', '--model', model, '--data', corpus, '--dataset', 'timit'),
    ];
    for (const r of errors) {
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        "ser: error: option '-d, --dataset <kind>' argument 'timit' is invalid. Allowed choices are auto, ravdess, emodb, folders.\n",
      );
    }
    for (const command of ['extract', 'train', 'evaluate']) {
      const help = ser(command, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout.replace(/\s+/g, ' ')).toContain(
        '(choices: "auto", "ravdess", "emodb", "folders", default: "auto")',
      );
    }
    expect(ser('train', '--help').stdout.replace(/\s+/g, ' ')).toContain(
      '(choices: "auto", "tensorflow", "tensorflow-gpu", "wasm", "cpu")',
    );
    expect(ser('--version')).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});

describe('ser train on very few files', () => {
  it('says in one line that there is no validation part, and that a second run replaces the model', () => {
    const few = join(tmp, 'few');
    mkdirSync(few);
    for (const f of wavs.filter((w) => /^03a0[12]/.test(w))) {
      copyFileSync(join(DATA, 'emodb/wav', f), join(few, f));
    }
    const out = join(tmp, 'few-model');
    const r = ser('train', '--data', few, '--out', out, '--epochs', '1');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'ser train: validation: no validation file (too few training files to carve 0.1 out): training runs its one epoch without early stopping\n',
    );
    expect(r.stderr).not.toMatch(/holds a model/);
    // Training again into the same folder says, before training, that its model will be replaced.
    const { createdAt } = JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8'));
    const again = ser('train', '--data', few, '--out', out, '--epochs', '1');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(
      `ser: note: ${out} holds a model trained ${createdAt}; this run replaces it when it ends (interrupt before then to keep it)\n`,
    );
    expect(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')).createdAt).not.toBe(
      createdAt,
    );
    // Every file of the folder is one an experiment writes: the next run may replace it.
    for (const f of readdirSync(out)) expect(EXPERIMENT_FILES, f).toContain(f);
    // A folder holding anything else is refused before anything runs, and keeps its files.
    writeFileSync(join(out, 'notes.txt'), 'mine\n');
    const refused = ser('train', '--data', few, '--out', out, '--epochs', '1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `ser: error: ${out}: holds a file that is not an experiment's (notes.txt): the model and report replace the folder as a whole; choose a new or empty folder\n`,
    );
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')).createdAt).toBeTypeOf(
      'string',
    );
    // A link to a model folder is followed, also written `link/`: the folder is replaced, the
    // link stays. `dir/.` is `dir` (its checkpoint beside it, not inside).
    rmSync(join(out, 'notes.txt'));
    const link = join(tmp, 'few-model-link');
    symlinkSync(out, link);
    for (const spelling of [link, `${link}/`, `${out}/.`]) {
      const before = JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')).createdAt;
      const again = ser('train', '--data', few, '--out', spelling, '--epochs', '1');
      expect(again.code, again.stderr).toBe(0);
      expect(lstatSync(link).isSymbolicLink(), spelling).toBe(true);
      const after = JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')).createdAt;
      expect(after, spelling).not.toBe(before);
      expect(
        readdirSync(out).filter((f) => !EXPERIMENT_FILES.includes(f)),
        spelling,
      ).toEqual([]);
    }
    const here = spawnSync(process.execPath, [BIN, 'train', '--data', few, '--out', '.'], {
      encoding: 'utf8',
      env,
      cwd: out,
    });
    expect(here.status).toBe(2);
    expect(here.stderr).toMatch(/^ser: error: \.: is the working folder: /);
  });
});

describe('ser train --split speaker', () => {
  // Actors 01–02 are the original WAV files, 03–12 lossless FLAC.
  const ravdess = (actor: string, emotions: string[]) =>
    emotions.map((e) =>
      join(
        DATA,
        `ravdess/Actor_${actor}/03-01-${e}-01-01-01-${actor}.${actor <= '02' ? 'wav' : 'flac'}`,
      ),
    );
  const all = ['01', '02', '03', '04', '05', '06', '07', '08'];

  it('says in one line what the split became and why, and records it in the report', () => {
    const out = join(tmp, 'speaker-model');
    const r = ser(
      'train',
      '--data',
      ...ravdess('01', all),
      ...ravdess('02', all),
      '--out',
      out,
      '--split',
      'speaker',
      '--epochs',
      '1',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const note = r.stderr.split('\n').filter((l) => l.startsWith('ser train: --split speaker:'));
    expect(note).toHaveLength(1);
    expect(note[0]).toMatch(
      /^ser train: --split speaker: held out speaker 0[12] \(8 of 16 files, 50 %, not the 20 % asked\): only whole speakers are held out/,
    );
    const report = JSON.parse(r.stdout);
    expect(report.split).toMatchObject({
      kind: 'speaker',
      testSize: 0.2,
      testFraction: 0.5,
      test: 8,
    });
    expect(`ser train: ${report.split.note}`).toBe(note[0]);
    // The library's speaker split with the same seed holds out the same speaker.
    const files = loadLabelledFiles([...ravdess('01', all), ...ravdess('02', all)]);
    expect(report.split.testSpeakers).toEqual(
      speakerSplit(files.labels, files.speakers, 0.2, 42).testSpeakers,
    );
    // Two training speakers are too few to carve validation speakers from: said in one line.
    expect(report.split.validationKind).toBe('random');
    expect(r.stderr).toContain(`ser train: ${report.split.validationNote}`);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(
      'test size 0.2 asked, 50.0 % obtained',
    );
  });

  it('refuses a split that leaves a class without training files (exit 2, one line)', () => {
    // Actor 01 has the first four emotions, actor 02 the last four.
    const args = [
      'train',
      '--data',
      ...ravdess('01', ['01', '02', '03', '04']),
      ...ravdess('02', ['05', '06', '07', '08']),
      '--out',
      join(tmp, 'never'),
      '--split',
      'speaker',
    ];
    const r = ser(...args);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^ser: error: --split speaker: no training file of classes .* \(all are from the held-out speaker 0[12]\); use --split random, another --seed or more speakers\n$/,
    );
    // Speakers named by --test-speakers: another seed would not help.
    const named = ser(...args, '--test-speakers', '02');
    expect(named.code).toBe(2);
    expect(named.stderr).toBe(
      'ser: error: --split speaker: no training file of classes angry, fearful, disgust, surprised (all are from the held-out speaker 02); hold out other --test-speakers, or use --split random\n',
    );
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  it('--test-speakers, --validation-speakers and --db-reference choose what the run holds out and how it reads dB', () => {
    const out = join(tmp, 'chosen-speakers');
    const three = [...ravdess('01', all), ...ravdess('02', all), ...ravdess('03', all)];
    const r = ser(
      'train',
      '--data',
      ...three,
      '--out',
      out,
      '--split',
      'speaker',
      '--test-speakers',
      '03',
      '--validation-speakers',
      '01',
      '--db-reference',
      'utterance-max',
      '--epochs',
      '1',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.split).toMatchObject({
      testSpeakers: ['03'],
      validationSpeakers: ['01'],
      train: 8,
      validation: 8,
      test: 8,
    });
    expect(report.dbReference).toBe('utterance-max');
    const meta = JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8'));
    expect(meta.zscore.dbReference).toBe('utterance-max');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(
      'Validation (early stopping): whole training speakers 01',
    );
    // Prediction reads the reference from the model: a file 12 dB quieter gets the same answer.
    const quiet = join(tmp, 'quiet.wav');
    const src = readFileSync(three[8]); // actor 02, 16-bit PCM WAV
    const at = src.indexOf('data') + 8; // RAVDESS files carry an FLLR chunk before it
    const pcm = new Int16Array(src.buffer.slice(src.byteOffset + at, src.byteOffset + src.length));
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(pcm[i] / 4); // −12 dB
    writeFileSync(quiet, Buffer.concat([src.subarray(0, at), Buffer.from(pcm.buffer)]));
    const loud = JSON.parse(ser('predict', '--model', out, three[8], '--json').stdout);
    const soft = JSON.parse(ser('predict', '--model', out, quiet, '--json').stdout);
    const probs = (j: { predictions: { probabilities: Record<string, number> }[] }) =>
      Object.values(j.predictions[0].probabilities);
    const expected = probs(loud);
    for (const [i, p] of probs(soft).entries()) expect(p).toBeCloseTo(expected[i], 2);
  });

  it('--spec-augment masks the training inputs and records it in the report and the metadata', () => {
    for (const command of ['train', 'crossval']) {
      expect(ser(command, '--help').stdout.replace(/\s+/g, ' ')).toContain(
        '--spec-augment mask 2 random bands of up to 16 mel bands and 2 spans of up to 26 frames in every training spectrogram, each epoch (SpecAugment; default: off)',
      );
    }
    const out = join(tmp, 'spec-augment');
    const data = [...ravdess('01', all), ...ravdess('02', all)];
    const r = ser(
      'train',
      '--data',
      ...data,
      '--out',
      out,
      '--split',
      'speaker',
      '--epochs',
      '1',
      '--spec-augment',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const masks = { frequencyMasks: 2, maxFrequencyWidth: 16, timeMasks: 2, maxTimeWidth: 26 };
    expect(JSON.parse(r.stdout).specAugment).toEqual(masks);
    const meta = JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8'));
    expect(meta.training.specAugment).toEqual(masks);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(
      '- Masking: 2 frequency masks of 0–16 mel bands and 2 time masks of 0–26 frames per training spectrogram and epoch',
    );
  });

  it('refuses unknown or overlapping chosen speakers (exit 2, one line naming them)', () => {
    const data = [...ravdess('01', all), ...ravdess('02', all), ...ravdess('03', all)];
    for (const [args, message] of [
      [['--test-speakers', '09'], /no file of speaker 09 \(speakers in the data: 01, 02, 03\)/],
      [
        ['--test-speakers', '01', '--validation-speakers', '01'],
        /speaker 01 is held out for the test/,
      ],
      [['--test-speakers', '01', '--validation-speakers', '07'], /no training file of speaker 07/],
      [
        ['--test-speakers', '01', '--test-size', '0.5'],
        /option '--test-speakers <ids>' cannot be used with option '--test-size <fraction>'/,
      ],
    ] as const) {
      const r = ser(
        'train',
        '--data',
        ...data,
        '--out',
        join(tmp, 'never'),
        '--split',
        'speaker',
        ...args,
      );
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    const r = ser('train', '--data', ...data, '--out', join(tmp, 'never'), '--test-speakers', '01');
    expect(r.stderr).toMatch(/--test-speakers: needs --split speaker/);
  });
});

describe('ser info', () => {
  it('prints its summary on stdout, nothing on stderr', () => {
    const r = ser('info');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^node \d/);
    expect(r.stdout).toMatch(/TensorFlow backend: tensorflow /);
  });

  it('reports versions, the backend and why, the addon and CPU features', () => {
    // No SER_BACKEND: the backend is chosen automatically.
    const auto: NodeJS.ProcessEnv = { ...env };
    delete auto.SER_BACKEND;
    const r = spawnSync(process.execPath, [BIN, 'info', '--json'], { encoding: 'utf8', env: auto });
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.nativeAddon.loaded).toBe(true);
    expect(info.versions['@serkit/cli']).toBe('0.1.0');
    expect(info.backend.name).toMatch(/^(tensorflow|tensorflow-gpu|wasm|cpu)$/);
    // Chosen automatically, naming each backend that was tried first and why it was passed over.
    expect(info.backend.reason).toMatch(/^auto( \((tensorflow-gpu|tensorflow): [^;]+(; .+)?\))?$/);
    if (info.backend.name !== 'tensorflow-gpu')
      expect(info.backend.reason).toMatch(/^auto \(tensorflow-gpu: .+\)$/);
    expect(info.cpu.cores).toBeGreaterThan(0);
  });

  it("turns TensorFlow's oneDNN kernels on unless TF_ENABLE_ONEDNN_OPTS says otherwise, and says which", () => {
    // TensorFlow's own log line (shown with --verbose) is the evidence that its kernels are on:
    // on this CPU (no AVX-512 VNNI) TensorFlow alone leaves them off.
    const run = (value: string | undefined) => {
      const e: NodeJS.ProcessEnv = { ...env };
      delete e.SER_BACKEND;
      if (value === undefined) delete e.TF_ENABLE_ONEDNN_OPTS;
      else e.TF_ENABLE_ONEDNN_OPTS = value;
      const r = spawnSync(process.execPath, [BIN, 'info', '--json', '--verbose'], {
        encoding: 'utf8',
        env: e,
      });
      expect(r.status, r.stderr).toBe(0);
      return { backend: JSON.parse(r.stdout).backend, stderr: r.stderr };
    };
    const byDefault = run(undefined);
    if (byDefault.backend.name !== 'tensorflow') return;
    expect(byDefault.backend.oneDnn).toBe(true);
    expect(byDefault.stderr).toMatch(/oneDNN custom operations are on/);
    const off = run('0');
    expect(off.backend.oneDnn).toBe(false);
    expect(off.stderr).not.toMatch(/oneDNN custom operations are on/);
    expect(ser('info').stdout).toMatch(/TensorFlow 2\.\d+\.\d+; oneDNN on\)/);
    // Empty is unset; a value TensorFlow does not read as a boolean (it does not trim) is
    // reported as unknown, with one note, and TensorFlow's own warning agrees.
    expect(run('').backend.oneDnn).toBe(true);
    const padded = run(' 1');
    expect(padded.backend.oneDnn).toBe(null);
    expect(padded.stderr).toMatch(/TF_ENABLE_ONEDNN_OPTS is not set to either/);
    expect(padded.stderr).toContain(
      'ser: note: TF_ENABLE_ONEDNN_OPTS=" 1" is not 0, 1, true or false: TensorFlow ignores it and decides by the CPU whether its oneDNN kernels run\n',
    );
  });

  it('a bad SER_BACKEND is a usage error, one line before anything runs; GPU asks name their package', () => {
    const bad = { ...env, SER_BACKEND: 'bogus' };
    const line =
      'ser: error: env SER_BACKEND: unknown backend "bogus" (expected one of auto, gpu, tensorflow-gpu, node, tensorflow, wasm, cpu)\n';
    for (const args of [['info'], ['predict', join(DATA, 'ravdess/Actor_01')]]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: bad });
      expect(r.status, args[0]).toBe(2);
      expect(r.stderr).toBe(line);
      expect(r.stdout).toBe('');
    }
    // --backend wins over the environment, also when the model loads afterwards.
    const cpu = spawnSync(process.execPath, [BIN, 'info', '--backend', 'cpu'], {
      encoding: 'utf8',
      env: bad,
    });
    expect(cpu.status, cpu.stderr).toBe(0);
    // Native TensorFlow loads here (the info test above): --backend cpu chose not to use it,
    // so no "missing, run ser setup" line.
    const native = spawnSync(process.execPath, [BIN, 'info', '--json'], { encoding: 'utf8', env });
    if (JSON.parse(native.stdout).backend.name === 'tensorflow') {
      expect(cpu.stdout).not.toContain('native TensorFlow missing');
    }
    const file = join(DATA, 'ravdess/Actor_01/03-01-05-01-01-01-01.wav');
    const predict = spawnSync(
      process.execPath,
      [BIN, 'predict', file, '--backend', 'tensorflow', '--json'],
      { encoding: 'utf8', env: bad },
    );
    expect(predict.status, predict.stderr).toBe(0);
    expect(JSON.parse(predict.stdout).predictions).toHaveLength(1);
    // Without the GPU package, `ser setup` (CPU TensorFlow) is not the answer.
    const gpu = spawnSync(process.execPath, [BIN, 'info', '--backend', 'tensorflow-gpu'], {
      encoding: 'utf8',
      env,
    });
    if (!gpu.stdout.includes('TensorFlow backend: tensorflow-gpu')) {
      expect(gpu.stdout).toContain('the GPU backend needs @tensorflow/tfjs-node-gpu and CUDA');
      expect(gpu.stdout).not.toContain('ser setup');
    }
  });
});
