/**
 * The root README's shell examples, run as written so that they cannot drift: every
 * `npx ser …` line of its ```sh blocks runs through `npx --no-install ser` (the bin npm links
 * for the workspace) and must exit 0; every `npm run <script> [-w <workspace>]` must name a
 * script that exists. Only three things are substituted, to keep it fast: the corpora
 * (`../shared/data/ravdess`, `../shared/data/emodb`) become a 16- and a 12-file subset with the
 * same names, `out/` becomes a temp folder, and `ser train` and `ser crossval` get `--epochs 1`.
 *
 * Each package README's example (a ```js block whose first line is `// example.mjs` or
 * `// example.cjs`) runs as written too, from a folder inside the repository so that the
 * workspace's packages resolve as installed ones would.
 */
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const DATA = resolve(ROOT, '../shared/data');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'serkit-readme-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Lines of the README's ```sh blocks, comments and blank lines dropped, `\` joined. */
function shellLines(md: string): string[] {
  const out: string[] = [];
  for (const m of md.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
    const text = m[1].replace(/\\\n\s*/g, ' ');
    for (const raw of text.split('\n')) {
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (line && !line.startsWith('#')) out.push(line);
    }
  }
  return out;
}

// Subsets with the corpora's own naming: RAVDESS actors 01–02, neutral and angry; EMO-DB W/N.
const ravdess = join(tmp, 'ravdess');
for (const actor of ['Actor_01', 'Actor_02']) {
  mkdirSync(join(ravdess, actor), { recursive: true });
  const files = readdirSync(join(DATA, 'ravdess', actor)).sort();
  for (const emo of ['01', '05']) {
    for (const f of files.filter((x) => x.split('-')[2] === emo).slice(0, 4)) {
      symlinkSync(join(DATA, 'ravdess', actor, f), join(ravdess, actor, f));
    }
  }
}
const emodb = join(tmp, 'emodb');
mkdirSync(join(emodb, 'wav'), { recursive: true });
const emoFiles = readdirSync(join(DATA, 'emodb', 'wav')).sort();
for (const letter of 'WN') {
  for (const f of emoFiles.filter((x) => x[5] === letter).slice(0, 6)) {
    symlinkSync(join(DATA, 'emodb', 'wav', f), join(emodb, 'wav', f));
  }
}

function substitute(line: string): string[] {
  const args = line
    .replace(/^npx ser /, '')
    .replace(/\.\.\/shared\/data\/ravdess(?=\s|$)/g, ravdess)
    .replace(/\.\.\/shared\/data\/emodb(?=\s|$)/g, emodb)
    .replace(/(^|\s)out\//g, `$1${tmp}/out/`)
    .split(/\s+/);
  if (args[0] === 'train' || args[0] === 'crossval') args.push('--epochs', '1');
  return args;
}

const lines = shellLines(readme);
const serLines = lines.filter((l) => l.startsWith('npx ser '));
const npmRunLines = lines.filter((l) => /^npm run /.test(l) || / && npm run /.test(l));

describe('README shell examples', () => {
  it('has the examples this test expects', () => {
    expect(serLines.length).toBeGreaterThanOrEqual(6);
    expect(lines).toContain('npm ci');
    expect(lines).toContain('npm start');
    expect(lines).toContain('npm test');
  });

  it('names only npm scripts that exist', () => {
    const scripts = (dir: string) =>
      Object.keys(
        (
          JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
            scripts?: Record<string, string>;
          }
        ).scripts ?? {},
      );
    const workspaces: Record<string, string> = {
      '@serkit/benchmarks': 'benchmarks',
      '@serkit/cli': 'packages/cli',
    };
    const runs = [...readme.matchAll(/npm run ([\w:-]+)(?: -w ([@\w/-]+))?/g)];
    expect(runs.length).toBeGreaterThan(0);
    for (const [, script, ws] of runs) {
      const dir = ws ? workspaces[ws] : '.';
      expect(dir, `workspace ${ws}`).toBeDefined();
      expect(scripts(dir), `npm run ${script}${ws ? ` -w ${ws}` : ''}`).toContain(script);
    }
    expect(npmRunLines.length).toBeGreaterThan(0);
  });

  // In README order: train writes the model that evaluate and predict use.
  for (const line of serLines) {
    it(`runs: ${line}`, { timeout: 240_000 }, () => {
      const r = spawnSync('npx', ['--no-install', 'ser', ...substitute(line)], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 230_000,
        env: { ...process.env, SER_CACHE_DIR: join(tmp, 'cache'), TF_CPP_MIN_LOG_LEVEL: '2' },
      });
      expect(r.status, `${line}\n${r.stderr}`).toBe(0);
      if (line.includes('--json')) expect(() => JSON.parse(r.stdout)).not.toThrow();
    });
  }
});

const PACKAGES = ['cli', 'dsp-native', 'experiment', 'features', 'model', 'report'];
const exampleDir = mkdtempSync(join(ROOT, 'node_modules', '.serkit-readme-'));
afterAll(() => rmSync(exampleDir, { recursive: true, force: true }));

describe('package README examples', () => {
  for (const pkg of PACKAGES) {
    const md = readFileSync(join(ROOT, 'packages', pkg, 'README.md'), 'utf8');
    const blocks = [...md.matchAll(/```js\n\/\/ (example\.[cm]js)\n([\s\S]*?)```/g)];
    it(`${pkg}: has a runnable example`, () => {
      expect(blocks.length, `packages/${pkg}/README.md`).toBeGreaterThanOrEqual(1);
    });
    blocks.forEach(([, file, code], i) => {
      it(`${pkg}: example ${i + 1} (${file}) runs as written`, { timeout: 120_000 }, () => {
        const dir = join(exampleDir, `${pkg}-${i}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, file), code);
        const r = spawnSync(process.execPath, [file], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 110_000,
          env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
        });
        expect(r.status, `${pkg} ${file}\n${r.stderr}`).toBe(0);
      });
    });
  }
});
