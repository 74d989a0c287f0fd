// An unprivileged account that plays nanobot's service user: it owns the config directory and
// plants links and files there, while harden runs as root. Tests that need it skip (with the
// reason) where the machine is not root or cannot add a user.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './fixtures.js';

export const ATTACKER = 'harden-attacker';

export interface Attacker {
  name: string;
  uid: number;
  gid: number;
  /** Run a command as the attacker; throws with its stderr when it fails. */
  run(command: string, args: readonly string[]): string;
}

function lookup(): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', ATTACKER], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const g = spawnSync('id', ['-g', ATTACKER], { encoding: 'utf8' });
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** The attacker account (made on first use), or the reason there can be none here. */
export function attacker(): Attacker | string {
  if (process.getuid?.() !== 0) return 'not root: these tests need root to drop to an unprivileged attacker';
  let ids = lookup();
  if (!ids) {
    const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', ATTACKER], { encoding: 'utf8' });
    // Two test files may race to create it.
    ids = lookup();
    if (!ids) return `cannot add the user ${ATTACKER}: ${made.stderr.trim() || made.error?.message || 'useradd failed'}`;
  }
  const { uid, gid } = ids;
  return {
    name: ATTACKER,
    uid,
    gid,
    run: (command, args) =>
      execFileSync('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', command, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
  };
}

/**
 * A home the attacker owns, with .nanobot/config.json in it (theirs too, mode 600), under a
 * root-owned directory everyone can traverse. `root` is a root-owned directory beside it, private
 * to root, for the things the attack aims at.
 */
export async function attackerHome(a: Attacker, config: string): Promise<{ base: string; home: string; dir: string; file: string; root: string }> {
  const base = await tempDir('harden-hostile-');
  await chmod(base, 0o755);
  const home = join(base, 'home');
  const dir = join(home, '.nanobot');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'config.json');
  await writeFile(file, config);
  await chmod(file, 0o600);
  await chmod(dir, 0o700);
  await chmod(home, 0o755);
  for (const p of [home, dir, file]) await chown(p, a.uid, a.gid);
  const root = join(base, 'root-only');
  await mkdir(root, { mode: 0o755 });
  return { base, home, dir, file, root };
}
