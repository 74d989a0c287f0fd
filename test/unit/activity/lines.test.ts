// The line reader on real files: chunk boundaries, long lines, a cut-off last line, offsets.
import { closeSync, openSync, readSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamLines } from '../../../src/activity/lines.js';
import { tempDir } from '../../helpers/fixtures.js';

async function read(text: string | Buffer, limit?: number, chunk?: number) {
  const file = join(await tempDir(), 'h.jsonl');
  await writeFile(file, text);
  const fd = openSync(file, 'r');
  const lines: { n: number; text: string; offset: number; last: boolean; again: string }[] = [];
  const long: number[] = [];
  try {
    const r = streamLines(
      fd,
      {
        line(buf, s, e, n, offset, last) {
          const again = Buffer.alloc(e - s);
          readSync(fd, again, 0, e - s, offset);
          lines.push({ n, text: buf.toString('utf8', s, e), offset, last, again: again.toString('utf8') });
        },
        tooLong(n) {
          long.push(n);
        },
      },
      limit,
      chunk,
    );
    return { lines, long, count: r.lines, bytes: r.bytes };
  } finally {
    closeSync(fd);
  }
}

describe('streamLines', () => {
  it('every line with its number and file offset, across chunk boundaries (a chunk of 8 bytes)', async () => {
    const text = '{"a": 1}\n{"bb": 22}\n\n{"ccc": "x"}\n';
    const r = await read(text, 1 << 20, 8);
    expect(r.lines.map((l) => [l.n, l.text, l.last])).toEqual([
      [1, '{"a": 1}', false],
      [2, '{"bb": 22}', false],
      [3, '', false],
      [4, '{"ccc": "x"}', false],
    ]);
    for (const l of r.lines) expect(l.again).toBe(l.text);
    expect(r.bytes).toBe(Buffer.byteLength(text));
  });

  it('a last line without a newline is marked; an empty file has no lines', async () => {
    expect((await read('{"a": 1}\n{"cut": "of')).lines.map((l) => [l.n, l.last])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect((await read('')).lines).toEqual([]);
  });

  it('a line longer than the chunk grows the buffer; one longer than the limit is skipped unread, and the next is read', async () => {
    const big = 'x'.repeat(100);
    const r = await read(`{"a": 1}\n${big}\n{"b": 2}\n${'y'.repeat(300)}`, 64, 16);
    expect(r.lines.map((l) => l.text)).toEqual(['{"a": 1}', '{"b": 2}']);
    expect(r.long).toEqual([2, 4]);
    expect(r.lines[1]!.n).toBe(3);
    expect(r.lines[1]!.again).toBe('{"b": 2}');
    const grown = await read(`${big}\n{"c": 3}\n`, 1 << 20, 16);
    expect(grown.lines.map((l) => l.text)).toEqual([big, '{"c": 3}']);
  });

  it('multi-byte characters split across chunks come out whole', async () => {
    const text = `{"t": "${'é😀'.repeat(50)}"}\n`;
    const r = await read(text, 1 << 20, 7);
    expect(r.lines[0]!.text).toBe(text.trimEnd());
  });
});
