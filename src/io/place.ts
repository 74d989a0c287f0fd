// Directories harden may not trust. harden is run with sudo over a config directory that belongs
// to nanobot's service user, the account whose shell the agent drives: anything in that directory
// can be swapped for a link, a FIFO or a hard link at any moment. So a directory is opened once,
// checked as opened, and every later operation names its entries through the descriptor
// (/proc/self/fd/N/name, the openat() of a runtime that has none): a directory renamed or
// replaced by a link afterwards changes nothing. Final components are never followed (O_NOFOLLOW,
// and link(), rename(), unlink() and mkdir() do not follow them), files are created exclusively,
// and modes and owners are set on descriptors, never on paths.
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  type Stats,
} from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { WriteError } from '../errors.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY, O_DIRECTORY, O_APPEND } = constants;

/** The user harden runs as; root is -1 where the platform has no uids. */
export const EUID = process.geteuid?.() ?? -1;
const EGID = process.getegid?.() ?? -1;

/** Whether entries can be named through a directory descriptor (Linux /proc). */
const FD_PATHS = existsSync('/proc/self/fd');

/** An owner to give what harden creates: the config's. */
export interface Owner {
  uid: number;
  gid: number;
}

/** Someone other than root and the user harden runs as can add, rename or remove entries here. */
export function othersCanWrite(info: Stats): boolean {
  if (info.uid !== 0 && info.uid !== EUID) return true;
  if ((info.mode & 0o002) !== 0) return true;
  return (info.mode & 0o020) !== 0 && info.gid !== 0 && info.gid !== EGID;
}

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/** The reason for a failed file operation, as the end of a sentence. */
export function why(error: unknown): string {
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exceeded',
    ENOENT: 'it does not exist',
    ELOOP: 'it is a symbolic link, which harden does not follow there',
    ENOTDIR: 'it is not a directory',
    EEXIST: 'something else is already there',
    EMLINK: 'too many links',
  };
  const code = errno(error);
  return (code !== undefined && Object.hasOwn(reasons, code) ? reasons[code] : undefined) ?? (error instanceof Error ? error.message : String(error));
}

/** A directory held open by descriptor; its entries are named through it. */
export class Dir {
  private constructor(
    readonly fd: number,
    /** The path it had when opened, for messages and reports. */
    readonly path: string,
    readonly info: Stats,
  ) {}

  /** Open a directory by path (the path is trusted up to here; see resolveTarget). */
  static open(path: string): Dir {
    const fd = openSync(path, O_RDONLY | O_DIRECTORY | O_NOCTTY);
    const dir = new Dir(fd, path, fstatSync(fd));
    if (!FD_PATHS && othersCanWrite(dir.info) && EUID === 0) {
      dir.close();
      throw new WriteError(
        `${path} can be changed by another user, and without /proc harden cannot act in it safely as root; run harden as the owner of ${path} instead`,
      );
    }
    return dir;
  }

