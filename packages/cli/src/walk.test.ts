/**
 * End-to-end tests of folder walks and `--out` through the built binary: every file once
 * (symlink loop, the same file twice), every unusable entry named with its true reason
 * (dangling link, unreadable folder, unreadable file), EMO-DB names with an upper-case
 * extension, and an unwritable `--out` refused before any work.
 *
 * Permission checks need a user that permissions apply to: root reads through chmod 000.
 * When the tests run as root they create a system user (`useradd`) and run `ser` as it
 * (`runuser -u`); where that is impossible those checks are skipped with the reason printed.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../dist/bin/ser.js');
const EMODB = resolve(import.meta.dirname, '../../../../shared/data/emodb-original/wav');
const USER = 'serkit-test';
const tmp = mkdtempSync(join(tmpdir(), 'serkit-walk-'));
chmodSync(tmp, 0o755);
afterAll(() => {
  spawnSync('chmod', ['-R', 'u+rwx', tmp]);
  rmSync(tmp, { recursive: true, force: true });
});

/** How to run `ser` as a user that file permissions apply to, or why that is impossible. */
function unprivileged(): { prefix: string[] } | { skip: string } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  if (spawnSync('id', [USER]).status !== 0) {
    const r = spawnSync('useradd', ['--system', '--no-create-home', USER], { encoding: 'utf8' });
    if (r.status !== 0) return { skip: `cannot create user ${USER}: ${r.stderr || r.error}` };
  }
  const probe = spawnSync('runuser', ['-u', USER, '--', process.execPath, '--version']);
  if (probe.status !== 0) return { skip: `cannot run node as ${USER} with runuser` };
  return { prefix: ['runuser', '-u', USER, '--'] };
}
const asUser = unprivileged();
if ('skip' in asUser) console.warn(`permission tests skipped: ${asUser.skip}`);

function ser(args: string[], opts: { unprivileged?: boolean } = {}) {
  const argv = [process.execPath, BIN, ...args];
  const cmd = opts.unprivileged && 'prefix' in asUser ? [...asUser.prefix, ...argv] : argv;
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 120_000, cwd: tmp });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const manifestOf = (dir: string) =>
  readFileSync(join(dir, 'manifest.jsonl'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));

/** A folder of three EMO-DB files, readable by everyone. */
function corpus(name: string, files = ['03a01Fa.wav', '03a01Nc.wav', '03a01Wa.wav']): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const f of files) copyFileSync(join(EMODB, f), join(dir, f));
  return dir;
}

const permissionIt = 'skip' in asUser ? it.skip : it;

