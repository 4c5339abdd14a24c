// Runs in its own worker (vitest isolates files), so the process-wide backend here is cpu.
import { describe, expect, it } from 'vitest';
import { backendInfo, loadBackend } from './backend.js';

describe('cpu backend (asked for by name)', () => {
  it("loads without TensorFlow.js's 'install our node backend' notice; other warnings pass", async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
    };
    try {
      const tf = await loadBackend({ backend: 'cpu' });
      tf.dispose(tf.add(tf.scalar(1), tf.scalar(2)));
      console.warn('a warning of someone else');
    } finally {
      console.warn = warn;
    }
    expect(warnings).toEqual(['a warning of someone else']);
    expect(await backendInfo()).toMatchObject({ name: 'cpu', canTrain: false });
  });
});
