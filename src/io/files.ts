// The only module that writes to disk: locks, backups, atomic writes, modes, the journal. Every
// place is handled as src/io/place.ts describes: directories by descriptor, no link followed,
// files created exclusively, modes and owners set on descriptors. A write of a config goes to a
// temp file beside it, written in full and fsynced, given the owner, group, ACL and mode, checked
// against the file it replaces right before the rename, and read back after it.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fstatSync, fsyncSync, linkSync, renameSync, rmdirSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { LockedError, StaleFileError, WriteError } from '../errors.js';
import { aclOf, fdPath, setAcl, type Acl } from './acl.js';
import { Dir, EUID, giveTo, privateDir, resolveTarget, why, type Owner, type Target } from './place.js';
import { INPUT_LIMIT, listDir, readOpened, readProcFile, realpathOf } from './read.js';

export type { Target } from './place.js';

export const STATE_DIR = '.harden';
const BACKUPS = 'backups';
const JOURNAL = 'journal.jsonl';

/** Where harden keeps its backups, lock and journal for a config: beside it, private. */
export function stateDir(realFile: string): string {
  return join(realFile, '..', STATE_DIR);
}

export function backupDir(realFile: string): string {
  return join(stateDir(realFile), BACKUPS);
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/** Write every byte or throw: a short write (a full disk) never passes for a complete one. */
function writeAll(fd: number, data: Uint8Array): void {
  let at = 0;
  while (at < data.length) {
    const n = writeSync(fd, data, at, data.length - at);
    if (n <= 0) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    at += n;
  }
}

/** At most `limit` bytes of an open file, from its start. */
function readAllFd(fd: number, info: Stats, limit = INPUT_LIMIT): Buffer {
  return readOpened(fd, Math.min(info.size, limit));
}

function syncDir(dir: Dir): void {
  try {
    fsyncSync(dir.fd);
  } catch {
    // Some file systems cannot sync a directory; the rename is still atomic there.
  }
}

/** A temp file's name: the target's, hidden, with this run's pid (so a later run knows it is stale). */
function tempName(name: string, kind: 'harden' | 'bak'): string {
  return `.${name}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
}

const tempPattern = (name: string) => new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(?:harden|bak)-\\d+-[0-9a-f]+\\.tmp$`);

/**
 * Remove the temp files an interrupted run left for `name` in `dir` (they hold a whole copy of
 * the file, secrets included). Called under the config's lock, so no other harden is writing them.
 */
function removeLeftovers(dir: Dir, name: string): string[] {
  const pattern = tempPattern(name);
  const removed: string[] = [];
  for (const entry of dir.names()) {
    if (!pattern.test(entry)) continue;
    const info = dir.lstat(entry);
    if (!info || info.isDirectory()) continue;
    try {
      unlinkSync(dir.at(entry));
      removed.push(dir.join(entry));
    } catch {
      // not ours to remove; it stays
    }
  }
  return removed;
}

/** Whether an interrupted run left temp files beside `file` (a cheap look before taking the lock). */
export function leftoversBeside(file: string): boolean {
  const real = realpathOf(file);
  if (!real) return false;
  const pattern = tempPattern(basename(real));
  return (listDir(dirname(real)) ?? []).some((n) => pattern.test(n));
}

/** Open a target: its directory held open, links checked (see resolveTarget). */
export function target(file: string, options: { owner?: Owner; mayBeMissing?: boolean; what?: string } = {}): Target {
  return resolveTarget(file, options.owner, options);
}

export function closeTarget(t: Target | undefined): void {
  t?.dir.close();
}

/** The bytes of the target as it is now, read through its directory, with its status. */
export function readTarget(t: Target): { bytes: Buffer; info: Stats } | undefined {
  let fd: number;
  try {
    fd = t.dir.openFile(t.name);
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined;
    throw new WriteError(`cannot read ${t.file}: ${why(error)}`);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new WriteError(`${t.file} is not a regular file; nothing was written`);
    return { bytes: readAllFd(fd, info), info };
  } finally {
    closeSync(fd);
  }
}

/** Refuse to write over a file that changed since it was read (or was swapped for another). */
export function assertUnchanged(t: Target, bytesRead: Uint8Array): void {
  const now = readTarget(t);
  if (!now || now.info.ino !== t.ino || now.info.dev !== t.dev || sha256(now.bytes) !== sha256(bytesRead)) {
    throw new StaleFileError(`${t.file} changed on disk since harden read it; nothing was written. Run harden again`);
  }
}

/** What a run holds while it changes a config: the lock, and harden's private directories. */
export interface Locked {
  t: Target;
  state: Dir;
  /** The backups directory, made on first use. */
  backups(): Dir;
  /** Things worth telling the user (leftovers removed, a stale lock taken over). */
  notes: string[];
}

interface LockRecord {
  pid: number;
  start?: string;
  host: string;
  time: string;
}

/** When the process started (clock ticks since boot): a pid reused by another program differs. */
function processStart(pid: number): string | undefined {
  const stat = readProcFile(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  return stat === undefined ? undefined : stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errno(error) === 'EPERM';
  }
}

const STALE_MS = 30_000;

/** Why the lock at `name` is held (a sentence), or undefined when it is stale and was removed. */
function lockHolder(state: Dir, name: string, file: string): string | undefined {
  const info = state.lstat(name);
  if (!info) return undefined;
  const old = Date.now() - info.mtimeMs > STALE_MS;
  // An older harden locked with a directory it touched every 15 s.
  if (info.isDirectory()) {
    if (!old) return `another harden is changing ${file} right now; try again when it has finished`;
    rmdirSync(state.at(name));
    return undefined;
  }
  let record: LockRecord | undefined;
  if (info.isFile()) {
    try {
      const fd = state.openFile(name);
      try {
        record = JSON.parse(readAllFd(fd, fstatSync(fd), 4096).toString('utf8')) as LockRecord;
      } finally {
        closeSync(fd);
      }
    } catch {
      record = undefined;
    }
  }
  if (record && typeof record.pid === 'number' && Number.isInteger(record.pid) && record.pid > 0) {
    if (record.host !== hostname()) {
      return `${file} is locked by a harden on ${String(record.host)} (pid ${record.pid}); if none runs there any more, remove ${state.join(name)}`;
    }
    const running = alive(record.pid) && (record.start === undefined || processStart(record.pid) === record.start);
    if (running) return `another harden (pid ${record.pid}) is changing ${file} right now; try again when it has finished`;
  } else if (info.isFile() && !old) {
    // Being written this very moment by the run that holds it.
    return `another harden is changing ${file} right now; try again when it has finished`;
  }
  unlinkSync(state.at(name));
  return undefined;
}

function takeLock(state: Dir, name: string, file: string, notes: string[]): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = state.createFile(name, 0o600);
    } catch (error) {
      if (errno(error) !== 'EEXIST') throw new WriteError(`cannot lock ${file}: ${why(error)}`);
      const held = lockHolder(state, name, file);
      if (held) throw new LockedError(held);
      notes.push(`took over the lock an interrupted harden left (${state.join(name)})`);
      continue;
    }
    try {
      const start = processStart(process.pid);
      const record: LockRecord = { pid: process.pid, ...(start !== undefined ? { start } : {}), host: hostname(), time: new Date().toISOString() };
      writeAll(fd, Buffer.from(JSON.stringify(record)));
    } finally {
      closeSync(fd);
    }
    return;
  }
  throw new LockedError(`another harden is changing ${file} right now; try again when it has finished`);
}

