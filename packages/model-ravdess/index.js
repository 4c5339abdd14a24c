import { fileURLToPath } from 'node:url';

/** Folder holding this model's `model.json`, `weights.bin` and `metadata.json`. */
export const modelDir = fileURLToPath(new URL('./model/', import.meta.url));
