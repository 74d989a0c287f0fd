// `harden restore`: list, restore, prune backups of one config.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { configPaths } from './audit.js';
import type { Io } from '../io/process-io.js';

interface RestoreFlags {
  config: string[];
  list?: boolean;
  prune?: boolean;
  keepBackups: string;
}

export function addRestoreOptions(command: Command): Command {
  return command
    .argument('[backup]', 'the backup to put back: its number in --list (1 = newest), its name or path; default: the newest')
    .option('-c, --config <path>', "the config (default: nanobot's ~/.nanobot/config.json)", (v: string, p: string[]) => [...p, v], [])
    .option('-l, --list', 'list the backups, newest first, with the fix that made each')
    .option('--prune', 'delete every backup of this config (they hold the old secrets)')
    .option('--keep-backups <n>', 'backups to keep per config', '5');
}

export async function runRestore(backup: string | undefined, flags: RestoreFlags, io: Io): Promise<number> {
  const files = configPaths(flags, io);
  if (files.length !== 1) throw new UsageError('harden restore works on one config at a time');
  const file = files[0]!;
  if ([flags.list, flags.prune, backup !== undefined].filter(Boolean).length > 1) throw new UsageError('give one of --list, --prune or a backup');
  const core = await import('../fix/restore.js');
  if (flags.list) {
    const backups = await core.listBackups(file);
    if (backups.length === 0) {
      io.stdout.write(`no backups of ${file}\n`);
      return 0;
    }
    io.stdout.write(`backups of ${file}, newest first:\n`);
    backups.forEach((b, i) => {
      const what = b.problem
        ? `cannot be restored: ${b.problem}`
        : b.action === 'restore'
          ? 'before a restore'
          : b.rules
            ? `before fixing ${b.rules.join(', ')}`
            : '';
      io.stdout.write(`  ${String(i + 1).padStart(2)}  ${b.time.toISOString()}  ${b.path}${what ? `  (${what})` : ''}\n`);
    });
    return 0;
  }
  if (flags.prune) {
    const gone = await core.pruneAll(file);
    io.stdout.write(`deleted ${gone.length} backup${gone.length === 1 ? '' : 's'} of ${file}\n`);
    return 0;
  }
  const keep = Number(flags.keepBackups);
  if (!Number.isInteger(keep) || keep < 1) throw new UsageError('--keep-backups needs a whole number of at least 1');
  const result = await core.restore(file, backup, keep);
  io.stdout.write(`restored ${file} from ${result.restored}\n  the file as it was is in ${result.backup}\n  restart nanobot so that it reads it\n`);
  for (const note of result.notes) io.stderr.write(`harden: note: ${note}\n`);
  return 0;
}
