/**
 * `setupNativeTensorflow()` — make `@tensorflow/tfjs-node` (and, when installed,
 * `@tensorflow/tfjs-node-gpu`) work, on machines that cannot reach TensorFlow's download host
 * too. Behind `npx ser setup` and this repository's `postinstall`.
 *
 * For each package:
 *  1. nothing to do when a copy already loads (npm's, or serkit's cache copy): idempotent, ~1 s;
 *  2. the copy to complete is npm's when it is installed and writable; otherwise (npm removed
 *     the optional dependency after its install script failed, or the folder is read-only) the
 *     same version is installed with `--ignore-scripts` into the serkit cache
 *     (`<cache>/tfjs-node/…`, see native-location.ts), where the backend looks next;
 *  3. tfjs-node's own install script, when its download host answers within 5 s;
 *  4. otherwise libtensorflow from the TensorFlow wheel on PyPI (`tensorflow-cpu`, or
 *     `tensorflow` for the GPU package; cached in `<cache>/libtensorflow-…`), placed in the
 *     package's `deps/`, and the binding built from source with node-gyp against the running
 *     Node's headers (only the newest Node-API version; the built binding is cached in
 *     `<cache>/tfjs-binding/…`, so the next project reuses it without compiling).
 *
 * The cache is `$SERKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/serkit`, else `~/.cache/serkit`.
 * Environment: `SERKIT_TF_VERSION` (wheel version, default 2.21.0), `SERKIT_TFJS_NO_DOWNLOAD=1`
 * (skip step 3). Building needs a C++ compiler, `make` and Python 3 (node-gyp); nothing of it is
 * needed at run time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { writeDirAtomicSync } from './atomic-dir.js';
import {
  cachedPackageDir,
  cachedPackageProject,
  installedPackageDir,
  type NativePackageName,
  nativePackageCandidates,
  serkitCacheDir,
  tfjsVersion,
} from './native-location.js';
import { cachedLibtensorflow, type Libtensorflow } from './setup-wheel.js';

const require = createRequire(import.meta.url);

/** The libtensorflow version tfjs-node 4.x's install script looks for in `deps/lib`. */
const LIBTENSORFLOW_TFJS = '2.9.1';
const DOWNLOAD_HOST = 'https://storage.googleapis.com/';

/** Options of {@link setupNativeTensorflow}. */
export interface SetupOptions {
  /**
   * Receives one line per step (what is checked, fetched, built). The line that says a package
   * works comes with that package's result as `outcome`, so that a caller which prints the
   * result itself can leave the line out. Default: ignore.
   */
  log?: (line: string, outcome?: SetupPackageResult) => void;
  /**
   * Try tfjs-node's own download first. Default: true unless env `SERKIT_TFJS_NO_DOWNLOAD=1`.
   */
  download?: boolean;
  /** TensorFlow wheel version of the PyPI route. Default: env `SERKIT_TF_VERSION`, else 2.21.0. */
  tensorflowVersion?: string;
  /** Redo the set-up even when the package already loads. Default false. */
  force?: boolean;
}

/** How a package was made to work. */
export type SetupRoute =
  | 'already working'
  | 'tfjs-node download'
  | 'PyPI wheel, cached binding'
  | 'PyPI wheel, binding built';

/** Outcome for one package. */
export interface SetupPackageResult {
  /** `@tensorflow/tfjs-node` or `@tensorflow/tfjs-node-gpu`. */
  packageName: NativePackageName;
  /** True when the package now loads and computes. */
  ok: boolean;
  /** How, when ok. */
  route: SetupRoute | null;
  /** Folder of the working (or attempted) copy. */
  location: string | null;
  /** `tfjs <version> / TensorFlow <version>` as the package reports it, when ok. */
  versions: string | null;
  /** One line, when not ok. */
  error: string | null;
}

/** Result of {@link setupNativeTensorflow}. */
export interface SetupResult {
  /** True when `@tensorflow/tfjs-node` works (the GPU package is optional). */
  ok: boolean;
  /** One entry for tfjs-node, and one for tfjs-node-gpu when it is installed. */
  packages: SetupPackageResult[];
  /** The serkit cache used. */
  cacheDir: string;
}

