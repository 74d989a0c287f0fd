// The small synchronous reads of the audit's path: a FIFO or a device named where a file belongs
// (a unit's EnvironmentFile=) must not hang or flood the audit.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exists, listDir, readInput, readText } from '../../../src/io/read.js';
import { tempDir } from '../../helpers/fixtures.js';

describe('readText', () => {
  it('reads a regular file', async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, 'a.env'), 'A=1\n');
    expect(readText(join(dir, 'a.env'))).toBe('A=1\n');
  });

  it('reads no further than the size a file reports: /proc files (size 0) read as empty, /proc/kmsg does not block', () => {
    if (exists('/proc/self/cmdline')) expect(readText('/proc/self/cmdline')).toBe('');
    // Only root may open /proc/kmsg; a read of it blocks until the kernel logs something.
    if (process.getuid?.() === 0 && exists('/proc/kmsg')) expect(readText('/proc/kmsg')).toBe('');
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

describe('readInput', () => {
  it('reads a regular file, and says in one sentence why anything else is not read', async () => {
    const dir = await tempDir();
    writeFileSync(join(dir, 'answers.json'), '{}');
    mkdirSync(join(dir, 'sub'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(readInput(join(dir, 'answers.json'), '--answers x').toString()).toBe('{}');
    expect(() => readInput(join(dir, 'fifo'), '--answers fifo')).toThrow('--answers fifo: not a regular file (a FIFO, device or socket is never read)');
    expect(() => readInput('/dev/zero', '--baseline z')).toThrow('--baseline z: not a regular file');
    expect(() => readInput(join(dir, 'sub'), '--compose sub')).toThrow('--compose sub: it is a directory, not a file');
    expect(() => readInput(join(dir, 'missing'), '--answers m')).toThrow('--answers m: no such file');
  });
});
