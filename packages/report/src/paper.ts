/**
 * The paper's published figures, embedded: the four confusion matrices (Figures 9, 10, 12,
 * 13; % of each actual class) and Tables 2–5 (per-class precision, recall, F1 and support,
 * accuracy, macro and weighted averages) of Yadav, Bastola, Sharma, "Speech Emotion
 * Recognition using Convolutional Recurrent Neural Network", transcribed as printed
 * (the same figures as `../shared/paper/tables.json`; `paper.test.ts` checks the copy).
 * `report.md` puts them beside a run made with the paper's protocol ({@link paperBaseline}).
 */
import type { SerReport } from './types.js';

/** Where the figures come from. */
export const PAPER_SOURCE =
  "Yadav, Bastola, Sharma, 'Speech Emotion Recognition using Convolutional Recurrent Neural Network' — Figures 9, 10, 12, 13 and Tables 2-5, transcribed as printed";

/**
 * The one known misprint: Table 2's macro F1 is printed 0.8564 (Table 4's figure); the mean
 * of Table 2's own per-class F1 is 0.8020. Kept as printed in {@link PAPER_RESULTS}.
 */
export const PAPER_MISPRINT = {
  corpus: 'ravdess',
  protocol: 'noAugmentation',
  table: 2,
  field: 'macro.f1',
  printed: 0.8564,
  meanOfPrintedPerClassF1: 0.802,
} as const;

/** One class row of Tables 2–5, as printed. */
export interface PaperClassRow {
  /** The table's own class name as printed (short: `fear`, `bored`, `sad`, …). */
  readonly name: string;
  /** Test examples of the class. */
  readonly support: number;
  /** Precision in %, 2 decimals as printed. */
  readonly precision: number;
  /** Recall in %, 2 decimals as printed. */
  readonly recall: number;
  /** F1 as a fraction, 4 decimals as printed. */
  readonly f1: number;
}

