#!/usr/bin/env node
/**
 * Make `@tensorflow/tfjs-node` (and, where installed, `@tensorflow/tfjs-node-gpu`) work on a
 * machine that cannot reach TensorFlow's download host. Run as the root `postinstall`.
 *
 * tfjs-node's own install script (denied by the root `allowScripts`) downloads libtensorflow
 * 2.9.1 and a prebuilt addon from a host that may be unreachable. This script:
 *
 *  1. does nothing when the package already loads (idempotent; a second run takes < 1 s);
 *  2. tries tfjs-node's normal install first, when the download host answers within 5 s
 *     (the install itself is time-boxed to 10 minutes);
 *  3. otherwise takes `libtensorflow_cc.so.2`, `libtensorflow_framework.so.2` and `include/`
 *     from the TensorFlow wheel on PyPI (`tensorflow-cpu`, or `tensorflow` for the GPU package),
 *     cached under `$SERKIT_CACHE_DIR` (default `$XDG_CACHE_HOME/serkit` or `~/.cache/serkit`),
 *     places them in the package's `deps/` under the names its `binding.gyp` links, and
 *     rebuilds the binding from source against the running Node's headers (node-gyp);
 *  4. if neither works, prints a warning and exits 0: `@serkit/model` then falls back to the
 *     wasm backend (prediction only). Set `SERKIT_TFJS_STRICT=1` to fail instead.
 *
 * Environment: `SERKIT_TF_VERSION` (wheel version, default 2.21.0), `SERKIT_TFJS_SKIP=1`
 * (skip everything), `SERKIT_TFJS_NO_DOWNLOAD=1` (skip the normal download attempt).
 * Needs no Python at run time: the wheel is fetched with pip when present, else straight from
 * PyPI's JSON API, and unzipped by this script.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const TAG = '[serkit setup-tfjs-node]';
const TF_VERSION = process.env.SERKIT_TF_VERSION || '2.21.0';
const LIBTENSORFLOW_TFJS = '2.9.1';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.resolve(
  process.env.SERKIT_CACHE_DIR ||
    path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'serkit'),
);
const STRICT = process.env.SERKIT_TFJS_STRICT === '1';

const log = (msg) => console.log(`${TAG} ${msg}`);
const warn = (msg) => console.warn(`${TAG} WARNING: ${msg}`);

/** Packages handled, with the PyPI wheel that carries matching native libraries. */
const PACKAGES = [
  { name: '@tensorflow/tfjs-node', wheel: 'tensorflow-cpu' },
  { name: '@tensorflow/tfjs-node-gpu', wheel: 'tensorflow' },
];

/** Does `require(pkg)` work (in a child process, so a crash cannot take us down)? */
function loads(pkgDir) {
  const code = `const tf = require(${JSON.stringify(pkgDir)});
const t = tf.tensor1d([1, 2, 3]).square().sum().dataSync()[0];
if (t !== 14) throw new Error('bad result ' + t);
console.log(tf.version.tfjs + ' / TensorFlow ' + (tf.version['tfjs-node'] ? tf.backend().binding.TF_Version : '?'));`;
  const r = spawnSync(process.execPath, ['-e', code], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  return { ok: r.status === 0, out: (r.stdout || '').trim(), err: (r.stderr || '').trim() };
}

/** Resolve ROOT/node_modules/<name> (npm workspaces hoist to the root). */
function findPackage(name) {
  const dir = path.join(ROOT, 'node_modules', ...name.split('/'));
  return fs.existsSync(path.join(dir, 'package.json')) ? dir : null;
}

/** Probe an https host; resolves true when it answers at all within `ms`. */
function reachable(url, ms) {
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

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) return { ok: false, why: r.error.message };
  if (r.signal) return { ok: false, why: `killed by ${r.signal} (time limit?)` };
  return { ok: r.status === 0, why: `exit code ${r.status}` };
}

