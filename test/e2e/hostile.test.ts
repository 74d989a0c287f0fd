// harden run as root over a directory nanobot's service user owns, with that user as the
// attacker: every trick in issue 14, tried for real with an unprivileged uid, and what each must
// leave untouched checked byte for byte.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, chown, lstat, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attacker, attackerHome, type Attacker } from '../helpers/attacker.js';
import { childEnv } from '../helpers/child-env.js';
import { harden } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';

const found = attacker();
const a = typeof found === 'string' ? undefined : found;
const skip = typeof found === 'string' ? found : undefined;
const hasAcl = spawnSync('setfacl', ['--version']).status === 0;

const TOKEN = '123456:ABCdefCANARYtoken';
const CONFIG = `{
  "tools": {"restrictToWorkspace": false, "exec": {"timeout": 600}},
  "gateway": {"host": "0.0.0.0", "port": 18790},
  "channels": {"telegram": {"enabled": true, "token": "${TOKEN}", "allowFrom": ["*"]}}
}
`;
const FIX = ['fix', '--yes', '--nanobot-version', '0.3.0', '--runtime', 'host', '--allow-from', 'telegram=123456789'];

/** What an attack aims at: a root-owned directory with a file in it, as /usr/local/bin would be. */
async function rootTarget(root: string): Promise<{ dir: string; state: () => Promise<string> }> {
  const dir = join(root, 'bin');
  await mkdir(dir, { mode: 0o755 });
  await writeFile(join(dir, 'tool'), '#!/bin/sh\necho root tool\n', { mode: 0o755 });
  const state = async () => {
    const info = await stat(dir);
    const names = (await readdir(dir)).sort();
    const files = await Promise.all(names.map(async (n) => `${n}:${(await readFile(join(dir, n))).toString('base64')}`));
    return JSON.stringify({ mode: info.mode & 0o7777, uid: info.uid, gid: info.gid, files });
  };
  return { dir, state };
}

function as(att: Attacker, command: string, ...args: string[]): void {
  att.run(command, args);
}