/**
 * Hold the config's lock while `work` runs; a second harden on the same file fails at once. A lock
 * whose holder is gone (its pid no longer runs) is taken over, and temp files a crashed run left
 * are removed first.
 */
export async function withLock<T>(t: Target, work: (locked: Locked) => T | Promise<T>): Promise<T> {
  const owner = { uid: t.uid, gid: t.gid };
  const state = privateDir(t.dir, STATE_DIR, owner);
  let backups: Dir | undefined;
  const lockName = `${t.name}.lock`;
  try {
    const notes: string[] = [];
    takeLock(state, lockName, t.file, notes);
    try {
      const locked: Locked = {
        t,
        state,
        notes,
        backups: () => (backups ??= privateDir(state, BACKUPS, owner)),
      };
      const left = [...removeLeftovers(t.dir, t.name), ...removeLeftovers(locked.backups(), t.name)];
      if (left.length > 0)
        notes.push(
          `removed ${left.length} temp file${left.length === 1 ? '' : 's'} an interrupted harden left (each held a copy of the file): ${left.join(', ')}`,
        );
      return await work(locked);
    } finally {
      try {
        unlinkSync(state.at(lockName));
      } catch {
        // gone already
      }
    }
  } finally {
    backups?.close();
    state.close();
  }
}

