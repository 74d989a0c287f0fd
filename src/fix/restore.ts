// `harden restore`: list the backups of a config, put one back atomically (backing up the
// current file first), or delete them all. Backups hold the old secrets, so --prune matters. A
// backup is read through the descriptor that was checked (a regular file of the config's owner
// with one link), never through a link someone put in the backups directory.
import { basename, resolve } from 'node:path';
import { parseConfig, decodeConfig } from '../config/parse.js';
import { ConfigAccessError, StaleFileError, UsageError, WriteError, isHardenError } from '../errors.js';
import type * as Files from '../io/files.js';
import type { Target } from '../io/place.js';

export interface BackupEntry extends Files.Backup {
  /** Rules of the fix that took this backup, from the journal. */
  rules?: string[];
  action?: 'fix' | 'restore';
}

const isYaml = (file: string) => /\.ya?ml$/i.test(file);

/**
 * What a backup of `file` must be to be put back: a config nanobot can load, or (for a compose
 * file) YAML that parses. Returns the check: a reason it is not, or undefined.
 */
export async function backupCheck(file: string): Promise<(bytes: Buffer) => string | undefined> {
  if (isYaml(file)) {
    const { parseDocument } = await import('yaml');
    return (bytes) => {
      try {
        const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        return parseDocument(text).errors.length > 0 ? 'not valid YAML (a partial copy?)' : undefined;
      } catch {
        return 'not valid UTF-8 (a partial copy?)';
      }
    };
  }
  return (bytes) => {
    try {
      parseConfig(file, decodeConfig(file, bytes));
      return undefined;
    } catch (error) {
      return isHardenError(error) ? 'not a config nanobot can load (a partial copy?)' : 'cannot be read';
    }
  };
}

async function files(): Promise<typeof Files> {
  return import('../io/files.js');
}

/** Open the config for restore: it must exist and be a regular file. */
function openConfig(io: typeof Files, file: string): Target {
  try {
    return io.target(file);
  } catch (error) {
    if (error instanceof WriteError && /does not exist/.test(error.message)) throw new ConfigAccessError(file, `no config file at ${file}`);
    throw error;
  }
}

async function entries(io: typeof Files, t: Target, file: string): Promise<BackupEntry[]> {
  const journal = io.readJournal(t);
  return io.listBackups(t, await backupCheck(file)).map((b) => {
    const record = journal.find((r) => r.backup === b.path);
    return record ? { ...b, rules: record.rules, action: record.action } : b;
  });
}

export async function listBackups(file: string): Promise<BackupEntry[]> {
  const io = await files();
  const t = openConfig(io, file);
  try {
    return await entries(io, t, file);
  } finally {
    io.closeTarget(t);
  }
}

/** Which backup a user meant: a path, a file name, or its number in --list (1 = newest). */
export function pickBackup(file: string, backups: readonly BackupEntry[], backupDir: string, which: string | undefined): BackupEntry {
  const usable = backups.filter((b) => !b.problem);
  if (usable.length === 0) {
    const unusable = backups.length > 0 ? ` (${backups.length} there cannot be restored: harden restore --list says why)` : '';
    throw new UsageError(`there are no backups of ${file} to restore${unusable}; harden keeps them in ${backupDir}`);
  }
  if (which === undefined) return usable[0]!;
  let chosen: BackupEntry | undefined;
  if (/^\d+$/.test(which)) {
    chosen = backups[Number(which) - 1];
    if (!chosen) throw new UsageError(`there is no backup number ${which}; harden restore --list shows ${backups.length}`);
  } else {
    chosen = backups.find((b) => b.path === resolve(which) || b.name === basename(which));
    if (!chosen) throw new UsageError(`${which} is not a backup of ${file}; harden restore --list shows them`);
  }
  if (chosen.problem) throw new UsageError(`${chosen.path} cannot be restored: ${chosen.problem}`);
  return chosen;
}

export interface RestoreResult {
  file: string;
  restored: string;
  /** The backup of the file as it was just before the restore. */
  backup: string;
  notes: string[];
}

export async function restore(file: string, which: string | undefined, keep: number): Promise<RestoreResult> {
  const io = await files();
  const t = openConfig(io, file);
  try {
    const usable = await backupCheck(file);
    const chosen = pickBackup(file, await entries(io, t, file), io.backupDir(t.real), which);
    const bytes = chosen.bytes!;
    return await io.withLock(t, (l) => {
      const current = io.readTarget(t);
      if (!current) throw new ConfigAccessError(file, `no config file at ${file}`);
      const backup = io.createBackup(l, current.bytes);
      const written = io.atomicWrite(t, bytes, t.mode, current.bytes);
      if (written.lateWrite) {
        io.atomicWrite(t, written.lateWrite, t.mode);
        throw new StaleFileError(
          `another program wrote ${file} while harden was restoring it; its version is kept (backup of the file before: ${backup}). Run harden restore again`,
        );
      }
      const notes = [...l.notes];
      try {
        io.appendJournal(l, {
          time: new Date().toISOString(),
          action: 'restore',
          file: t.real,
          rules: [],
          backup,
          sha256Before: io.sha256(current.bytes),
          sha256After: io.sha256(bytes),
        });
      } catch (error) {
        notes.push(isHardenError(error) ? error.message : String(error));
      }
      io.pruneBackups(t, Math.max(keep, 2), usable, l.backups());
      return { file, restored: chosen.path, backup, notes };
    });
  } finally {
    io.closeTarget(t);
  }
}

export async function pruneAll(file: string): Promise<string[]> {
  const io = await files();
  const t = openConfig(io, file);
  try {
    // Nothing to delete where harden never kept anything (and no directory made for it).
    if (!t.dir.lstat(io.STATE_DIR)) return [];
    const usable = await backupCheck(file);
    return await io.withLock(t, (l) => io.pruneBackups(t, 0, usable, l.backups()));
  } finally {
    io.closeTarget(t);
  }
}
