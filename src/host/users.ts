// Who a uid is, asked of the system (getent, so users from LDAP or systemd-homed count, not only
// /etc/passwd); /etc/passwd only where getent is missing.
import { readText } from '../io/read.js';

export interface Account {
  name: string;
  uid: number;
  /** The primary group. */
  gid: number;
  home: string;
}

function parse(line: string): Account | undefined {
  const f = line.split(':');
  if (f.length < 7) return undefined;
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  return Number.isInteger(uid) && Number.isInteger(gid) ? { name: f[0]!, uid, gid, home: f[5]! } : undefined;
}

const cache = new Map<number, Account | undefined>();

/** The account with this uid, or undefined when the system knows none. */
export function accountOf(uid: number): Account | undefined {
  if (cache.has(uid)) return cache.get(uid);
  let found: Account | undefined;
  try {
    // Loaded on first use: a run that asks about no account starts no process and loads no child_process.
    const { execFileSync } = process.getBuiltinModule('node:child_process');
    found = parse(
      execFileSync('getent', ['passwd', String(uid)], { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0] ?? '',
    );
  } catch (error) {
    // getent exits 2 for "no such user"; only a missing getent falls back to the file.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      for (const line of (readText('/etc/passwd') ?? '').split('\n')) {
        const a = parse(line);
        if (a?.uid === uid) {
          found = a;
          break;
        }
      }
    }
  }
  cache.set(uid, found);
  return found;
}
