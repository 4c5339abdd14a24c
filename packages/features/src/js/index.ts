/**
 * The pure-TypeScript DSP engine of serkit (`engine: 'js'`), one module per
 * stage. Importing it registers the engine. Re-exports only.
 * @packageDocumentation
 */
export * from './decode.js';
export * from './engine.js';
export * from './fixLength.js';
export * from './mel.js';
export * from './minLength.js';
export * from './pipeline.js';
export * from './pool.js';
export * from './resample.js';
export * from './sniff.js';
export * from './stft.js';
export * from './toDb.js';
export * from './trim.js';
export * from './wiener.js';
