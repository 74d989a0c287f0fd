// Names that are members of Object.prototype, fed through every entry point: the config (as a
// channel, a provider, an MCP server, a key in any section, snake_case too), --allow-from,
// --group-allow-from, an --answers file, a .harden.json beside the config, --waivers and
// --accept-risk. Each must do exactly what an ordinary unknown name does: the same findings and
// the same patches with the name swapped, or the same sentence with exit code 2.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { Io } from '../../../src/io/process-io.js';
import { snakeToCamel } from '../../../src/config/layout.js';
import { tempDir } from '../../helpers/fixtures.js';

/** Each hostile name with an ordinary name of the same spelling class (camelCase, snake_case, other), near no known name. */
const NAMES: readonly (readonly [string, string])[] = [
  ['constructor', 'xylophones'],
  ['toString', 'xyloPhone'],
  ['hasOwnProperty', 'xyloPhoneBand'],
  ['valueOf', 'xyloWeb'],
  ['isPrototypeOf', 'xyloPhoneBox'],
  ['__proto__', '__xylophone__'],
  ['__defineGetter__', '__xyloPhoneBand__'],
  ['to_string', 'xylo_phone'],
  ['has_own_property', 'xylo_phone_band'],
  ['value_of', 'xylo_web'],
  ['is_prototype_of', 'xylo_phone_box'],
];

