/**
 * `@serkit/experiment`: the paper's experiment as a library (splits, cached extraction,
 * training with early stopping, evaluation, cross-validation, report data).
 * Only re-exports; see each module for documentation.
 */

export { seededRandom, shuffleInPlace, stratifiedSplit } from '@serkit/model';
export {
  augmentationSeed,
  defaultCacheDir,
  type ExtractedFiles,
  type ExtractRequest,
  extractWithCache,
  sha256File,
} from './cache.js';
export {
  type CrossValidationConfig,
  type CrossValidationEvent,
  crossValidate,
  DEFAULT_FOLDS,
  makeFolds,
  meanStd,
} from './crossval.js';
export { ExperimentError, ExperimentInterrupted, UnknownClassesError } from './errors.js';
export {
  type Evaluation,
  evaluateModel,
  evaluateOnFiles,
  type FileEvaluation,
  type FileEvaluationConfig,
  modelLabels,
} from './evaluate.js';
export {
  type CorpusFeatures,
  EXPERIMENT_DEFAULTS,
  type ExperimentConfig,
  type ExperimentEvent,
  type ExperimentResult,
  extractCorpus,
  type RunOptions,
  runExperiment,
} from './experiment.js';
export { type LabelledFiles, loadEvents, loadLabelledFiles } from './files.js';
export { assertNoLeakage } from './leakage.js';
export { type RunDescription, toSerReport } from './report-data.js';
export {
  carveValidation,
  type Fold,
  leaveOneSpeakerOut,
  MIN_SPEAKERS_FOR_SPEAKER_VALIDATION,
  randomSplit,
  type Split,
  type SplitProtocol,
  speakerKFold,
  speakerSplit,
  splitFiles,
  stratifiedKFold,
  type ValidationCarve,
} from './splits.js';
export { stackExamples } from './stack.js';
export {
  checkExperimentFolder,
  EXPERIMENT_FILES,
  reportFileNames,
  withoutTrailingSeparators,
  writeExperiment,
} from './write.js';
