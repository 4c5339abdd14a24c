/**
 * libtensorflow from the TensorFlow CPU wheel on PyPI, for machines that cannot reach
 * TensorFlow's own download host: fetched once (pip when present, else PyPI's JSON API),
 * `libtensorflow_cc.so.2`, `libtensorflow_framework.so.2` and `include/` extracted with yauzl,
 * cached under `<cache>/libtensorflow-<dist>-<version>`. Linux x64 only.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { writeDirAtomic } from './atomic-dir.js';

/** The extracted libraries: `lib/` (the two `.so.2`) and `include/` (the C API headers). */
export interface Libtensorflow {
  lib: string;
  include: string;
}

/** Download a URL to a file (follows redirects), via a temp file and rename. */
async function download(url: string, dest: string, redirects = 5): Promise<void> {
  const tmp = `${dest}.part-${process.pid}`;
  await new Promise<void>((resolve, reject) => {
    const req = https.get(url, { timeout: 60_000 }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
        res.resume();
        download(new URL(res.headers.location, url).href, dest, redirects - 1).then(
          resolve,
          reject,
        );
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new Error(`GET ${url}: HTTP ${status}`));
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

async function getJson(url: string): Promise<unknown> {
  const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = https.get(url, { timeout: 30_000 }, resolve);
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
  });
  if (res.statusCode !== 200) throw new Error(`GET ${url}: HTTP ${res.statusCode}`);
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Find or fetch the wheel `<dist>==<version>` for linux x86_64 into `dir`; return its path. */
async function fetchWheel(
  dist: string,
  version: string,
  dir: string,
  log: (line: string) => void,
): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const prefix = `${dist.replace(/-/g, '_')}-${version}-`;
  const existing = () =>
    fs
      .readdirSync(dir)
      .find((f) => f.startsWith(prefix) && f.endsWith('.whl') && !f.includes('.part'));
  const have = existing();
  if (have) return path.join(dir, have);
  if (os.platform() !== 'linux' || os.arch() !== 'x64') {
    throw new Error(`no ${dist} wheel route for ${os.platform()}-${os.arch()} (linux x64 only)`);
  }
  // 1. pip, when there is one (it honours the machine's pip configuration: index, certs, proxy).
  for (const [cmd, pre] of [
    ['python3', ['-m', 'pip']],
    ['pip3', []],
  ] as const) {
    log(`downloading ${dist}==${version} with ${cmd}${pre.length ? ' -m pip' : ''}`);
    const r = spawnSync(
      cmd,
      [...pre, 'download', `${dist}==${version}`, '--no-deps', '--only-binary=:all:', '-d', dir],
      { stdio: 'ignore', timeout: 30 * 60_000 },
    );
    const got = existing();
    if (!r.error && r.status === 0 && got) return path.join(dir, got);
  }
  // 2. PyPI's JSON API: any manylinux x86_64 wheel (the C/C++ libraries do not depend on the
  //    Python tag).
  const meta = (await getJson(`https://pypi.org/pypi/${dist}/${version}/json`)) as {
    urls?: { packagetype: string; filename: string; url: string; size: number }[];
  };
  const files = (meta.urls ?? []).filter(
    (u) => u.packagetype === 'bdist_wheel' && /manylinux.*x86_64\.whl$/.test(u.filename),
  );
  const f = files[0];
  if (!f) throw new Error(`PyPI lists no linux x86_64 wheel for ${dist}==${version}`);
  log(`downloading ${f.filename} (${Math.round(f.size / 1e6)} MB) from PyPI`);
  await download(f.url, path.join(dir, f.filename));
  return path.join(dir, f.filename);
}

/** How long {@link unzip} waits without progress (no entry, no data) before it fails. */
const UNZIP_STALL_MS = 120_000;

/**
 * Extract the entries accepted by `want(name)` from `zipPath` into `destDir` (yauzl).
 * @throws when the archive cannot be read, or nothing moves for `stallMs`.
 */
export function unzip(
  zipPath: string,
  destDir: string,
  want: (name: string) => boolean,
  stallMs = UNZIP_STALL_MS,
): Promise<number> {
  return new Promise((resolveAll, rejectAll) => {
    // A watchdog: an extraction that stops making progress fails with a message instead of
    // hanging `ser setup` (and `npm ci`, which runs it) for good.
    let last = Date.now();
    let current = '';
    const watchdog = setInterval(
      () => {
        if (Date.now() - last < stallMs) return;
        reject(
          new Error(
            `extracting ${path.basename(zipPath)}: no progress for ${Math.round(stallMs / 1000)} s${current ? ` (at ${current})` : ''}; run \`ser setup\` again`,
          ),
        );
      },
      Math.min(stallMs, 5_000),
    );
    watchdog.unref();
    const settle = () => clearInterval(watchdog);
    const resolve = (n: number) => {
      settle();
      resolveAll(n);
    };
    const reject = (e: unknown) => {
      settle();
      rejectAll(e);
    };
    yauzl.open(zipPath, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) {
        reject(err ?? new Error(`cannot open ${zipPath}`));
        return;
      }
      let n = 0;
      zip.on('error', reject);
      zip.on('end', () => resolve(n));
      zip.on('entry', (entry: yauzl.Entry) => {
        last = Date.now();
        current = entry.fileName;
        // yauzl rejects absolute paths and `..` segments before emitting an entry.
        if (entry.fileName.endsWith('/') || !want(entry.fileName)) {
          zip.readEntry();
          return;
        }
        const dest = path.join(destDir, entry.fileName);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) {
            reject(e ?? new Error(`cannot read ${entry.fileName}`));
            return;
          }
          stream.on('data', () => {
            last = Date.now();
          });
          pipeline(stream, fs.createWriteStream(dest)).then(() => {
            n++;
            zip.readEntry();
          }, reject);
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * libtensorflow of the `<dist>==<version>` wheel, extracted once into the cache and reused.
 * @throws when the wheel cannot be fetched or lacks the libraries.
 */
export async function cachedLibtensorflow(
  cacheDir: string,
  dist: string,
  version: string,
  log: (line: string) => void,
): Promise<Libtensorflow> {
  const base = path.join(cacheDir, `libtensorflow-${dist}-${version}`);
  const result = { lib: path.join(base, 'lib'), include: path.join(base, 'include') };
  if (fs.existsSync(path.join(base, '.complete'))) return result;
  const wheel = await fetchWheel(dist, version, path.join(cacheDir, 'wheels'), log);
  log(`extracting libtensorflow from ${path.basename(wheel)} into ${base}`);
  const libs = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'];
  await writeDirAtomic(base, async (tmp) => {
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
  });
  return result;
}
