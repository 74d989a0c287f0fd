// PEP 440 ordering: the spec's own examples, the cases nanobot's version can take, and the order
// Python's packaging library gives to generated versions (where python3 has it).
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePep440, formatPep440, parsePep440 } from '../../../src/config/pep440.js';
import { compareVersions, parseVersion, traitsFor } from '../../../src/config/version.js';

const cmp = (a: string, b: string): number => comparePep440(parsePep440(a)!, parsePep440(b)!);

describe('PEP 440', () => {
  it("orders the spec's example (the summary of permitted suffixes and relative ordering)", () => {
    const ordered = [
      '1.0.dev456',
      '1.0a1',
      '1.0a2.dev456',
      '1.0a12.dev456',
      '1.0a12',
      '1.0b1.dev456',
      '1.0b2',
      '1.0b2.post345.dev456',
      '1.0b2.post345',
      '1.0b2-346',
      '1.0c1.dev456',
      '1.0c1',
      '1.0rc2',
      '1.0c3',
      '1.0',
      '1.0.post456.dev34',
      '1.0.post456',
      '1.1.dev1',
    ];
    for (let i = 0; i < ordered.length; i++)
      for (let j = 0; j < ordered.length; j++) expect(Math.sign(cmp(ordered[i]!, ordered[j]!)), `${ordered[i]} vs ${ordered[j]}`).toBe(Math.sign(i - j));
  });

  it('puts pre-releases, dev releases and local labels where pip does (issue 17)', () => {
    expect(cmp('0.3.0rc1', '0.3.0')).toBeLessThan(0);
    expect(cmp('0.3.0.dev1', '0.3.0')).toBeLessThan(0);
    expect(cmp('0.3.0.dev1', '0.3.0rc1')).toBeLessThan(0);
    expect(cmp('0.3.0+local', '0.3.0')).toBeGreaterThan(0);
    expect(cmp('0.3.0+local', '0.3.0.post1')).toBeLessThan(0);
    expect(cmp('0.1.4-post6', '0.1.4.post5')).toBeGreaterThan(0);
    expect(cmp('0.1.4-6', '0.1.4.post6')).toBe(0);
    expect(cmp('1!0.1', '2.0')).toBeGreaterThan(0);
    expect(cmp('1.0', '1.0.0')).toBe(0);
    expect(cmp('1.0+ubuntu.2', '1.0+ubuntu.10')).toBeLessThan(0);
    expect(cmp('1.0+abc', '1.0+1')).toBeLessThan(0);
  });

  it('normalises spellings as the spec says', () => {
    const cases: [string, string][] = [
      ['1.0-ALPHA.1', '1.0a1'],
      ['1.0beta', '1.0b0'],
      ['1.0preview2', '1.0rc2'],
      ['1.0c1', '1.0rc1'],
      ['1.0-r4', '1.0.post4'],
      ['1.0rev', '1.0.post0'],
      ['1.0-dev', '1.0.dev0'],
      ['v1.0', '1.0'],
      ['  1.0\n', '1.0'],
      ['1.0+Ubuntu-1_2', '1.0+ubuntu.1.2'],
      ['0.1.4-post6', '0.1.4.post6'],
    ];
    for (const [text, normal] of cases) expect(formatPep440(parsePep440(text)!)).toBe(normal);
  });

  it('refuses what is no version', () => {
    for (const text of ['', 'banana', '1.0+', '1.0..1', '1.0-', 'x1.0', '1.0 beta 2', '1.0+local+again', '0.3.0 (main)'])
      expect(parsePep440(text), text).toBeUndefined();
  });

  it('nanobot versions: traits follow the order (a release candidate is not yet the release)', () => {
    expect(traitsFor(parseVersion('0.3.0rc1')!, 'flag').websocketEnabledByDefault).toBe(false);
    expect(traitsFor(parseVersion('0.3.0')!, 'flag').websocketEnabledByDefault).toBe(true);
    expect(traitsFor(parseVersion('0.3.0+local')!, 'flag').websocketEnabledByDefault).toBe(true);
    expect(traitsFor(parseVersion('0.1.4-post6')!, 'flag').freeFormChannels).toBe(true);
    expect(compareVersions(parseVersion('0.1.4-post6')!, parseVersion('0.1.4.post5')!)).toBeGreaterThan(0);
  });

  const part = fc.integer({ min: 0, max: 12 });
  const version = fc
    .record({
      epoch: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
      release: fc.array(part, { minLength: 1, maxLength: 4 }),
      pre: fc.option(fc.tuple(fc.constantFrom('a', 'b', 'rc', 'alpha', 'c', 'preview', '-beta'), fc.option(part, { nil: undefined })), { nil: undefined }),
      post: fc.option(fc.tuple(fc.constantFrom('.post', '-', 'rev', '_r'), part), { nil: undefined }),
      dev: fc.option(fc.tuple(fc.constantFrom('.dev', 'dev', '-dev'), fc.option(part, { nil: undefined })), { nil: undefined }),
      local: fc.option(fc.array(fc.constantFrom('1', '2', '10', 'abc', 'ubuntu', 'b'), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    })
    .map((v) => {
      let s = (v.epoch !== undefined ? `${v.epoch}!` : '') + v.release.join('.');
      if (v.pre) s += v.pre[0] + (v.pre[1] ?? '');
      if (v.post) s += v.post[0] === '-' ? `-${v.post[1]}` : `${v.post[0]}${v.post[1]}`;
      if (v.dev) s += v.dev[0] + (v.dev[1] ?? '');
      if (v.local) s += `+${v.local.join('.')}`;
      return s;
    });

  it('is a total order: antisymmetric, transitive, and equal to its normal form', () => {
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(parsePep440(a), a).toBeDefined();
        expect(Math.sign(cmp(a, b))).toBe(-Math.sign(cmp(b, a)) || 0);
        if (cmp(a, b) <= 0 && cmp(b, c) <= 0) expect(cmp(a, c)).toBeLessThanOrEqual(0);
        expect(cmp(a, formatPep440(parsePep440(a)!))).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  // The first python3 with packaging: the one on PATH, else Debian's (python3-packaging).
  const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import packaging.version'], { encoding: 'utf8' }).status === 0);
  const reason = python ? undefined : "no python3 with the 'packaging' module (Debian: python3-packaging)";
  it.skipIf(reason !== undefined)(`sorts generated versions as Python's packaging does${reason ? ` (skipped: ${reason})` : ''}`, () => {
    const all = fc.sample(version, 600);
    const script =
      'import json,sys\nfrom packaging.version import Version\nvs=json.load(sys.stdin)\nprint(json.dumps([str(Version(v)) for v in sorted(vs, key=Version)]))';
    const r = spawnSync(python!, ['-c', script], { input: JSON.stringify(all), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const theirs = JSON.parse(r.stdout) as string[];
    const ours = [...all].sort(cmp).map((v) => formatPep440(parsePep440(v)!));
    // Both sorts are stable, so versions that compare equal (1.0 and 1.0.0) keep the same order too.
    expect(ours).toEqual(theirs);
  });
});
