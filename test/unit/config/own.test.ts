// Tables keyed by what a user wrote find only their own entries.
import { describe, expect, it } from 'vitest';
import { dictionary, own, setOwn, table } from '../../../src/config/own.js';

const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];

describe('table, own, setOwn', () => {
  it('a table answers its own entries and nothing from Object.prototype', () => {
    const t = table({ telegram: 1, constructor: 2 });
    expect(t['telegram']).toBe(1);
    expect(t['constructor']).toBe(2);
    for (const name of NAMES.filter((n) => n !== 'constructor')) expect(t[name]).toBeUndefined();
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.keys(t)).toEqual(['telegram', 'constructor']);
  });

  it('own reads only own keys of a plain object', () => {
    const plain: Record<string, number> = { telegram: 1 };
    for (const name of NAMES) expect(own(plain, name)).toBeUndefined();
    expect(own(plain, 'telegram')).toBe(1);
    expect(own(undefined, 'telegram')).toBeUndefined();
  });

  it('setOwn makes "__proto__" a key, never the prototype, in plain objects and dictionaries', () => {
    for (const target of [{} as Record<string, unknown>, dictionary<unknown>()]) {
      const before = Object.getPrototypeOf(target) as unknown;
      for (const name of NAMES) setOwn(target, name, [name]);
      expect(Object.getPrototypeOf(target)).toBe(before);
      expect(Object.keys(target)).toEqual(NAMES);
      for (const name of NAMES) expect(own(target, name)).toEqual([name]);
      expect(JSON.parse(JSON.stringify(target))).toEqual(JSON.parse(JSON.stringify(Object.fromEntries(NAMES.map((n) => [n, [n]])))));
    }
  });
});
