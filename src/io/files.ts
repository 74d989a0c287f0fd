// The only module that writes to disk: locks, backups, atomic writes, modes, the journal.
// Every write of a config goes to a temp file in the same directory, is fsynced, keeps the
// owner and group, and is renamed over the target (through a symlink, to its target).
import { constants } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { access, appendFile, chmod, chown, mkdir, open, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import lockfile from 'proper-lockfile';
import { LockedError, StaleFileError, WriteError } from '../errors.js';

export const STATE_DIR = '.harden';

/** Where harden keeps its backups, lock and journal for a config: beside it, private. */
export function stateDir(realFile: string): string {
  return join(dirname(realFile), STATE_DIR);
}

export function backupDir(realFile: string): string {
  return join(stateDir(realFile), 'backups');
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function sentence(action: string, path: string, error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exceeded',
    ENOENT: 'it does not exist',
  };
  return `cannot ${action} ${path}: ${(e.code && why[e.code]) ?? e.message}`;
}

/** Make harden's private directory (0700, owned like the config). */
async function ensurePrivateDir(path: string, owner: { uid: number; gid: number }): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700);
  await chown(path, owner.uid, owner.gid).catch(() => undefined);
}

export interface Target {
  /** The path as given. */
  file: string;
  /** The file it names, symlinks followed: what gets written. */
  real: string;
  mode: number;
  uid: number;
  gid: number;
}

export async function target(file: string): Promise<Target> {
  const real = await realpath(file);
  const info = await stat(real);
  return { file, real, mode: info.mode & 0o7777, uid: info.uid, gid: info.gid };
}

/** Hold the config's lock while `work` runs; a second harden on the same file fails at once. */
export async function withLock<T>(t: Target, work: () => Promise<T>): Promise<T> {
  const dir = stateDir(t.real);
  let release: () => Promise<void>;
  try {
    await access(dirname(t.real), constants.W_OK);
  } catch (error) {
    throw new WriteError(sentence('write in', dirname(t.real), error));
  }
  try {
    await ensurePrivateDir(dir, t);
  } catch (error) {
    throw new WriteError(sentence('create', dir, error));
  }
  try {
    release = await lockfile.lock(t.real, { lockfilePath: join(dir, `${basename(t.real)}.lock`), stale: 30_000, realpath: false, retries: 0 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new LockedError(`another harden is changing ${t.file} right now; try again when it has finished`);
    }
    throw new WriteError(sentence('lock', t.file, error));
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}

/** Refuse to write over a file that changed since it was read. */
export async function assertUnchanged(t: Target, bytesRead: Uint8Array): Promise<void> {
  const now = await readFile(t.real).catch(() => undefined);
  if (!now || sha256(now) !== sha256(bytesRead)) {
    throw new StaleFileError(`${t.file} changed on disk since harden read it; nothing was written. Run harden again`);
  }
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '$1Z');
}

/** Copy the current bytes to a new backup (0600 in a 0700 directory); returns its path. */
export async function createBackup(t: Target, bytes: Uint8Array, now = new Date()): Promise<string> {
  const dir = backupDir(t.real);
  try {
    await ensurePrivateDir(stateDir(t.real), t);
    await ensurePrivateDir(dir, t);
    let path = join(dir, `${basename(t.real)}.${stamp(now)}.bak`);
    for (let n = 1; ; n++) {
      try {
        await writeFile(path, bytes, { mode: 0o600, flag: 'wx' });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        path = join(dir, `${basename(t.real)}.${stamp(now)}-${n}.bak`);
      }
    }
    const fd = await open(path, 'r');
    await fd.sync();
    await fd.close();
    await chown(path, t.uid, t.gid).catch(() => undefined);
    return path;
  } catch (error) {
    throw new WriteError(sentence('back up', t.file, error));
  }
}

export interface Backup {
  path: string;
  /** When it was taken (from its name). */
  time: Date;
  size: number;
}

/** Backups of one config, newest first. */
export async function listBackups(realFile: string): Promise<Backup[]> {
  const dir = backupDir(realFile);
  const names = await readdir(dir).catch(() => [] as string[]);
  const prefix = `${basename(realFile)}.`;
  const out: Backup[] = [];
  for (const name of names) {
    const m = /^(\d{8})T(\d{6})(\d{3})Z(?:-\d+)?\.bak$/.exec(name.slice(prefix.length));
    if (!name.startsWith(prefix) || !m) continue;
    const [, d, t, ms] = m;
    const iso = `${d!.slice(0, 4)}-${d!.slice(4, 6)}-${d!.slice(6)}T${t!.slice(0, 2)}:${t!.slice(2, 4)}:${t!.slice(4)}.${ms}Z`;
    const info = await stat(join(dir, name));
    out.push({ path: join(dir, name), time: new Date(iso), size: info.size });
  }
  return out.sort((a, b) => b.time.getTime() - a.time.getTime() || b.path.localeCompare(a.path));
}

/** Keep the newest `keep` backups of a config; returns the ones deleted. */
export async function pruneBackups(realFile: string, keep: number): Promise<string[]> {
  const old = (await listBackups(realFile)).slice(keep);
  for (const b of old) await rm(b.path, { force: true });
  return old.map((b) => b.path);
}

/**
 * Write a config atomically: a temp file beside it (0600 while it holds the secrets), every byte
 * written and fsynced, owner, group and mode set, renamed over the target, then the directory
 * fsynced. write-file-atomic was the first choice; measured on a nearly full tmpfs, its single
 * fs.write() returned a short count without an error and it renamed a truncated file over the
 * config. FileHandle.writeFile loops until every byte is written or throws ENOSPC.
 */
export async function atomicWrite(t: Target, content: string | Uint8Array, mode: number): Promise<void> {
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
  const tmp = join(dirname(t.real), `.${basename(t.real)}.harden-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let created = false;
  try {
    const fh = await open(tmp, 'wx', 0o600);
    created = true;
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if ((await stat(tmp)).size !== data.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    await chown(tmp, t.uid, t.gid).catch((error: NodeJS.ErrnoException) => {
      // Only root can give a file away; a normal user writing their own file keeps it anyway.
      if (error.code !== 'EPERM') throw error;
    });
    await chmod(tmp, mode);
    await rename(tmp, t.real);
    created = false;
    const dir = await open(dirname(t.real), 'r');
    await dir.sync().catch(() => undefined);
    await dir.close();
  } catch (error) {
    if (created) await rm(tmp, { force: true }).catch(() => undefined);
    throw new WriteError(sentence('write', t.file, error));
  }
}

export async function setMode(path: string, mode: number): Promise<void> {
  try {
    await chmod(path, mode);
  } catch (error) {
    throw new WriteError(sentence(`chmod ${mode.toString(8)}`, path, error));
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
  return join(stateDir(realFile), 'journal.jsonl');
}

/** Append one record (never a value) to the config's journal. */
export async function appendJournal(realFile: string, record: JournalRecord): Promise<void> {
  const path = journalPath(realFile);
  await appendFile(path, JSON.stringify(record) + '\n', { mode: 0o600 });
}

export async function readJournal(realFile: string): Promise<JournalRecord[]> {
  const text = await readFile(journalPath(realFile), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as JournalRecord];
      } catch {
        return [];
      }
    });
}

/** A file to write beside a config (an env file, a waiver file): its own mode and owner when it exists, else private and owned like the config. */
export async function targetOrNew(path: string, config: Target): Promise<Target> {
  try {
    return await target(path);
  } catch {
    return { file: path, real: path, mode: 0o600, uid: config.uid, gid: config.gid };
  }
}

export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