/** A config that uses the name everywhere a name can stand. */
const configWith = (n: string): string => `{
  "channels": {
    "${n}": {
      "enabled": true,
      "allowFrom": ["*"],
      "dm": {"policy": "open"},
      "${n}": 1
    },
    "slack": {
      "enabled": true,
      "${n}": {"${n}": 2}
    }
  },
  "providers": {
    "${n}": {
      "apiKey": "FAKE-key-abcdefghijklmnop",
      "extraHeaders": {"${n}": "Bearer FAKE-abcdefghijk"}
    }
  },
  "tools": {
    "${n}": 1,
    "exec": {"${n}": true, "timeout": 600},
    "mcpServers": {
      "${n}": {"command": "npx", "env": {"${n}": "FAKE-secret-value-1234"}}
    }
  },
  "gateway": {"${n}": "0.0.0.0", "host": "0.0.0.0"},
  "agents": {"${n}": {"${n}": []}, "defaults": {"${n}": 1}}
}
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], cwd: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    stdinIsTTY: false,
    env: { HOME: cwd },
    cwd,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** A pointer with the hostile name (and its camelCase form) put back to the ordinary one. */
function swap(pointer: string | undefined, name: string, ordinary: string): string | undefined {
  return pointer
    ?.split('/')
    .map((s) => (s === name ? ordinary : s === snakeToCamel(name) ? snakeToCamel(ordinary) : s))
    .join('/');
}

type Finding = { ruleId: string; severity: string; pointer?: string; line?: number };
type FixReport = {
  changed: boolean;
  applied: { ruleId: string; op: string; pointer: string; after?: unknown }[];
  skipped: { ruleId: string; why: string; pointer?: string }[];
  remaining: Finding[];
};

const COMMON = ['--no-host', '--nanobot-version', '0.3.0'];

describe('names of Object.prototype members through every entry point', () => {
  let root = '';
  let count = 0;
  beforeAll(async () => {
    root = await tempDir();
  });

  /** A directory with the config, an answers file and a .harden.json, all using the name. */
  async function setUp(name: string): Promise<{ dir: string; config: string; answers: string; waivers: string }> {
    const dir = join(root, `${count++}-${Buffer.from(name).toString('hex')}`);
    await mkdir(dir);
    const config = join(dir, 'config.json');
    await writeFile(config, configWith(name), { mode: 0o600 });
    const answers = join(dir, 'answers.json');
    await writeFile(answers, `{"allowFrom": {"${name}": ["12345"]}, "groupAllowFrom": {"${name}": ["C0123ABCD"]}}`);
    // A waiver beside the config that accepts the provider key under that name.
    await writeFile(
      join(dir, '.harden.json'),
      JSON.stringify({ waivers: [{ ruleId: 'plaintext-secret', pointer: `/providers/${name}/apiKey`, reason: 'test', expires: '2999-01-01' }] }),
    );
    const waivers = join(dir, 'waivers.json');
    await writeFile(
      waivers,
      JSON.stringify({ waivers: [{ ruleId: 'gateway-host-loopback', pointer: '/gateway/host', reason: 'test', expires: '2999-01-01' }] }),
    );
    return { dir, config, answers, waivers };
  }

  it.each(NAMES)('%s: the audit finds what it finds for an ordinary name, in every output format', async (name, ordinary) => {
    const results = [];
    for (const n of [name, ordinary]) {
      const { dir, config, waivers } = await setUp(n);
      const r = await run(['audit', '--config', config, '--profile', 'strict', '--format', 'json', '--waivers', waivers, ...COMMON], dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const findings = (JSON.parse(r.stdout) as { findings: (Finding & { waived?: unknown })[] }).findings;
      results.push(findings.map((f) => [f.ruleId, f.severity, swap(f.pointer, n, ordinary), f.line, f.waived !== undefined]));
      for (const format of ['text', 'sarif', 'junit']) {
        const other = await run(['audit', '--config', config, '--profile', 'strict', '--format', format, ...COMMON], dir);
        expect([other.code, other.stderr]).toEqual([1, '']);
      }
    }
    expect(results[0]).toEqual(results[1]);
    // The section under that name is what any name nanobot has no channel for is (ignored, said so), the secrets under it found.
    expect(results[0]).toEqual(
      expect.arrayContaining([
        expect.arrayContaining(['channel-ignored', 'info', `/channels/${ordinary}`]),
        expect.arrayContaining(['plaintext-secret', 'medium', `/providers/${ordinary}/apiKey`, 16, true]),
      ]),
    );
  });

  it.each(NAMES)('%s: --answers, --allow-from and --group-allow-from fix that channel as they fix an ordinary one', async (name, ordinary) => {
    const results = [];
    for (const n of [name, ordinary]) {
      const { dir, config, answers } = await setUp(n);
      const flags = /^[a-z][a-z0-9_]*$/.test(n) ? ['--allow-from', `${n}=67890`, '--group-allow-from', `${n}=C0123WXYZ`] : [];
      const r = await run(['fix', '--dry-run', '--format', 'json', '--config', config, '--answers', answers, ...flags, '--runtime', 'host', ...COMMON], dir);
      expect(r.stderr).toBe('');
      const report = (JSON.parse(r.stdout) as { results: FixReport[] }).results[0]!;
      results.push({
        code: r.code,
        changed: report.changed,
        applied: report.applied.map((p) => [p.ruleId, p.op, swap(p.pointer, n, ordinary), p.after]),
        skipped: report.skipped.map((s) => [s.ruleId, s.why, swap(s.pointer, n, ordinary)]),
        remaining: report.remaining.map((f) => [f.ruleId, swap(f.pointer, n, ordinary)]),
      });
    }
    expect(results[0]).toEqual(results[1]);
    // The answers are taken (the section is in the config), and the rest of the file is fixed as usual.
    expect(results[0]!.applied).toEqual(expect.arrayContaining([['exec-timeout', 'set', '/tools/exec/timeout', 30]]));
  });

  it.each(NAMES)('%s: --accept-risk, a waiver rule and a channel no config has are each the sentence an ordinary unknown name gets', async (name, ordinary) => {
    const sentences = [];
    for (const n of [name, ordinary]) {
      const { dir, config } = await setUp(n);
      const out: string[] = [];
      const say = (r: Run) => {
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^harden: [^\n]+\n$/);
        out.push(r.stderr.replaceAll(dir, 'DIR').replaceAll(JSON.stringify(n), '"NAME"').replaceAll(n, 'NAME'));
      };
      say(await run(['fix', '--dry-run', '--config', config, '--accept-risk', n, ...COMMON], dir));
      const badRule = join(dir, 'bad-rule.json');
      await writeFile(badRule, JSON.stringify({ waivers: [{ ruleId: n, reason: 'x', expires: '2999-01-01' }] }));
      say(await run(['audit', '--config', config, '--waivers', badRule, ...COMMON], dir));
      const elsewhere = join(dir, 'other.json');
      await writeFile(elsewhere, '{"channels": {"telegram": {"enabled": true, "allowFrom": ["*"]}}}', { mode: 0o600 });
      const answers = join(dir, 'answers-elsewhere.json');
      await writeFile(answers, `{"allowFrom": {"${n}": ["12345"]}}`);
      say(await run(['fix', '--dry-run', '--config', elsewhere, '--answers', answers, ...COMMON], dir));
      if (/^[a-z][a-z0-9_]*$/.test(n)) say(await run(['fix', '--dry-run', '--config', elsewhere, '--allow-from', `${n}=1`, ...COMMON], dir));
      sentences.push(out);
    }
    expect(sentences[0]).toEqual(sentences[1]);
    expect(sentences[0]![0]).toMatch(/--accept-risk "NAME": no such rule/);
    expect(sentences[0]![1]).toMatch(/bad-rule\.json:1:\d+: unknown rule "NAME"/);
    expect(sentences[0]![2]).toMatch(/NAME is not a nanobot channel, and no config here has a channels\.NAME section/);
  });

  it('a top-level key with such a name is refused as nanobot refuses any unknown top-level key', async () => {
    for (const [name, ordinary] of NAMES) {
      const sentences = [];
      for (const n of [name, ordinary]) {
        const dir = join(root, `top-${Buffer.from(n).toString('hex')}`);
        await mkdir(dir);
        await writeFile(join(dir, 'config.json'), `{"${n}": {"enabled": true}}`, { mode: 0o600 });
        const r = await run(['audit', '--config', join(dir, 'config.json'), ...COMMON], dir);
        expect(r.code).toBe(2);
        sentences.push(r.stderr.replaceAll(dir, 'DIR').replaceAll(n, 'NAME'));
      }
      expect(sentences[0]).toEqual(sentences[1]);
      expect(sentences[0]).toMatch(
        /^harden: DIR\/config\.json:1:2: the top-level key "NAME" is not a section nanobot knows: nanobot 0\.3\.0 refuses to start \(0\.3\.0 nanobot\/config\/loader\.py:\d+\)\n$/,
      );
    }
  });
});
