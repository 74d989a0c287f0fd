// The coverage build (scripts/build.mjs --coverage, which `npm test` runs): its source maps are
// what turns the e2e processes' coverage of dist/ into coverage of src/, so a map that points a
// line off (the pack's map once forgot each member's closing line) moves every count to the
// wrong function. Each named function of the pack must lead back to a source line naming it.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { decode } from '@jridgewell/sourcemap-codec';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';

const MAP = join(ROOT, 'dist', 'pack.js.map');

describe.skipIf(!existsSync(MAP))('the coverage build', () => {
  it('maps each named function of the pack to the source line that declares it', () => {
    const map = JSON.parse(readFileSync(MAP, 'utf8')) as { sources: string[]; mappings: string };
    const lines = decode(map.mappings);
    const code = readFileSync(join(ROOT, 'dist', 'pack.js'), 'utf8').split('\n');
    const sources = new Map<number, string[]>();
    const sourceLine = (index: number, line: number) => {
      if (!sources.has(index)) sources.set(index, readFileSync(fileURLToPath(map.sources[index]!), 'utf8').split('\n'));
      return sources.get(index)![line] ?? '';
    };
    let checked = 0;
    const wrong: string[] = [];
    code.forEach((text, i) => {
      const m = /\bfunction ([A-Za-z_$][\w$]*)\(/.exec(text);
      if (!m) return;
      // The segment at or before the function's column, as a source map reader finds it.
      const segment = (lines[i] ?? []).filter((s) => s[0] <= m.index).at(-1);
      if (!segment || segment.length < 4) return;
      const [, source, line] = segment as [number, number, number, number];
      if (!map.sources[source]!.includes('/src/')) return;
      checked++;
      // esbuild renames a function whose name another module also uses (isObject2).
      if (!sourceLine(source, line).includes(m[1]!.replace(/\d+$/, ''))) wrong.push(`${m[1]} -> ${map.sources[source]}:${line + 1}`);
    });
    expect(checked).toBeGreaterThan(200);
    expect(wrong).toEqual([]);
  });
});
