// Hostile input to the built CLI: JSON nested 100,000 levels deep in every input file, --baseline
// files of the wrong shape, names of Object.prototype members (large inputs: large-input.test.ts).
// Each ends in a result or in one sentence with exit code 2, nothing written; never a stack trace
// or an internal error.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harden, type CliResult } from '../helpers/cli.js';
import { writeConfig } from '../helpers/fixtures.js';

const COMMON = ['--no-host', '--nanobot-version', '0.3.0'];
const CLEAN =
  JSON.stringify(
    { tools: { restrictToWorkspace: true, exec: { timeout: 30 } }, channels: { telegram: { enabled: true, allowFrom: ['123456789'] } } },
    null,
    2,
  ) + '\n';

/** Valid and broken text nested 100,000 levels deep, and where its 901st level opens (line:column). */
const DEEP: readonly (readonly [string, string, string])[] = [
  ['objects, never closed', '{"a":'.repeat(100_000), `1:${900 * 5 + 1}`],
  ['arrays, closed', '['.repeat(100_000) + ']'.repeat(100_000), '1:901'],
  ['objects, closed', '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), `1:${900 * 5 + 1}`],
  ['arrays inside an object on line 2', '{\n  "tools": ' + '['.repeat(100_000) + ']'.repeat(100_000) + '\n}\n', `2:${12 + 899}`],
];

/** One sentence on stderr, nothing that looks like a stack trace or an internal error. */
function expectSentence(r: CliResult, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^harden: [^\n]+\n$/);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at |RangeError|Maximum call stack/);
}

