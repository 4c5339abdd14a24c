#!/usr/bin/env node
/**
 * Smoke test of the published shape (`npm run test:pack`, run by `.ci/run`).
 *
 * 1. Builds (Nx, cached) and `npm pack`s every public package, plus the napi-rs platform
 *    package of this machine (`@serkit/dsp-native-<triple>`, staged with its `.node`);
 *    `@serkit/dsp-native` is staged with its optionalDependencies on the platform packages, as
 *    the release writes them (tools/platform-deps.mjs).
 * 2. Checks each package and tarball: no `workspace:`/`file:`/`link:` dependency, every `files`
 *    entry matched, `main`/`types`/`exports`/`bin` present, a `.d.ts` beside every entry, no
 *    source, test, test helper or source map, LICENSE and README shipped, every bare import of
 *    the shipped JavaScript declared as a (peer/optional) dependency, and a clean
 *    `npm publish --dry-run` (no auto-corrected `package.json`).
 * 3. Installs the tarballs (+ the registry for third-party packages, nothing from the
 *    repository) into a fresh project under the OS temp folder and there runs `npx ser setup`,
 *    `npx ser info --json` (native TensorFlow and the native addon reported),
 *    `npx ser extract` on 3 files of ../shared/data, `npx ser train --epochs 1` on 12 files,
 *    `npx ser predict` with that model, an ESM script and a CommonJS `require` of the libraries,
 *    and `tsc --noEmit` on a TypeScript file using their types.
 *
 * The consumer reuses the libtensorflow / binding cache of `ser setup` (~/.cache/serkit).
 * `--keep` leaves the temp folder for inspection; `--npm 10` installs the consumer with npm 10. Exit 0 when every check passes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(ROOT, '..', 'shared', 'data');
const KEEP = process.argv.includes('--keep');
/** `--npm <version>`: install the consumer with that npm (e.g. 10, the npm of Node 20). */
const CONSUMER_NPM = process.argv.includes('--npm')
  ? process.argv[process.argv.indexOf('--npm') + 1]
  : null;
const NPM_CLI = process.env.npm_execpath?.endsWith('npm-cli.js') ? process.env.npm_execpath : null;
const T0 = Date.now();

const problems = [];
const fail = (msg) => {
  problems.push(msg);
  console.error(`  ✗ ${msg}`);
};
const step = (msg) => console.log(`[pack-smoke ${((Date.now() - T0) / 1000).toFixed(0)} s] ${msg}`);

