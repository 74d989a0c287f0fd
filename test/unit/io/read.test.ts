// The small synchronous reads of the audit's path: a FIFO or a device named where a file belongs
// (a unit's EnvironmentFile=) must not hang or flood the audit.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exists, listDir, readText } from '../../../src/io/read.js';
import { tempDir } from '../../helpers/fixtures.js';

describe('readText', () => {
  it('reads a regular file, and /proc entries (regular files of size 0)', async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, 'a.env'), 'A=1\n');
    expect(readText(join(dir, 'a.env'))).toBe('A=1\n');
    if (exists('/proc/self/cmdline')) expect(readText('/proc/self/cmdline')).toContain('node');
  });

  it('is undefined for what is missing, a directory, a FIFO nobody writes to, and a device', async () => {
    const dir = await tempDir();
    mkdirSync(join(dir, 'sub'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(readText(join(dir, 'missing'))).toBeUndefined();
    expect(readText(join(dir, 'sub'))).toBeUndefined();
    expect(readText(join(dir, 'fifo'))).toBeUndefined();
    expect(readText('/dev/zero')).toBeUndefined();
    expect(listDir(dir)?.sort()).toEqual(['fifo', 'sub']);
    expect(listDir(join(dir, 'missing'))).toBeUndefined();
  });
});