describe('JSON nested 100,000 levels deep', () => {
  it.each(DEEP)('as the config (%s): its place, what nanobot does, and nothing written', async (_, text, place) => {
    const { dir, file } = await writeConfig(text);
    const before = await readFile(file);
    const sentence = new RegExp(
      `config\\.json:${place}: nested more than 900 levels deep here; nanobot's json\\.load gives up near 1,000 levels \\(RecursionError\\)`,
    );
    expectSentence(harden(['audit', '--config', file, ...COMMON]), sentence);
    expectSentence(harden(['fix', '--yes', '--config', file, '--allow-from', 'telegram=1', ...COMMON]), sentence);
    expect(await readFile(file)).toEqual(before);
    expect(existsSync(join(dir, '.nanobot', '.harden'))).toBe(false);
  });

  it.each([DEEP[0]!, DEEP[3]!])('as --answers, --baseline, --waivers and .harden.json (%s)', async (_, text, place) => {
    const { dir, file } = await writeConfig(CLEAN);
    const input = join(dir, 'input.json');
    await writeFile(input, text);
    const deep = new RegExp(`input\\.json:${place}: nested more than 900 levels deep`);
    expectSentence(harden(['fix', '--dry-run', '--config', file, '--answers', input, ...COMMON]), deep);
    expectSentence(harden(['audit', '--config', file, '--baseline', input, ...COMMON]), deep);
    expectSentence(harden(['audit', '--config', file, '--waivers', input, ...COMMON]), deep);
    await writeFile(join(dir, '.nanobot', '.harden.json'), text);
    expectSentence(harden(['fix', '--yes', '--config', file, ...COMMON]), new RegExp(`\\.harden\\.json:${place}: nested more than 900 levels deep`));
    expect(await readFile(file, 'utf8')).toBe(CLEAN);
  });

  it('900 levels are read; 901 are refused', async () => {
    const nested = (n: number) => `{"agents": {"defaults": {"notes": ${'['.repeat(n - 3)}${']'.repeat(n - 3)}}}, "tools": {"restrictToWorkspace": true}}`;
    const ok = await writeConfig(nested(900));
    const r = harden(['audit', '--config', ok.file, ...COMMON]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const deep = await writeConfig(nested(901));
    expectSentence(harden(['audit', '--config', deep.file, ...COMMON]), /nested more than 900 levels deep/);
  });

  it('a NANOBOT_* variable holding JSON 60,000 levels deep', async () => {
    const { file } = await writeConfig(CLEAN);
    const r = harden(['audit', '--config', file, ...COMMON], { env: { NANOBOT_TOOLS: '['.repeat(60_000) + ']'.repeat(60_000) } });
    expectSentence(r, /the environment variable NANOBOT_TOOLS holds JSON nested more than 900 levels deep/);
  });
});

describe('--baseline of the wrong shape (every shape: test/unit/cli/baseline-input.test.ts)', () => {
  it.each([
    ['null', /not a JSON report of harden audit --format json \(its top level is null, not an object\)/],
    [
      '{\n  "findings": [null, 1, "x", {}]\n}',
      /baseline\.json:2:16: findings\[0\] is not a finding of a harden report: expected an object with "ruleId" and "file" strings, found null/,
    ],
  ])('%s is one sentence', async (text, pattern) => {
    const { dir, file } = await writeConfig(CLEAN);
    const baseline = join(dir, 'baseline.json');
    await writeFile(baseline, text);
    expectSentence(harden(['audit', '--config', file, '--baseline', baseline, ...COMMON]), pattern);
  });

  it('a report harden wrote is taken as before', async () => {
    const { dir, file } = await writeConfig(JSON.stringify({ gateway: { host: '0.0.0.0' }, tools: { restrictToWorkspace: true, exec: { timeout: 30 } } }));
    const saved = harden(['audit', '--config', file, '--format', 'json', ...COMMON]);
    expect(saved.code).toBe(1);
    const baseline = join(dir, 'baseline.json');
    await writeFile(baseline, saved.stdout);
    const r = harden(['audit', '--config', file, '--baseline', baseline, ...COMMON]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/in the baseline/);
  });
});

describe('names of Object.prototype members, through the built CLI', () => {
  it.each(['constructor', 'toString', '__proto__'])(
    'a channel section named %s is what any name nanobot has no channel for is, and its secrets are found',
    async (name) => {
      const text = `{\n  "channels": {\n    "${name}": {"enabled": true, "allowFrom": ["*"], "token": "FAKE-token-abcdefgh"}\n  },\n  "providers": {"${name}": {"apiKey": "FAKE-key-abcdefghijkl"}},\n  "tools": {"restrictToWorkspace": true, "exec": {"timeout": 30}, "mcpServers": {"${name}": {"command": "npx"}}}\n}\n`;
      const { dir, file } = await writeConfig(text);
      const audit = harden(['audit', '--config', file, '--profile', 'strict', '--format', 'json', ...COMMON]);
      expect([audit.code, audit.stderr]).toEqual([1, '']);
      expect(audit.stdout).not.toContain('FAKE-');
      const found = (JSON.parse(audit.stdout) as { findings: { ruleId: string; pointer?: string }[] }).findings.map((f) => `${f.ruleId} ${f.pointer}`);
      expect(found).toEqual(expect.arrayContaining([`channel-ignored /channels/${name}`, `plaintext-secret /providers/${name}/apiKey`]));
      expect(found.filter((f) => f.startsWith('allow-from'))).toEqual([]);
      // An --answers file naming it is taken (the section is in the config), and writes nothing into a section nanobot never starts.
      const answers = join(dir, 'answers.json');
      await writeFile(answers, `{"allowFrom": {"${name}": ["12345"]}}`);
      const fix = harden(['fix', '--yes', '--config', file, '--answers', answers, '--runtime', 'host', ...COMMON]);
      expect([fix.code, fix.stderr]).toEqual([0, '']);
      expect(await readFile(file, 'utf8')).toBe(text);
    },
  );
});

describe('other hostile input', () => {
  it('a --config glob with a range no shell accepts matches nothing', async () => {
    const { dir } = await writeConfig(CLEAN);
    expectSentence(harden(['audit', '--config', join(dir, '[z-a]', 'config.json'), ...COMMON]), /no config file matches .*\[z-a\]/);
  });
});