describe.skipIf(skip !== undefined)(`harden as root in a directory the service user owns${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('.harden as a link to a root directory: refused, nothing there chmodded, chowned or written', async () => {
    const h = await attackerHome(a!, CONFIG);
    const target = await rootTarget(h.root);
    const before = await target.state();
    as(a!, 'ln', '-s', target.dir, join(h.dir, '.harden'));
    const r = harden([...FIX, '-c', h.file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^harden: .*\.harden is a symbolic link; harden keeps its backups there only in a real directory and will not follow or replace it/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await target.state()).toBe(before);
    expect(await readFile(h.file, 'utf8')).toBe(CONFIG);
  });

  it('.harden/backups as a link to a root directory: refused the same way', async () => {
    const h = await attackerHome(a!, CONFIG);
    const target = await rootTarget(h.root);
    const before = await target.state();
    as(a!, 'mkdir', '-m', '700', join(h.dir, '.harden'));
    as(a!, 'ln', '-s', target.dir, join(h.dir, '.harden', 'backups'));
    const r = harden([...FIX, '-c', h.file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/backups is a symbolic link/);
    expect(await target.state()).toBe(before);
    expect(await readFile(h.file, 'utf8')).toBe(CONFIG);
  });

  it('a fix that goes through leaves everything owned by the service user, private, and nothing of root behind', async () => {
    const h = await attackerHome(a!, CONFIG);
    const r = harden([...FIX, '-c', h.file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const backups = join(h.dir, '.harden', 'backups');
    for (const p of [
      h.file,
      join(h.dir, '.harden'),
      backups,
      join(h.dir, '.harden', 'journal.jsonl'),
      ...(await readdir(backups)).map((n) => join(backups, n)),
    ]) {
      const info = await lstat(p);
      expect([p, info.uid, info.gid]).toEqual([p, a!.uid, a!.gid]);
      expect(info.mode & 0o077).toBe(0);
    }
    expect((await readdir(h.dir)).sort()).toEqual(['.harden', 'config.json']);
    // The service user can still read its config (and use its backups without sudo).
    expect(a!.run('cat', [h.file])).toContain('"restrictToWorkspace": true');
  });

  it('the journal as a link to a root file: the fix is done, the root file never gets a line', async () => {
    const h = await attackerHome(a!, CONFIG);
    const aim = join(h.root, 'passwd');
    await writeFile(aim, 'root:x:0:0::/root:/bin/sh\n', { mode: 0o644 });
    as(a!, 'mkdir', '-m', '700', join(h.dir, '.harden'));
    as(a!, 'ln', '-s', aim, join(h.dir, '.harden', 'journal.jsonl'));
    const r = harden([...FIX, '-c', h.file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cannot write the journal .*journal\.jsonl: it is a symbolic link, which harden does not follow there/);
    expect(await readFile(aim, 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
  });

  it('restore never follows a backup that is a link (to a root-only file): it is listed as unusable and never read', async () => {
    const h = await attackerHome(a!, 'services:\n  nanobot:\n    image: nanobot\n');
    const compose = join(h.dir, 'compose.yml');
    await writeFile(compose, 'services:\n  nanobot:\n    image: nanobot\n', { mode: 0o600 });
    await chown(compose, a!.uid, a!.gid);
    const shadow = join(h.root, 'shadow');
    await writeFile(shadow, 'root:$6$CANARYhash:19000:0:99999:7:::\n', { mode: 0o600 });
    as(a!, 'mkdir', '-p', '-m', '700', join(h.dir, '.harden', 'backups'));
    as(a!, 'ln', '-s', shadow, join(h.dir, '.harden', 'backups', 'compose.yml.20991231T235959999Z.bak'));
    const list = harden(['restore', '--list', '--config', compose]);
    expect(list.stdout).toMatch(/compose\.yml\.20991231T235959999Z\.bak {2}\(cannot be restored: a symbolic link, not a backup harden made\)/);
    for (const args of [[], ['1']]) {
      const r = harden(['restore', ...args, '--config', compose]);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toContain('CANARY');
    }
    expect(await readFile(compose, 'utf8')).toBe('services:\n  nanobot:\n    image: nanobot\n');
  });

  it('a config that is a link the service user made to a root-owned file: refused, the root file and its directory untouched', async () => {
    const h = await attackerHome(a!, CONFIG);
    const aim = join(h.root, 'config.json');
    await writeFile(aim, '{"gateway": {"host": "0.0.0.0"}}', { mode: 0o644 });
    as(a!, 'rm', h.file);
    as(a!, 'ln', '-s', aim, h.file);
    const r = harden([...FIX, '-c', h.file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /a link that user \d+ owns, to a file owned by user 0 in a directory owned by user 0; harden follows another user's link only to what that user owns/,
    );
    expect(await readFile(aim, 'utf8')).toBe('{"gateway": {"host": "0.0.0.0"}}');
    expect((await stat(aim)).mode & 0o777).toBe(0o644);
    expect((await stat(h.root)).mode & 0o777).toBe(0o755);
    expect(await readdir(h.root)).toEqual(['config.json']);
  });

  it('the config directory itself swapped for a link to a root directory: refused', async () => {
    const h = await attackerHome(a!, CONFIG);
    const etc = join(h.root, 'etc-nanobot');
    await mkdir(etc, { mode: 0o755 });
    await writeFile(join(etc, 'config.json'), CONFIG, { mode: 0o640 });
    as(a!, 'mv', h.dir, `${h.dir}.old`);
    as(a!, 'ln', '-s', etc, h.dir);
    const r = harden([...FIX, '-c', h.file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/harden follows another user's link only to what that user owns/);
    expect(await readFile(join(etc, 'config.json'), 'utf8')).toBe(CONFIG);
    expect((await stat(etc)).mode & 0o777).toBe(0o755);
    expect(await readdir(etc)).toEqual(['config.json']);
  });

  it('--secrets-to-env /dev/null and /dev/stdout: refused, nothing replaced', async () => {
    const h = await attackerHome(a!, CONFIG);
    const r = harden([...FIX, '--secrets-to-env', '/dev/null', '-c', h.file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('harden: the env file /dev/null: not a regular file (a FIFO, device or socket is never read)\n');
    expect((await lstat('/dev/null')).isCharacterDevice()).toBe(true);
    // stdout redirected to a file: /dev/stdout leads to it, and it must not be replaced.
    const out = join(await tempDir(), 'out.txt');
    const fd = openSync(out, 'w');
    try {
      const s = spawnSync(process.execPath, [join(ROOT, 'bin', 'harden.js'), ...FIX, '--secrets-to-env', '/dev/stdout', '-c', h.file], {
        stdio: ['ignore', fd, 'pipe'],
        env: childEnv({ PATH: '/usr/bin:/bin', NO_COLOR: '1', HOME: '/nonexistent' }),
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(s.status).toBe(2);
      expect(s.stderr).toMatch(/file a process has open/);
    } finally {
      closeSync(fd);
    }
    expect(await readFile(out, 'utf8')).not.toContain(TOKEN);
    expect(await readFile(h.file, 'utf8')).toBe(CONFIG);
  });

  it('--secrets-to-env FILE that does not exist yet works on every Node (no --env-file flag for Node to take), and a FIFO there is refused at once', async () => {
    const h = await attackerHome(a!, CONFIG);
    const etc = join(h.root, 'nanobot');
    await mkdir(etc, { mode: 0o755 });
    const env = join(etc, 'bot.env');
    const r = harden([...FIX, '--secrets-to-env', env, '-c', h.file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await readFile(env, 'utf8')).toContain(TOKEN);
    expect((await stat(env)).mode & 0o777).toBe(0o600);
    expect(await readFile(h.file, 'utf8')).not.toContain(TOKEN);
    const fifo = join(etc, 'fifo.env');
    execFileSync('mkfifo', [fifo]);
    const h2 = await attackerHome(a!, CONFIG);
    const f = harden([...FIX, '--secrets-to-env', fifo, '-c', h2.file]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/not a regular file/);
  });

  it('a second hard link to the config: the fix says that it keeps the old contents', async () => {
    const h = await attackerHome(a!, CONFIG);
    const other = join(h.dir, 'config.json.orig');
    as(a!, 'ln', h.file, other);
    const r = harden([...FIX, '--secrets-to-env', '-c', h.file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /has 1 other name \(hard links\): harden replaced this one, and the others keep the old contents and mode, secrets included; find them with: find \/ -xdev -samefile /,
    );
    expect(r.stdout).not.toContain(TOKEN);
    expect(await readFile(other, 'utf8')).toBe(CONFIG);
  });

  it.skipIf(!hasAcl)('a config shared with the service user through an ACL keeps the ACL, and chmod 600 is held back', async () => {
    const h = await attackerHome(a!, CONFIG);
    // Root's config in root's directory, readable by the service user only through the ACL.
    const etc = join(h.root, 'acl');
    await mkdir(etc, { mode: 0o755 });
    const file = join(etc, 'config.json');
    await writeFile(file, CONFIG);
    await chmod(file, 0o600);
    execFileSync('setfacl', ['-m', `u:${a!.uid}:r`, file]);
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    const r = harden([...FIX, '-c', file]);
    expect(r.code).toBe(1); // config-file-mode stays
    expect(r.stdout).toMatch(new RegExp(`config-file-mode: \\S+ is shared through an ACL \\(user:${a!.uid}:r--\\); chmod 600 \\S+ would lock them out`));
    // Its directory must stay searchable for them too.
    expect(r.stdout).toMatch(
      new RegExp(`config-dir-mode: \\S+, which is inside it, is shared through an ACL \\(user:${a!.uid}:r--\\); chmod 700 \\S+ would lock them out`),
    );
    expect(execFileSync('getfacl', ['--omit-header', '--numeric', file], { encoding: 'utf8' })).toContain(`user:${a!.uid}:r--`);
    expect(a!.run('cat', [file])).toContain('"restrictToWorkspace": true');
    const accepted = harden([...FIX, '--accept-risk', 'config-file-mode', '--accept-risk', 'config-dir-mode', '-c', file]);
    expect(accepted.code).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('FIFOs and /proc/kmsg given as input files fail at once with one sentence', async () => {
    const h = await attackerHome(a!, CONFIG);
    const fifo = join(h.root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const args of [
      ['fix', '--dry-run', '--answers', fifo, '-c', h.file],
      ['audit', '--baseline', fifo, '-c', h.file],
      ['audit', '--compose', fifo, '-c', h.file],
      ['audit', '--waivers', fifo, '-c', h.file],
      ['audit', '-c', fifo],
      ['audit', '-c', '/proc/kmsg'],
    ]) {
      const r = harden(args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/internal error/);
    }
  });
});

describe.skipIf(skip !== undefined)('crash leftovers', () => {
  it('a temp file a killed harden left beside the config is removed by the next run', async () => {
    const h = await attackerHome(a!, CONFIG);
    const stray = join(h.dir, '.config.json.harden-999999-deadbeef.tmp');
    await writeFile(stray, CONFIG, { mode: 0o600 });
    const r = harden([...FIX, '-c', h.file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/removed 1 temp file an interrupted harden left/);
    expect(await readdir(h.dir)).not.toContain('.config.json.harden-999999-deadbeef.tmp');
    // A later run with nothing to change removes one too; a link in its place is removed as a
    // name (unlink never follows it), and what it pointed at stays.
    const aim = join(h.root, 'kept');
    await writeFile(aim, 'root file');
    as(a!, 'ln', '-s', aim, stray);
    const again = harden([...FIX, '-c', h.file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing to change/);
    expect(await readdir(h.dir)).not.toContain('.config.json.harden-999999-deadbeef.tmp');
    expect(await readFile(aim, 'utf8')).toBe('root file');
  });
});
