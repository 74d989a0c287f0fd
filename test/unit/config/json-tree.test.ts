// The fast path must build exactly jsonc-parser's tree, or none at all: generated JSON in many
// layouts, the same text damaged at random, every fixture and example config.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { findNodeAtLocation, parseTree, visit, type Node, type ParseError } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { fastTree, JsonTooDeepError, MAX_DEPTH, parseJsonTree, tooDeepAt } from '../../../src/config/json-tree.js';
import { FIXTURES, ROOT } from '../../helpers/fixtures.js';
// @ts-expect-error: a plain .mjs script without types
import { instanceConfigs, largeConfig } from '../../../scripts/bench.mjs';

const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/** A node as plain data: parent links checked on the way and left out, key order fixed. */
function plain(node: Node, parent: Node | undefined): unknown {
  if (node.parent !== parent) throw new Error(`node at ${node.offset} has the wrong parent`);
  const out: Record<string, unknown> = { type: node.type, offset: node.offset, length: node.length };
  if ('value' in node) out['value'] = Object.is(node.value, -0) ? '-0' : node.value;
  if ('colonOffset' in node) out['colonOffset'] = node.colonOffset;
  if (node.children) out['children'] = node.children.map((c) => plain(c, node));
  return out;
}

function jsonc(text: string): { tree: Node | undefined; errors: ParseError[] } {
  const errors: ParseError[] = [];
  return { tree: parseTree(text, errors, STRICT), errors };
}

/** The property: a fast tree exists only for text jsonc-parser takes without error, and equals its tree. */
function agrees(text: string): 'fast' | 'fallback' {
  const fast = fastTree(text);
  if (!fast) return 'fallback';
  const slow = jsonc(text);
  expect(slow.errors).toEqual([]);
  expect('parent' in fast).toBe('parent' in slow.tree!);
  expect(plain(fast, undefined)).toEqual(plain(slow.tree!, undefined));
  return 'fast';
}

/** JSON text with whitespace of every kind JSON allows wherever JSON allows it. */
const spaced = (value: unknown, gaps: string[]): string => {
  let i = 0;
  const gap = () => gaps[i++ % gaps.length] ?? '';
  const write = (v: unknown): string => {
    if (Array.isArray(v)) return `[${gap()}${v.map((x) => `${write(x)}${gap()}`).join(`,${gap()}`)}]`;
    if (v !== null && typeof v === 'object')
      return `{${gap()}${Object.entries(v)
        .map(([k, x]) => `${JSON.stringify(k)}${gap()}:${gap()}${write(x)}${gap()}`)
        .join(`,${gap()}`)}}`;
    return JSON.stringify(v);
  };
  return `${gap()}${write(value)}${gap()}`;
};

const gaps = fc.array(fc.stringMatching(/^[ \t\r\n]{0,4}$/), { minLength: 1, maxLength: 7 });
const value = fc.jsonValue({ maxDepth: 6, stringUnit: 'binary' });

