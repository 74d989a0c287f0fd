// --config values: braces as bash expands them, then globs, over real files in temp directories.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { expandBraces, expandConfigs, MAX_BRACE_WORDS } from '../../../src/config/locate.js';
import { tempDir } from '../../helpers/fixtures.js';

describe('expandBraces', () => {
  it.each([
    ['/srv/{bot1,bot2}/config.json', ['/srv/bot1/config.json', '/srv/bot2/config.json']],
    ['{a,b}/config.json', ['a/config.json', 'b/config.json']],
    ['{a,{b,c}}', ['a', 'b', 'c']],
    ['x{a,{b,c}d}y', ['xay', 'xbdy', 'xcdy']],
    ['{a,b}{c,d}', ['ac', 'ad', 'bc', 'bd']],
    ['x{a,}y', ['xay', 'xy']],
    ['{b,a,b}', ['b', 'a', 'b']],
    ['/srv/{a/x,b}/c', ['/srv/a/x/c', '/srv/b/c']],
    ['bot{1..3}', ['bot1', 'bot2', 'bot3']],
    ['bot{3..1}', ['bot3', 'bot2', 'bot1']],
    ['bot{01..10..3}', ['bot01', 'bot04', 'bot07', 'bot10']],
    ['{a..e..2}', ['a', 'c', 'e']],
  ])('%s', (pattern, words) => {
    expect(expandBraces(pattern)).toEqual(words);
  });

  it.each([
    ['{a}', '{a}'], // no comma: literal
    ['{}', '{}'],
    ['a{b', 'a{b'], // no closing brace
    ['a}b', 'a}b'],
    ['{x..}', '{x..}'], // not a sequence
    ['{a..1}', '{a..1}'],
    ['\\{a,b}', '{a,b}'], // escaped: the backslash goes, the braces stay
    ['{a\\,b}', '{a,b}'],
    ['{a,b\\}', '{a,b}'],
    ['a\\\\b{', 'a\\b{'],
    ['/srv/a\\b/*.json', '/srv/a\\b/*.json'], // no brace: left exactly as it was
  ])('%s is one literal path', (pattern, word) => {
    expect(expandBraces(pattern)).toEqual([word]);
  });

  it('a { without its } is a character, and the braces after it still expand', () => {
    expect(expandBraces('{a,b{c,d}')).toEqual(['{a,bc', '{a,bd']);
    expect(expandBraces('{a{b,c}}')).toEqual(['{ab}', '{ac}']);
    expect(expandBraces('{{a,b}')).toEqual(['{a', '{b']);
    expect(expandBraces('{a,b}}')).toEqual(['a}', 'b}']);
  });

  it('more words than MAX_BRACE_WORDS is an error, not a long wait', () => {
    expect(() => expandBraces('/srv/bot{1..100000000}/config.json')).toThrow(/stand for more than 10,000 paths/);
    expect(() => expandBraces('{a,b}'.repeat(14))).toThrow(/more than/);
    expect(expandBraces('{a,b}'.repeat(13))).toHaveLength(2 ** 13);
    expect(MAX_BRACE_WORDS).toBe(10_000);
  });

  // bash's own brace expansion is the reference: generated words from braces, commas, escapes and
  // the pieces of sequences, expanded by `set --` in one bash process (no glob characters, no blanks).
  // Each has a `{`: a value without one is left exactly as it is, backslashes too (above).
  const bash = spawnSync('bash', ['-c', 'echo {a,b}'], { encoding: 'utf8' });
  const reason = bash.stdout === 'a b\n' ? undefined : 'no bash on PATH';
  it.skipIf(reason !== undefined)(`expands as bash does${reason ? ` (skipped: ${reason})` : ''}`, () => {
    const token = fc.constantFrom('a', 'b', '{', '{', '}', '}', ',', ',', '.', '..', '1', '0', '-', '\\{', '\\}', '\\,', '\\\\');
    // At most two digits in a row: a sequence of a million words says nothing more than one of ten.
    const noise = fc
      .array(token, { minLength: 1, maxLength: 14 })
      .map((t) => t.join(''))
      .filter((p) => p.includes('{') && !/\d{3}/.test(p));
    // Well-formed expressions (alternatives, nested, sequences) with a token of noise here and there.
    // Letters of one case: bash expands the ` a sequence from Z to a makes as a command substitution.
    const { word } = fc.letrec<{ word: string; braces: string }>((tie) => ({
      word: fc
        .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom('a', 'b', '', '-', '.', '0') }, { weight: 2, arbitrary: tie('braces') }, token), {
          maxLength: 3,
        })
        .map((t) => t.join('')),
      braces: fc.oneof(
        { weight: 3, arbitrary: fc.array(tie('word'), { minLength: 1, maxLength: 3 }).map((alts) => `{${alts.join(',')}}`) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              fc.constantFrom('1', '-1', '0', '01', '9', '-02', 'a', 'b', 'e', ''),
              fc.constantFrom('3', '-3', '10', '03', 'a', 'c', ''),
              fc.constantFrom('', '..2', '..-1', '..0', '..', '..x'),
            )
            .map(([from, to, step]) => `{${from}..${to}${step}}`),
        },
      ),
    }));
    const patterns = [
      ...fc.sample(noise, { numRuns: 1000, seed: 42 }),
      ...fc.sample(
        word.filter((p) => p.includes('{') && p.length < 40),
        { numRuns: 1000, seed: 7 },
      ),
    ];
    patterns.push('{a,b}{,c}', 'a{,{b,}}', '{}{a,b}', '{},a}', '{{}a,b}', '{a..b{c,d}}', '{-03..3}', '{1..2..0}', ',{,}');
    // The count first: printf with no words left would still print its format once.
    const script = patterns.map((p) => `set -- ${p}; printf '%s\\0' $# "$@"; printf '\\1'`).join('\n');
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(r.stderr).toBe('');
    const theirs = r.stdout
      .split('\u0001')
      .slice(0, -1)
      .map((out) => out.split('\0').slice(1, -1));
    expect(theirs).toHaveLength(patterns.length);
    // bash drops a word that comes out empty (`{,}`); a path that is empty is no pattern either.
    const ours = patterns.map((p) => expandBraces(p).filter((w) => w !== ''));
    for (let i = 0; i < patterns.length; i++) expect([patterns[i], ours[i]]).toEqual([patterns[i], theirs[i]]);
  });

  it.skipIf(reason !== undefined)('expands as bash does, fast-check shrinking to the smallest difference', () => {
    const token = fc.constantFrom('a', 'b', '{', '}', ',', '..', '1', '\\{', '\\,');
    fc.assert(
      fc.property(
        fc
          .array(token, { minLength: 1, maxLength: 10 })
          .map((t) => t.join(''))
          .filter((p) => p.includes('{')),
        (p) => {
          const out = spawnSync('bash', ['-c', `set -- ${p}; printf '%s\\0' $# "$@"`], { encoding: 'utf8' }).stdout;
          expect(expandBraces(p).filter((w) => w !== '')).toEqual(out.split('\0').slice(1, -1));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('expandConfigs', () => {
  let root: string;
  const cfg = (...parts: string[]): string => join(root, ...parts, 'config.json');

  beforeAll(async () => {
    root = await tempDir();
    for (const dir of ['bot1', 'bot2', 'bot3', 'other', 'deep/x/bot1', 'deep/y', '{lit}', '{a,b}', 'lone{']) {
      await mkdir(join(root, dir), { recursive: true });
      await writeFile(cfg(dir), '{}');
    }
  });

  it('braces: each alternative, sorted; one that names nothing is left out', () => {
    expect(expandConfigs([join(root, '{bot2,bot1,missing}', 'config.json')])).toEqual([cfg('bot1'), cfg('bot2')]);
    expect(expandConfigs([`${root}/bot{1..3}/config.json`])).toEqual([cfg('bot1'), cfg('bot2'), cfg('bot3')]);
  });

  it('nested braces and braces that span a slash', () => {
    expect(expandConfigs([`${root}/{other,bot{3,1}}/config.json`])).toEqual([cfg('bot1'), cfg('bot3'), cfg('other')]);
    expect(expandConfigs([`${root}/{deep/x/bot1,bot2}/config.json`])).toEqual([cfg('bot2'), cfg('deep', 'x', 'bot1')]);
  });

  it('braces name directories too: each instance in them', () => {
    expect(expandConfigs([`${root}/{deep/x,other}`])).toEqual([cfg('deep', 'x', 'bot1'), cfg('other')]);
  });

  it('literal braces: a {, } or {..} that expands nothing, and escaped braces', () => {
    expect(expandConfigs([`${root}/{lit}/config.json`])).toEqual([cfg('{lit}')]);
    expect(expandConfigs([`${root}/lone{/config.json`])).toEqual([cfg('lone{')]);
    expect(expandConfigs([`${root}/\\{a,b\\}/config.json`])).toEqual([cfg('{a,b}')]);
    expect(expandConfigs([`${root}/\\{a\\,b}`])).toEqual([cfg('{a,b}')]);
  });

  it('braces with * and **', () => {
    expect(expandConfigs([`${root}/{bot*,oth?r}/config.json`])).toEqual([cfg('bot1'), cfg('bot2'), cfg('bot3'), cfg('other')]);
    expect(expandConfigs([`${root}/{deep/**/bot1,bot[23]}/config.json`])).toEqual([cfg('bot2'), cfg('bot3'), cfg('deep', 'x', 'bot1')]);
    expect(expandConfigs([`${root}/**/{y,bot1}/config.json`])).toEqual([cfg('bot1'), cfg('deep', 'x', 'bot1'), cfg('deep', 'y')]);
  });

  it('de-duplicates: the same file from two alternatives, or from two values, is one config', () => {
    expect(expandConfigs([`${root}/{bot1,bot1,bot*}/config.json`])).toEqual([cfg('bot1'), cfg('bot2'), cfg('bot3')]);
    expect(expandConfigs([`${root}/{bot1,bot2}/config.json`, cfg('bot1'), `${root}/bot?`])).toEqual([cfg('bot1'), cfg('bot2'), cfg('bot3')]);
  });

  it('a brace pattern that names no config is an error, as a glob is', () => {
    expect(() => expandConfigs([`${root}/{nope,nada}/config.json`])).toThrow(/^no config file matches .*\{nope,nada\}/);
    expect(() => expandConfigs([`${root}/{nope,bot*}/other.json`])).toThrow(/no config file matches/);
    expect(() => expandConfigs([`${root}/bot{1..99999}/config.json`])).toThrow(/stand for more than 10,000 paths/);
  });

  it('without braces or glob characters: a file is taken as named, a directory as before', () => {
    expect(expandConfigs([join(root, 'absent.json')])).toEqual([join(root, 'absent.json')]);
    expect(expandConfigs([join(root, 'deep')])).toEqual([cfg('deep', 'y')]);
  });
});