/** Run a command; returns {status, stdout, stderr}; throws (with output) when `check`. */
function sh(cmd, args, { cwd = ROOT, check = true, env = {} } = {}) {
  const [c, a] = cmd === 'npm' && NPM_CLI ? [process.execPath, [NPM_CLI, ...args]] : [cmd, args];
  const r = spawnSync(c, a, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...env },
  });
  if (check && r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}\n${r.stdout}\n${r.stderr}`.trim(),
    );
  }
  return r;
}

const readJson = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));

// ------------------------------------------------------------------------------ 1. build, pack
step('building (nx, cached)');
sh(process.execPath, [path.join(ROOT, 'node_modules/nx/bin/nx.js'), 'run-many', '-t', 'build']);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'serkit-smoke-'));
const tarballs = path.join(work, 'tarballs');
fs.mkdirSync(tarballs);

const publicDirs = fs
  .readdirSync(path.join(ROOT, 'packages'))
  .map((d) => path.join(ROOT, 'packages', d))
  .filter((d) => fs.existsSync(path.join(d, 'package.json')))
  .filter((d) => !readJson(path.join(d, 'package.json')).private);

// The platform package of this machine, staged with the .node the build produced.
const dspDir = path.join(ROOT, 'packages', 'dsp-native');
const nodeFile = fs.readdirSync(dspDir).find((f) => /^dsp-native\..+\.node$/.test(f));
if (!nodeFile) throw new Error('packages/dsp-native has no built .node (npm run build)');
const triple = nodeFile.replace(/^dsp-native\./, '').replace(/\.node$/, '');
const stage = path.join(work, 'stage', triple);
fs.cpSync(path.join(dspDir, 'npm', triple), stage, { recursive: true });
fs.copyFileSync(path.join(dspDir, nodeFile), path.join(stage, nodeFile));
// @serkit/dsp-native as the release publishes it: with optionalDependencies on every platform
// package (tools/platform-deps.mjs; not committed, see there).
const dspStage = path.join(work, 'stage', 'dsp-native');
fs.cpSync(dspDir, dspStage, {
  recursive: true,
  filter: (src) =>
    !/[\\/](target|node_modules|npm|src|__test__)$/.test(src) && !src.endsWith('.node'),
});
sh(process.execPath, [
  path.join(ROOT, 'tools', 'platform-deps.mjs'),
  path.join(dspStage, 'package.json'),
]);
const packDirs = [...publicDirs.map((d) => (d === dspDir ? dspStage : d)), stage];

const SPEC_BAD = /^(workspace|file|link|portal):/;
const DEP_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'];

/** Paths a package.json promises: main, types, bin, every exports target. */
function promisedPaths(pj) {
  const out = new Set();
  const add = (p) => typeof p === 'string' && out.add(path.posix.normalize(p));
  add(pj.main);
  add(pj.types);
  if (typeof pj.bin === 'string') add(pj.bin);
  else for (const b of Object.values(pj.bin ?? {})) add(b);
  const walk = (e) => {
    if (typeof e === 'string') add(e);
    else if (e && typeof e === 'object') for (const v of Object.values(e)) walk(v);
  };
  walk(pj.exports);
  return [...out];
}

/** Bare module specifiers imported by a JavaScript file (static, dynamic and require). */
function bareImports(code) {
  const out = new Set();
  const re =
    /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
  for (const m of code.matchAll(re)) {
    const s = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (!s || s.startsWith('.') || s.startsWith('/') || s.startsWith('node:')) continue;
    const name = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0];
    if (builtinModules.includes(name)) continue;
    out.add(name);
  }
  return out;
}

step(`packing ${packDirs.length} packages`);
const packed = [];
for (const dir of packDirs) {
  const pj = readJson(path.join(dir, 'package.json'));
  const name = pj.name;
  // dependencies: no workspace/file links.
  for (const f of DEP_FIELDS) {
    for (const [dep, spec] of Object.entries(pj[f] ?? {})) {
      if (SPEC_BAD.test(spec)) fail(`${name}: ${f}.${dep} is "${spec}" (not installable from npm)`);
    }
  }
  if (pj.publishConfig?.access !== 'public') fail(`${name}: publishConfig.access is not "public"`);
  const r = sh('npm', ['pack', '--json', '--pack-destination', tarballs], { cwd: dir });
  const info = JSON.parse(r.stdout)[0];
  const files = info.files.map((f) => f.path);
  packed.push(path.join(tarballs, info.filename));
  // files entries all matched
  for (const entry of pj.files ?? []) {
    if (entry.startsWith('!')) continue;
    const e = entry.replace(/^\.\//, '').replace(/\/$/, '');
    if (!files.some((f) => f === e || f.startsWith(`${e}/`))) {
      fail(`${name}: "files" entry ${entry} matches nothing in the tarball`);
    }
  }
  for (const must of ['LICENSE', 'README.md', 'package.json']) {
    if (!files.includes(must)) fail(`${name}: tarball lacks ${must}`);
  }
  for (const p of promisedPaths(pj)) {
    if (p === 'package.json') continue;
    if (!files.includes(p)) fail(`${name}: package.json points to ${p}, missing from the tarball`);
  }
  // typings beside every JS entry
  const entries = promisedPaths(pj).filter((p) => /\.(m|c)?js$/.test(p) && !pj.bin);
  if (pj.main?.endsWith('.js') && !files.some((f) => f.endsWith('.d.ts'))) {
    fail(`${name}: no .d.ts in the tarball`);
  }
  for (const p of entries) {
    const dts = p.replace(/\.(m|c)?js$/, '.d.ts');
    if (!files.includes(dts) && !files.includes('index.d.ts')) fail(`${name}: ${p} has no ${dts}`);
  }
  // leaks
  for (const f of files) {
    if (/(^|\/)src\//.test(f)) fail(`${name}: source leaked: ${f}`);
    else if (/\.test\.|__test__|(^|\/)testing\.(js|d\.ts)$/.test(f))
      fail(`${name}: test file leaked: ${f}`);
    else if (/\.map$/.test(f)) fail(`${name}: source map shipped (its sources are not): ${f}`);
    else if (/\.ts$/.test(f) && !/\.d\.ts$/.test(f))
      fail(`${name}: TypeScript source leaked: ${f}`);
  }
  // every bare import of shipped JS is a declared runtime dependency
  const declared = new Set([name, ...DEP_FIELDS.flatMap((f) => Object.keys(pj[f] ?? {}))]);
  for (const f of files.filter((x) => /\.(m|c)?js$/.test(x))) {
    const code = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const dep of bareImports(code)) {
      if (!declared.has(dep) && !dep.startsWith(`${name}-`)) {
        fail(`${name}: ${f} imports ${dep}, which is not a dependency`);
      }
    }
  }
  // npm publish --dry-run: clean (no auto-corrections, no errors)
  const pub = sh('npm', ['publish', '--dry-run', '--ignore-scripts'], { cwd: dir, check: false });
  const warn = `${pub.stderr}`
    .split('\n')
    .filter(
      (l) =>
        /npm (warn|error)/i.test(l) &&
        !/dry-run|--dry-run|This command requires you to be logged in/i.test(l),
    );
  if (pub.status !== 0 || warn.length) {
    fail(`${name}: npm publish --dry-run is not clean:\n    ${warn.join('\n    ') || pub.stderr}`);
  }
  console.log(`  ${name}: ${files.length} files, ${(info.size / 1024).toFixed(0)} kB packed`);
}

// ------------------------------------------------------------------------ 2. consumer project
const app = path.join(work, 'app');
fs.mkdirSync(app);
fs.writeFileSync(
  path.join(app, 'package.json'),
  `${JSON.stringify({ name: 'serkit-consumer', private: true, type: 'module' }, null, 2)}\n`,
);
const tsVersion = readJson(path.join(ROOT, 'package.json')).devDependencies.typescript;
step('installing the tarballs into a fresh project (registry for the rest)');
const installArgs = ['install', '--no-audit', '--no-fund', ...packed, `typescript@${tsVersion}`];
if (CONSUMER_NPM) sh('npx', ['-y', `npm@${CONSUMER_NPM}`, ...installArgs], { cwd: app });
else sh('npm', installArgs, { cwd: app });
const lock = fs.readFileSync(path.join(app, 'package-lock.json'), 'utf8');
if (
  /"(resolved|version)": "(file|link):(?!\.\.\/tarballs|.*\.tgz)/.test(lock) ||
  lock.includes(ROOT)
) {
  fail('the consumer lock file refers to the repository');
}

const ser = (args, check = true) => {
  const r = sh(path.join(app, 'node_modules', '.bin', 'ser'), args, { cwd: app, check: false });
  if (check && r.status !== 0) {
    fail(
      `ser ${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
  return r;
};