describe('fastTree', () => {
  it("builds jsonc-parser's tree for any strict JSON, whatever its layout", () => {
    fc.assert(
      fc.property(value, gaps, fc.constantFrom(0, 2, '\t'), (v, g, indent) => {
        expect(agrees(JSON.stringify(v, null, indent))).toBe('fast');
        expect(agrees(spaced(v, g))).toBe('fast');
      }),
      { numRuns: 600 },
    );
  });

  it('hands every damaged text to jsonc-parser, never a tree of its own that differs', () => {
    const damage = fc.constantFrom(
      ',',
      '}',
      ']',
      '{',
      '[',
      ':',
      '"',
      '\\',
      '/',
      '*',
      '//x\n',
      '/*x*/',
      '\u00a0',
      '\u2028',
      '\ufeff',
      '\v',
      '\f',
      '\u0000',
      '\u001f',
      'e',
      'E',
      '-',
      '+',
      '.',
      '0',
      '01',
      'x',
      "'",
      'NaN',
      'Infinity',
      'tru',
      'nul',
      '\\u12',
      '\\x',
      ' ',
    );
    let fallbacks = 0;
    fc.assert(
      fc.property(value, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), damage), { minLength: 1, maxLength: 3 }), (v, edits) => {
        let text = JSON.stringify(v, null, 2);
        for (const [at, cut, insert] of edits) {
          const p = at % (text.length + 1);
          text = text.slice(0, p) + insert + text.slice(p + cut);
        }
        if (agrees(text) === 'fallback') {
          fallbacks++;
          // Given up on: jsonc-parser still parses it and says what is wrong, as it always did.
          const slow = jsonc(text);
          const viaEntry: ParseError[] = [];
          const tree = parseJsonTree(text, viaEntry);
          expect(viaEntry).toEqual(slow.errors);
          expect(tree === undefined ? undefined : plain(tree, undefined)).toEqual(slow.tree === undefined ? undefined : plain(slow.tree, undefined));
        }
      }),
      { numRuns: 1500 },
    );
    // The damage mostly breaks the text: the fallback path was exercised, not just the fast one.
    expect(fallbacks).toBeGreaterThan(500);
  });

  it('takes the text as strict JSON only: comments, trailing commas, other spaces, NaN, a BOM go to jsonc-parser', () => {
    for (const text of [
      '{"a":1,}',
      '{"a":1}//',
      '/**/{}',
      '{\u00a0"a":1}',
      '{"a":NaN}',
      '\ufeff{}',
      '{"a":01}',
      '{"a":1.}',
      '{"a":"\t"}',
      '{"a":"\\x"}',
      '',
      ' ',
      '{"a":1} {}',
      '{"a" 1}',
      '[1 2]',
      '{"a":tru}',
      '{"a":truex}',
    ]) {
      expect([text, fastTree(text)]).toEqual([text, undefined]);
    }
  });

  it('keeps duplicate keys, escapes, -0, big numbers and U+2028 exactly as jsonc-parser does', () => {
    for (const text of [
      '{"a":1,"a":2}',
      '{"\\u00e9\\n":"\\ud83d\\ude00\\/"}',
      '[-0,0.5e-3,1E400,-12.75E+2]',
      '{"x":"\u2028\u2029"}',
      '"top"',
      '[]',
      '{}',
      '  {"a" : [ true , false , null ] }  ',
    ]) {
      expect([text, agrees(text)]).toEqual([text, 'fast']);
    }
  });

  it('falls back to jsonc-parser for a string too long for the regular expression (millions of characters)', () => {
    const text = `{"agents": {"defaults": {"note": "${'x'.repeat(9_000_000)}"}}}`;
    expect(() => fastTree(text)).toThrow(RangeError);
    const errors: ParseError[] = [];
    const tree = parseJsonTree(text, errors);
    expect(errors).toEqual([]);
    expect(findNodeAtLocation(tree!, ['agents', 'defaults', 'note'])?.value).toHaveLength(9_000_000);
  });

  it('gives up on nesting deeper than MAX_DEPTH (parseJsonTree then refuses it)', () => {
    expect(fastTree('['.repeat(800) + ']'.repeat(800))).toBeDefined();
    expect(fastTree('['.repeat(1200) + ']'.repeat(1200))).toBeUndefined();
  });

  it("agrees with jsonc-parser on the bench's generated large and fleet configs", () => {
    expect(agrees((largeConfig as (o: object) => string)({ channels: 30, mcpServers: 30, entries: 3000 }))).toBe('fast');
    for (const text of (instanceConfigs as (n: number) => string[])(20)) expect(agrees(text)).toBe('fast');
  });

  it('agrees with jsonc-parser on every fixture and example config', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.json')) files.push(path);
      }
    };
    walk(FIXTURES);
    walk(join(ROOT, 'examples'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const fast = files.filter((f) => agrees(readFileSync(f, 'utf8')) === 'fast');
    // The fixtures hold broken files on purpose; the well-formed ones all take the fast path.
    expect(fast.length).toBe(
      files.filter((f) => jsonc(readFileSync(f, 'utf8')).errors.length === 0 && readFileSync(f, 'utf8').charCodeAt(0) !== 0xfeff).length,
    );
  });
});

