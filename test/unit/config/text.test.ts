// Python's str() of JSON values, checked against Python itself where python3 runs.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pythonStr, textOf } from '../../../src/config/text.js';

const CASES: [string, string][] = [
  ['"plain"', 'plain'],
  ['123', '123'],
  ['-7', '-7'],
  ['true', 'True'],
  ['false', 'False'],
  ['null', 'None'],
  ['[]', '[]'],
  ['["a", 1, null, true]', "['a', 1, None, True]"],
  ['{"k": "v", "n": {"x": [2]}}', "{'k': 'v', 'n': {'x': [2]}}"],
  [`["it's"]`, `["it's"]`],
  [`["both ' and \\""]`, `['both \\' and "']`],
  ['["back\\\\slash", "line\\nbreak", "tab\\t", "bell\\u0007"]', "['back\\\\slash', 'line\\nbreak', 'tab\\t', 'bell\\x07']"],
  ['["ünï", "😀"]', "['ünï', '😀']"],
];

const python = spawnSync('python3', ['-c', 'print(1)']).status === 0;

describe('pythonStr', () => {
  it.each(CASES)('str(json.loads(%s)) is %s', (json, expected) => {
    expect(pythonStr(JSON.parse(json))).toBe(expected);
  });

  it.skipIf(!python)('agrees with python3 on every case', () => {
    const script = 'import json,sys\nfor line in sys.stdin.read().split("\\0"):\n    print(str(json.loads(line)), end="\\0")';
    const r = spawnSync('python3', ['-c', script], { input: CASES.map(([json]) => json).join('\0'), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(CASES.map(([json]) => pythonStr(JSON.parse(json))));
  });
});

describe('textOf', () => {
  it('keeps strings, writes numbers and booleans as JavaScript does, and objects as JSON', () => {
    expect(textOf('x')).toBe('x');
    expect(textOf(8080)).toBe('8080');
    expect(textOf(false)).toBe('false');
    expect(textOf(null)).toBe('null');
    expect(textOf({ a: [1] })).toBe('{"a":[1]}');
    expect(textOf(['127.0.0.1'])).toBe('["127.0.0.1"]');
  });
});
