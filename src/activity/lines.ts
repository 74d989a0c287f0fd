// Read a file line by line in one pass with flat memory: fixed-size chunks, native newline search,
// no string made for a line the caller does not ask for. A history can be gigabytes; the largest
// thing held is one line (a tool result with an image can be megabytes), and a line longer than
// LINE_LIMIT is skipped unread rather than held.
import { readSync } from 'node:fs';

export const CHUNK = 1 << 20;
export const LINE_LIMIT = 64 << 20;

export interface LineSink {
  /**
   * One line: bytes [start, end) of buf, without its newline. `n` counts from 1, `offset` is where
   * the line starts in the file, `last` is true for a final line the file does not end with a
   * newline (a write cut off, or still in progress).
   */
  line(buf: Buffer, start: number, end: number, n: number, offset: number, last: boolean): void;
  /** A line longer than the limit, skipped without being read into memory. */
  tooLong(n: number, offset: number): void;
}

/**
 * One buffer for every file read in turn: a run over 10,000 session files otherwise allocates
 * (and collects) 10,000 of them. A file read while another is (never, today) gets its own.
 */
let spare: Buffer | undefined;

/** Feed every line of an open file to `sink`; returns the lines and bytes read. */
export function streamLines(fd: number, sink: LineSink, limit = LINE_LIMIT, chunk = CHUNK): { lines: number; bytes: number } {
  const size = Math.min(chunk, limit);
  let buf = spare !== undefined && spare.length === size ? spare : Buffer.allocUnsafe(size);
  spare = undefined;
  try {
    return stream(fd, sink, limit, buf, (grown) => (buf = grown));
  } finally {
    // A buffer grown for a long line is let go; the usual one is kept for the next file.
    if (buf.length === size) spare = buf;
  }
}

function stream(fd: number, sink: LineSink, limit: number, first: Buffer, grew: (b: Buffer) => void): { lines: number; bytes: number } {
  let buf = first;
  // buf[0, have) holds unread bytes; filePos is the file offset of buf[0].
  let have = 0;
  let filePos = 0;
  let n = 0;
  let skipping = false; // inside a line longer than the limit: drop bytes up to its newline
  let skipStart = 0;
  for (;;) {
    if (have === buf.length) {
      // One line fills the buffer: grow it, or give the line up once it passes the limit.
      if (buf.length >= limit) {
        if (!skipping) {
          skipping = true;
          skipStart = filePos;
        }
        filePos += have;
        have = 0;
      } else {
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, limit));
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
        grew(buf);
      }
    }
    const got = readSync(fd, buf, have, buf.length - have, null);
    const end = have + got;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0 || nl >= end) break;
      n++;
      if (skipping) {
        sink.tooLong(n, skipStart);
        skipping = false;
      } else {
        sink.line(buf, start, nl, n, filePos + start, false);
      }
      start = nl + 1;
    }
    if (got === 0) {
      if (skipping) sink.tooLong(++n, skipStart);
      else if (start < end) sink.line(buf, start, end, ++n, filePos + start, true);
      return { lines: n, bytes: filePos + end };
    }
    // Keep the unfinished line at the front of the buffer.
    if (start > 0) {
      buf.copy(buf, 0, start, end);
      filePos += start;
    }
    have = end - start;
  }
}

/** The bytes [start, end) without surrounding blanks (\r, spaces, tabs). */
export function trimmed(buf: Buffer, start: number, end: number): [number, number] {
  while (start < end && (buf[start] === 32 || buf[start] === 9 || buf[start] === 13)) start++;
  while (end > start && (buf[end - 1] === 32 || buf[end - 1] === 9 || buf[end - 1] === 13)) end--;
  return [start, end];
}