step('npx ser setup');
const setup = sh('npx', ['--no-install', 'ser', 'setup', '--json'], { cwd: app, check: false });
if (setup.status !== 0)
  fail(`ser setup failed: ${setup.stderr.trim().split('\n').slice(-8).join('\n')}`);
else console.log(`  ${setup.stderr.trim().split('\n').at(-1)}`);

step('npx ser info --json');
const info = JSON.parse(sh('npx', ['--no-install', 'ser', 'info', '--json'], { cwd: app }).stdout);
if (info.backend?.name !== 'tensorflow') fail(`ser info: backend ${JSON.stringify(info.backend)}`);
if (!info.nativeAddon?.loaded)
  fail(`ser info: native addon not loaded: ${info.nativeAddon?.error}`);
console.log(`  backend ${info.backend?.name}, TensorFlow ${info.backend?.tensorflowVersion}`);

const emodb = path.join(DATA, 'emodb', 'wav');
const pick = (letter, n) =>
  fs
    .readdirSync(emodb)
    .filter((f) => f[5] === letter)
    .sort()
    .slice(0, n);
const files = [...pick('W', 6), ...pick('N', 6)];
const dataDir = path.join(app, 'data', 'emodb');
fs.mkdirSync(dataDir, { recursive: true });
for (const f of files) fs.symlinkSync(path.join(emodb, f), path.join(dataDir, f));

step('npx ser extract (3 files)');
const ex = ser([
  'extract',
  ...files.slice(0, 3).map((f) => path.join(emodb, f)),
  '--out',
  'feat',
  '--json',
]);
if (ex.status === 0) {
  const s = JSON.parse(ex.stdout);
  if (s.ok !== 3) fail(`ser extract: ${ex.stdout}`);
  if (!fs.existsSync(path.join(app, 'feat', 'features.npy'))) fail('ser extract: no features.npy');
}

step('npx ser train --epochs 1 (12 files)');
ser(['train', '--data', 'data/emodb', '--out', 'model', '--epochs', '1', '--seed', '1', '--json']);

step('npx ser predict');
const pr = ser(['predict', '--model', 'model', path.join(emodb, files[0]), '--json']);
if (pr.status === 0) {
  const p = JSON.parse(pr.stdout);
  if (p.predictions?.length !== 1) fail(`ser predict: ${pr.stdout}`);
}

