import { loadNative } from '@serkit/features';
import {
  type BackendInfo,
  type BackendRequest,
  backendInfo,
  parseBackendRequest,
  readOneDnnVariable,
  WASM_WARNING,
} from '@serkit/model';
import { type CliContext, UsageError } from './context.js';

/**
 * The backend asked for: `--backend`, else env `SER_BACKEND` (which also takes the library's
 * aliases `gpu` and `node`), else `auto`. A bad `SER_BACKEND` is a usage error (exit 2).
 */
export function requestedBackend(option: BackendRequest | undefined): BackendRequest {
  if (option) return option;
  try {
    return parseBackendRequest(process.env.SER_BACKEND, 'env SER_BACKEND');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The addon's stderr switch, when the addon loads and has it. */
function stderrSwitch(): { mute: () => number; restore: (saved: number) => void } | null {
  try {
    const native = loadNative() as Partial<{
      muteStderr: () => number;
      restoreStderr: (saved: number) => void;
    }>;
    return native.muteStderr && native.restoreStderr
      ? { mute: native.muteStderr, restore: native.restoreStderr }
      : null;
  } catch {
    return null;
  }
}

/**
 * Load the TensorFlow.js backend (`--backend`, else env `SER_BACKEND`, else auto) and return
 * what was chosen. Unless `--verbose`, the process's stderr is muted while libtensorflow
 * loads: the lines it writes then ("WARNING: All log messages before absl::InitializeLog()…",
 * "I0000 … oneDNN custom operations are on…") come from absl's logger, which
 * `TF_CPP_MIN_LOG_LEVEL` does not reach (`TF_ENABLE_ONEDNN_OPTS=0`, the one switch that drops
 * the oneDNN line, also turns oneDNN's kernels off). Nothing else runs meanwhile; serkit's own
 * wasm-fallback notice is printed afterwards, unless `wasmNotice` is false (`ser info`, whose
 * report says the same).
 */
export async function loadTensorFlow(
  ctx: CliContext,
  backend: BackendRequest | undefined,
  { wasmNotice = true }: { wasmNotice?: boolean } = {},
): Promise<BackendInfo> {
  const sw = !ctx.verbose && ctx.stderr === process.stderr ? stderrSwitch() : null;
  const saved = sw ? sw.mute() : -1;
  let info: BackendInfo;
  try {
    info = await backendInfo(backend ? { backend } : {});
  } finally {
    if (sw) sw.restore(saved);
  }
  if (wasmNotice && saved >= 0 && info.name === 'wasm' && info.reason.startsWith('auto')) {
    ctx.stderr.write(`${WASM_WARNING}\n`);
  }
  const oneDnn = process.env.TF_ENABLE_ONEDNN_OPTS;
  if (
    info.tensorflowVersion !== null &&
    process.arch === 'x64' &&
    oneDnn !== undefined &&
    readOneDnnVariable(oneDnn) === null
  ) {
    // Set but not a boolean TensorFlow reads: its own warning is among the muted lines.
    ctx.stderr.write(
      `ser: note: TF_ENABLE_ONEDNN_OPTS=${JSON.stringify(oneDnn)} is not 0, 1, true or false: TensorFlow ignores it and decides by the CPU whether its oneDNN kernels run\n`,
    );
  }
  return info;
}

/**
 * Load the backend for `ser train` / `ser crossval`, before any feature is extracted: training
 * needs native TensorFlow (`tensorflow` or `tensorflow-gpu`); on wasm or cpu (chosen, or the
 * fallback when native TensorFlow is missing) it would take hours, so that is a one-line usage
 * error saying how to install it (exit 2).
 */
export async function loadTrainingBackend(
  ctx: CliContext,
  backend: BackendRequest | undefined,
  command: 'train' | 'crossval',
): Promise<BackendInfo> {
  // Its own error says what the wasm notice would: not both.
  const info = await loadTensorFlow(ctx, backend, { wasmNotice: false });
  if (!info.canTrain) {
    const slow = `training on ${info.name} would take hours`;
    if (info.reason.startsWith('auto')) {
      throw new UsageError(
        `ser ${command} needs native TensorFlow, which is not available here (${slow}): run \`npx ser setup\` to install it`,
      );
    }
    // Not auto: --backend chose it, else env SER_BACKEND (as `requestedBackend`).
    const given = backend ? `--backend ${info.name}` : `SER_BACKEND=${info.name}`;
    throw new UsageError(
      `ser ${command} needs native TensorFlow (--backend auto, tensorflow or tensorflow-gpu), not ${given}: ${slow}`,
    );
  }
  return info;
}