/** A macro or weighted average row of Tables 2–5 (precision and recall in %, F1 a fraction). */
export interface PaperAverage {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** One figure/table pair: a corpus with or without augmentation, random 80:20 split. */
export interface PaperResult {
  /** Figure number of the confusion matrix. */
  readonly figure: 9 | 10 | 12 | 13;
  /** Table number of the scores. */
  readonly table: 2 | 3 | 4 | 5;
  /** Rows actual, columns predicted, each row in % of its actual class (2 decimals), in {@link PaperCorpus.classes} order. */
  readonly confusionPercent: readonly (readonly number[])[];
  /** Per-class rows, in {@link PaperCorpus.classes} order. */
  readonly perClass: readonly PaperClassRow[];
  /** Accuracy in %. */
  readonly accuracy: number;
  readonly macro: PaperAverage;
  readonly weighted: PaperAverage;
}

/** The paper's two results on one corpus. */
export interface PaperCorpus {
  /** The figures' class names, in the paper's order (alphabetical by its short names). */
  readonly classes: readonly string[];
  /** The serkit label (`@serkit/features` RAVDESS_LABELS / EMODB_LABELS) of each paper class, same order. */
  readonly labels: readonly string[];
  /** Random 80:20 split, no augmentation. */
  readonly noAugmentation: PaperResult;
  /** Random 80:20 split, training part augmented (noise, time stretch ×2, pitch shift). */
  readonly augmentation: PaperResult;
}

/** Corpora the paper reports on, by serkit dataset name. */
export type PaperCorpusName = 'ravdess' | 'emodb';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const row = (
  name: string,
  support: number,
  precision: number,
  recall: number,
  f1: number,
): PaperClassRow => ({ name, support, precision, recall, f1 });

/** The paper's figures, as printed (see {@link PAPER_SOURCE}; one misprint: {@link PAPER_MISPRINT}). */
export const PAPER_RESULTS: Readonly<Record<PaperCorpusName, PaperCorpus>> = deepFreeze<
  Record<PaperCorpusName, PaperCorpus>
>({
  ravdess: {
    classes: ['angry', 'calm', 'disgust', 'fearful', 'happy', 'neutral', 'sad', 'surprised'],
    labels: ['angry', 'calm', 'disgust', 'fearful', 'happy', 'neutral', 'sad', 'surprised'],
    noAugmentation: {
      figure: 9,
      table: 2,
      confusionPercent: [
        [94.59, 0, 2.7, 0, 0, 0, 2.7, 0],
        [0, 91.67, 0, 0, 0, 2.78, 5.56, 0],
        [4.88, 0, 75.61, 7.32, 2.44, 0, 9.76, 0],
        [2.44, 2.44, 4.88, 80.49, 2.44, 0, 7.32, 0],
        [5, 2.5, 0, 15, 67.5, 0, 7.5, 2.5],
        [0, 16.67, 0, 0, 0, 70.83, 12.5, 0],
        [0, 5.88, 5.88, 14.71, 2.94, 0, 70.59, 0],
        [0, 0, 0, 0, 2.86, 0, 11.43, 85.71],
      ],
      perClass: [
        row('angry', 37, 87.5, 94.59, 0.9091),
        row('calm', 36, 80.49, 91.67, 0.8571),
        row('disgust', 41, 86.11, 75.61, 0.8052),
        row('fear', 41, 70.21, 80.49, 0.75),
        row('happy', 40, 87.1, 67.5, 0.7606),
        row('neutral', 24, 94.44, 70.83, 0.8095),
        row('sad', 34, 54.55, 70.59, 0.6154),
        row('surprise', 35, 96.77, 85.71, 0.9091),
      ],
      accuracy: 79.86,
      macro: { precision: 82.15, recall: 79.62, f1: 0.8564 }, // f1: the misprint
      weighted: { precision: 81.72, recall: 79.86, f1: 0.8016 },
    },
    augmentation: {
      figure: 12,
      table: 4,
      confusionPercent: [
        [97.3, 0, 0, 0, 0, 0, 2.7, 0],
        [0, 88.89, 0, 0, 0, 2.78, 8.33, 0],
        [2.44, 0, 95.12, 0, 0, 0, 2.44, 0],
        [0, 2.44, 0, 70.73, 4.88, 0, 19.51, 2.44],
        [5, 0, 0, 0, 82.5, 0, 7.5, 5],
        [0, 12.5, 0, 0, 4.17, 75, 8.33, 0],
        [0, 2.94, 5.88, 0, 2.94, 2.94, 85.29, 0],
        [0, 0, 0, 0, 11.43, 0, 0, 88.57],
      ],
      perClass: [
        row('angry', 37, 92.31, 97.3, 0.9474),
        row('calm', 36, 86.49, 88.89, 0.8767),
        row('disgust', 41, 95.12, 95.12, 0.9512),
        row('fear', 41, 100, 70.73, 0.8286),
        row('happy', 40, 80.49, 82.5, 0.8148),
        row('neutral', 24, 90, 75, 0.8182),
        row('sad', 34, 61.7, 85.29, 0.716),
        row('surprise', 35, 91.18, 88.57, 0.8986),
      ],
      accuracy: 85.76,
      macro: { precision: 87.16, recall: 85.43, f1: 0.8564 },
      weighted: { precision: 87.49, recall: 85.76, f1: 0.8598 },
    },
  },
  emodb: {
    classes: ['anger', 'boredom', 'disgust', 'fear', 'happiness', 'neutral', 'sadness'],
    labels: ['anger', 'boredom', 'disgust', 'fear', 'happiness', 'neutral', 'sadness'],
    noAugmentation: {
      figure: 10,
      table: 3,
      confusionPercent: [
        [85.29, 0, 0, 8.82, 5.88, 0, 0],
        [0, 80, 0, 10, 0, 10, 0],
        [0, 0, 80, 0, 20, 0, 0],
        [0, 0, 0, 91.67, 8.33, 0, 0],
        [30.77, 0, 0, 7.69, 61.54, 0, 0],
        [0, 11.76, 0, 5.88, 0, 82.35, 0],
        [0, 0, 0, 0, 0, 0, 100],
      ],
      perClass: [
        row('angry', 34, 87.88, 85.29, 0.8657),
        row('bored', 10, 80, 80, 0.8),
        row('disgust', 10, 100, 80, 0.8889),
        row('fear', 12, 64.71, 91.67, 0.7586),
        row('happy', 13, 61.54, 61.54, 0.6154),
        row('neutral', 17, 93.33, 82.35, 0.875),
        row('sad', 11, 100, 100, 1),
      ],
      accuracy: 83.18,
      macro: { precision: 83.92, recall: 82.98, f1: 0.8291 },
      weighted: { precision: 84.59, recall: 83.18, f1: 0.8346 },
    },
    augmentation: {
      figure: 13,
      table: 5,
      confusionPercent: [
        [97.06, 0, 0, 2.94, 0, 0, 0],
        [0, 90, 10, 0, 0, 0, 0],
        [0, 0, 100, 0, 0, 0, 0],
        [0, 0, 0, 83.33, 16.67, 0, 0],
        [15.38, 0, 0, 7.69, 76.92, 0, 0],
        [0, 11.76, 0, 0, 0, 88.24, 0],
        [0, 0, 0, 0, 0, 0, 100],
      ],
      perClass: [
        row('angry', 34, 94.29, 97.06, 0.9565),
        row('bored', 10, 81.82, 90, 0.8571),
        row('disgust', 10, 90.91, 100, 0.9524),
        row('fear', 12, 83.33, 83.33, 0.8333),
        row('happy', 13, 83.33, 76.92, 0.8),
        row('neutral', 17, 100, 88.24, 0.9375),
        row('sad', 11, 100, 100, 1),
      ],
      accuracy: 91.59,
      macro: { precision: 90.53, recall: 90.79, f1: 0.9053 },
      weighted: { precision: 91.74, recall: 91.59, f1: 0.9155 },
    },
  },
});

/** The paper's result a run can be put beside, with the run's classes mapped onto the paper's. */
export interface PaperBaseline {
  corpus: PaperCorpusName;
  /** Whether the run (and so the paper's result) used augmentation. */
  augmented: boolean;
  result: PaperResult;
  /** For each of the run's classes (`report.classes` order), the index of the paper's class. */
  paperIndex: number[];
}

/**
 * The paper's result for a run made with one of its protocols: `dataset.name` `ravdess` or
 * `emodb`, `split.kind` `random`, `split.testSize` 0.2 (the paper's 80:20), with or without
 * augmentation (`augment.enabled`), and the corpus's full class set. Null for any other run
 * (a speaker split, another test size, a cross-validation fold, `ser evaluate`, a folder
 * corpus, a subset of classes, SpecAugment masking).
 */
export function paperBaseline(report: SerReport): PaperBaseline | null {
  const name = report.dataset.name;
  if (name !== 'ravdess' && name !== 'emodb') return null;
  const { kind, testSize } = report.split;
  if (kind !== 'random' || testSize === null || Math.abs(testSize - 0.2) > 1e-9) return null;
  if (report.split.fold) return null; // A cross-validation fold is not the paper's one split.
  if (report.specAugment) return null; // The paper never masked its inputs.
  const corpus = PAPER_RESULTS[name];
  if (report.classes.length !== corpus.labels.length) return null;
  const paperIndex = report.classes.map((c) => corpus.labels.indexOf(c));
  if (paperIndex.some((i) => i < 0) || new Set(paperIndex).size !== paperIndex.length) return null;
  const augmented = report.augment.enabled;
  return {
    corpus: name,
    augmented,
    result: augmented ? corpus.augmentation : corpus.noAugmentation,
    paperIndex,
  };
}
