import { describe, expect, it } from 'vitest';
import { backendInfo, loadBackend, parseBackendRequest } from './backend.js';

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
});
