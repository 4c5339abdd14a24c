import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { confusionMatrixSpec, spectrogramSpec, trainingCurvesSpec } from './charts.js';
import { reportToMarkdown } from './markdown.js';
import { renderSvg, svgToPng } from './render.js';
import type { ReportFiles, SerReport, SpectrogramInput } from './types.js';

/** Write `data` to `path` through a temporary file, fsync and a rename: never half-written. */
async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeFileAtomic(
    path,
    typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  );
}

/**
 * Write the report into `dir`: `report.json`, `report.md`, `confusion-matrix.svg` and
 * `.png`, `training-curves.png` (when there is a history) and `spectrogram.png` (when
 * an example is given). Every file is written atomically.
 */
export async function writeReport(
  dir: string,
  report: SerReport,
  options: { spectrogram?: SpectrogramInput } = {},
): Promise<ReportFiles> {
  await mkdir(dir, { recursive: true });
  const files: ReportFiles = {
    json: join(dir, 'report.json'),
    markdown: join(dir, 'report.md'),
    confusionSvg: join(dir, 'confusion-matrix.svg'),
    confusionPng: join(dir, 'confusion-matrix.png'),
    trainingCurvesPng: report.epochs.length > 0 ? join(dir, 'training-curves.png') : null,
    spectrogramPng: options.spectrogram ? join(dir, 'spectrogram.png') : null,
  };
  const confusionSvg = await renderSvg(confusionMatrixSpec(report));
  await writeAtomic(files.confusionSvg, confusionSvg);
  await writeAtomic(files.confusionPng, svgToPng(confusionSvg));
  if (files.trainingCurvesPng) {
    const svg = await renderSvg(
      trainingCurvesSpec(report.epochs, `Training curves — ${report.dataset.name}`),
    );
    await writeAtomic(files.trainingCurvesPng, svgToPng(svg));
  }
  if (files.spectrogramPng && options.spectrogram) {
    await writeAtomic(
      files.spectrogramPng,
      svgToPng(await renderSvg(spectrogramSpec(options.spectrogram)), 1.5),
    );
  }
  await writeAtomic(
    files.markdown,
    reportToMarkdown(report, {
      trainingCurves: files.trainingCurvesPng !== null,
      spectrogram: options.spectrogram?.title ?? null,
    }),
  );
  await writeAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
  return files;
}
