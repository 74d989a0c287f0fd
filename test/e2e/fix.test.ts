// harden fix --yes / --dry-run and harden restore, as a provisioning script runs them.
import { chmod, chown, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { execFileSync, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateFixReport as validateFix } from '../helpers/schemas.js';
import { crlfTabsFixed, copyFixture, tempDir, writeConfig } from '../helpers/fixtures.js';
import { harden } from '../helpers/cli.js';

const BASE = ['--nanobot-version', '0.3.0', '--runtime', 'host'];
const isRoot = process.getuid?.() === 0;

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const name of await readdir(d)) {
      const p = join(d, name);
      const info = await lstat(p);
      if (info.isDirectory()) await walk(p);
      else out[p] = `${(info.mode & 0o777).toString(8)}:${(await readFile(p)).toString('base64')}`;
    }
  };
  await walk(dir);
  return out;
}

describe('harden fix --dry-run', () => {
  it('prints the redacted diff and the mode change, and writes nothing', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json', { mode: 0o644 });
    const before = await snapshot(dir);
    const r = harden(['fix', '--dry-run', '-c', file, ...BASE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1); // the allow list still needs an answer
    expect(r.stdout).toContain('(nothing written)');
    expect(r.stdout).toMatch(/^-\t\t"host": "0\.0\.0\.0",$/m);
    expect(r.stdout).toMatch(/^\+\t\t"host": "127\.0\.0\.1",$/m);
    expect(r.stdout).toContain('would change mode of');
    expect(r.stdout).toContain('644 -> 600');
    expect(r.stdout).not.toContain('FAKE-crlf-telegram-token');
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('harden fix --yes', () => {
  it('backs up, writes atomically keeping CRLF and tabs, chmods 600/700, and prints what it did', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json', { mode: 0o644, dirMode: 0o755 });
    const original = await readFile(file, 'utf8');
    const r = harden(['fix', '--yes', '-c', file, '--allow-from', 'telegram=123456789', ...BASE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const fixed = await readFile(file, 'utf8');
    expect(fixed).toBe(crlfTabsFixed(original));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, '.nanobot'))).mode & 0o777).toBe(0o700);
    const backups = await readdir(join(dir, '.nanobot', '.harden', 'backups'));
    expect(backups).toHaveLength(1);
    const backup = join(dir, '.nanobot', '.harden', 'backups', backups[0]!);
    expect(await readFile(backup, 'utf8')).toBe(original);
    expect((await stat(backup)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, '.nanobot', '.harden', 'backups'))).mode & 0o777).toBe(0o700);
    expect(r.stdout).toContain(`backup: ${backup}`);
    expect(r.stdout).toMatch(/^\+\t\t\t"allowFrom": \["123456789"\]$/m);
    expect(r.stdout).not.toContain('FAKE-crlf-telegram-token');
    // nanobot must still load it: strict JSON, no comments, no trailing commas, no new top-level key.
    expect(Object.keys(JSON.parse(fixed) as object)).toEqual(['gateway', 'tools', 'channels']);
    const journal = (await readFile(join(dir, '.nanobot', '.harden', 'journal.jsonl'), 'utf8')).trim().split('\n');
    expect(journal).toHaveLength(1);
    expect(JSON.parse(journal[0]!)).toMatchObject({ action: 'fix', backup, rules: expect.arrayContaining(['allow-from-wildcard', 'config-file-mode']) });
    expect(journal[0]).not.toContain('FAKE');
  });

  it('is idempotent: a second run changes nothing and makes no backup', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json', { mode: 0o644 });
    expect(harden(['fix', '--yes', '-c', file, '--allow-from', 'telegram=123456789', ...BASE]).code).toBe(0);
    const after = await snapshot(dir);
    const second = harden(['fix', '--yes', '-c', file, '--allow-from', 'telegram=123456789', ...BASE]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('nothing to change; no backup made');
    expect(await snapshot(dir)).toEqual(after);
  });

  it('applies what it can without answers, says which flag supplies the rest, exits 1', async () => {
    const { file } = await copyFixture('fix/crlf-tabs.json');
    // --quiet: a line for what changed, one for what was held back, one for what is left; no diff.
    const quiet = harden(['fix', '--dry-run', '-c', file, ...BASE, '--quiet']);
    const r = harden(['fix', '--yes', '-c', file, ...BASE]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('allow-from-wildcard: channels.telegram.allowFrom: say who may talk to the bot with --allow-from telegram=ID');
    expect(quiet.stdout).not.toMatch(/^[+-]/m);
    expect(quiet.stdout).toMatch(/^ {2}would change: \d+ settings? \(/m);
    expect(quiet.stdout).toMatch(/^ {2}not changed: 1 \(run without --quiet to see why\)$/m);
    expect(quiet.stdout.split('\n').length).toBeLessThan(r.stdout.split('\n').length);
    expect(await readFile(file, 'utf8')).toContain('"restrictToWorkspace": true');
  });

  it('writes through a symlink to its target and keeps the link', async () => {
    const { file } = await copyFixture('fix/crlf-tabs.json');
    const link = join(await tempDir(), 'config.json');
    await symlink(file, link);
    expect(harden(['fix', '--yes', '-c', link, '--allow-from', 'telegram=1', ...BASE]).code).toBe(0);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(file);
    expect(await readFile(file, 'utf8')).toContain('"restrictToWorkspace": true');
  });

  it.skipIf(!isRoot)('keeps the owner and group when run as root (as with sudo)', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json', { mode: 0o644 });
    await chown(file, 1234, 2345);
    await chown(join(dir, '.nanobot'), 1234, 2345);
    expect(harden(['fix', '--yes', '-c', file, '--allow-from', 'telegram=1', ...BASE]).code).toBe(0);
    const info = await stat(file);
    expect([info.uid, info.gid]).toEqual([1234, 2345]);
    const backups = join(dir, '.nanobot', '.harden', 'backups');
    const b = await stat(join(backups, (await readdir(backups))[0]!));
    expect([b.uid, b.gid]).toEqual([1234, 2345]);
  });

  it("reads --answers from a file and validates each ID in its channel's format", async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json');
    const answers = join(dir, 'answers.json');
    await writeFile(answers, JSON.stringify({ allowFrom: { telegram: ['987654321'] } }));
    expect(harden(['fix', '--yes', '-c', file, '--answers', answers, ...BASE]).code).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('"allowFrom": ["987654321"]');
    const bad = harden(['fix', '--yes', '-c', file, '--allow-from', 'discord=someusername', ...BASE]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/discord entry "someusername" is not usable: expected a numeric Discord user ID/);
  });

  it('--format json matches its schema and never shows a secret', async () => {
    const { file } = await copyFixture('audit/current-v0.3-insecure.json', { mode: 0o644 });
    const r = harden(['fix', '--yes', '-c', file, '--format', 'json', '--allow-from', 'telegram=1', ...BASE]);
    const whole = JSON.parse(r.stdout) as {
      schemaVersion: number;
      results: { changed: boolean; backup: string; applied: unknown[]; skipped: unknown[] }[];
      errors: unknown[];
    };
    expect(validateFix(whole), JSON.stringify(validateFix.errors)).toBe(true);
    expect([whole.schemaVersion, whole.results.length, whole.errors]).toEqual([2, 1, []]);
    const report = whole.results[0]!;
    expect(report.changed).toBe(true);
    expect(report.backup).toMatch(/\.bak$/);
    expect(r.stdout).not.toMatch(/FAKE-[a-z]/);
    expect(r.stdout).not.toContain('sk-or-v1-FAKE');
  });
});

