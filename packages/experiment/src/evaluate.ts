/** Evaluation of a trained model on labelled examples. */
import {
  argMaxRows,
  type ClassificationReport,
  classificationReport,
  type Examples,
  predictProbabilities,
  type ZScore,
} from '@serkit/model';
import type * as TF from '@tensorflow/tfjs';

/** What {@link evaluateModel} returns. */
export interface Evaluation {
  /** Accuracy, confusion matrix, per-class and averaged precision/recall/F1 (UAR = macro recall). */
  classification: ClassificationReport;
  /** Predicted class index of each example. */
  predicted: Int32Array;
  /** Class probabilities `[n][K]`, row-major. */
  probabilities: Float32Array;
}

/**
 * Predict `examples` (raw log-mel spectrograms; the model's `zscore` is applied) and score the
 * predictions against their labels.
 *
 * @param model A trained CRNN (from `runExperiment` or `loadModel`).
 * @param examples `x`: n spectrograms `[nMels][nFrames]` back to back; `labels`: n class indices.
 * @param zscore The model's input normalisation.
 * @param classNames K class names, in the model's output order.
 */
export async function evaluateModel(
  model: TF.LayersModel,
  examples: Examples,
  zscore: ZScore,
  classNames: string[],
): Promise<Evaluation> {
  const probabilities = await predictProbabilities(model, examples.x, zscore);
  const predicted = argMaxRows(probabilities, classNames.length);
  return {
    classification: classificationReport(examples.labels, predicted, classNames),
    predicted,
    probabilities,
  };
}
