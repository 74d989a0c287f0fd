// Edits must change only the bytes they mean to change.
import { describe, expect, it } from 'vitest';
import { applyPatches, detectStyle, type Patch } from '../../../src/fix/edit.js';

const set = (pointer: string, after: unknown): Patch => ({ op: 'set', ruleId: 'test', pointer, before: undefined, after });
const remove = (pointer: string, copy = 0): Patch => ({ op: 'remove', ruleId: 'test', pointer, before: undefined, copy });
const apply = (text: string, ...patches: Patch[]) => applyPatches('/c.json', text, patches);

describe('detectStyle', () => {
  it('finds CRLF, tabs and four spaces', () => {
    expect(detectStyle('{\r\n\t"a": 1\r\n}')).toMatchObject({ eol: '\r\n', indent: '\t' });
    expect(detectStyle('{\n    "a": 1\n}')).toMatchObject({ eol: '\n', indent: '    ' });
    expect(detectStyle('{}')).toMatchObject({ eol: '\n', indent: '  ' });
  });

  it("tells hand-written inline arrays from nanobot's one-item-a-line arrays", () => {
    expect(detectStyle('{\n  "a": ["1", "2"],\n  "b": []\n}').inlineArrays).toBe(true);
    expect(detectStyle('{\n  "a": [\n    "1"\n  ]\n}').inlineArrays).toBe(false);
  });
});

describe('replacing a value', () => {
  it('touches only the value', () => {
    const text = '{\n  "tools": {\n    "restrictToWorkspace": false,\n    "other": 1\n  }\n}\n';
    expect(apply(text, set('/tools/restrictToWorkspace', true))).toBe(text.replace('false', 'true'));
  });

  it('edits the last of duplicated keys, the one nanobot reads', () => {
    const text = '{"gateway": {"host": "127.0.0.1", "host": "0.0.0.0"}}';
    expect(apply(text, set('/gateway/host', '127.0.0.1'))).toBe('{"gateway": {"host": "127.0.0.1", "host": "127.0.0.1"}}');
  });

  it('keeps a snake_case key snake_case', () => {
    expect(apply('{"tools": {"restrict_to_workspace": false}}', set('/tools/restrict_to_workspace', true))).toBe('{"tools": {"restrict_to_workspace": true}}');
  });

  it("keeps an inline array inline and a multi-line array multi-line, in the file's indentation", () => {
    expect(apply('{"a": {"allowFrom": ["*"]}}', set('/a/allowFrom', ['1', '2']))).toBe('{"a": {"allowFrom": ["1", "2"]}}');
    const text = '{\r\n\t"a": {\r\n\t\t"allowFrom": [\r\n\t\t\t"*"\r\n\t\t]\r\n\t}\r\n}';
    expect(apply(text, set('/a/allowFrom', ['1', '2']))).toBe('{\r\n\t"a": {\r\n\t\t"allowFrom": [\r\n\t\t\t"1",\r\n\t\t\t"2"\r\n\t\t]\r\n\t}\r\n}');
  });
});

describe('inserting a key', () => {
  it("appends after the last sibling with its indentation and the file's line ending", () => {
    const text = '{\r\n    "gateway": {\r\n        "port": 18790\r\n    }\r\n}\r\n';
    expect(apply(text, set('/gateway/host', '127.0.0.1'))).toBe(
      '{\r\n    "gateway": {\r\n        "port": 18790,\r\n        "host": "127.0.0.1"\r\n    }\r\n}\r\n',
    );
  });

  it('creates missing parents as nested objects', () => {
    const text = '{\n\t"agents": {}\n}';
    expect(apply(text, set('/tools/exec/timeout', 30))).toBe('{\n\t"agents": {},\n\t"tools": {\n\t\t"exec": {\n\t\t\t"timeout": 30\n\t\t}\n\t}\n}');
  });

  it('opens an empty object onto its own lines', () => {
    expect(apply('{\n  "tools": {}\n}\n', set('/tools/restrictToWorkspace', true))).toBe('{\n  "tools": {\n    "restrictToWorkspace": true\n  }\n}\n');
    expect(apply('{}', set('/tools/restrictToWorkspace', true))).toBe('{\n  "tools": {\n    "restrictToWorkspace": true\n  }\n}');
  });

  it('stays on one line inside a one-line object', () => {
    expect(apply('{\n  "dm": { "policy": "open" }\n}', set('/dm/allowFrom', ['U1']))).toBe('{\n  "dm": { "policy": "open", "allowFrom": ["U1"] }\n}');
  });
});