/** The deepest jsonc-parser goes into a text: its parser recurses once per object or array it opens. */
function jsoncDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  const open = () => {
    deepest = Math.max(deepest, ++depth);
  };
  const close = () => {
    depth--;
  };
  visit(text, { onObjectBegin: open, onArrayBegin: open, onObjectEnd: close, onArrayEnd: close }, STRICT);
  return deepest;
}

/** Nesting of a JSON value: 0 for a scalar, 1 for [] or {}. */
function nesting(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(v).map(nesting));
}

describe('tooDeepAt', () => {
  it('finds exactly the bracket that opens the first level past the limit in strict JSON', () => {
    fc.assert(
      fc.property(value, fc.constantFrom(0, 2, '\t'), (v, indent) => {
        const text = JSON.stringify(v, null, indent);
        const d = nesting(v);
        expect(tooDeepAt(text, d)).toBe(-1);
        if (d === 0) return;
        const at = tooDeepAt(text, d - 1);
        expect('[{').toContain(text[at]);
        // That bracket is at depth d: jsonc-parser, given the text up to it, opens d - 1 levels.
        expect(jsoncDepth(text.slice(0, at))).toBe(d - 1);
      }),
      { numRuns: 300 },
    );
  });

  it('never counts fewer levels than jsonc-parser recurses into, whatever the text', () => {
    const soup = fc
      .array(fc.constantFrom('[', ']', '{', '}', '"', '\\', ',', ':', '/', '*', '\n', '\r', 'a', '1', ' ', '//', '/*', '*/', '"a":'), { maxLength: 60 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(soup, (text) => {
        const d = jsoncDepth(text);
        if (d > 0) expect(tooDeepAt(text, d - 1), JSON.stringify(text)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 3000 },
    );
  });

  it('skips brackets in strings and comments, as jsonc-parser does', () => {
    expect(tooDeepAt('{"a": "[[[[", "b": "\\"[[["}', 1)).toBe(-1);
    expect(tooDeepAt('{"a": 1 /* [[[[ */, "b": 2 // [[[\n}', 1)).toBe(-1);
    // An unterminated string ends at the line break; the brackets on the next line count.
    expect(tooDeepAt('{"a": "[[\n[[', 2)).toBe(11);
    // A closing bracket of the other kind closes nothing (jsonc-parser skips it).
    expect(tooDeepAt('[},[},[}', 2)).toBe(6);
  });

  it('reads 100,000 levels, a string of millions of characters and a comment left open without recursion', () => {
    expect(tooDeepAt('{"a":'.repeat(100_000))).toBe(MAX_DEPTH * 5);
    expect(tooDeepAt('['.repeat(100_000) + ']'.repeat(100_000))).toBe(MAX_DEPTH);
    expect(tooDeepAt(`{"a": "${'x'.repeat(5_000_000)}", "b": [[[]]]}`, 4)).toBe(-1);
    expect(tooDeepAt('[/* ' + '['.repeat(10_000), 1)).toBe(-1);
  });
});

describe('parseJsonTree and depth', () => {
  it(`parses ${MAX_DEPTH} levels and refuses ${MAX_DEPTH + 1} before jsonc-parser sees them, valid or not`, () => {
    const errors: ParseError[] = [];
    expect(parseJsonTree('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH), errors)?.type).toBe('array');
    // Broken text goes to jsonc-parser, which gets it only when it is shallow enough.
    expect(parseJsonTree('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH - 1) + ',]', errors)?.type).toBe('array');
    expect(errors.length).toBeGreaterThan(0);
    for (const text of ['['.repeat(MAX_DEPTH + 1) + ']'.repeat(MAX_DEPTH + 1), '{"a":'.repeat(100_000), `{"x": ${'['.repeat(100_000)}`]) {
      let thrown: unknown;
      try {
        parseJsonTree(text, []);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(JsonTooDeepError);
      expect('[{').toContain(text[(thrown as JsonTooDeepError).offset]);
    }
  });
});