/** Environment under which node-gyp finds Node's headers without downloading them. */
function gypEnv() {
  const env = { ...process.env };
  if (!env.npm_config_nodedir) {
    const prefix = path.resolve(path.dirname(process.execPath), '..');
    if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
      env.npm_config_nodedir = prefix;
    }
  }
  if (!env.npm_config_node_gyp || !fs.existsSync(env.npm_config_node_gyp)) {
    const candidates = [
      path.join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
      path.resolve(
        path.dirname(process.execPath),
        '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
      ),
      path.resolve(
        path.dirname(process.execPath),
        'node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
      ),
    ];
    const found = candidates.find((c) => fs.existsSync(c));
    if (found) env.npm_config_node_gyp = found;
  }
  return env;
}

// ---------------------------------------------------------------- wheel download + extraction

/** Download a URL to a file (follows redirects), via a temp file and rename. */
async function download(url, dest, redirects = 5) {
  const tmp = `${dest}.part-${process.pid}`;
  await new Promise((resolve, reject) => {
    const req = https.get(url, { timeout: 60_000 }, (res) => {
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location && redirects > 0) {
        res.resume();
        download(new URL(res.headers.location, url).href, dest, redirects - 1).then(
          resolve,
          reject,
        );
        return;
      }
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        return;
      }
      pipeline(res, fs.createWriteStream(tmp))
        .then(() => {
          fs.renameSync(tmp, dest);
          resolve();
        })
        .catch(reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
  });
}

async function getJson(url) {
  const chunks = [];
  const res = await new Promise((resolve, reject) => {
    const req = https.get(url, { timeout: 30_000 }, resolve);
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
  });
  if (res.statusCode !== 200) throw new Error(`GET ${url}: HTTP ${res.statusCode}`);
  for await (const c of res) chunks.push(c);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Find or fetch the wheel `<dist>==<version>` for linux x86_64 into `dir`; return its path. */
async function fetchWheel(dist, version, dir) {
  fs.mkdirSync(dir, { recursive: true });
  const prefix = `${dist.replace(/-/g, '_')}-${version}-`;
  const existing = () =>
    fs
      .readdirSync(dir)
      .find((f) => f.startsWith(prefix) && f.endsWith('.whl') && !f.includes('.part'));
  if (existing()) return path.join(dir, existing());
  if (os.platform() !== 'linux' || os.arch() !== 'x64') {
    throw new Error(`no ${dist} wheel route for ${os.platform()}-${os.arch()} (linux x64 only)`);
  }
  // 1. pip, when there is one (it honours the machine's pip configuration: index, certs, proxy).
  for (const [cmd, pre] of [
    ['python3', ['-m', 'pip']],
    ['pip3', []],
    ['pip', []],
  ]) {
    const r = spawnSync(
      cmd,
      [...pre, 'download', `${dist}==${version}`, '--no-deps', '--only-binary=:all:', '-d', dir],
      { stdio: 'inherit', timeout: 30 * 60_000 },
    );
    if (!r.error && r.status === 0 && existing()) return path.join(dir, existing());
  }
  // 2. PyPI's JSON API: any manylinux x86_64 wheel (the C/C++ libraries do not depend on the
  //    Python tag).
  log(`pip unavailable or failed; fetching ${dist}==${version} from PyPI directly`);
  const meta = await getJson(`https://pypi.org/pypi/${dist}/${version}/json`);
  const files = (meta.urls || []).filter(
    (u) => u.packagetype === 'bdist_wheel' && /manylinux.*x86_64\.whl$/.test(u.filename),
  );
  if (files.length === 0)
    throw new Error(`PyPI lists no linux x86_64 wheel for ${dist}==${version}`);
  const f = files[0];
  log(`downloading ${f.filename} (${Math.round(f.size / 1e6)} MB)`);
  await download(f.url, path.join(dir, f.filename));
  return path.join(dir, f.filename);
}

/** Read a zip's central directory: [{name, method, csize, size, offset}]. */
function zipEntries(fd, fileSize) {
  const tailLen = Math.min(fileSize, 65_557);
  const tail = Buffer.alloc(tailLen);
  fs.readSync(fd, tail, 0, tailLen, fileSize - tailLen);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    // zip64 end of central directory locator, just before the EOCD.
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw new Error('bad zip64 locator');
    const z64off = Number(tail.readBigUInt64LE(loc + 8));
    const z = Buffer.alloc(56);
    fs.readSync(fd, z, 0, 56, z64off);
    count = Number(z.readBigUInt64LE(32));
    cdSize = Number(z.readBigUInt64LE(40));
    cdOffset = Number(z.readBigUInt64LE(48));
  }
  const cd = Buffer.alloc(cdSize);
  fs.readSync(fd, cd, 0, cdSize, cdOffset);
  const out = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error('bad zip central directory entry');
    const method = cd.readUInt16LE(p + 10);
    let csize = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let offset = cd.readUInt32LE(p + 42);
    const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
    // zip64 extra field
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = Number(cd.readBigUInt64LE(q));
          q += 8;
        }
        if (csize === 0xffffffff) {
          csize = Number(cd.readBigUInt64LE(q));
          q += 8;
        }
        if (offset === 0xffffffff) offset = Number(cd.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    out.push({ name, method, csize, size, offset });
    p = eEnd + commentLen;
  }
  return out;
}