  /** An entry that must be a real directory (a link there is refused, not followed). */
  openDir(name: string): Dir {
    const fd = openSync(this.at(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NOCTTY);
    return new Dir(fd, join(this.path, name), fstatSync(fd));
  }

  /** The path that names `name` in this very directory, wherever it has been moved since. */
  at(name: string): string {
    if (name.includes('/') || name === '' || name === '..') throw new Error(`not an entry name: ${name}`);
    return FD_PATHS ? `/proc/self/fd/${this.fd}/${name}` : join(this.path, name);
  }

  /** The display path of an entry. */
  join(name: string): string {
    return join(this.path, name);
  }

  /** The entry's own status (a link as itself), or undefined when there is none. */
  lstat(name: string): Stats | undefined {
    return lstatSync(this.at(name), { throwIfNoEntry: false });
  }

  names(): string[] {
    return readdirSync(FD_PATHS ? `/proc/self/fd/${this.fd}` : this.path);
  }

  /** Open an existing entry without following a link, non-blocking: the caller checks fstat. */
  openFile(name: string, write = false): number {
    return openSync(this.at(name), (write ? O_WRONLY : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  }

  /** Create a new file exclusively (never an existing one, never through a link). */
  createFile(name: string, mode = 0o600): number {
    return openSync(this.at(name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY, mode);
  }

  /** Open for appending, creating it if missing, never through a link. */
  openAppend(name: string, mode = 0o600): number {
    return openSync(this.at(name), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, mode);
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

/** Give what harden created to the config's owner; only root can, and others keep it anyway. */
export function giveTo(fd: number, owner: Owner): void {
  try {
    fchownSync(fd, owner.uid, owner.gid);
  } catch (error) {
    if (errno(error) !== 'EPERM') throw error;
  }
}

/**
 * harden's private directory `name` inside `parent` (`.harden`, then `backups`): made 0700 if
 * missing, else accepted only as a real directory owned by the config's owner, by root or by the
 * user harden runs as; a link, a file or another user's directory is refused, never followed.
 * It belongs to the config's owner, so that the owner can use `harden restore` without sudo.
 */
export function privateDir(parent: Dir, name: string, owner: Owner): Dir {
  const shown = parent.join(name);
  let made = false;
  try {
    mkdirSync(parent.at(name), 0o700);
    made = true;
  } catch (error) {
    if (errno(error) !== 'EEXIST') throw new WriteError(`cannot create ${shown}: ${why(error)}`);
  }
  let dir: Dir;
  try {
    dir = parent.openDir(name);
  } catch (error) {
    const info = parent.lstat(name);
    const what = info?.isSymbolicLink() ? 'a symbolic link' : info && !info.isDirectory() ? 'not a directory' : undefined;
    if (what)
      throw new WriteError(
        `${shown} is ${what}; harden keeps its backups there only in a real directory and will not follow or replace it. Remove it, and harden makes a new private one`,
      );
    throw new WriteError(`cannot open ${shown}: ${why(error)}`);
  }
  try {
    const { uid } = dir.info;
    if (uid !== owner.uid && uid !== 0 && uid !== EUID) {
      throw new WriteError(
        `${shown} belongs to user ${uid}, not to the config's owner (${owner.uid}); harden will not keep backups in another user's directory. Remove it, and harden makes a new private one`,
      );
    }
    if ((dir.info.mode & 0o777) !== 0o700) fchmodSync(dir.fd, 0o700);
    if (made) giveTo(dir.fd, owner);
    return dir;
  } catch (error) {
    dir.close();
    throw error instanceof WriteError ? error : new WriteError(`cannot make ${shown} private: ${why(error)}`);
  }
}

/** A link whose owner is neither root nor the user harden runs as. */
export interface ForeignLink {
  path: string;
  uid: number;
}

/**
 * The path with every link resolved, as realpath does, plus the links on the way that another
 * user owns: whoever owns such a link chose where harden goes next, so what it leads to must be
 * theirs too (resolveTarget checks that). The last component may be missing.
 */
export function resolveLinks(path: string): { real: string; foreign: ForeignLink[] } {
  const foreign: ForeignLink[] = [];
  let pending = resolve(path)
    .split(sep)
    .filter((p) => p !== '');
  let done: string = sep;
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done = dirname(done);
      continue;
    }
    const next = join(done, part);
    const info = lstatSync(next, { throwIfNoEntry: false });
    if (!info) {
      // Only the last component may be missing (a file harden is about to create).
      if (pending.length > 0) throw Object.assign(new Error(`${next} does not exist`), { code: 'ENOENT' });
      done = next;
      break;
    }
    if (!info.isSymbolicLink()) {
      done = next;
      continue;
    }
    if (++hops > 40) throw Object.assign(new Error('too many levels of symbolic links'), { code: 'ELOOP' });
    if (info.uid !== 0 && info.uid !== EUID) foreign.push({ path: next, uid: info.uid });
    const target = readlinkSync(next);
    // /dev/stdout, /dev/fd/N and /proc/*/fd/N lead to whatever a process has open (a redirected
    // output, a terminal): never a file to replace.
    if (next.startsWith('/proc/') || target.startsWith('/proc/')) {
      throw Object.assign(new Error(`it leads through ${next} to a file a process has open (as /dev/stdout does), not to a file of its own`), {
        code: 'EPROCFD',
      });
    }
    pending = [...target.split(sep).filter((p) => p !== ''), ...pending];
    if (isAbsolute(target)) done = sep;
  }
  return { real: done, foreign };
}

/** A file harden reads and then replaces: its directory held open, its identity when read. */
export interface Target {
  /** The path as given. */
  file: string;
  /** Where it really is (links resolved). */
  real: string;
  dir: Dir;
  /** Its name in dir. */
  name: string;
  exists: boolean;
  mode: number;
  uid: number;
  gid: number;
  dev: number;
  ino: number;
  nlink: number;
}

/**
 * Resolve and open the directory of a file harden will write. A link another user owns is
 * followed only to a file (and directory) that same user owns: the link's owner could have
 * changed those anyway, and nothing else. The directory opened is checked to be the one resolved.
 */
export function resolveTarget(file: string, owner?: Owner, options: { mayBeMissing?: boolean; what?: string } = {}): Target {
  const what = options.what ?? file;
  let resolved: ReturnType<typeof resolveLinks>;
  try {
    resolved = resolveLinks(file);
  } catch (error) {
    throw new WriteError(`cannot write ${what}: ${why(error)}`);
  }
  const real = resolved.real;
  const dirPath = dirname(real);
  let dir: Dir;
  try {
    dir = Dir.open(dirPath);
  } catch (error) {
    if (error instanceof WriteError) throw error;
    throw new WriteError(`cannot open the directory of ${what}: ${why(error)}`);
  }
  try {
    const name = real.slice(dirPath.length + (dirPath.endsWith(sep) ? 0 : 1));
    const opened = FD_PATHS ? readlinkSync(`/proc/self/fd/${dir.fd}`) : dirPath;
    if (opened !== dirPath) throw new WriteError(`the directory of ${what} changed while harden opened it; nothing was written, run harden again`);
    const info = dir.lstat(name);
    if (info?.isSymbolicLink()) throw new WriteError(`${what} changed while harden opened it (it is now a link); nothing was written, run harden again`);
    if (!info && !options.mayBeMissing) throw new WriteError(`cannot write ${what}: it does not exist`);
    if (info && !info.isFile())
      throw new WriteError(
        `${what} is not a regular file; harden writes only regular files and will not replace a ${info.isDirectory() ? 'directory' : 'device, FIFO or socket'}`,
      );
    for (const link of resolved.foreign) {
      const fileUid = info?.uid ?? link.uid;
      if (dir.info.uid !== link.uid || fileUid !== link.uid) {
        throw new WriteError(
          `${what} is reached through ${link.path}, a link that user ${link.uid} owns, to ${info ? `a file owned by user ${fileUid}` : 'a place'} in a directory owned by user ${dir.info.uid}; harden follows another user's link only to what that user owns. Give ${real} instead`,
        );
      }
    }
    const fallback = owner ?? { uid: dir.info.uid, gid: dir.info.gid };
    return {
      file,
      real,
      dir,
      name,
      exists: info !== undefined,
      mode: info ? info.mode & 0o7777 : 0o600,
      uid: info?.uid ?? fallback.uid,
      gid: info?.gid ?? fallback.gid,
      dev: info?.dev ?? 0,
      ino: info?.ino ?? 0,
      nlink: info?.nlink ?? 1,
    };
  } catch (error) {
    dir.close();
    throw error;
  }
}
