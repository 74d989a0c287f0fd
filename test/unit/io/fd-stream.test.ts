// Output through writeSync: short writes continued, a reader that left ends the output quietly,
// a descriptor that would block hands the rest to Node's stream. Real pipes and files, plus a
// scripted write for the errors a test cannot easily provoke.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import tty from 'node:tty';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { fdStream, isatty, linuxMajor } from '../../../src/io/fd-stream.js';
import { ROOT, tempDir } from '../../helpers/fixtures.js';
import { childEnv } from '../../helpers/child-env.js';

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
    const out = fdStream(
      fd,
      () => {
        throw new Error('no fallback expected');
      },
      short,
    );
    expect(out.write('héllo, wörld: 0123456789\n')).toBe(true);
    closeSync(fd);
    expect(readFileSync(file, 'utf8')).toBe('héllo, wörld: 0123456789\n');
    expect(sizes.length).toBeGreaterThan(4);
  });

  it('drops the rest once the reader has gone (EPIPE), without throwing', () => {
    let calls = 0;
    const out = fdStream(
      1,
      () => {
        throw new Error('no fallback expected');
      },
      () => {
        calls++;
        throw error('EPIPE');
      },
    );
    expect(out.write('a')).toBe(false);
    expect(out.write('b')).toBe(false);
    expect(calls).toBe(1);
  });

  it('hands what is left to the stream when the descriptor would block (EAGAIN)', () => {
    const got: string[] = [];
    let first = true;
    const out = fdStream(
      1,
      () => ({ write: (chunk: Uint8Array | string) => got.push(Buffer.from(chunk).toString()) > 0 }) as unknown as NodeJS.WritableStream,
      ((_fd: number, _b: Uint8Array, _off: number, _len: number) => {
        if (first) {
          first = false;
          return 3;
        }
        throw error('EAGAIN');
      }) as unknown as typeof writeSync,
    );
    out.write('abcdef');
    out.write('ghi');
    expect(got).toEqual(['def', 'ghi']);
  });

  it('throws any other error (a full disk is not the reader leaving)', () => {
    const out = fdStream(
      1,
      () => process.stdout,
      () => {
        throw error('ENOSPC');
      },
    );
    expect(() => out.write('x')).toThrow('ENOSPC');
  });

  it('the built CLI piped into a reader that leaves: no error printed, its own exit code kept', () => {
    const harden = `node ${join(ROOT, 'bin', 'harden.js')} audit --config ${join(ROOT, 'examples', 'insecure-config.json')} --no-host --format json`;
    const env = childEnv({ PATH: process.env['PATH'] ?? '', HOME: '/nonexistent' });
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

describe('the built CLI on a non-blocking pipe', () => {
  it('delivers all of a long report when the pipe fills (EAGAIN), before it exits', async () => {
    const dir = await tempDir();
    const channels = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [i === 0 ? 'telegram' : `ch${i}`, { enabled: true, token: `FAKE-${i}`, allowFrom: [] }]),
    );
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ channels }, null, 2), { mode: 0o600 });
    const args = [join(ROOT, 'bin', 'harden.js'), 'audit', '--config', config, '--no-host', '--nanobot-version', '0.3.0', '--format', 'json'];
    const plain = spawnSync(process.execPath, args, { encoding: 'utf8', env: childEnv({ PATH: process.env['PATH'] ?? '', HOME: dir }) });
    expect(plain.stdout.length).toBeGreaterThan(200_000);
    // Python sets the pipe's write end non-blocking and reads only once harden has filled it.
    const py = [
      'import os, subprocess, sys, time',
      'r, w = os.pipe()',
      'os.set_blocking(w, False)',
      `p = subprocess.Popen(sys.argv[1:], stdout=w, env={"PATH": os.environ["PATH"], "HOME": ${JSON.stringify(dir)}})`,
      'os.close(w)',
      'time.sleep(0.5)',
      'out = b""',
      'while True:',
      '    chunk = os.read(r, 65536)',
      '    if not chunk: break',
      '    out += chunk',
      'sys.stdout.buffer.write(out)',
      'sys.exit(p.wait())',
    ].join('\n');
    const viaPipe = spawnSync('python3', ['-c', py, process.execPath, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(viaPipe.stderr).toBe('');
    expect(viaPipe.status).toBe(plain.status);
    expect(viaPipe.stdout).toBe(plain.stdout);
  });
});

describe('isatty', () => {
  const open = (path: string, flags: number): number | undefined => {
    try {
      return openSync(path, flags);
    } catch {
      return undefined;
    }
  };

  it("gives Node's own answer for files, pipes, memory devices and terminals", async () => {
    const file = join(await tempDir(), 'f.txt');
    writeFileSync(file, 'x');
    const fds: Record<string, number | undefined> = {
      file: openSync(file, 'r'),
      '/dev/null': open('/dev/null', constants.O_RDWR),
      '/dev/zero': open('/dev/zero', constants.O_RDONLY),
      // A pseudo-terminal's master side is a terminal; there is one wherever tmux can run.
      '/dev/ptmx': open('/dev/ptmx', constants.O_RDWR | constants.O_NOCTTY),
    };
    try {
      const answers = Object.fromEntries(Object.entries(fds).flatMap(([name, fd]) => (fd === undefined ? [] : [[name, [isatty(fd), tty.isatty(fd)]]])));
      for (const [name, [ours, node]] of Object.entries(answers)) expect([name, ours]).toEqual([name, node]);
      expect(answers['file']).toEqual([false, false]);
      if (answers['/dev/ptmx']) expect(answers['/dev/ptmx']).toEqual([true, true]);
      // A descriptor that is not open is no terminal either.
      expect(isatty(987_654)).toBe(false);
    } finally {
      for (const fd of Object.values(fds)) if (fd !== undefined) closeSync(fd);
    }
  });

  it('reads the major number out of Linux device numbers, small and large', () => {
    expect(linuxMajor((1 << 8) | 3)).toBe(1); // /dev/null
    expect(linuxMajor((136 << 8) | 5)).toBe(136); // /dev/pts/5
    expect(linuxMajor((1 << 8) + 0xff + 4096 * 2 ** 32)).toBe(4097); // glibc puts high major bits above bit 32
    if (process.platform === 'linux') expect(linuxMajor(statSync('/dev/null').rdev)).toBe(1);
  });
});

describe('outputWritten', () => {
  it('turns false once output is handed to a Node stream (the wizard prompts through process.stdout)', async () => {
    // A fresh copy of the module: the tests above handed output over already.
    vi.resetModules();
    const fresh = await import('../../../src/io/fd-stream.js');
    expect(fresh.outputWritten()).toBe(true);
    fresh.handOver();
    expect(fresh.outputWritten()).toBe(false);
  });
});