it('inserts arrays in the layout the file uses for arrays', () => {
  expect(apply('{\n  "a": {\n    "x": ["1"]\n  }\n}', set('/a/y', ['2', '3']))).toBe('{\n  "a": {\n    "x": ["1"],\n    "y": ["2", "3"]\n  }\n}');
  expect(apply('{\n  "a": {\n    "x": [\n      "1"\n    ]\n  }\n}', set('/a/y', ['2']))).toBe(
    '{\n  "a": {\n    "x": [\n      "1"\n    ],\n    "y": [\n      "2"\n    ]\n  }\n}',
  );
});

describe('removing a copy', () => {
  it('removes an earlier duplicate with its comma', () => {
    const text = '{\n  "gateway": {\n    "host": "127.0.0.1",\n    "port": 1,\n    "host": "0.0.0.0"\n  }\n}';
    expect(apply(text, remove('/gateway/host', 0))).toBe('{\n  "gateway": {\n    "port": 1,\n    "host": "0.0.0.0"\n  }\n}');
  });

  it('removes a last property and an only property', () => {
    expect(apply('{"a": 1, "b": 2}', remove('/b'))).toBe('{"a": 1}');
    expect(apply('{"a": {"b": 2}}', remove('/a/b'))).toBe('{"a": {}}');
  });
});

it('refuses a patch that would leave the file unparseable', () => {
  expect(() => apply('{"a": 1}', set('/a/b', 1))).toThrow(/not an object/);
});

describe('a patch that cannot apply', () => {
  it('throws without onConflict; with it, is reported and skipped while the others apply in order', () => {
    const text = '{\n  "gateway": {\n    "host": "0.0.0.0"\n  },\n  "tools": 5\n}\n';
    const bad = set('/tools/restrictToWorkspace', true);
    expect(() => apply(text, bad)).toThrow();
    const conflicts: Patch[] = [];
    const out = applyPatches('/c.json', text, [bad, set('/gateway/host', '127.0.0.1'), remove('/gateway/port')], (p) => conflicts.push(p));
    expect(conflicts.map((p) => p.pointer)).toEqual(['/tools/restrictToWorkspace', '/gateway/port']);
    expect(out).toBe(text.replace('0.0.0.0', '127.0.0.1'));
  });
});

describe('several patches', () => {
  it('two keys added to one object (two edits at one place) come out as if applied one by one', () => {
    const text = '{\n  "tools": {\n    "x": 1\n  }\n}\n';
    const one = apply(text, set('/tools/a', true));
    expect(apply(text, set('/tools/a', true), set('/tools/b', 2))).toBe(apply(one, set('/tools/b', 2)));
    expect(JSON.parse(apply(text, set('/tools/a', true), set('/tools/b', 2)))).toEqual({ tools: { x: 1, a: true, b: 2 } });
  });

  it('removing copies and setting the last, all in one file, keeps every other byte', () => {
    const text = '{"gateway": {"host": "0.0.0.0", "port": 1, "host": "::", "host": "0.0.0.0"}}';
    const out = apply(text, remove('/gateway/host', 1), remove('/gateway/host', 0), set('/gateway/host', '127.0.0.1'));
    expect(out).toBe('{"gateway": {"port": 1, "host": "127.0.0.1"}}');
  });
});