describe('harden fix refuses, with nothing written', () => {
  it('with --format json, the report still comes: one object with the error, exit 2', async () => {
    const { dir, file } = await writeConfig('{"tools": {"restrictToWorkspace": false,}}');
    const before = await snapshot(dir);
    const r = harden(['fix', '--yes', '-c', file, '--format', 'json', ...BASE]);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as { results: unknown[]; errors: { file: string; message: string }[]; failed: boolean };
    expect(validateFix(report), JSON.stringify(validateFix.errors)).toBe(true);
    expect(report.results).toEqual([]);
    expect(report.errors).toEqual([{ file, message: expect.stringMatching(/:1:40: not valid JSON: a trailing comma/) as unknown }]);
    expect(r.stderr).toMatch(/^harden: .*:1:40: not valid JSON: a trailing comma/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('without a terminal and without --yes or --dry-run, at once', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json');
    const before = await snapshot(dir);
    const r = harden(['fix', '-c', file, ...BASE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/standard input is not a terminal: pass --yes .* or --dry-run/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('a file that is not a regular file', async () => {
    const dir = await tempDir();
    const fifo = join(dir, 'config.json');
    execFileSync('mkfifo', [fifo]);
    const r = harden(['fix', '--yes', '-c', fifo, ...BASE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a regular file/);
  });

  it('a config nanobot would refuse', async () => {
    const { dir, file } = await writeConfig('{"tools": {"restrictToWorkspace": false,}}');
    const before = await snapshot(dir);
    const r = harden(['fix', '--yes', '-c', file, ...BASE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/trailing comma/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it.skipIf(!isRoot)('a read-only file system', async () => {
    const mnt = await tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    try {
      await writeFile(join(mnt, 'config.json'), '{"tools": {"restrictToWorkspace": false}}');
      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      const r = harden(['fix', '--yes', '-c', join(mnt, 'config.json'), ...BASE]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/read-only/);
      expect(await readFile(join(mnt, 'config.json'), 'utf8')).toBe('{"tools": {"restrictToWorkspace": false}}');
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  // The backup fits but the new file does not; then not even the backup fits.
  it.skipIf(!isRoot).each([
    ['the new file', (size: number) => 64 * 1024 - 2 * size - 8 * 1024],
    ['the backup', (size: number) => 64 * 1024 - size - 12 * 1024],
  ])('a disk too full for %s', async (_what, filler) => {
    const mnt = await tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    try {
      const text = JSON.stringify({ tools: { restrictToWorkspace: false }, agents: { defaults: { pad: 'x'.repeat(20_000) } } }, null, 2);
      await writeFile(join(mnt, 'config.json'), text);
      await chmod(join(mnt, 'config.json'), 0o600);
      await chmod(mnt, 0o700);
      await writeFile(join(mnt, 'filler'), Buffer.alloc(filler(text.length))).catch(() => undefined);
      const r = harden(['fix', '--yes', '-c', join(mnt, 'config.json'), ...BASE]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no space left on the device/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(await readFile(join(mnt, 'config.json'), 'utf8')).toBe(text);
      expect((await readdir(mnt)).filter((n) => n.endsWith('.tmp'))).toEqual([]); // no temp file left
      // A backup is there whole or not at all: never a partial one that would sort newest.
      const backups = join(mnt, '.harden', 'backups');
      for (const name of await readdir(backups).catch(() => [] as string[])) expect(await readFile(join(backups, name), 'utf8')).toBe(text);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});

describe('harden restore', () => {
  it('lists backups, puts the newest back atomically after backing up the current file, and prunes', async () => {
    const { file } = await copyFixture('fix/crlf-tabs.json');
    const original = await readFile(file, 'utf8');
    expect(harden(['fix', '--yes', '-c', file, '--allow-from', 'telegram=1', ...BASE]).code).toBe(0);
    const fixed = await readFile(file, 'utf8');
    const list = harden(['restore', '--list', '-c', file]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/ 1 {2}\S+ {2}\S+\.bak {2}\(before fixing .*restrict-to-workspace/);
    const r = harden(['restore', '-c', file]);
    expect(r.code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(original);
    const after = harden(['restore', '--list', '-c', file]).stdout;
    expect(after).toMatch(/ 1 .*\(before a restore\)/);
    // The fixed file was backed up before the restore: restoring number 1 brings it back.
    expect(harden(['restore', '1', '-c', file]).code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(fixed);
    const prune = harden(['restore', '--prune', '-c', file]);
    expect(prune.stdout).toMatch(/deleted 3 backups/);
    expect(harden(['restore', '-c', file]).stderr).toMatch(/there are no backups of/);
  });

  it('keeps the last five backups per config, and the first (the config before harden ever changed it)', async () => {
    const { file } = await copyFixture('fix/crlf-tabs.json');
    const original = await readFile(file, 'utf8');
    for (let i = 0; i < 7; i++) {
      if (i > 0) await writeFile(file, `{"tools": {"restrictToWorkspace": false, "exec": {"timeout": 30}}, "gateway": {"port": ${i}}}`);
      expect(harden(['fix', '--yes', '-c', file, '--allow-from', 'telegram=1', ...BASE, '--no-host']).code).toBe(0); // backups only: no host probe to see what parallel tests run
    }
    const dir = join(file, '..', '.harden', 'backups');
    const names = (await readdir(dir)).sort();
    expect(names).toHaveLength(6);
    expect(await readFile(join(dir, names[0]!), 'utf8')).toBe(original);
    expect(await readFile(join(dir, names[5]!), 'utf8')).toContain('"port": 6');
  });
});

describe('the lock', () => {
  const lockOf = (dir: string) => join(dir, '.nanobot', '.harden', 'config.json.lock');
  const startOf = (pid: number) => {
    const stat = execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' });
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  };

  it('a second harden on the same file while one holds the lock fails at once, naming its pid', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json');
    const before = await readFile(file);
    await mkdir(join(dir, '.nanobot', '.harden'), { recursive: true, mode: 0o700 });
    // This test's own process is alive: its lock is held.
    await writeFile(lockOf(dir), JSON.stringify({ pid: process.pid, start: startOf(process.pid), host: hostname(), time: new Date().toISOString() }));
    const r = harden(['fix', '--yes', '-c', file, ...BASE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`harden: another harden (pid ${process.pid}) is changing ${file} right now; try again when it has finished\n`);
    expect(await readFile(file)).toEqual(before);
  });

  it('a lock whose holder is gone (a crash) is taken over at once, and the temp files it left are removed', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json');
    await mkdir(join(dir, '.nanobot', '.harden'), { recursive: true, mode: 0o700 });
    // A pid that ran and ended: its process is gone, as a crashed harden's is.
    const gone = spawnSync('true').pid;
    await writeFile(lockOf(dir), JSON.stringify({ pid: gone, host: hostname(), time: new Date().toISOString() }));
    const leftover = join(dir, '.nanobot', `.config.json.harden-${gone}-0a1b2c3d.tmp`);
    await writeFile(leftover, 'a copy of the config, secrets and all', { mode: 0o600 });
    const r = harden(['fix', '--yes', '-c', file, '--allow-from', 'telegram=1', ...BASE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/took over the lock an interrupted harden left/);
    expect(r.stdout).toMatch(/removed 1 temp file an interrupted harden left/);
    expect(await readdir(join(dir, '.nanobot'))).not.toContain(`.config.json.harden-${gone}-0a1b2c3d.tmp`);
    expect(await readdir(join(dir, '.nanobot', '.harden'))).not.toContain('config.json.lock');
  });

  it('a pid that now belongs to another program (another start time) does not hold the lock', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json');
    await mkdir(join(dir, '.nanobot', '.harden'), { recursive: true, mode: 0o700 });
    await writeFile(lockOf(dir), JSON.stringify({ pid: process.pid, start: '1', host: hostname(), time: new Date().toISOString() }));
    expect(harden(['fix', '--yes', '-c', file, '--allow-from', 'telegram=1', ...BASE]).code).toBe(0);
  });
});
