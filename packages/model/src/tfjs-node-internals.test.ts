import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { backendInfo, loadBackend } from './backend.js';
import { missingLayerInternals, nativeKernels, tfjsNodeInternals } from './tfjs-node-internals.js';

const pinned = createRequire(import.meta.url)('../package.json').optionalDependencies[
  '@tensorflow/tfjs-node'
];

// Fails loudly, naming what is gone, when an upgrade of tfjs / tfjs-node removes an internal
// serkit relies on (the code itself only falls back, with one line on stderr).
describe('tfjs-node internals (the one adapter)', () => {
  it('finds every internal it needs in the pinned tfjs-node', async () => {
    const tf = await loadBackend();
    const info = await backendInfo();
    expect(info.packageName).toBe('@tensorflow/tfjs-node');
    expect(tf.version_core).toBe(pinned);
    const internals = tfjsNodeInternals(tf);
    expect(internals?.missing).toEqual([]);
    expect(internals?.kernels).not.toBeNull();
    expect(internals?.proto?.dataType).toEqual({ float32: 1, int32: 3, int64: 9 });
    expect(internals?.tensorflowVersion).toBe(info.tensorflowVersion);
    expect(missingLayerInternals(tf)).toEqual([]);
  });

  it('runs a native kernel by name with typed attributes, and makes int64 scalars', async () => {
    const tf = await loadBackend();
    const k = nativeKernels(tf);
    if (!k) throw new Error('native kernels missing');
    const [y] = k.run('Relu', [{ name: 'T', dtype: 'float32' }], [tf.tensor1d([-1, 2])], 1);
    expect(Array.from(y.dataSync())).toEqual([0, 2]);
    y.dispose();
    const { tensor, owned } = k.int64Scalar(tf, 7);
    expect(owned).toBe(false); // tfjs-node's Int64Scalar, no op
    expect(tensor.shape).toEqual([]);
  });
});
