// The writer on real files in temp directories: atomic replacement, another writer racing it,
// whole backups only, pruning that keeps the original, and links never followed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StaleFileError } from '../../../src/errors.js';
import { atomicWrite, closeTarget, createBackup, listBackups, pruneBackups, target, withLock } from '../../../src/io/files.js';
import { resolveLinks } from '../../../src/io/place.js';
import { tempDir } from '../../helpers/fixtures.js';

const usable = (bytes: Buffer) => (bytes.toString().startsWith('{') && bytes.toString().endsWith('}') ? undefined : 'not a config');

async function config(text = '{"a": 1}'): Promise<{ dir: string; file: string }> {
  const dir = await tempDir();
  const file = join(dir, 'config.json');
  writeFileSync(file, text, { mode: 0o640 });
  return { dir, file };
}

describe('atomicWrite', () => {
  it('replaces the file whole, keeping its mode unless told otherwise, and leaves no temp file', async () => {
    const { dir, file } = await config();
    const t = target(file);
    try {
      expect(atomicWrite(t, '{"a": 2}', 0o600, Buffer.from('{"a": 1}'))).toEqual({});
    } finally {
      closeTarget(t);
    }
    expect(readFileSync(file, 'utf8')).toBe('{"a": 2}');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('writes nothing when another program changed the file after harden read it (checked right before the rename)', async () => {
    const { dir, file } = await config();
    const t = target(file);
    try {
      expect(() => atomicWrite(t, '{"a": 2}', 0o600, Buffer.from('{"a": 1}'), { beforeCheck: () => writeFileSync(file, '{"nanobot": "saved"}') })).toThrow(
        StaleFileError,
      );
    } finally {
      closeTarget(t);
    }
    expect(readFileSync(file, 'utf8')).toBe('{"nanobot": "saved"}');
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('hands back what another program wrote into the old file between the check and the rename', async () => {
    const { file } = await config();
    const t = target(file);
    try {
      // nanobot saves in place (open, truncate, write): the write lands in the file being replaced.
      const r = atomicWrite(t, '{"a": 2}', 0o600, Buffer.from('{"a": 1}'), { beforeRename: () => writeFileSync(file, '{"late": true}') });
      expect(r.lateWrite?.toString()).toBe('{"late": true}');
    } finally {
      closeTarget(t);
    }
  });

  it('never writes through a link planted where the file was', async () => {
    const { dir, file } = await config();
    const t = target(file);
    const elsewhere = join(dir, 'elsewhere.json');
    writeFileSync(elsewhere, '{"other": 1}');
    try {
      execFileSync('rm', [file]);
      symlinkSync(elsewhere, file);
      expect(() => atomicWrite(t, '{"a": 2}', 0o600, Buffer.from('{"a": 1}'))).toThrow(/it is a symbolic link, which harden does not follow there/);
    } finally {
      closeTarget(t);
    }
    expect(readFileSync(elsewhere, 'utf8')).toBe('{"other": 1}');
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'elsewhere.json']);
  });
});

describe('resolveLinks', () => {
  it('refuses paths that lead into a process descriptor (/dev/stdout, /dev/fd/N)', () => {
    expect(() => resolveLinks('/dev/stdout')).toThrow(/file a process has open/);
    expect(() => resolveLinks('/dev/fd/1')).toThrow(/file a process has open/);
  });
});

describe('backups', () => {
  it('unusable ones (empty, partial, links, hard links) never count: restore and pruning skip them, the original is kept', async () => {
    const { dir, file } = await config('{"original": true}');
    const t = target(file);
    try {
      await withLock(t, async (l) => {
        const original = createBackup(l, Buffer.from('{"original": true}'), new Date('2026-01-01T00:00:00Z'));
        for (let i = 1; i <= 6; i++) createBackup(l, Buffer.from(`{"fix": ${i}}`), new Date(`2026-02-0${i}T00:00:00Z`));
        const b = l.backups().path;
        // What a full disk left with older versions: empty and truncated files that sort newest.
        writeFileSync(join(b, 'config.json.20991231T235959999Z.bak'), '');
        writeFileSync(join(b, 'config.json.20991231T235959998Z.bak'), '{"trunc');
        symlinkSync('/etc/hostname', join(b, 'config.json.20991231T235959997Z.bak'));
        const listed = listBackups(t, usable, l.backups());
        expect(listed.slice(0, 3).map((x) => x.problem)).toEqual(['empty', 'not a config', 'a symbolic link, not a backup harden made']);
        expect(listed.find((x) => !x.problem)?.bytes?.toString()).toBe('{"fix": 6}');
        const gone = pruneBackups(t, 5, usable, l.backups());
        expect(gone).toHaveLength(4); // the three unusable ones and the oldest fix
        const left = listBackups(t, usable, l.backups());
        expect(left.map((x) => x.bytes?.toString())).toEqual(['{"fix": 6}', '{"fix": 5}', '{"fix": 4}', '{"fix": 3}', '{"fix": 2}', '{"original": true}']);
        expect(left.at(-1)?.path).toBe(original);
      });
    } finally {
      closeTarget(t);
    }
    // /etc/hostname was never touched or read into a backup.
    expect(statSync(join(dir, '.harden', 'backups')).mode & 0o777).toBe(0o700);
  });
});

describe("harden's private directory", () => {
  it('is refused when it is a link, not followed, and nothing is created where it points', async () => {
    const { dir, file } = await config();
    const aim = join(dir, 'aim');
    mkdirSync(aim, { mode: 0o755 });
    symlinkSync(aim, join(dir, '.harden'));
    const t = target(file);
    try {
      await expect(withLock(t, async () => 'ran')).rejects.toThrow(/\.harden is a symbolic link; harden keeps its backups there only in a real directory/);
    } finally {
      closeTarget(t);
    }
    expect(readdirSync(aim)).toEqual([]);
    expect(statSync(aim).mode & 0o777).toBe(0o755);
  });
});
