import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, cpus, platform } from 'node:os';
import { loadNative } from '@serkit/features';
import {
  type BackendInfo,
  type BackendRequest,
  type InstalledPretrainedModel,
  listPretrainedModels,
  nativePackageCandidates,
  SETUP_HINT,
} from '@serkit/model';
import type { Command } from 'commander';
import { loadTensorFlow, requestedBackend } from '../backend.js';
import { type CliContext, EXIT } from '../context.js';
import { OPTIONS } from '../options.js';

const require = createRequire(import.meta.url);

function versionOf(pkg: string): string | null {
  try {
    return (
      JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return null;
  }
}

/** CPU flags that matter for the DSP and TensorFlow kernels (Linux: /proc/cpuinfo). */
function cpuFeatures(): string[] {
  try {
    const flags =
      /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].split(/\s+/) ?? [];
    const wanted = [
      'sse4_2',
      'avx',
      'avx2',
      'fma',
      'f16c',
      'avx512f',
      'avx512_vnni',
      'amx_tile',
      'neon',
      'asimd',
    ];
    return wanted.filter((f) => flags.includes(f));
  } catch {
    return [];
  }
}

/** `ser info --json`. */
export interface InfoOutput {
  versions: Record<string, string | null>;
  platform: string;
  cpu: { model: string; cores: number; features: string[] };
  nativeAddon: { loaded: boolean; error: string | null };
  backend: BackendInfo | { error: string };
  /** The shipped pretrained models and whether each is installed. */
  models: InstalledPretrainedModel[];
}

/** `ser info`: versions, TensorFlow backend (and why), native addon, CPU features. */
export async function runInfo(
  opts: { json: boolean; backend?: BackendRequest },
  ctx: CliContext,
): Promise<number> {
  let nativeAddon: InfoOutput['nativeAddon'];
  try {
    loadNative();
    nativeAddon = { loaded: true, error: null };
  } catch (err) {
    nativeAddon = { loaded: false, error: (err as Error).message };
  }
  let backend: InfoOutput['backend'];
  const request = requestedBackend(opts.backend);
  try {
    // The report's last line says how to get native TensorFlow: not also the stderr notice.
    backend = await loadTensorFlow(ctx, opts.backend, { wasmNotice: false });
  } catch (err) {
    backend = { error: (err as Error).message.split('\n')[0] };
  }
  const info: InfoOutput = {
    versions: {
      node: process.versions.node,
      '@serkit/cli': versionOf('@serkit/cli'),
      '@serkit/features': versionOf('@serkit/features'),
      '@serkit/dsp-native': versionOf('@serkit/dsp-native'),
      '@serkit/model': versionOf('@serkit/model'),
      '@serkit/experiment': versionOf('@serkit/experiment'),
      '@serkit/report': versionOf('@serkit/report'),
    },
    platform: `${platform()}-${arch()}`,
    cpu: { model: cpus()[0]?.model ?? 'unknown', cores: cpus().length, features: cpuFeatures() },
    nativeAddon,
    backend,
    models: listPretrainedModels(),
  };
  if (opts.json) ctx.stdout.write(`${JSON.stringify(info)}\n`);
  else {
    const b = info.backend;
    const lines = [
      ...Object.entries(info.versions).map(([k, v]) => `${k} ${v ?? '(not installed)'}`),
      `platform ${info.platform}; CPU ${info.cpu.model} × ${info.cpu.cores} (${info.cpu.features.join(', ') || 'no SIMD flags read'})`,
      `native DSP addon: ${nativeAddon.loaded ? 'loaded' : `not loaded (${nativeAddon.error}); the JS engine is used`}`,
      'error' in b
        ? `TensorFlow backend: unavailable (${b.error})`
        : `TensorFlow backend: ${b.name} (${b.packageName}; tfjs ${b.tfjsVersion}; TensorFlow ${b.tensorflowVersion ?? 'n/a'}${b.oneDnn === null ? '' : `; oneDNN ${b.oneDnn ? 'on' : 'off'}`}) — ${b.reason}`,
      ...info.models.map(
        (m) =>
          `pretrained model ${m.name}: ${m.installed ? `${m.packageName} ${m.version} (${m.classNames?.length} classes: ${m.classNames?.join(', ')})` : `not installed (npm install ${m.packageName})`}`,
      ),
    ];
    if (request === 'tensorflow-gpu' && 'error' in b) {
      // `ser setup` installs the CPU package only: the GPU one is the user's to add.
      lines.push(
        'the GPU backend needs @tensorflow/tfjs-node-gpu and CUDA: npm install @tensorflow/tfjs-node-gpu on a Linux machine with an NVIDIA GPU',
      );
    } else if (
      'error' in b ||
      (!b.name.startsWith('tensorflow') &&
        nativePackageCandidates('@tensorflow/tfjs-node').length === 0)
    ) {
      // Not when native TensorFlow is there and --backend cpu/wasm chose not to use it.
      lines.push(`native TensorFlow missing (training needs it): ${SETUP_HINT}`);
    }
    ctx.stdout.write(`${lines.join('\n')}\n`);
  }
  return EXIT.OK;
}

/** Register `ser info`. */
export function registerInfo(
  program: Command,
  ctx: CliContext,
  setExit: (code: number) => void,
): void {
  program
    .command('info')
    .description(
      'versions, TensorFlow backend (and why it was chosen), native addon, CPU features, pretrained models',
    )
    .addOption(OPTIONS.backend())
    .addOption(OPTIONS.json())
    .action(async (o: { json: boolean; backend?: BackendRequest }) => {
      setExit(await runInfo(o, ctx));
    });
}
