import { describe, expect, it } from 'vitest';
import { ConfigSyntaxError } from '../../../src/errors.js';
import { decodeConfig, firstInvalidUtf8, parseConfig } from '../../../src/config/parse.js';

function syntaxError(text: string): ConfigSyntaxError {
  try {
    parseConfig('/x/config.json', text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigSyntaxError);
    return error as ConfigSyntaxError;
  }
  throw new Error('expected a ConfigSyntaxError');
}

describe('parseConfig: what json.load refuses is fatal, with line and column', () => {
  it('rejects a line comment at its position', () => {
    const e = syntaxError('{\n  "tools": {} // mine\n}\n');
    expect([e.line, e.column]).toEqual([2, 15]);
    expect(e.reason).toMatch(/comment/);
  });

  it('rejects a block comment', () => {
    expect(syntaxError('{ /* c */ "a": 1 }').reason).toMatch(/comment/);
  });

  it('rejects a trailing comma in an object and in an array', () => {
    const e = syntaxError('{\n  "a": 1,\n}');
    expect(e.reason).toMatch(/trailing comma/);
    expect([e.line, e.column]).toEqual([2, 9]);
    expect(syntaxError('{"a": [1, 2,]}').reason).toMatch(/trailing comma/);
  });

  it('rejects a byte-order mark at 1:1', () => {
    const e = syntaxError('\uFEFF{}');
    expect([e.line, e.column]).toEqual([1, 1]);
    expect(e.reason).toMatch(/byte-order mark/);
  });

  it.each([
    ['[]', /an array/],
    ['"text"', /a string/],
    ['42', /a number/],
    ['null', /null/],
  ])('rejects the non-object root %s', (text, words) => {
    expect(syntaxError(text).reason).toMatch(words);
  });

  it('rejects an empty file and text after the value', () => {
    expect(syntaxError('').reason).toMatch(/empty/);
    expect(syntaxError('{} {}').reason).toMatch(/after the JSON value/);
  });

  it('rejects single quotes and a missing colon with a position', () => {
    const e = syntaxError('{\n  "a" 1\n}');
    expect([e.line, e.column]).toEqual([2, 7]);
  });

  it('counts CRLF lines like LF lines', () => {
    const e = syntaxError('{\r\n  "a": 1,\r\n  "b" 2\r\n}');
    expect(e.line).toBe(3);
  });

  it('keeps every duplicate in the tree (the model picks the last)', () => {
    const parsed = parseConfig('/x', '{"a": 1, "a": 2}');
    expect(parsed.root.children).toHaveLength(2);
  });

  it('the message names file, line and column in one sentence', () => {
    expect(syntaxError('{"a": 1,}').message).toMatch(/^\/x\/config\.json:1:8: not valid JSON: a trailing comma/);
  });
});

describe('decodeConfig: the file must be UTF-8, as Python opens it', () => {
  it('decodes UTF-8 including emoji', () => {
    expect(decodeConfig('/x', new TextEncoder().encode('{"icon": "🐈"}'))).toBe('{"icon": "🐈"}');
  });

  it('reports the line of the first invalid byte', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('{\n "a": "'), 0xff, ...new TextEncoder().encode('"}')]);
    expect(() => decodeConfig('/x', bytes)).toThrow(/x:2:8: the file is not valid UTF-8/);
  });

  it('finds overlong and truncated sequences', () => {
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xc0, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xe2, 0x82]))).toBe(1);
    expect(firstInvalidUtf8(new TextEncoder().encode('ok ✓'))).toBe(6);
  });
});

describe('parseConfig: nesting', () => {
  it('reads 900 levels and refuses 901 with the line and column of the bracket that opens it', () => {
    const deep = (n: number) => `{\n  "agents": {\n    "defaults": ${'['.repeat(n - 2)}${']'.repeat(n - 2)}\n  }\n}\n`;
    expect(parseConfig('/x/config.json', deep(900)).root.type).toBe('object');
    const e = syntaxError(deep(901));
    expect([e.line, e.column]).toEqual([3, 17 + 898]);
    expect(e.reason).toMatch(/nested more than 900 levels deep here; nanobot's json\.load gives up near 1,000 levels \(RecursionError\)/);
  });

  it('refuses 100,000 levels at once, valid, broken or never closed', () => {
    for (const text of [
      '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000),
      '['.repeat(100_000) + ']'.repeat(100_000),
      '{"a": ' + '['.repeat(100_000),
      '{"a": // x\n' + '{"b":'.repeat(100_000),
    ]) {
      const e = syntaxError(text);
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.reason).toMatch(/nested more than 900 levels deep/);
    }
  });
});
