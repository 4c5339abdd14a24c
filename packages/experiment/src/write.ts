/** Saving an experiment: the model and its report replace a folder together, or not at all. */
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { MODEL_FILES, saveModel, writeDirAtomic } from '@serkit/model';
import type { ReportFiles } from '@serkit/report';
import { ExperimentInterrupted } from './errors.js';
import type { ExperimentResult } from './experiment.js';

/** The names of the files `writeReport` wrote, report.md first. */
export function reportFileNames(files: ReportFiles): string[] {
  return [
    files.markdown,
    files.json,
    files.confusionSvg,
    files.confusionPng,
    files.trainingCurvesPng,
    files.spectrogramPng,
  ]
    .filter((f): f is string => f !== null)
    .map((f) => basename(f));
}

/**
 * Write the model (`model.json`, `weights.bin`, `metadata.json`; unless `model: false`) and
 * its report (`report.md`, `report.json`, charts) into `dir`, replacing it atomically, then
 * remove the run's checkpoint. Vega and resvg load only here.
 *
 * @returns the names of the files written, model files first.
 * @throws {ExperimentInterrupted} when `signal` aborts before `dir` is replaced (it is then
 *   left as it was and the checkpoint kept).
 */
export async function writeExperiment(
  dir: string,
  result: ExperimentResult,
  options: { model?: boolean; signal?: AbortSignal } = {},
): Promise<string[]> {
  const { writeReport } = await import('@serkit/report');
  const epochs = result.report.epochs.length;
  const stop = () => {
    if (options.signal?.aborted) throw new ExperimentInterrupted('interrupted', epochs);
  };
  stop();
  let written: ReportFiles | null = null;
  await writeDirAtomic(dir, async (tmp) => {
    if (options.model !== false) await saveModel(tmp, result.model, result.metadata);
    written = await writeReport(tmp, result.report, { spectrogram: result.spectrogram });
    stop();
  });
  if (result.checkpointDir) rmSync(result.checkpointDir, { recursive: true, force: true });
  const names = reportFileNames(written as unknown as ReportFiles);
  return options.model === false ? names : [...Object.values(MODEL_FILES), ...names];
}
