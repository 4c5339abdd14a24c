#!/usr/bin/env node
/**
 * Write `optionalDependencies` on every napi-rs platform package into a `@serkit/dsp-native`
 * package.json, at that package's own version — the published shape:
 *
 *   node tools/platform-deps.mjs [path/to/package.json]   (default packages/dsp-native/package.json)
 *
 * They are not committed: npm cannot lock a dependency that is not published yet (the platform
 * packages are published by the same release), and `npm ci` refuses a lock file without it. The
 * release workflow runs this before `nx release publish`; tools/pack-smoke.mjs on its staged copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NPM_DIR = path.join(ROOT, 'packages', 'dsp-native', 'npm');
const target = path.resolve(process.argv[2] ?? path.join(ROOT, 'packages/dsp-native/package.json'));

const pj = JSON.parse(fs.readFileSync(target, 'utf8'));
const names = fs
  .readdirSync(NPM_DIR)
  .filter((d) => fs.existsSync(path.join(NPM_DIR, d, 'package.json')))
  .map((d) => JSON.parse(fs.readFileSync(path.join(NPM_DIR, d, 'package.json'), 'utf8')))
  .map((p) => {
    if (p.version !== pj.version) {
      throw new Error(`${p.name} is at ${p.version}, ${pj.name} at ${pj.version}: run nx release`);
    }
    return p.name;
  })
  .sort();
pj.optionalDependencies = Object.fromEntries(names.map((n) => [n, pj.version]));
fs.writeFileSync(target, `${JSON.stringify(pj, null, 2)}\n`);
console.log(
  `${path.relative(ROOT, target)}: optionalDependencies on ${names.length} platform packages`,
);
