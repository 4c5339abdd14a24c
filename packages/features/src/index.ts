/**
 * @serkit/features — the typed TypeScript API of serkit's front end.
 *
 * Re-exports only; one module per concern.
 * @packageDocumentation
 */
export * from './augment.js';
export * from './datasets.js';
export * from './engine.js';
export { SerkitError, type SerkitErrorCode } from './errors.js';
export * from './extract.js';
export {
  closeJsPools,
  extractFilesJs,
  extractJs,
  JsLogMelExtractor,
  jsEngine,
  logMelSpectrogramJs,
  MIN_SPEECH_SECONDS,
  SUPPORTED_FORMATS,
  sniffAudio,
} from './js/index.js';
export * from './npy.js';
export { type DspOptionSpec, type OptionBound, optionTable } from './option-table.js';
export * from './options.js';
export * from './pcm-stream.js';
export * from './types.js';
export * from './windows.js';
export * from './zscore.js';