/** Does the package in `dir` load and compute (in a child process, so a crash cannot spread)? */
function loads(dir: string): { ok: boolean; out: string; err: string } {
  const code = `const tf = require(${JSON.stringify(dir)});
const t = tf.tensor1d([1, 2, 3]).square().sum().dataSync()[0];
if (t !== 14) throw new Error('bad result ' + t);
console.log('tfjs ' + tf.version.tfjs + ' / TensorFlow ' + tf.backend().binding.TF_Version);`;
  const r = spawnSync(process.execPath, ['-e', code], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  return { ok: r.status === 0, out: (r.stdout || '').trim(), err: (r.stderr || '').trim() };
}

/** Probe an https host; resolves true when it answers at all within `ms`. */
function reachable(url: string, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.request(url, { method: 'HEAD', timeout: ms }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Run a command with its output captured; on failure, `why` ends with the output's tail. */
function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): { ok: boolean; why: string } {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    timeout: opts.timeoutMs,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) return { ok: false, why: r.error.message };
  if (r.status === 0) return { ok: true, why: '' };
  const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-25)
    .join('\n');
  const how = r.signal ? `killed by ${r.signal} (time limit?)` : `exit code ${r.status}`;
  return { ok: false, why: `${how}; last lines of its output:\n${tail}` };
}

/** Environment for npm and node-gyp: Node's headers without a download, npm's node-gyp. */
function buildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Drop the settings of an enclosing npm run (workspace, global, …); keep network settings.
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(lifecycle|package)_/i.test(k)) continue;
    if (
      /^npm_config_/i.test(k) &&
      !/registry|proxy|cafile|_ca$|strict_ssl|userconfig|cache$|nodedir|node_gyp/i.test(k)
    ) {
      continue;
    }
    env[k] = v;
  }
  if (!env.npm_config_nodedir) {
    const prefix = path.resolve(path.dirname(process.execPath), '..');
    if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
      env.npm_config_nodedir = prefix;
    }
  }
  if (!env.npm_config_node_gyp || !fs.existsSync(env.npm_config_node_gyp)) {
    const npmDir = npmCliDir();
    const candidates = [
      npmDir && path.join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
      ...[process.cwd(), path.dirname(require.resolve('@tensorflow/tfjs/package.json'))].map(
        (from) => {
          try {
            return require.resolve('node-gyp/bin/node-gyp.js', { paths: [from] });
          } catch {
            return null;
          }
        },
      ),
    ];
    const found = candidates.find((c): c is string => !!c && fs.existsSync(c));
    if (found) env.npm_config_node_gyp = found;
  }
  return env;
}

/** The folder of the npm that runs us, or the one installed beside `node`. */
function npmCliDir(): string | null {
  const exec = process.env.npm_execpath;
  const candidates = [
    exec ? path.resolve(path.dirname(exec), '..') : null,
    path.resolve(path.dirname(process.execPath), '../lib/node_modules/npm'),
    path.resolve(path.dirname(process.execPath), 'node_modules/npm'),
  ];
  return (
    candidates.find((c): c is string => !!c && fs.existsSync(path.join(c, 'bin', 'npm-cli.js'))) ??
    null
  );
}

/** Install `name@version` with `--ignore-scripts` into the cache project (atomically). */
function installIntoCache(name: NativePackageName, log: (l: string) => void): string {
  const project = cachedPackageProject(name);
  const dir = cachedPackageDir(name);
  if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  const version = tfjsVersion();
  log(`not installed next to @serkit/model; installing ${name}@${version} into ${project}`);
  writeDirAtomicSync(project, (tmp) => {
    fs.writeFileSync(
      path.join(tmp, 'package.json'),
      `${JSON.stringify({ name: 'serkit-native-tensorflow', private: true }, null, 2)}\n`,
    );
    const npmDir = npmCliDir();
    const [cmd, pre] = npmDir
      ? [process.execPath, [path.join(npmDir, 'bin', 'npm-cli.js')]]
      : [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
    const r = run(
      cmd,
      [
        ...pre,
        'install',
        `${name}@${version}`,
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
      ],
      { cwd: tmp, env: buildEnv(), timeoutMs: 10 * 60_000 },
    );
    if (!r.ok) throw new Error(`npm install ${name}@${version} --ignore-scripts failed: ${r.why}`);
  });
  return dir;
}

/** Is `dir` writable by us (so its `deps/` and `lib/` can be completed in place)? */
function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Hard-link (or copy, across file systems) a tree. */
function linkTree(src: string, dest: string): void {
  const st = fs.lstatSync(src);
  if (st.isDirectory()) {
    fs.mkdirSync(dest, { recursive: true });
    for (const e of fs.readdirSync(src)) linkTree(path.join(src, e), path.join(dest, e));
  } else if (st.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(src), dest);
  } else {
    try {
      fs.linkSync(src, dest);
    } catch {
      fs.copyFileSync(src, dest);
    }
  }
}

