// Facts about the file's owner and the runtime that the fix planner needs for its lockout guard.
import { access, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { realpath } from 'node:fs/promises';
import type { HostFacts } from '../fix/plan.js';

export type Runtime = 'auto' | 'host' | 'container';

/** The owner's primary group, from /etc/passwd (a group other than it sharing the file is a hint). */
async function primaryGid(uid: number): Promise<number | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length >= 4 && Number(f[2]) === uid) return Number(f[3]);
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Whether nanobot reads this config inside a container: asked, or guessed from where harden runs. */
export async function inContainer(runtime: Runtime): Promise<boolean> {
  if (runtime !== 'auto') return runtime === 'container';
  return (await exists('/.dockerenv')) || (await exists('/run/.containerenv'));
}

export async function hostFacts(file: string, runtime: Runtime, withModes: boolean): Promise<HostFacts> {
  const facts: HostFacts = { inContainer: await inContainer(runtime) };
  if (!withModes) return facts;
  const real = await realpath(file);
  for (const [key, path] of [['file', real], ['dir', dirname(real)]] as const) {
    const info = await stat(path);
    const ownerGid = await primaryGid(info.uid);
    // An ACL can grant only while the group bits (its mask) are set.
    const acl = (info.mode & 0o070) !== 0 ? (await import('../io/acl.js')).aclOf(path) : undefined;
    facts[key] = { path, mode: info.mode & 0o777, uid: info.uid, gid: info.gid, ...(ownerGid !== undefined ? { ownerGid } : {}), ...(acl ? { acl: acl.named } : {}) };
  }
  return facts;
}