describe('folder walks', () => {
  it('follows a symlink loop once: each file once, a note, exit 0', () => {
    const dir = corpus('loop');
    symlinkSync('.', join(dir, 'loop'));
    const out = join(tmp, 'loop-out');
    const r = ser(['extract', dir, '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ files: 3, ok: 3, failed: 0 });
    expect(r.stderr).toContain(
      `ser: note: ${join(dir, 'loop')}: symbolic link to ${dir}, a folder already walked; not followed again`,
    );
    expect(manifestOf(out).map((l) => l.path)).toEqual([
      join(dir, '03a01Fa.wav'),
      join(dir, '03a01Nc.wav'),
      join(dir, '03a01Wa.wav'),
    ]);
  });

  it('counts the same file named twice once, with a note', () => {
    const dir = corpus('twice', ['03a01Fa.wav']);
    const f = join(dir, '03a01Fa.wav');
    const r = ser(['extract', f, dir, f, '-o', join(tmp, 'twice-out'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ files: 1, ok: 1 });
    // Once as found in the folder, once as named again: one note each, one row.
    expect(r.stderr).toBe(`ser: note: ${f}: same file as ${f}; counted once\n`.repeat(2));
  });

  it('names a dangling link and goes on: exit 1, the rest extracted', () => {
    const dir = corpus('dangling');
    symlinkSync('gone.wav', join(dir, '03a02Fa.wav'));
    const out = join(tmp, 'dangling-out');
    const r = ser(['extract', dir, '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      `${join(dir, '03a02Fa.wav')}: dangling symbolic link: its target gone.wav does not exist\n`,
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ files: 3, ok: 3 });
  });

  it('labels EMO-DB names with an upper-case or other extension', () => {
    const dir = join(tmp, 'upper');
    mkdirSync(dir);
    copyFileSync(join(EMODB, '03a01Fa.wav'), join(dir, '03a01Fa.WAV'));
    copyFileSync(join(EMODB, '08a01Wa.wav'), join(dir, '08a01Wa.Wav'));
    const out = join(tmp, 'upper-out');
    const r = ser(['extract', dir, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('(labels from EMO-DB names)');
    expect(manifestOf(out).map((l) => [l.label, l.speaker])).toEqual([
      ['happiness', '03'],
      ['anger', '08'],
    ]);
  });

  permissionIt('names an unreadable folder and file with the true reason, exit 1', () => {
    const dir = corpus('locked');
    const sub = join(dir, 'private');
    mkdirSync(sub);
    copyFileSync(join(EMODB, '03a02Fc.wav'), join(sub, '03a02Fc.wav'));
    chmodSync(sub, 0o000);
    chmodSync(join(dir, '03a01Nc.wav'), 0o000);
    const out = join(tmp, 'locked-out');
    mkdirSync(out);
    chmodSync(out, 0o777);
    const r = ser(['extract', dir, '-o', out, '--json'], { unprivileged: true });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${sub}: cannot read folder: permission denied\n`);
    expect(r.stderr).toMatch(/03a01Nc\.wav: cannot read file: .*[Pp]ermission denied/);
    expect(r.stderr).not.toMatch(/no such file/i);
    expect(JSON.parse(r.stdout)).toMatchObject({ files: 3, ok: 2, failed: 1 });
  });

  permissionIt('an --out that cannot be written is a usage error before any work', () => {
    const dir = corpus('ro-in', ['03a01Fa.wav']);
    // A bad file: had anything been decoded, its error would be printed.
    writeFileSync(join(dir, '03a01Wz.wav'), 'not audio');
    const ro = join(tmp, 'read-only');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    for (const out of [ro, join(ro, 'new', 'deeper')]) {
      const r = ser(['extract', dir, '-o', out], { unprivileged: true });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^ser: error: cannot write to --out .*: .*permission denied/);
      expect(r.stderr).not.toContain('03a01Wz');
    }
    const train = ser(['train', '--data', dir, '--out', ro, '--epochs', '1'], {
      unprivileged: true,
    });
    expect(train.code, train.stderr).toBe(2);
    expect(train.stderr).toMatch(/^ser: error: cannot write to --out .*permission denied/);
  });
});

describe('--out that is not a folder', () => {
  it.skipIf(!existsSync('/proc/self'))(
    'is a usage error where no folder can be created (/proc), for every command that writes',
    () => {
      const dir = corpus('proc-out-in', ['03a01Fa.wav']);
      for (const args of [
        ['extract', dir, '-o', '/proc/serkit-nope'],
        ['train', '--data', dir, '--out', '/proc/serkit-nope', '--epochs', '1'],
        ['evaluate', '--data', dir, '--out', '/proc/serkit-nope'],
      ]) {
        const r = ser(args);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toBe(
          'ser: error: cannot write to --out /proc/serkit-nope: /proc: no folder can be created there (ENOENT)\n',
        );
      }
    },
  );

  it('is a usage error for extract, naming the reason', () => {
    const dir = corpus('file-out-in', ['03a01Fa.wav']);
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    const r = ser(['extract', dir, '-o', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`ser: error: cannot write to --out ${file}: it is not a directory\n`);
    // A file where a parent folder should be is named.
    const under = ser(['extract', dir, '-o', join(file, 'features')]);
    expect(under.code).toBe(2);
    expect(under.stderr).toBe(
      `ser: error: cannot write to --out ${join(file, 'features')}: ${file} is not a directory\n`,
    );
  });
});
