/**
 * Errors of the model package that a caller may want to tell apart: a model folder that
 * cannot be used, options that disagree with the model's, a pretrained model that is not
 * known or not installed. Messages are one line and name the file or the name.
 */

/** Codes of {@link ModelError}, as `SerkitError`'s codes in `@serkit/features`. */
export type ModelErrorCode =
  /** A model folder that cannot be used: a file missing, unreadable, broken or inconsistent. */
  | 'ERR_SER_INVALID_MODEL'
  /** `loadModel(dir, { dsp })` with DSP options that differ from the model's. */
  | 'ERR_SER_DSP_MISMATCH'
  /** A pretrained model name that is not one of `PRETRAINED_MODELS`. */
  | 'ERR_SER_UNKNOWN_MODEL'
  /** A known pretrained model whose npm package is not installed. */
  | 'ERR_SER_MODEL_NOT_INSTALLED';

/** An error about a model, with a {@link ModelErrorCode}; one-line message. */
export class ModelError extends Error {
  /** What went wrong, for callers that branch on it. */
  readonly code: ModelErrorCode;

  /** @param code The kind. @param message One line naming the file (or name) and the reason. */
  constructor(code: ModelErrorCode, message: string) {
    super(message);
    this.name = 'ModelError';
    this.code = code;
  }
}

/** A {@link ModelError} `ERR_SER_INVALID_MODEL`. */
export function invalidModel(message: string): ModelError {
  return new ModelError('ERR_SER_INVALID_MODEL', message);
}