/** Extract the entries accepted by `want(name)` from `zipPath` into `destDir`. */
async function unzip(zipPath, destDir, want) {
  const fd = fs.openSync(zipPath, 'r');
  try {
    const entries = zipEntries(fd, fs.fstatSync(fd).size).filter(
      (en) => !en.name.endsWith('/') && want(en.name),
    );
    const header = Buffer.alloc(30);
    for (const en of entries) {
      if (en.name.includes('..')) throw new Error(`unsafe path in wheel: ${en.name}`);
      fs.readSync(fd, header, 0, 30, en.offset);
      if (header.readUInt32LE(0) !== 0x04034b50) throw new Error(`bad local header: ${en.name}`);
      const dataStart = en.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      const dest = path.join(destDir, en.name);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      if (en.csize === 0) {
        fs.writeFileSync(dest, '');
        continue;
      }
      const src = fs.createReadStream(null, {
        fd,
        autoClose: false,
        start: dataStart,
        end: dataStart + en.csize - 1,
      });
      if (en.method === 0) await pipeline(src, fs.createWriteStream(dest));
      else if (en.method === 8)
        await pipeline(src, zlib.createInflateRaw(), fs.createWriteStream(dest));
      else throw new Error(`unsupported zip method ${en.method}: ${en.name}`);
      if (fs.statSync(dest).size !== en.size) throw new Error(`size mismatch: ${en.name}`);
    }
    return entries.length;
  } finally {
    fs.closeSync(fd);
  }
}

