// POSIX ACLs. A config shared with nanobot's user through an ACL shows mode 640 (the group bits
// are the ACL's mask); replacing the file drops the ACL and chmod 600 empties the mask, and either
// locks nanobot out of its own config. Node has no xattr calls, so getfacl and setfacl (Debian's
// acl package) do the work; a file can only carry an ACL where someone used such a tool.
import { WriteError } from '../errors.js';

export interface Acl {
  /** getfacl's text of the whole ACL, for setfacl --set-file. */
  text: string;
  /** The entries beyond owner, group and other: who else may use the file. */
  named: string[];
}

function run(command: string, args: readonly string[], input?: string): string {
  // Loaded when a tool is run, not with the writer: a fix of a file no one else may read starts none.
  const { execFileSync } = process.getBuiltinModule('node:child_process');
  return execFileSync(command, args, { encoding: 'utf8', timeout: 10_000, stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}) });
}

/**
 * The extended ACL of a file, undefined when it has none. `path` may be /proc/<pid>/fd/<n>, so
 * the file asked about is the one harden holds open. Only files whose group bits are set can
 * carry one that grants anything (the bits show the mask), so callers ask only for those.
 */
export function aclOf(path: string): Acl | undefined {
  let text: string;
  try {
    text = run('getfacl', ['--absolute-names', '--omit-header', '--numeric', '--', path]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    // No getfacl: ls marks a file that has an ACL with '+' after its mode.
    let listing: string;
    try {
      listing = run('ls', ['-lLd', '--', path]);
    } catch {
      return undefined;
    }
    if (!/^\S{10}\+/.test(listing)) return undefined;
    throw new WriteError(
      `${path} carries an ACL, and getfacl and setfacl (Debian's package acl) are not installed to keep it; install them, or remove the ACL. Nothing was written`,
    );
  }
  const named = text
    .split('\n')
    .map((l) => l.replace(/\s*#.*$/, '').trim())
    .filter((l) => /^(user|group):[^:]+:/.test(l));
  return named.length > 0 ? { text, named } : undefined;
}

/** Give the file at `path` (a /proc/<pid>/fd/<n> path) the ACL another file had. */
export function setAcl(path: string, acl: Acl): void {
  try {
    run('setfacl', ['--set-file=-', '--', path], acl.text);
  } catch (error) {
    throw new WriteError(`cannot carry the ACL over (${(error as Error).message.split('\n')[0]}); nothing was written`);
  }
}

/** A /proc path another process (getfacl, setfacl) can use to reach a descriptor of this one. */
export function fdPath(fd: number): string {
  return `/proc/${process.pid}/fd/${fd}`;
}
