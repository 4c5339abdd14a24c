/**
 * Classification metrics (SPEC.md §5), pure TypeScript: no TensorFlow needed.
 * Conventions follow scikit-learn's `classification_report`: a class never predicted has
 * precision 0, a class with no examples has recall 0, F1 is 0 when precision + recall is 0.
 */
import type { ClassificationReport, ClassScores } from './types.js';

function checkLabels(values: ArrayLike<number>, k: number, name: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      throw new Error(`${name}[${i}]: expected a class index in 0…${k - 1}, got ${v}`);
    }
  }
}

/** Fraction of positions where `predicted` equals `actual` (0 for empty input). */
export function accuracy(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (actual.length !== predicted.length) {
    throw new Error(
      `accuracy: actual has ${actual.length} labels but predicted has ${predicted.length}`,
    );
  }
  if (actual.length === 0) return 0;
  let ok = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] === predicted[i]) ok++;
  return ok / actual.length;
}

/** Confusion counts, row = actual class, column = predicted class, for `numClasses` classes. */
export function confusionMatrix(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses: number,
): number[][] {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new Error(`confusionMatrix numClasses: expected an integer ≥ 1, got ${numClasses}`);
  }
  if (actual.length !== predicted.length) {
    throw new Error(
      `confusionMatrix: actual has ${actual.length} labels but predicted has ${predicted.length}`,
    );
  }
  checkLabels(actual, numClasses, 'actual');
  checkLabels(predicted, numClasses, 'predicted');
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < actual.length; i++) m[actual[i]][predicted[i]]++;
  return m;
}

/** Each row of a confusion matrix as % of the row's total (an empty row stays all 0). */
export function rowNormalizedPercent(confusion: number[][]): number[][] {
  return confusion.map((row) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (s > 0 ? (100 * v) / s : 0));
  });
}

/** Precision, recall, F1, support of every class from a square confusion matrix (counts). */
export function perClassScores(confusion: number[][]): ClassScores[] {
  const k = confusion.length;
  confusion.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== k) {
      throw new Error(`confusion row ${i}: expected ${k} columns, got ${row?.length}`);
    }
    row.forEach((v, j) => {
      if (!Number.isFinite(v) || v < 0) {
        throw new Error(`confusion[${i}][${j}]: expected a finite number ≥ 0, got ${v}`);
      }
    });
  });
  const out: ClassScores[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    let support = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      support += confusion[c][j];
      predicted += confusion[j][c];
    }
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    out.push({ precision, recall, f1, support });
  }
  return out;
}

/** Macro (unweighted) and support-weighted averages of per-class scores. */
export function averages(scores: ClassScores[]): { macro: ClassScores; weighted: ClassScores } {
  const total = scores.reduce((a, s) => a + s.support, 0);
  const k = scores.length || 1;
  const mean = (f: (s: ClassScores) => number) => scores.reduce((a, s) => a + f(s), 0) / k;
  const wmean = (f: (s: ClassScores) => number) =>
    total > 0 ? scores.reduce((a, s) => a + f(s) * s.support, 0) / total : 0;
  return {
    macro: {
      precision: mean((s) => s.precision),
      recall: mean((s) => s.recall),
      f1: mean((s) => s.f1),
      support: total,
    },
    weighted: {
      precision: wmean((s) => s.precision),
      recall: wmean((s) => s.recall),
      f1: wmean((s) => s.f1),
      support: total,
    },
  };
}

/** Full report from a confusion matrix of counts. */
export function reportFromConfusion(
  confusion: number[][],
  classNames: string[],
): ClassificationReport {
  if (classNames.length !== confusion.length) {
    throw new Error(
      `classNames: expected ${confusion.length} names for a ${confusion.length}×${confusion.length} confusion matrix, got ${classNames.length}`,
    );
  }
  const perClass = perClassScores(confusion);
  const { macro, weighted } = averages(perClass);
  let correct = 0;
  let total = 0;
  confusion.forEach((row, i) => {
    correct += row[i];
    for (const v of row) total += v;
  });
  return {
    classNames: [...classNames],
    accuracy: total > 0 ? correct / total : 0,
    confusion: confusion.map((r) => [...r]),
    confusionPercent: rowNormalizedPercent(confusion),
    perClass,
    macro,
    weighted,
  };
}

/**
 * Classification report (accuracy, confusion counts and row-%, per-class
 * precision/recall/F1/support, macro and weighted averages) from true and predicted indices.
 */
export function classificationReport(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classNames: string[],
): ClassificationReport {
  if (!Array.isArray(classNames) || classNames.length < 1) {
    throw new Error('classNames: expected a non-empty array of class names');
  }
  return reportFromConfusion(confusionMatrix(actual, predicted, classNames.length), classNames);
}

/**
 * Rebuild counts from a row-normalised confusion matrix (% of each row) and the supports,
 * rounding each cell to the nearest integer (as when reading a paper's figure).
 */
export function countsFromPercent(percent: number[][], supports: number[]): number[][] {
  if (percent.length !== supports.length) {
    throw new Error(
      `supports: expected ${percent.length} values (one per row), got ${supports.length}`,
    );
  }
  return percent.map((row, i) => row.map((p) => Math.round((p * supports[i]) / 100)));
}

/** Plain-text report like scikit-learn's, for logs and the CLI. */
export function formatReport(r: ClassificationReport, digits = 2): string {
  const w = Math.max(12, ...r.classNames.map((n) => n.length));
  const f = (v: number) => v.toFixed(digits).padStart(10);
  const head = `${''.padStart(w)}${'precision'.padStart(10)}${'recall'.padStart(10)}${'f1-score'.padStart(10)}${'support'.padStart(10)}`;
  const line = (name: string, s: ClassScores) =>
    `${name.padStart(w)}${f(s.precision)}${f(s.recall)}${f(s.f1)}${String(s.support).padStart(10)}`;
  const total = r.macro.support;
  return [
    head,
    '',
    ...r.perClass.map((s, i) => line(r.classNames[i], s)),
    '',
    `${'accuracy'.padStart(w)}${''.padStart(20)}${f(r.accuracy)}${String(total).padStart(10)}`,
    line('macro avg', r.macro),
    line('weighted avg', r.weighted),
  ].join('\n');
}

/**
 * UAR, unweighted average recall: the mean recall over the classes that occur in the evaluated
 * data (row sums > 0 of `confusion`, rows actual). A class with no evaluated example has no
 * recall and is left out, as SER papers compute it per test set; with every class present it
 * equals `macro.recall`. NaN when nothing was evaluated.
 */
export function unweightedAverageRecall(confusion: number[][]): number {
  let sum = 0;
  let classes = 0;
  confusion.forEach((row, i) => {
    const support = row.reduce((a, b) => a + b, 0);
    if (support > 0) {
      sum += row[i] / support;
      classes++;
    }
  });
  return classes > 0 ? sum / classes : Number.NaN;
}
