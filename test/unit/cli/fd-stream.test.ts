// Output through writeSync: short writes continued, a reader that left ends the output quietly,
// a descriptor that would block hands the rest to Node's stream. Real pipes and files, plus a
// scripted write for the errors a test cannot easily provoke.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fdStream } from '../../../src/cli/fd-stream.js';
import { ROOT, tempDir } from '../../helpers/fixtures.js';

const error = (code: string) => Object.assign(new Error(code), { code });

describe('fdStream', () => {
  it('writes all of a text to a real file, through as many short writes as it takes', async () => {
    const file = join(await tempDir(), 'out.txt');
    const fd = openSync(file, 'w');
    const sizes: number[] = [];
    const short: typeof writeSync = ((f: number, b: Uint8Array, off: number, len: number) => {
      sizes.push(Math.min(len, 5));
      return writeSync(f, b, off, Math.min(len, 5));
    }) as typeof writeSync;
    const out = fdStream(fd, () => {
      throw new Error('no fallback expected');
    }, short);
    expect(out.write('héllo, wörld: 0123456789\n')).toBe(true);
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe('héllo, wörld: 0123456789\n');
    expect(sizes.length).toBeGreaterThan(4);
  });

  it('drops the rest once the reader has gone (EPIPE), without throwing', () => {
    let calls = 0;
    const out = fdStream(1, () => {
      throw new Error('no fallback expected');
    }, (() => {
      calls++;
      throw error('EPIPE');
    }) as unknown as typeof writeSync);
    expect(out.write('a')).toBe(false);
    expect(out.write('b')).toBe(false);
    expect(calls).toBe(1);
  });

  it('hands what is left to the stream when the descriptor would block (EAGAIN)', () => {
    const got: string[] = [];
    let first = true;
    const out = fdStream(1, () => ({ write: (chunk: Uint8Array | string) => got.push(Buffer.from(chunk).toString()) > 0 }) as unknown as NodeJS.WritableStream, ((_fd: number, _b: Uint8Array, _off: number, _len: number) => {
      if (first) {
        first = false;
        return 3;
      }
      throw error('EAGAIN');
    }) as unknown as typeof writeSync);
    out.write('abcdef');
    out.write('ghi');
    expect(got).toEqual(['def', 'ghi']);
  });

  it('throws any other error (a full disk is not the reader leaving)', () => {
    const out = fdStream(1, () => process.stdout, (() => {
      throw error('ENOSPC');
    }) as unknown as typeof writeSync);
    expect(() => out.write('x')).toThrow('ENOSPC');
  });

  it('the built CLI piped into a reader that leaves: no error printed, its own exit code kept', () => {
    const harden = `node ${join(ROOT, 'bin', 'harden.js')} audit --config ${join(ROOT, 'examples', 'insecure-config.json')} --no-host --format json`;
    const env = { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent' };
    const head = spawnSync('bash', ['-o', 'pipefail', '-c', `${harden} | head -c 1`], { encoding: 'utf8', env });
    expect(head.stdout).toBe('{');
    // `true` reads nothing and is gone long before harden writes: the write meets EPIPE.
    const gone = spawnSync('bash', ['-o', 'pipefail', '-c', `${harden} | true`], { encoding: 'utf8', env });
    for (const r of [head, gone]) {
      expect(r.stderr).toBe('');
      // pipefail: harden's own exit code (1, findings), not a crash.
      expect(r.status).toBe(1);
    }
  });
});
