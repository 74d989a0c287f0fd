// Env files as each reader reads them: systemd's EnvironmentFile= (checked against systemd's own
// parser where it is installed), Compose's .env and env_file:, and docker run --env-file.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEnvFile, type EnvReader } from '../../../src/config/envfile.js';
import { tempDir } from '../../helpers/fixtures.js';

const values = (text: string, reader: EnvReader, lookup?: (n: string) => string | undefined) =>
  Object.fromEntries(parseEnvFile(text, reader, lookup).map((e) => [e.name, e.value]));

describe('systemd EnvironmentFile= (systemd.exec(5), env-file.c)', () => {
  it('joins a line ending in a backslash with the next (issue 17: C=two \\ no longer drops a line)', () => {
    expect(parseEnvFile('A=one\nC=two \\\nnext\nD=4\n', 'systemd')).toEqual([
      { name: 'A', value: 'one', line: 1 },
      { name: 'C', value: 'two next', line: 2 },
      { name: 'D', value: '4', line: 4 },
    ]);
  });

  it('reads comments, quotes and escapes as systemd does', () => {
    expect(
      values('# c\n; semi\n  J=lead\nH = spaced \nB="two words" \nF=\'single $X\'\nG="a\\"b\\nc"\nK="multi\nline"\nM=a"b c"d\nN=x\\ y\n', 'systemd'),
    ).toEqual({
      J: 'lead',
      H: 'spaced',
      B: 'two words',
      F: 'single $X',
      G: 'a"b\\nc',
      K: 'multi\nline',
      M: 'a"b c"d', // quotes count only at the start of a value
      N: 'x y',
    });
  });

  it('a comment ending in a backslash hides the next line; `export` makes an invalid name, ignored', () => {
    expect(values('# note \\\nHIDDEN=1\nexport E=5\nA-B=1\nOK=1', 'systemd')).toEqual({ OK: '1' });
  });

  const generator = '/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator';
  const reason = existsSync(generator) ? undefined : `${generator} is not installed (Debian's systemd package)`;
  // The generator reads environment.d files with the EnvironmentFile= parser (then expands $VAR,
  // so the values here have no $), and prints what it read.
  it.skipIf(reason !== undefined)(`reads generated files as systemd's own parser does${reason ? ` (skipped: ${reason})` : ''}`, async () => {
    const piece = fc.constantFrom(
      'A=1',
      'B = two words ',
      'C="q\\"x"',
      "D='s p'",
      'E=x \\',
      'F',
      '# c \\',
      '; c',
      '',
      '  G=g',
      'H="multi',
      'line"',
      'I=a"b"c',
      'J=\\\\x',
      'K=tab\there',
      'export L=1',
      'M="\\n"',
    );
    const files = fc.sample(
      fc.array(piece, { minLength: 1, maxLength: 8 }).map((p) => p.join('\n') + '\n'),
      60,
    );
    for (const text of files) {
      const home = await tempDir();
      await mkdir(join(home, 'environment.d'));
      await writeFile(join(home, 'environment.d', '50-test.conf'), text);
      const r = spawnSync(generator, [], { env: { XDG_CONFIG_HOME: home, XDG_CONFIG_DIRS: join(home, 'none'), PATH: '/usr/bin:/bin' }, encoding: 'utf8' });
      const theirs: Record<string, string> = {};
      for (const line of r.stdout.split('\n')) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        if (!m || !/^[A-M]$/.test(m[1]!)) continue;
        // The generator prints a value with special characters in double quotes, C-escaped.
        theirs[m[1]!] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
      }
      expect(values(text, 'systemd'), JSON.stringify(text)).toEqual(theirs);
    }
  });
});

describe("Compose's .env and env_file: (docs.docker.com, .env syntax; compose-go dotenv)", () => {
  it.each([
    ['VAR=VAL', 'VAL'],
    ['VAR="VAL"', 'VAL'],
    ["VAR='VAL'", 'VAL'],
    ['VAR=VAL # comment', 'VAL'],
    ['VAR=VAL# not a comment', 'VAL# not a comment'],
    ['VAR="VAL # not a comment"', 'VAL # not a comment'],
    ["VAR='$OTHER'", '$OTHER'],
    ["VAR='${OTHER}'", '${OTHER}'],
    ['VAR="some\\"quoted\\"value"', 'some"quoted"value'],
    ["VAR='Let\\'s go!'", "Let's go!"],
    ['VAR="{\\"hello\\": \\"json\\"}"', '{"hello": "json"}'],
    ['VAR="some\\tvalue"', 'some\tvalue'],
    ["VAR='some\\tvalue'", 'some\\tvalue'],
    ['VAR=some\\tvalue', 'some\\tvalue'],
    ['export VAR=VAL', 'VAL'],
    ['VAR: VAL', 'VAL'],
    ['VAR="multi\nline"', 'multi\nline'],
    ['VAR=$OTHER', 'other'],
    ['VAR="${UNSET:-fallback}"', 'fallback'],
    ['VAR=\\$OTHER', '\\other'],
  ])('%s -> %j', (text, expected) => {
    expect(values(text, 'compose', (n) => (n === 'OTHER' ? 'other' : undefined))).toEqual({ VAR: expected });
  });

  it("a name alone takes the shell's value; an earlier line is a variable for later ones; lines are counted", () => {
    expect(
      parseEnvFile('# top\nA=1\nB="${A}2"\nSHELL_ONLY\nMISSING\nC="x\ny"\nD=4\n', 'compose', (n) => (n === 'SHELL_ONLY' ? 'from-shell' : undefined)),
    ).toEqual([
      { name: 'A', value: '1', line: 2 },
      { name: 'B', value: '12', line: 3 },
      { name: 'SHELL_ONLY', value: 'from-shell', line: 4 },
      { name: 'C', value: 'x\ny', line: 6 },
      { name: 'D', value: '4', line: 8 },
    ]);
  });
});

describe('docker run --env-file (docker/cli opts/envfile.go)', () => {
  it('takes the value as written: no quotes, no escapes, no comments after it', () => {
    expect(values('# c\n  A="quoted" \nB=x # y\nC=a\\\nexport D=1\nNAME_ONLY\n', 'docker', (n) => (n === 'NAME_ONLY' ? 'shell' : undefined))).toEqual({
      A: '"quoted" ',
      B: 'x # y',
      C: 'a\\',
      NAME_ONLY: 'shell',
    });
  });
});

describe('the readers differ, and harden says which one a file is for', () => {
  it('one file, three readings', () => {
    const text = 'export TOKEN="abc" # note\nNEXT=2 \\\n';
    expect(values(text, 'systemd')).toEqual({ NEXT: '2 ' }); // the escaped line break keeps the space before it
    expect(values(text, 'compose')).toEqual({ TOKEN: 'abc', NEXT: '2 \\' });
    expect(values(text, 'docker')).toEqual({ NEXT: '2 \\' });
  });
});
