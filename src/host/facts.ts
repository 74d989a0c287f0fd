// Facts about the file's owner and the runtime that the fix planner needs for its lockout guard.
import { access, stat } from 'node:fs/promises';
import { accountOf } from './users.js';
import { dirname } from 'node:path';
import { realpath } from 'node:fs/promises';
import type { HostFacts } from '../fix/plan.js';

export type Runtime = 'auto' | 'host' | 'container';

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
    // The owner's primary group: another group sharing the file is a hint someone else reads it.
    const ownerGid = accountOf(info.uid)?.gid;
    // An ACL can grant only while the group bits (its mask) are set.
    const acl = (info.mode & 0o070) !== 0 ? (await import('../io/acl.js')).aclOf(path) : undefined;
    facts[key] = { path, mode: info.mode & 0o777, uid: info.uid, gid: info.gid, ...(ownerGid !== undefined ? { ownerGid } : {}), ...(acl ? { acl: acl.named } : {}) };
  }
  return facts;
}
