// Facts about the file's owner and the runtime that the fix planner needs for its lockout guard.
import { stat } from 'node:fs/promises';
import { NOT_LOOKED, runtimeFlag, type Runtime, type Whereabouts } from './where.js';
import { accountOf } from './users.js';
import { dirname } from 'node:path';
import { realpath } from 'node:fs/promises';

export interface HostFacts {
  /** Whether nanobot reads this config inside a container (binds must stay 0.0.0.0 there). */
  inContainer: boolean;
  /** What decided it (src/host/where.ts), for the sentence. */
  evidence?: string;
  /** Mode, owner and group of the file and of its directory; absent under --no-host. */
  file?: PathFacts;
  dir?: PathFacts;
}

export interface PathFacts {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  ownerGid?: number;
  /** ACL entries beyond owner, group and other (getfacl's "user:1001:r--"). */
  acl?: string[];
}

export type { Runtime } from './where.js';

/**
 * Facts the planner needs: where nanobot runs (--runtime, else the audit's evidence, else nothing
 * known), and the modes, owners and ACLs of the file and its directory.
 */
export async function hostFacts(file: string, runtime: Runtime, withModes: boolean, runs?: Whereabouts): Promise<HostFacts> {
  const known = runtime !== 'auto' ? runtimeFlag(runtime) : (runs ?? NOT_LOOKED);
  const facts: HostFacts = { inContainer: known.where === 'container', evidence: known.evidence };
  if (!withModes) return facts;
  const real = await realpath(file);
  for (const [key, path] of [
    ['file', real],
    ['dir', dirname(real)],
  ] as const) {
    const info = await stat(path);
    // Only while the group bits are set can a group or an ACL (the bits are its mask) grant
    // anyone else access; otherwise neither is asked about, and no tool is started.
    const grouped = (info.mode & 0o070) !== 0;
    // The owner's primary group: another group sharing the file is a hint someone else reads it.
    const ownerGid = grouped ? accountOf(info.uid)?.gid : undefined;
    const acl = grouped ? (await import('../io/acl.js')).aclOf(path) : undefined;
    facts[key] = {
      path,
      mode: info.mode & 0o777,
      uid: info.uid,
      gid: info.gid,
      ...(ownerGid !== undefined ? { ownerGid } : {}),
      ...(acl ? { acl: acl.named } : {}),
    };
  }
  return facts;
}
