/**
 * setupNativeTensorflow() on this machine, where `npm ci` already set tfjs-node up: the second
 * run is the idempotent path (a real child process loads tfjs-node and computes). The routes
 * that install and build are exercised end to end by tools/pack-smoke.mjs (a fresh consumer).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedPackageDir, serkitCacheDir } from './native-location.js';
import { setupNativeTensorflow } from './setup.js';

describe('setupNativeTensorflow', () => {
  it('finds the working tfjs-node and changes nothing', { timeout: 180_000 }, async () => {
    const lines: string[] = [];
    const r = await setupNativeTensorflow({ log: (l) => lines.push(l), download: false });
    expect(r.ok).toBe(true);
    expect(r.packages[0]).toMatchObject({
      packageName: '@tensorflow/tfjs-node',
      ok: true,
      route: 'already working',
      error: null,
    });
    expect(r.packages[0].versions).toMatch(/^tfjs 4\.\d+\.\d+ \/ TensorFlow \d+\.\d+/);
    expect(lines.some((l) => l.includes('already working'))).toBe(true);
  });
});

describe('serkit cache location', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env.SERKIT_CACHE_DIR = saved.SERKIT_CACHE_DIR;
    process.env.XDG_CACHE_HOME = saved.XDG_CACHE_HOME;
    if (saved.SERKIT_CACHE_DIR === undefined) delete process.env.SERKIT_CACHE_DIR;
    if (saved.XDG_CACHE_HOME === undefined) delete process.env.XDG_CACHE_HOME;
  });

  it('is $SERKIT_CACHE_DIR, else $XDG_CACHE_HOME/serkit', () => {
    process.env.SERKIT_CACHE_DIR = '/tmp/sk-a';
    expect(serkitCacheDir()).toBe(path.resolve('/tmp/sk-a'));
    delete process.env.SERKIT_CACHE_DIR;
    process.env.XDG_CACHE_HOME = '/tmp/xdg';
    expect(serkitCacheDir()).toBe(path.resolve('/tmp/xdg/serkit'));
  });

  it('keeps the tfjs-node copy per version and platform', () => {
    process.env.SERKIT_CACHE_DIR = '/tmp/sk-b';
    expect(cachedPackageDir('@tensorflow/tfjs-node')).toBe(
      path.join(
        '/tmp/sk-b/tfjs-node',
        `tfjs-node-4.22.0-${process.platform}-${process.arch}`,
        'node_modules/@tensorflow/tfjs-node',
      ),
    );
  });
});
