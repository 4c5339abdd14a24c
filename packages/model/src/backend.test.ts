import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backendInfo, loadBackend, parseBackendRequest } from './backend.js';
import { nativePackageCandidates } from './native-location.js';

describe('backend selection', () => {
  it('auto picks native TensorFlow here and says why', async () => {
    const info = await backendInfo();
    expect(info.name).toBe('tensorflow');
    expect(info.packageName).toBe('@tensorflow/tfjs-node');
    expect(info.tfjsVersion).toBe('4.22.0');
    expect(info.tensorflowVersion).toMatch(/^2\.\d+/);
    expect(info.canTrain).toBe(true);
    expect(info.reason).toMatch(/auto \(tensorflow-gpu: not installed\)|requested by/);
  });

  it('parses requests and aliases; a bad value is a one-line error naming its source', () => {
    expect(parseBackendRequest(undefined, 'x')).toBe('auto');
    expect(parseBackendRequest('GPU', 'x')).toBe('tensorflow-gpu');
    expect(parseBackendRequest('node', 'x')).toBe('tensorflow');
    expect(() => parseBackendRequest('tpu', 'env SER_BACKEND')).toThrow(
      /^env SER_BACKEND: unknown backend "tpu" \(expected one of/,
    );
  });

  it('a different explicit backend once one is loaded is refused', async () => {
    await loadBackend();
    await expect(loadBackend({ backend: 'wasm' })).rejects.toThrow(/already in use/);
  });

  it('oneDnn is unknown when the program loaded tfjs-node itself first', () => {
    // TensorFlow read TF_ENABLE_ONEDNN_OPTS at that first load; serkit cannot tell what it held.
    const [dir] = nativePackageCandidates('@tensorflow/tfjs-node');
    if (!dir) return;
    const dist = pathToFileURL(resolve(import.meta.dirname, '../dist/index.js')).href;
    const script = `require(${JSON.stringify(dir)}); import(${JSON.stringify(dist)}).then(async (m) => process.stdout.write(JSON.stringify([(await m.backendInfo()).oneDnn, process.env.TF_ENABLE_ONEDNN_OPTS ?? null])));`;
    const oneDnn = (value: string | undefined) => {
      const env: NodeJS.ProcessEnv = { ...process.env, TF_ENABLE_ONEDNN_OPTS: value };
      if (value === undefined) delete env.TF_ENABLE_ONEDNN_OPTS;
      delete env.SER_BACKEND;
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    // Unknown whatever the variable says now; and left unset: too late to matter.
    expect(oneDnn(undefined)).toEqual([null, null]);
    expect(oneDnn('1')).toEqual([null, '1']);
    expect(oneDnn('0')).toEqual([null, '0']);
  });
});