/** Extracted libtensorflow from the `<dist>==<version>` wheel, cached: {lib, include}. */
async function cachedLibtensorflow(dist, version) {
  const base = path.join(CACHE, `libtensorflow-${dist}-${version}`);
  const done = path.join(base, '.complete');
  if (fs.existsSync(done))
    return { lib: path.join(base, 'lib'), include: path.join(base, 'include') };
  const wheel = await fetchWheel(dist, version, path.join(CACHE, 'wheels'));
  log(`extracting libtensorflow from ${path.basename(wheel)} into ${base}`);
  const tmp = `${base}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const libs = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'];
  const n = await unzip(
    wheel,
    tmp,
    (name) => libs.includes(name) || name.startsWith('tensorflow/include/'),
  );
  for (const l of libs) {
    if (!fs.existsSync(path.join(tmp, l))) throw new Error(`${path.basename(wheel)} has no ${l}`);
  }
  fs.mkdirSync(path.join(tmp, 'lib'));
  for (const l of libs) fs.renameSync(path.join(tmp, l), path.join(tmp, 'lib', path.basename(l)));
  fs.renameSync(path.join(tmp, 'tensorflow', 'include'), path.join(tmp, 'include'));
  fs.rmSync(path.join(tmp, 'tensorflow'), { recursive: true, force: true });
  fs.writeFileSync(path.join(tmp, '.complete'), `${dist}==${version}, ${n} files\n`);
  fs.rmSync(base, { recursive: true, force: true });
  fs.renameSync(tmp, base);
  return { lib: path.join(base, 'lib'), include: path.join(base, 'include') };
}

/** Hard-link (or copy, across file systems) a tree. */
function linkTree(src, dest) {
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
function placeDeps(pkgDir, tf) {
  const deps = path.join(pkgDir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  const lib = path.join(deps, 'lib');
  fs.mkdirSync(lib, { recursive: true });
  linkTree(path.join(tf.lib, 'libtensorflow_cc.so.2'), path.join(lib, 'libtensorflow_cc.so.2'));
  linkTree(
    path.join(tf.lib, 'libtensorflow_framework.so.2'),
    path.join(lib, 'libtensorflow_framework.so.2'),
  );
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

/** Build tfjs_binding.node from source (node-pre-gyp → node-gyp), offline. */
function buildBinding(pkgDir) {
  const preGyp = [
    path.join(pkgDir, 'node_modules', '.bin', 'node-pre-gyp'),
    path.join(ROOT, 'node_modules', '.bin', 'node-pre-gyp'),
  ].find((p) => fs.existsSync(p));
  if (!preGyp) return { ok: false, why: 'node-pre-gyp not found' };
  // install.js sets binary.package_name before calling node-pre-gyp; do the same, then restore.
  const pj = path.join(pkgDir, 'package.json');
  const orig = fs.readFileSync(pj, 'utf8');
  const j = JSON.parse(orig);
  j.binary.package_name = `${j.name.replace('@tensorflow/', '')}-v${j.version}-{node_abi}-{platform}-{arch}.tar.gz`;
  fs.writeFileSync(pj, JSON.stringify(j, null, 2));
  try {
    return run(process.execPath, [preGyp, 'rebuild', '--build-from-source'], {
      cwd: pkgDir,
      env: gypEnv(),
      timeout: 20 * 60_000,
    });
  } finally {
    fs.writeFileSync(pj, orig);
  }
}

async function setup({ name, wheel }) {
  const pkgDir = findPackage(name);
  if (!pkgDir) return name === '@tensorflow/tfjs-node' ? 'absent' : 'absent-optional';
  const before = loads(pkgDir);
  if (before.ok) {
    log(`${name} already works (tfjs ${before.out}); nothing to do`);
    return 'ok';
  }
  // 1. The normal route: tfjs-node's own install script, when its host answers.
  if (process.env.SERKIT_TFJS_NO_DOWNLOAD !== '1') {
    const host = 'https://storage.googleapis.com/';
    if (await reachable(host, 5000)) {
      log(`${name}: download host reachable, trying the package's own install script`);
      const gpu = name.endsWith('-gpu') ? ['gpu', 'download'] : [];
      const r = run(process.execPath, ['scripts/install.js', ...gpu], {
        cwd: pkgDir,
        env: gypEnv(),
        timeout: 10 * 60_000,
      });
      if (r.ok && loads(pkgDir).ok) {
        log(`${name} installed the normal way`);
        return 'ok';
      }
      warn(`${name}: the normal install failed (${r.why}); trying the PyPI wheel route`);
    } else {
      log(`${name}: download host unreachable (5 s probe); using the TensorFlow wheel from PyPI`);
    }
  }
  // 2. The wheel route.
  const tf = await cachedLibtensorflow(wheel, TF_VERSION);
  log(`${name}: placing libtensorflow (${wheel} ${TF_VERSION}) in ${path.join(pkgDir, 'deps')}`);
  placeDeps(pkgDir, tf);
  log(`${name}: building the binding from source (node-gyp, takes ~1 min)`);
  const b = buildBinding(pkgDir);
  if (!b.ok) throw new Error(`building the ${name} binding failed: ${b.why}`);
  const after = loads(pkgDir);
  if (!after.ok)
    throw new Error(`${name} still does not load: ${after.err.split('\n').slice(-3).join(' ')}`);
  log(`${name} works (tfjs ${after.out})`);
  return 'ok';
}

async function main() {
  if (process.env.SERKIT_TFJS_SKIP === '1') {
    log('SERKIT_TFJS_SKIP=1: skipped');
    return 0;
  }
  let failed = false;
  for (const p of PACKAGES) {
    try {
      const r = await setup(p);
      if (r === 'absent') log(`${p.name} is not installed; nothing to do`);
    } catch (err) {
      failed = true;
      warn(
        `${p.name} is not usable: ${err instanceof Error ? err.message : err}. ` +
          '@serkit/model will fall back to the wasm backend (prediction only; training there ' +
          'would take hours). Re-run `node tools/setup-tfjs-node.mjs` once the cause is fixed.',
      );
    }
  }
  return failed && STRICT ? 1 : 0;
}

process.exitCode = await main();
