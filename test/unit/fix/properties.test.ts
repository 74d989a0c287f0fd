// Property-based tests over generated nanobot configs, written in many layouts.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixFile, type FixOptions } from '../../../src/fix/index.js';
import { parseConfig } from '../../../src/config/parse.js';
import { applyPatches, detectStyle, oneByOne } from '../../../src/fix/edit.js';
import { parseVersion, traitsFor } from '../../../src/config/version.js';
import { FIXTURES, writeConfig } from '../../helpers/fixtures.js';

const traits = traitsFor(parseVersion('0.3.0')!, 'flag');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A layout: indentation, line ending, final newline, spacing after colons. */
const layout = fc.record({
  indent: fc.constantFrom('  ', '    ', '\t', ''),
  eol: fc.constantFrom('\n', '\r\n'),
  finalNewline: fc.boolean(),
});

/** Serialise with duplicates: entries are [key, value] pairs, so a key can appear twice. */
type Entries = [string, Node][];
type Node = { entries: Entries } | Json;

function write(node: Node, l: { indent: string; eol: string }, depth: number): string {
  if (node !== null && typeof node === 'object' && 'entries' in node && !Array.isArray(node)) {
    const entries = (node as { entries: Entries }).entries;
    if (entries.length === 0) return '{}';
    if (l.indent === '') return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${write(v, l, depth + 1)}`).join(', ')}}`;
    const pad = l.indent.repeat(depth + 1);
    return `{${l.eol}${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${write(v, l, depth + 1)}`).join(`,${l.eol}`)}${l.eol}${l.indent.repeat(depth)}}`;
  }
  return JSON.stringify(node);
}

const obj = (entries: Entries): Node => ({ entries });
const id = fc.stringMatching(/^[1-9][0-9]{5,9}$/);
const host = fc.constantFrom('127.0.0.1', '0.0.0.0', '', 'localhost');

const channel = (name: string) =>
  fc
    .record({ enabled: fc.boolean(), allowFrom: fc.array(fc.oneof(id, fc.constant('*')), { maxLength: 3 }), token: fc.constant(`FAKE-${name}-token-0000`) })
    .map((c): [string, Node] => [name, obj(Object.entries(c) as Entries)]);

const config = fc
  .record({
    restrict: fc.option(fc.boolean(), { nil: undefined }),
    snake: fc.boolean(),
    timeout: fc.option(fc.integer({ min: 0, max: 900 }), { nil: undefined }),
    hosts: fc.array(host, { minLength: 0, maxLength: 2 }),
    channels: fc.subarray([channel('telegram'), channel('discord'), channel('whatsapp')].map((a) => a)),
    model: fc.string({ maxLength: 12 }),
    extra: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean()), { maxKeys: 3 }),
  })
  .chain((c) => fc.tuple(fc.constant(c), fc.tuple(...c.channels)))
  .map(([c, channels]): Node => {
    const tools: Entries = [];
    if (c.restrict !== undefined) tools.push([c.snake ? 'restrict_to_workspace' : 'restrictToWorkspace', c.restrict]);
    if (c.timeout !== undefined) tools.push(['exec', obj([['timeout', c.timeout]])]);
    const gateway: Entries = c.hosts.map((h) => ['host', h] as [string, Node]);
    gateway.push(['port', 18790]);
    return obj([
      ['agents', obj([['defaults', obj([['model', c.model], ...(Object.entries(c.extra) as Entries)])]])],
      ['tools', obj(tools)],
      ['gateway', obj(gateway)],
      ['channels', obj(channels)],
    ]);
  });

function leaves(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) for (const [p, x] of leaves(v, `${prefix}/${k}`)) out.set(p, x);
    if (Object.keys(value).length === 0) out.set(prefix, value);
  } else out.set(prefix, value);
  return out;
}

const options = (file: string, dryRun: boolean): FixOptions => ({
  configs: [file],
  profile: 'baseline',
  noHost: false,
  env: {},
  dryRun,
  answers: { allowFrom: { telegram: ['111111'], discord: ['222222222222222222'], whatsapp: ['4915112345678'] } },
  acceptRisk: [],
  runtime: 'host',
  keepBackups: 5,
});

async function snapshot(dir: string): Promise<string> {
  const names = (await readdir(dir, { recursive: true })).sort();
  const parts = await Promise.all(
    names.map(
      async (n) =>
        `${n}:${await readFile(join(dir, n)).then(
          (b) => b.toString('base64'),
          () => 'dir',
        )}`,
    ),
  );
  return parts.join('|');
}

describe('fix, over generated configs', () => {
  it('leaves strict JSON, changes nothing outside the patched pointers, and a second run is a no-op', async () => {
    await fc.assert(
      fc.asyncProperty(config, layout, async (node, l) => {
        const text = write(node, l, 0) + (l.finalNewline ? l.eol : '');
        const { file } = await writeConfig(text, { mode: 0o644 });
        const first = await fixFile(file, options(file, false), traits);
        const after = await readFile(file, 'utf8');
        parseConfig(file, after); // throws on anything json.load would refuse
        // Line endings and the final newline are the file's own.
        if (l.eol === '\n') expect(after).not.toContain('\r\n');
        else expect(after.replace(/\r\n/g, '')).not.toContain('\n');
        expect(/\r?\n$/.test(after)).toBe(l.finalNewline);
        const before = leaves(JSON.parse(text));
        const now = leaves(JSON.parse(after));
        const patched = first.applied.map((p) => p.pointer);
        for (const [pointer, value] of before) {
          // Skip the patched values, what lies below them, and empty objects a patch filled.
          if (patched.some((p) => pointer === p || pointer.startsWith(p + '/') || p.startsWith(pointer + '/'))) continue;
          expect(now.get(pointer), pointer).toEqual(value);
        }
        const dir = join(file, '..');
        const state = await snapshot(dir);
        const second = await fixFile(file, options(file, false), traits);
        expect(second.changed).toBe(false);
        expect(await snapshot(dir)).toBe(state);
      }),
      { numRuns: 40 },
    );
  });

  it('a dry run never changes a byte', async () => {
    await fc.assert(
      fc.asyncProperty(config, layout, async (node, l) => {
        const { file } = await writeConfig(write(node, l, 0), { mode: 0o644 });
        const dir = join(file, '..');
        const state = await snapshot(dir);
        const result = await fixFile(file, options(file, true), traits);
        expect(await snapshot(dir)).toBe(state);
        parseConfig(file, result.after);
      }),
      { numRuns: 40 },
    );
  });
});

describe('patches in one pass', () => {
  it('give the same bytes as the same patches applied one by one, each on a fresh parse', async () => {
    await fc.assert(
      fc.asyncProperty(config, layout, fc.boolean(), async (node, l, secrets) => {
        const text = write(node, l, 0) + (l.finalNewline ? l.eol : '');
        const { file } = await writeConfig(text, { mode: 0o644 });
        const result = await fixFile(file, { ...options(file, true), ...(secrets ? { secretsToEnv: '' } : {}) }, traits);
        const oneAtATime = oneByOne(parseConfig(file, text), result.applied, detectStyle(text)).text;
        expect(applyPatches(file, text, result.applied)).toBe(oneAtATime);
        expect(result.after).toBe(oneAtATime);
      }),
      { numRuns: 60 },
    );
  });

  it('do the same on every audit fixture, old layouts and duplicates included', async () => {
    const dir = join(FIXTURES, 'audit');
    const names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
    let compared = 0;
    for (const name of names) {
      const text = await readFile(join(dir, name), 'utf8');
      try {
        parseConfig(name, text);
      } catch {
        continue; // the fixtures nanobot would refuse have nothing to patch
      }
      const { file } = await writeConfig(text, { mode: 0o644 });
      for (const secretsToEnv of [undefined, '']) {
        const result = await fixFile(file, { ...options(file, true), ...(secretsToEnv === undefined ? {} : { secretsToEnv }) }, traits);
        expect(result.after, name).toBe(oneByOne(parseConfig(file, text), result.applied, detectStyle(text)).text);
        if (result.applied.length > 1) compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(5);
  });
});
