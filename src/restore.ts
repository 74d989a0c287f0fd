// `harden restore`: list the backups of a config, put one back atomically (backing up the
// current file first), or delete them all. Backups hold the old secrets, so --prune matters.
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseConfig, decodeConfig } from './config/parse.js';
import { ConfigAccessError, UsageError } from './errors.js';
import * as io from './io/files.js';

export interface BackupEntry extends io.Backup {
  /** Rules of the fix that took this backup, from the journal. */
  rules?: string[];
  action?: 'fix' | 'restore';
}

async function realConfig(file: string): Promise<string> {
  try {
    const real = await realpath(file);
    if (!(await stat(real)).isFile()) throw new ConfigAccessError(file, `${file} is not a regular file`);
    return real;
  } catch (error) {
    if (error instanceof ConfigAccessError) throw error;
    throw new ConfigAccessError(file, `no config file at ${file}`);
  }
}

export async function listBackups(file: string): Promise<BackupEntry[]> {
  const real = await realConfig(file);
  const journal = await io.readJournal(real);
  return (await io.listBackups(real)).map((b) => {
    const record = journal.find((r) => r.backup === b.path);
    return record ? { ...b, rules: record.rules, action: record.action } : b;
  });
}

/** Which backup a user meant: a path, a file name, or its number in --list (1 = newest). */
export async function pickBackup(file: string, which: string | undefined): Promise<string> {
  const backups = await listBackups(file);
  if (backups.length === 0) throw new UsageError(`there are no backups of ${file} (harden keeps them in ${io.backupDir(await realConfig(file))})`);
  if (which === undefined) return backups[0]!.path;
  if (/^\d+$/.test(which)) {
    const b = backups[Number(which) - 1];
    if (!b) throw new UsageError(`there is no backup number ${which}; harden restore --list shows ${backups.length}`);
    return b.path;
  }
  const byName = backups.find((b) => b.path === resolve(which) || basename(b.path) === which);
  if (!byName) throw new UsageError(`${which} is not a backup of ${file}; harden restore --list shows them`);
  return byName.path;
}

export interface RestoreResult {
  file: string;
  restored: string;
  /** The backup of the file as it was just before the restore. */
  backup: string;
}

export async function restore(file: string, which: string | undefined, keep: number): Promise<RestoreResult> {
  const chosen = await pickBackup(file, which);
  const bytes = await readFile(chosen);
  // A config backup must still be a config nanobot can load (a compose file's backup is YAML).
  if (!/\.(ya?ml)\.[^/]*\.bak$/i.test(chosen)) parseConfig(chosen, decodeConfig(chosen, bytes));
  const t = await io.target(file);
  return io.withLock(t, async () => {
    const current = await readFile(t.real);
    const backup = await io.createBackup(t, current);
    await io.atomicWrite(t, bytes, t.mode);
    await io.appendJournal(t.real, {
      time: new Date().toISOString(),
      action: 'restore',
      file: t.real,
      rules: [],
      backup,
      sha256Before: io.sha256(current),
      sha256After: io.sha256(bytes),
    }).catch(() => undefined);
    await io.pruneBackups(t.real, Math.max(keep, 2)).catch(() => undefined);
    return { file, restored: chosen, backup };
  });
}

export async function pruneAll(file: string): Promise<string[]> {
  return io.pruneBackups(await realConfig(file), 0);
}
