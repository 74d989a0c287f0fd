// Output written straight to a file descriptor with writeSync. process.stdout on a pipe is a
// net.Socket: making it loads Node's networking and stream code, a few milliseconds of every run,
// for text harden writes in a few calls. Written synchronously, nothing is left to drain at exit.
import { fstatSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';

// Built-ins resolve from anywhere; tty (which loads net) is read only when a TTY check is needed.
const builtin = createRequire('/');

/**
 * Whether fd is a terminal. Node's answer (tty.isatty) costs loading its tty and networking code,
 * some 4 ms; most runs write to a pipe, a file or /dev/null, which fstat tells apart first: a
 * terminal is a character device, and on Linux the memory devices (major 1: null, zero, full,
 * random) never are. Any other character device gets Node's answer.
 */
export function isatty(fd: number, platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'win32') {
    let info;
    try {
      info = fstatSync(fd);
    } catch {
      return false;
    }
    if (!info.isCharacterDevice()) return false;
    if (platform === 'linux' && linuxMajor(info.rdev) === 1) return false;
  }
  return (builtin('node:tty') as typeof import('node:tty')).isatty(fd);
}

/** The major number of a Linux device number (glibc's gnu_dev_major). */
export function linuxMajor(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}

// Whether any output went to Node's own stream, which may still hold some of it when the run ends.
let handedOver = false;

/** Whether all output so far is written: nothing waits in a Node stream for the process to drain. */
export function outputWritten(): boolean {
  return !handedOver;
}

/** Say that output goes through Node's own stream (the wizard's prompts write to process.stdout). */
export function handOver(): void {
  handedOver = true;
}

export interface FdStream {
  write(text: string): boolean;
  readonly isTTY: boolean;
}

/**
 * fd 1 or 2 as a writer. A reader that went away (EPIPE, as in `harden audit | head`) made its
 * choice: the rest is dropped and the run ends as it would have. A descriptor that would block
 * (EAGAIN: a non-blocking pipe someone else set up) hands the rest to Node's own stream, which
 * waits for the reader.
 */
export function fdStream(fd: number, stream: () => NodeJS.WritableStream, write: typeof writeSync = writeSync): FdStream {
  let closed = false;
  let fallback: NodeJS.WritableStream | undefined;
  let tty: boolean | undefined;
  return {
    get isTTY() {
      return (tty ??= isatty(fd));
    },
    write(text: string): boolean {
      if (closed) return false;
      if (fallback) return fallback.write(text);
      const bytes = Buffer.from(text, 'utf8');
      let done = 0;
      while (done < bytes.length) {
        try {
          done += write(fd, bytes, done, bytes.length - done);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EPIPE') {
            closed = true;
            return false;
          }
          if (code !== 'EAGAIN') throw error;
          fallback = stream();
          handedOver = true;
          return fallback.write(bytes.subarray(done));
        }
      }
      return true;
    },
  };
}