function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d+)Z$/, '$1Z');
}

/**
 * Copy the current bytes to a new backup (0600 in a 0700 directory). It counts only once it is
 * whole: written to a temp file, fsynced, then linked to its final name (link never replaces an
 * existing name and never follows one). Returns its path.
 */
export function createBackup(l: Locked, bytes: Uint8Array, now = new Date()): string {
  const t = l.t;
  let dir: Dir;
  try {
    dir = l.backups();
  } catch (error) {
    throw error instanceof WriteError ? error : new WriteError(`cannot back up ${t.file}: ${why(error)}`);
  }
  const tmp = tempName(t.name, 'bak');
  let fd: number | undefined;
  try {
    fd = dir.createFile(tmp, 0o600);
    writeAll(fd, bytes);
    fsyncSync(fd);
    if (fstatSync(fd).size !== bytes.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    giveTo(fd, t);
    closeSync(fd);
    fd = undefined;
    for (let n = 0; ; n++) {
      const name = `${t.name}.${stamp(now)}${n === 0 ? '' : `-${n}`}.bak`;
      try {
        linkSync(dir.at(tmp), dir.at(name));
        unlinkSync(dir.at(tmp));
        syncDir(dir);
        return dir.join(name);
      } catch (error) {
        if (errno(error) !== 'EEXIST' || n > 100) throw error;
      }
    }
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(dir.at(tmp));
    } catch {
      // never made
    }
    throw new WriteError(`cannot back up ${t.file}: ${why(error)}; nothing was written`);
  }
}

export interface Backup {
  path: string;
  name: string;
  /** When it was taken (from its name). */
  time: Date;
  size: number;
  /** Why it cannot be restored (empty, a link, another user's, not a whole file); absent when it can. */
  problem?: string;
  /** Its bytes, read through the descriptor that was checked. */
  bytes?: Buffer;
}

const BACKUP_NAME = /^(\d{8})T(\d{6})(\d{3})Z(?:-\d+)?\.bak$/;

/** Check one backup as opened: a regular file of the config's owner, one link, not empty. */
function inspect(dir: Dir, name: string, time: Date, owner: Owner, usable: (bytes: Buffer) => string | undefined): Backup {
  const base = { path: dir.join(name), name, time };
  let fd: number;
  try {
    fd = dir.openFile(name);
  } catch (error) {
    return { ...base, size: 0, problem: errno(error) === 'ELOOP' ? 'a symbolic link, not a backup harden made' : why(error) };
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { ...base, size: 0, problem: 'not a regular file' };
    if (info.uid !== owner.uid && info.uid !== EUID) return { ...base, size: info.size, problem: `owned by user ${info.uid}, not by the config's owner` };
    if (info.nlink !== 1) return { ...base, size: info.size, problem: 'it has other names (hard links), so it is not a backup harden made' };
    if (info.size === 0) return { ...base, size: 0, problem: 'empty' };
    const bytes = readAllFd(fd, info);
    const bad = usable(bytes);
    return bad ? { ...base, size: info.size, problem: bad } : { ...base, size: info.size, bytes };
  } finally {
    closeSync(fd);
  }
}

/** The backups directory of a target, when there is a real one (never made here). */
function openBackups(t: Target): Dir | undefined {
  let state: Dir;
  try {
    state = t.dir.openDir(STATE_DIR);
  } catch {
    return undefined;
  }
  try {
    return state.openDir(BACKUPS);
  } catch {
    return undefined;
  } finally {
    state.close();
  }
}

