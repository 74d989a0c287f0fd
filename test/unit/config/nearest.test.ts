// The typo finder behind unknown-key: a bounded edit distance, checked against the plain one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nearest } from '../../../src/config/nearest.js';

/** The textbook Levenshtein distance, for reference. */
function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/** What nearest() promises: the first of the closest candidates, if within 1 edit (2 from 8 characters on). */
function reference(key: string, candidates: readonly string[]): string | undefined {
  const lower = key.toLowerCase().replace(/_/g, '');
  const limit = key.length >= 8 ? 2 : 1;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(lower, c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= limit ? best : undefined;
}

describe('nearest', () => {
  it('suggests what a typo most likely meant', () => {
    expect(nearest('restrictToWorkspce', ['restrictToWorkspace', 'ssrfWhitelist'])).toBe('restrictToWorkspace');
    expect(nearest('allow_from', ['allowFrom', 'enabled'])).toBe('allowFrom');
    expect(nearest('hots', ['host', 'port'])).toBeUndefined();
    expect(nearest('bridgeUrl', ['allowFrom', 'enabled', 'token'])).toBeUndefined();
  });

  it('agrees with the plain edit distance on any key and candidates', () => {
    const word = fc.stringMatching(/^[a-zA-Z_]{0,12}$/);
    fc.assert(
      fc.property(word, fc.array(word, { maxLength: 6 }), (key, candidates) => {
        expect(nearest(key, candidates)).toBe(reference(key, candidates));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees on keys longer than the rows it reuses (64), before and after they grow', () => {
    const long = fc.stringMatching(/^[ab]{55,90}$/);
    fc.assert(
      fc.property(long, fc.array(long, { maxLength: 4 }), fc.stringMatching(/^[ab]{0,10}$/), (key, candidates, short) => {
        expect(nearest(key, candidates)).toBe(reference(key, candidates));
        expect(nearest(short, candidates.concat(short + 'a'))).toBe(reference(short, candidates.concat(short + 'a')));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees on near misses of real field names', () => {
    const fields = ['restrictToWorkspace', 'allowFrom', 'enabled', 'timeout', 'host', 'apiKey', 'groupPolicy', 'dm', 'token'];
    const typo = fc
      .tuple(fc.constantFrom(...fields), fc.nat(20), fc.constantFrom('', 'x', '_'))
      .map(([f, i, c]) => f.slice(0, i % (f.length + 1)) + c + f.slice((i % (f.length + 1)) + (c ? 0 : 1)));
    fc.assert(
      fc.property(typo, (key) => {
        expect(nearest(key, fields)).toBe(reference(key, fields));
      }),
      { numRuns: 1000 },
    );
  });
});