step('npx ser predict with the shipped pretrained model (no --model)');
const pre = ser(['predict', path.join(emodb, files[0]), '--json']);
if (pre.status === 0) {
  const p = JSON.parse(pre.stdout);
  if (p.model?.pretrained !== 'ravdess' || p.predictions?.length !== 1)
    fail(`ser predict (pretrained): ${pre.stdout}`);
  const sum = Object.values(p.predictions[0].probabilities).reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-4) fail(`ser predict (pretrained): probabilities sum to ${sum}`);
}

step('ESM import, CommonJS require, tsc --noEmit');
const wav = path.join(emodb, files[0]);
fs.writeFileSync(
  path.join(app, 'esm.mjs'),
  `import { extractFile, DEFAULT_DSP_OPTIONS } from '@serkit/features';
import { buildCrnn, loadBackend, backendInfo } from '@serkit/model';
const x = await extractFile(${JSON.stringify(wav)});
if (x.length !== 128 * 259) throw new Error('features: unexpected length ' + x.length);
const tf = await loadBackend();
const model = await buildCrnn({ numClasses: 7 });
const info = await backendInfo();
console.log('esm ok', DEFAULT_DSP_OPTIONS.nMels, model.outputs[0].shape.join('x'), info.name, tf.version_core);
`,
);
const esm = sh(process.execPath, ['esm.mjs'], { cwd: app, check: false });
if (esm.status !== 0) fail(`ESM script: ${esm.stderr.trim().split('\n').slice(-5).join(' | ')}`);
else console.log(`  ${esm.stdout.trim()}`);
// Node's require(esm) for every package the README says it works for (all but @serkit/report,
// whose charting dependency uses top-level await).
const cjs = sh(
  process.execPath,
  [
    '-e',
    `const f = require('@serkit/features'); if (typeof f.extractFile !== 'function') process.exit(1);
for (const p of ['@serkit/model', '@serkit/experiment', '@serkit/model-ravdess', '@serkit/model-emodb']) require(p);
if (!require('@serkit/model-ravdess').modelDir.endsWith('model/')) process.exit(1);`,
  ],
  { cwd: app, check: false },
);
if (cjs.status !== 0) fail(`require() of the packages: ${cjs.stderr.trim().split('\n')[0]}`);

fs.writeFileSync(
  path.join(app, 'tsconfig.json'),
  `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false }, include: ['use.ts'] }, null, 2)}\n`,
);
fs.writeFileSync(
  path.join(app, 'use.ts'),
  `import { type DspOptions, extractFile, readNpy, writeNpy } from '@serkit/features';
import { type BackendInfo, buildCrnn, type SetupResult } from '@serkit/model';
import type { SerReport } from '@serkit/report';
import { type CrossValidationConfig, stratifiedKFold } from '@serkit/experiment';
import { run } from '@serkit/cli';
const o: Partial<DspOptions> = { nMels: 128 };
const x: Float32Array = await extractFile('a.wav', o);
writeNpy('a.npy', x, [128, 259]);
const back = readNpy('a.npy');
const model = await buildCrnn({ numClasses: 7 });
const b: BackendInfo | null = null;
const s: SetupResult | null = null;
const r: SerReport | null = null;
const code: number = await run(['--help']);
const folds = stratifiedKFold([0, 1, 0, 1], 2, 42);
const cv: Partial<CrossValidationConfig> = { folds: 'loso', split: 'speaker' };
console.log(back, model.name, b, s, r, code, folds.length, cv);
`,
);
const tsc = sh(path.join(app, 'node_modules', '.bin', 'tsc'), ['-p', '.'], {
  cwd: app,
  check: false,
});
// skipLibCheck is off so that serkit's own .d.ts are checked as a consumer sees them; errors
// inside TensorFlow.js's declarations (its own, under strict settings) are not ours to fix.
const tscErrors = `${tsc.stdout}${tsc.stderr}`
  .split('\n')
  .filter((l) => /error TS/.test(l) && !l.startsWith('node_modules/@tensorflow/'));
if (tscErrors.length) fail(`tsc --noEmit in the consumer:\n    ${tscErrors.join('\n    ')}`);

// ----------------------------------------------------------------------------------- verdict
if (!KEEP) fs.rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
if (problems.length) {
  console.error(`pack-smoke: ${problems.length} problem(s)`);
  process.exitCode = 1;
} else {
  step('all checks passed');
}
