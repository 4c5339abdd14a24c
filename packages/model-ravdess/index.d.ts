/**
 * Folder holding this model's `model.json`, `weights.bin` and `metadata.json` (tfjs layers
 * format plus serkit's metadata). Load it with `loadModel(modelDir)` or
 * `loadPretrained('ravdess')` from `@serkit/model`.
 */
export declare const modelDir: string;
