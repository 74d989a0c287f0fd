// The fast path must build exactly jsonc-parser's tree, or none at all: generated JSON in many
// layouts, the same text damaged at random, every fixture and example config.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { findNodeAtLocation, parseTree, type Node, type ParseError } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { fastTree, parseJsonTree } from '../../../src/config/json-tree.js';
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
    if (v !== null && typeof v === 'object') return `{${gap()}${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}${gap()}:${gap()}${write(x)}${gap()}`).join(`,${gap()}`)}}`;
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
    const damage = fc.constantFrom(',', '}', ']', '{', '[', ':', '"', '\\', '/', '*', '//x\n', '/*x*/', '\u00a0', '\u2028', '\ufeff', '\v', '\f', '\u0000', '\u001f', 'e', 'E', '-', '+', '.', '0', '01', 'x', "'", 'NaN', 'Infinity', 'tru', 'nul', '\\u12', '\\x', ' ');
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
    for (const text of ['{"a":1,}', '{"a":1}//', '/**/{}', '{\u00a0"a":1}', '{"a":NaN}', '\ufeff{}', '{"a":01}', '{"a":1.}', '{"a":"\t"}', '{"a":"\\x"}', '', ' ', '{"a":1} {}', '{"a" 1}', '[1 2]', '{"a":tru}', '{"a":truex}']) {
      expect([text, fastTree(text)]).toEqual([text, undefined]);
    }
  });

  it('keeps duplicate keys, escapes, -0, big numbers and U+2028 exactly as jsonc-parser does', () => {
    for (const text of ['{"a":1,"a":2}', '{"\\u00e9\\n":"\\ud83d\\ude00\\/"}', '[-0,0.5e-3,1E400,-12.75E+2]', '{"x":"\u2028\u2029"}', '"top"', '[]', '{}', '  {"a" : [ true , false , null ] }  ']) {
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

  it('leaves nesting deeper than nanobot could load to jsonc-parser', () => {
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
    expect(fast.length).toBe(files.filter((f) => jsonc(readFileSync(f, 'utf8')).errors.length === 0 && readFileSync(f, 'utf8').charCodeAt(0) !== 0xfeff).length);
  });
});
