/**
 * `@serkit/model`: the CRNN of Yadav, Bastola & Sharma on TensorFlow.js (SPEC.md §4–5).
 * Only re-exports; see each module for documentation.
 */
export {
  backendInfo,
  currentBackendInfo,
  currentTf,
  loadBackend,
  parseBackendRequest,
  readOneDnnVariable,
  SETUP_HINT,
  type Tf,
  WASM_WARNING,
} from './backend.js';
export { CheckpointMismatchError } from './checkpoint.js';
export {
  buildCrnn,
  CRNN_DEFAULTS,
  layerShapes,
  resolveCrnnOptions,
  TABLE1_BLOCKS,
} from './crnn.js';
export { ModelError, type ModelErrorCode } from './errors.js';
export {
  accuracy,
  averages,
  classificationReport,
  confusionMatrix,
  countsFromPercent,
  formatReport,
  perClassScores,
  reportFromConfusion,
  rowNormalizedPercent,
  unweightedAverageRecall,
} from './metrics.js';
export { nativePackageCandidates, serkitCacheDir } from './native-location.js';
export { DB_REFERENCES, exampleMax, fitNormalization } from './normalization.js';
export { type FoldedGraph, foldedGraph, type OpsGraph, opsGraph } from './ops-graph.js';
export {
  checkModelFolder,
  diffDspOptions,
  type LayersModelJson,
  type LoadModelOptions,
  loadModel,
  MODEL_FILES,
  PACKAGE_VERSION,
  readMetadata,
  saveModel,
  writeDirAtomic,
} from './persistence.js';
export { createPredictor } from './predictor.js';
export {
  DEFAULT_PRETRAINED_MODEL,
  type InstalledPretrainedModel,
  isPretrainedModelName,
  listPretrainedModels,
  loadPretrained,
  PRETRAINED_MODELS,
  type PretrainedModelInfo,
  type PretrainedModelName,
  pretrainedModelDir,
} from './pretrained.js';
export { seededRandom, shuffleInPlace, stratifiedSplit } from './random.js';
export { type SessionGraph, sessionGraph } from './session-graph.js';
export {
  type SetupOptions,
  type SetupPackageResult,
  type SetupResult,
  type SetupRoute,
  setupNativeTensorflow,
} from './setup.js';
export {
  applySpecAugment,
  checkSpecAugmentOptions,
  SPEC_AUGMENT_DEFAULTS,
} from './spec-augment.js';
export {
  argMaxRows,
  evaluate,
  predictProbabilities,
  TRAIN_DEFAULTS,
  train,
  zScoreOfAllValues,
} from './train.js';
export type * from './types.js';
export {
  classifyWindows,
  summarizeWindows,
  type WindowPrediction,
  type WindowSpan,
  type WindowSummary,
} from './windows.js';