/** Lay out `deps/` the way tfjs-node's binding.gyp and install.js expect on Linux. */
function placeDeps(pkgDir: string, tf: Libtensorflow): void {
  const deps = path.join(pkgDir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  const lib = path.join(deps, 'lib');
  fs.mkdirSync(lib, { recursive: true });
  for (const so of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
    linkTree(path.join(tf.lib, so), path.join(lib, so));
  }
  // -ltensorflow / -ltensorflow_framework at link time; the SONAMEs (…so.2) at run time.
  fs.symlinkSync('libtensorflow_cc.so.2', path.join(lib, 'libtensorflow.so'));
  fs.symlinkSync('libtensorflow_framework.so.2', path.join(lib, 'libtensorflow_framework.so'));
  // What tfjs-node's install.js checks to consider libtensorflow present.
  fs.symlinkSync('libtensorflow_cc.so.2', path.join(lib, `libtensorflow.so.${LIBTENSORFLOW_TFJS}`));
  fs.symlinkSync(
    'libtensorflow_framework.so.2',
    path.join(lib, `libtensorflow_framework.so.${LIBTENSORFLOW_TFJS}`),
  );
  linkTree(tf.include, path.join(deps, 'include'));
}

interface PackageJson {
  name: string;
  version: string;
  binary: { napi_versions: number[]; package_name?: string };
}

/** The Node-API version whose binding tfjs-node loads on this Node (`lib/napi-v<N>`). */
function bindingNapiVersion(pj: PackageJson): number {
  const node = Number(process.versions.napi);
  return Math.max(...pj.binary.napi_versions.filter((v) => v <= node));
}

/** Build tfjs_binding.node from source (node-pre-gyp → node-gyp), offline, newest N-API only. */
function buildBinding(pkgDir: string): { ok: boolean; why: string } {
  let preGyp: string;
  try {
    preGyp = require.resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp', { paths: [pkgDir] });
  } catch {
    return { ok: false, why: '@mapbox/node-pre-gyp (a dependency of tfjs-node) not found' };
  }
  // install.js sets binary.package_name before calling node-pre-gyp; do the same, then restore.
  const pjPath = path.join(pkgDir, 'package.json');
  const orig = fs.readFileSync(pjPath, 'utf8');
  const pj = JSON.parse(orig) as PackageJson;
  pj.binary.package_name = `${pj.name.replace('@tensorflow/', '')}-v${pj.version}-{node_abi}-{platform}-{arch}.tar.gz`;
  fs.writeFileSync(pjPath, JSON.stringify(pj, null, 2));
  try {
    return run(
      process.execPath,
      [preGyp, 'rebuild', '--build-from-source', '--build-latest-napi-version-only'],
      { cwd: pkgDir, env: buildEnv(), timeoutMs: 20 * 60_000 },
    );
  } finally {
    fs.writeFileSync(pjPath, orig);
  }
}

async function setupOne(
  name: NativePackageName,
  wheel: string,
  o: Required<Omit<SetupOptions, 'log'>> & {
    log: (l: string, outcome?: SetupPackageResult) => void;
  },
): Promise<SetupPackageResult> {
  const log = (l: string, outcome?: SetupPackageResult) => o.log(`${name}: ${l}`, outcome);
  const result: SetupPackageResult = {
    packageName: name,
    ok: false,
    route: null,
    location: null,
    versions: null,
    error: null,
  };
  const done = (dir: string, route: SetupRoute, versions: string) => {
    Object.assign(result, { ok: true, route, location: dir, versions });
    log(`works (${versions}) — ${route}; in ${dir}`, result);
    return result;
  };
  if (!o.force) {
    for (const dir of nativePackageCandidates(name)) {
      const r = loads(dir);
      if (r.ok) return done(dir, 'already working', r.out);
    }
  }
  const installed = installedPackageDir(name);
  const dir = installed && writable(installed) ? installed : installIntoCache(name, log);
  result.location = dir;

  // 1. The normal route: tfjs-node's own install script, when its host answers.
  if (o.download) {
    if (await reachable(DOWNLOAD_HOST, 5000)) {
      log('download host reachable; running the package’s own install script');
      const gpu = name.endsWith('-gpu') ? ['gpu', 'download'] : [];
      const r = run(process.execPath, ['scripts/install.js', ...gpu], {
        cwd: dir,
        env: buildEnv(),
        timeoutMs: 10 * 60_000,
      });
      const after = r.ok ? loads(dir) : null;
      if (after?.ok) return done(dir, 'tfjs-node download', after.out);
      log(`its install script failed (${r.why.split('\n')[0]}); trying the PyPI wheel`);
    } else {
      log(`download host ${DOWNLOAD_HOST} unreachable (5 s probe); using the PyPI wheel`);
    }
  }

  // 2. The wheel route.
  const cacheDir = serkitCacheDir();
  const tf = await cachedLibtensorflow(cacheDir, wheel, o.tensorflowVersion, log);
  log(`libtensorflow of ${wheel} ${o.tensorflowVersion} → ${path.join(dir, 'deps')}`);
  placeDeps(dir, tf);
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
  const napi = bindingNapiVersion(pj);
  const bindingDir = path.join(dir, 'lib', `napi-v${napi}`);
  const cachedBinding = path.join(
    cacheDir,
    'tfjs-binding',
    `${name.replace('@tensorflow/', '')}-${pj.version}-napi${napi}-${process.platform}-${process.arch}-${wheel}-${o.tensorflowVersion}`,
    'tfjs_binding.node',
  );
  if (fs.existsSync(cachedBinding)) {
    fs.mkdirSync(bindingDir, { recursive: true });
    fs.copyFileSync(cachedBinding, path.join(bindingDir, 'tfjs_binding.node'));
    const r = loads(dir);
    if (r.ok) return done(dir, 'PyPI wheel, cached binding', r.out);
    log('the cached binding does not load here; building it again');
  }
  log('building the binding from source (node-gyp, about a minute; output shown on failure)');
  const b = buildBinding(dir);
  if (!b.ok) throw new Error(`building the ${name} binding failed: ${b.why}`);
  const after = loads(dir);
  if (!after.ok) {
    throw new Error(`still does not load: ${after.err.split('\n').slice(-3).join(' ')}`);
  }
  fs.mkdirSync(path.dirname(cachedBinding), { recursive: true });
  writeFileAtomic.sync(cachedBinding, fs.readFileSync(path.join(bindingDir, 'tfjs_binding.node')));
  return done(dir, 'PyPI wheel, binding built', after.out);
}

/**
 * Make native TensorFlow work for `@serkit/model` (see the module comment for the routes).
 * Idempotent: a second call returns in about a second. Never throws for a failed set-up: the
 * result says, per package, what worked or why not (one line; build output tails included).
 */
export async function setupNativeTensorflow(options: SetupOptions = {}): Promise<SetupResult> {
  const o = {
    log: options.log ?? (() => {}),
    download: options.download ?? process.env.SERKIT_TFJS_NO_DOWNLOAD !== '1',
    tensorflowVersion: options.tensorflowVersion ?? process.env.SERKIT_TF_VERSION ?? '2.21.0',
    force: options.force ?? false,
  };
  const wanted: [NativePackageName, string][] = [['@tensorflow/tfjs-node', 'tensorflow-cpu']];
  if (installedPackageDir('@tensorflow/tfjs-node-gpu')) {
    wanted.push(['@tensorflow/tfjs-node-gpu', 'tensorflow']);
  }
  const packages: SetupPackageResult[] = [];
  for (const [name, wheel] of wanted) {
    try {
      packages.push(await setupOne(name, wheel, o));
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      o.log(`${name}: NOT working: ${msg}`);
      packages.push({
        packageName: name,
        ok: false,
        route: null,
        location: null,
        versions: null,
        error: msg.split('\n')[0],
      });
    }
  }
  return { ok: packages[0]?.ok ?? false, packages, cacheDir: serkitCacheDir() };
}
