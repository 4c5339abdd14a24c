/**
 * The errors of an experiment: {@link ExperimentError} for what the caller asked that cannot
 * be done (the CLI's exit 2), {@link ExperimentInterrupted} when the abort signal stopped it.
 */

/** A request the experiment cannot run (bad split, leakage, too few files…): one line. */
export class ExperimentError extends Error {
  /** @param message One line naming the parameter or files, what is allowed and what was found. */
  constructor(message: string) {
    super(message);
    this.name = 'ExperimentError';
  }
}

/** "class anger" or "classes anger, boredom": class names in a message. */
export function classList(names: readonly string[]): string {
  return `${names.length === 1 ? 'class' : 'classes'} ${names.join(', ')}`;
}

/** Evaluated data with classes the model was not trained on (`classes`): one line. */
export class UnknownClassesError extends ExperimentError {
  /**
   * @param classes The data's classes the model does not know.
   * @param modelClasses The model's classes, in its output order.
   */
  constructor(
    readonly classes: readonly string[],
    modelClasses: readonly string[],
  ) {
    super(
      `the data has classes the model does not know: ${classes.join(', ')} (model classes: ${modelClasses.join(', ')})`,
    );
    this.name = 'UnknownClassesError';
  }
}

/** The abort signal stopped the experiment; its checkpoint (if any) stays resumable. */
export class ExperimentInterrupted extends Error {
  /**
   * @param message One line: what was (not) done.
   * @param epochsDone Epochs finished (and checkpointed) in the interrupted training; 0 when
   *   it stopped before or in the first epoch.
   */
  constructor(
    message: string,
    readonly epochsDone: number,
  ) {
    super(message);
    this.name = 'ExperimentInterrupted';
  }
}