/** Backups of one config, newest first, each checked and read (`usable` says what a config must be). */
export function listBackups(t: Target, usable: (bytes: Buffer) => string | undefined, dir?: Dir): Backup[] {
  const backups = dir ?? openBackups(t);
  if (!backups) return [];
  try {
    const prefix = `${t.name}.`;
    const out: Backup[] = [];
    for (const name of backups.names()) {
      if (!name.startsWith(prefix)) continue;
      const m = BACKUP_NAME.exec(name.slice(prefix.length));
      if (!m) continue;
      const [, d, hms, ms] = m;
      const time = new Date(`${d!.slice(0, 4)}-${d!.slice(4, 6)}-${d!.slice(6)}T${hms!.slice(0, 2)}:${hms!.slice(2, 4)}:${hms!.slice(4)}.${ms}Z`);
      out.push(inspect(backups, name, time, t, usable));
    }
    return out.sort((a, b) => b.time.getTime() - a.time.getTime() || b.name.localeCompare(a.name));
  } finally {
    if (!dir) backups.close();
  }
}

/**
 * Keep the newest `keep` usable backups and the oldest usable one (the config as it was before
 * harden first changed it: never pruned while it is the only copy of that state); delete the
 * rest, and every backup that could never be restored (empty, partial, a link). Returns the
 * deleted paths. `keep` 0 deletes them all (restore --prune).
 */
export function pruneBackups(t: Target, keep: number, usable: (bytes: Buffer) => string | undefined, dir?: Dir): string[] {
  const backups = dir ?? openBackups(t);
  if (!backups) return [];
  try {
    const all = listBackups(t, usable, backups);
    const good = all.filter((b) => !b.problem);
    const kept = new Set(keep === 0 ? [] : [...good.slice(0, keep), ...good.slice(-1)]);
    const gone: string[] = [];
    for (const b of all) {
      if (kept.has(b)) continue;
      try {
        unlinkSync(backups.at(b.name));
        gone.push(b.path);
      } catch {
        // left in place
      }
    }
    return gone;
  } finally {
    if (!dir) backups.close();
  }
}

/** ACL of the target, when it has one that grants anyone beyond owner, group and other. */
function targetAcl(t: Target): Acl | undefined {
  if (!t.exists || (t.mode & 0o070) === 0) return undefined;
  let fd: number;
  try {
    fd = t.dir.openFile(t.name);
  } catch {
    return undefined;
  }
  try {
    return aclOf(fdPath(fd));
  } finally {
    closeSync(fd);
  }
}

/** Where a test puts another writer: just before the last check, and between it and the rename. */
export interface RaceHooks {
  beforeCheck?(): void;
  beforeRename?(): void;
}

export interface WriteResult {
  /** Bytes another program wrote into the old file while harden replaced it (its write would be lost). */
  lateWrite?: Buffer;
}

/**
 * Write a file atomically: a temp file beside it (0600 while it holds the secrets), every byte
 * written and fsynced, owner, group, ACL and mode set on its descriptor, renamed over the target,
 * then the directory fsynced. With `expected` (the bytes harden read), the file is checked right
 * before the rename, and the old file is read once more after it: a program that wrote it in the
 * meantime (nanobot saves its config when its settings change) is reported, not silently lost.
 * write-file-atomic was the first choice; on a nearly full tmpfs its single fs.write() returned a
 * short count without an error and it renamed a truncated file over the config.
 */
