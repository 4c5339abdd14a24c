/**
 * Where native TensorFlow for tfjs-node lives: the package npm installed next to
 * `@serkit/model`, or serkit's own copy in the serkit cache. Shared by the backend
 * selection ({@link loadBackend}) and `setupNativeTensorflow()`.
 *
 * Why a cache copy: `@tensorflow/tfjs-node` is an optional dependency of `@serkit/model`,
 * because its install script downloads libtensorflow from a host many networks cannot reach
 * and a failing script must not fail `npm install @serkit/…`. npm removes an optional
 * dependency whose install script failed (npm 10), or installs it without running the script
 * (npm 11 with install scripts gated). `setupNativeTensorflow()` completes the installed copy in
 * place when there is one, and otherwise installs the same version with `--ignore-scripts` into
 * `<cache>/tfjs-node/<name>-<version>-<platform>-<arch>`, which the backend loads from there.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The two native tfjs packages serkit can use. */
export type NativePackageName = '@tensorflow/tfjs-node' | '@tensorflow/tfjs-node-gpu';

/**
 * serkit's cache directory: `$SERKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/serkit`, else
 * `~/.cache/serkit`.
 */
export function serkitCacheDir(): string {
  return path.resolve(
    process.env.SERKIT_CACHE_DIR ||
      path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'serkit'),
  );
}

/** The TensorFlow.js version `@serkit/model` runs on (its `@tensorflow/tfjs` dependency). */
export function tfjsVersion(): string {
  const pj = require.resolve('@tensorflow/tfjs/package.json');
  return (JSON.parse(fs.readFileSync(pj, 'utf8')) as { version: string }).version;
}

/** The cache project into which setup installs `name` when npm did not keep it. */
export function cachedPackageProject(name: NativePackageName): string {
  const short = name.replace('@tensorflow/', '');
  return path.join(
    serkitCacheDir(),
    'tfjs-node',
    `${short}-${tfjsVersion()}-${process.platform}-${process.arch}`,
  );
}

/** The package folder of `name` inside {@link cachedPackageProject}. */
export function cachedPackageDir(name: NativePackageName): string {
  return path.join(cachedPackageProject(name), 'node_modules', ...name.split('/'));
}

/** The folder of `name` as npm installed it next to `@serkit/model`, or null. */
export function installedPackageDir(name: NativePackageName): string | null {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

/**
 * Folders to try for `name`, in order: npm's copy (when installed), then serkit's cache copy
 * (when set up), copies with a built binding first. Each is a package folder that `require()`
 * accepts.
 */
export function nativePackageCandidates(name: NativePackageName): string[] {
  const all: string[] = [];
  const installed = installedPackageDir(name);
  if (installed) all.push(installed);
  const cached = cachedPackageDir(name);
  if (fs.existsSync(path.join(cached, 'package.json'))) all.push(cached);
  // A copy without any built binding (npm 11 skipped its install script) cannot load: try the
  // others first, so that it is not half-initialised in this process for nothing.
  const built = all.filter(hasBinding);
  return [...built, ...all.filter((d) => !built.includes(d))];
}

/** Does the tfjs-node copy in `dir` have a built binding (`lib/napi-v<N>/tfjs_binding.node`)? */
function hasBinding(dir: string): boolean {
  try {
    return fs
      .readdirSync(path.join(dir, 'lib'))
      .some((d) => fs.existsSync(path.join(dir, 'lib', d, 'tfjs_binding.node')));
  } catch {
    return false;
  }
}
