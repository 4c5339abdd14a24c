/**
 * The repository's `postinstall` (after `npm ci`), a few lines of output unless something fails:
 *
 * 1. `setupNativeTensorflow()` of @serkit/model, run from source (tsx) because nothing is built
 *    yet — the same as `npx ser setup` later. Build output is shown only when a build fails.
 *    Exit 0 even when native TensorFlow cannot be made to work (prediction then uses wasm)
 *    unless `SERKIT_TFJS_STRICT=1`; `SERKIT_TFJS_SKIP=1` skips it.
 * 2. Builds the TypeScript packages (Nx, cached; not the Rust addon, which `npm start` /
 *    `npm test` build) so that `npx ser …` runs the workspace's CLI right away.
 *    `SERKIT_POSTINSTALL_NO_BUILD=1` skips it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupNativeTensorflow } from '../packages/model/src/setup.js';

const TAG = '[serkit]';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (process.env.SERKIT_TFJS_SKIP === '1') {
  console.log(`${TAG} SERKIT_TFJS_SKIP=1: native TensorFlow set-up skipped`);
} else {
  const r = await setupNativeTensorflow({ log: (line) => console.log(`${TAG} ${line}`) });
  if (!r.ok) {
    console.warn(
      `${TAG} WARNING: native TensorFlow is not working; @serkit/model will use wasm (prediction only). ` +
        'Fix the cause above, then run `npx ser setup`.',
    );
    if (process.env.SERKIT_TFJS_STRICT === '1') process.exitCode = 1;
  }
}

if (process.env.SERKIT_POSTINSTALL_NO_BUILD !== '1') {
  const t0 = Date.now();
  const projects = [
    '@serkit/features',
    '@serkit/model',
    '@serkit/report',
    '@serkit/experiment',
    '@serkit/cli',
  ];
  const b = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'nx', 'bin', 'nx.js'),
      'run-many',
      '-t',
      'build',
      '-p',
      ...projects,
      '--excludeTaskDependencies',
      '--outputStyle=static',
    ],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } },
  );
  if (b.status === 0) {
    console.log(
      `${TAG} built ${projects.join(', ')} in ${((Date.now() - t0) / 1000).toFixed(0)} s: \`npx ser --help\` works`,
    );
    const addon = readdirSync(path.join(ROOT, 'packages', 'dsp-native')).some((f) =>
      f.endsWith('.node'),
    );
    if (!addon) {
      console.log(
        `${TAG} the Rust addon is not built yet: until \`npm run build\` (or \`npm start\`) builds it (a few minutes), serkit reads WAV only, with its JS engine`,
      );
    }
  } else {
    process.stdout.write(b.stdout ?? '');
    process.stderr.write(b.stderr ?? '');
    console.warn(`${TAG} WARNING: building the TypeScript packages failed; run \`npm run build\``);
  }
}