export function atomicWrite(t: Target, content: string | Uint8Array, mode: number, expected?: Uint8Array, race?: RaceHooks): WriteResult {
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  removeLeftovers(t.dir, t.name);
  const acl = targetAcl(t);
  const tmp = tempName(t.name, 'harden');
  let fd: number | undefined;
  let old: number | undefined;
  let created = false;
  try {
    fd = t.dir.createFile(tmp, 0o600);
    created = true;
    writeAll(fd, data);
    fsyncSync(fd);
    if (fstatSync(fd).size !== data.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    giveTo(fd, t);
    if (acl) setAcl(fdPath(fd), acl);
    fchmodSync(fd, mode);
    const written = fstatSync(fd);
    closeSync(fd);
    fd = undefined;
    race?.beforeCheck?.();
    if (expected) {
      old = t.dir.openFile(t.name);
      const info = fstatSync(old);
      if (info.ino !== t.ino || info.dev !== t.dev || sha256(readAllFd(old, info)) !== sha256(expected)) {
        throw new StaleFileError(`${t.file} changed on disk while harden was writing it; nothing was written. Run harden again`);
      }
    }
    race?.beforeRename?.();
    renameSync(t.dir.at(tmp), t.dir.at(t.name));
    created = false;
    syncDir(t.dir);
    Object.assign(t, { exists: true, mode, ino: written.ino, dev: written.dev, nlink: 1 });
    if (old !== undefined && expected) {
      const late = readAllFd(old, fstatSync(old));
      if (sha256(late) !== sha256(expected)) return { lateWrite: late };
    }
    return {};
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    if (created) {
      try {
        unlinkSync(t.dir.at(tmp));
      } catch {
        // nothing to remove
      }
    }
    if (error instanceof WriteError || error instanceof StaleFileError) throw error;
    throw new WriteError(`cannot write ${t.file}: ${why(error)}`);
  } finally {
    if (old !== undefined) closeSync(old);
  }
}

/** Set a mode on the target itself or on its directory, by descriptor (a path swapped for a link changes nothing). */
export function setMode(t: Target, path: string, mode: number): void {
  try {
    if (path === t.dir.path) {
      fchmodSync(t.dir.fd, mode);
      return;
    }
    if (path !== t.real) throw new Error(`${path} is neither the file nor its directory`);
    const fd = t.dir.openFile(t.name);
    try {
      const info = fstatSync(fd);
      if (info.ino !== t.ino || info.dev !== t.dev) throw new StaleFileError(`${t.file} changed on disk while harden was changing it; run harden again`);
      fchmodSync(fd, mode);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (error instanceof StaleFileError) throw error;
    throw new WriteError(`cannot chmod ${mode.toString(8)} ${path}: ${why(error)}`);
  }
}

export interface JournalRecord {
  time: string;
  action: 'fix' | 'restore';
  file: string;
  rules: string[];
  backup?: string;
  sha256Before: string;
  sha256After: string;
  modes?: { path: string; from: string; to: string }[];
}

export function journalPath(realFile: string): string {
  return join(stateDir(realFile), JOURNAL);
}

/** Append one record (never a value) to the config's journal: a regular file of one link, never through a link. */
export function appendJournal(l: Locked, record: JournalRecord): void {
  let fd: number;
  try {
    fd = l.state.openAppend(JOURNAL, 0o600);
  } catch (error) {
    throw new WriteError(`cannot write the journal ${l.state.join(JOURNAL)}: ${why(error)}`);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.nlink !== 1 || (info.uid !== l.t.uid && info.uid !== EUID)) {
      throw new WriteError(`the journal ${l.state.join(JOURNAL)} is not a private regular file; it was not written`);
    }
    if (info.size === 0) giveTo(fd, l.t);
    writeAll(fd, Buffer.from(JSON.stringify(record) + '\n'));
  } finally {
    closeSync(fd);
  }
}

export function readJournal(t: Target): JournalRecord[] {
  let state: Dir;
  try {
    state = t.dir.openDir(STATE_DIR);
  } catch {
    return [];
  }
  try {
    const fd = state.openFile(JOURNAL);
    try {
      const info = fstatSync(fd);
      if (!info.isFile() || info.nlink !== 1) return [];
      return readAllFd(fd, info)
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .flatMap((l) => {
          try {
            const r = JSON.parse(l) as JournalRecord;
            return r && typeof r === 'object' && typeof r.backup === 'string' && Array.isArray(r.rules) ? [r] : [];
          } catch {
            return [];
          }
        });
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  } finally {
    state.close();
  }
}

/** Remove a file harden created (an env file a failed fix had made), by name in its directory. */
export function removeTarget(t: Target): void {
  try {
    unlinkSync(t.dir.at(t.name));
  } catch {
    // already gone
  }
}
