// Property: on generated configs and compose files with secrets in every shape harden knows
// (secret fields spelled with JSON escapes, duplicated and snake_case keys, URL userinfo,
// credential query parameters, MCP args, env and headers, NANOBOT_* variables; compose environment
// lists and maps, basic-auth labels, command flags), no output of any command holds a secret:
// neither its decoded value nor the way the file spells it. Commands run in-process through main().
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { Io } from '../../../src/io/process-io.js';
import { tempDir } from '../../helpers/fixtures.js';

/** A secret: what nanobot reads, and how the file spells it. */
interface Secret {
  value: string;
  spelled: string;
}

const TAIL = fc.stringMatching(/^[A-Za-z0-9_.~-]{2,8}$/);
/** Code units to write as \uXXXX (or \/ for a slash), by position. */
const ESCAPES = fc.array(fc.nat(40), { maxLength: 3 });

function jsonSpelling(value: string, escapes: readonly number[], upper: boolean): string {
  const at = new Set(escapes.map((n) => n % value.length));
  return [...value]
    .map((ch, i) => {
      if (!at.has(i)) return JSON.stringify(ch).slice(1, -1);
      if (ch === '/') return '\\/';
      const hex = ch.charCodeAt(0).toString(16).padStart(4, '0');
      return `\\u${upper ? hex.toUpperCase() : hex}`;
    })
    .join('');
}

const SHAPES = [
  'field',
  'field-snake',
  'field-dup',
  'channel-token',
  'userinfo',
  'query',
  'arg-next',
  'arg-eq',
  'arg-env',
  'env',
  'header-auth',
  'header-key',
  'proxy',
  'extra-header',
  'server-dup',
] as const;
type Shape = (typeof SHAPES)[number];

/** Any characters, for values that are secret as a whole: quotes, backslashes, markup, non-ASCII. */
const WILD_TAIL = fc.string({ minLength: 2, maxLength: 8, unit: fc.constantFrom('"', '\\', '<', '>', '&', "'", ' ', '\t', 'é', '€', '😀', 'x', '7', '/') });
const secretArb = fc.record({
  shape: fc.constantFrom(...SHAPES),
  tail: TAIL,
  wild: fc.option(WILD_TAIL),
  escapes: ESCAPES,
  upper: fc.boolean(),
  slash: fc.boolean(),
});

const configArb = fc.record({
  secrets: fc.array(secretArb, { minLength: 3, maxLength: 8 }),
  mcpKey: fc.constantFrom('mcpServers', 'mcp_servers'),
  layout: fc.constantFrom('indented', 'tabs', 'one-line'),
  flag: fc.constantFrom('--api-key', '--token', '--github-token', '--password', '--secret', '--openai-key', '--bottoken'),
  param: fc.constantFrom('api_key', 'apiKey', 'token', 'access_token', 'key', 'sig', 'password'),
  envName: fc.constantFrom('GITHUB_TOKEN', 'GITHUB_PERSONAL_ACCESS_TOKEN', 'OPENAI_API_KEY', 'GH_PAT', 'DB_PASSWORD'),
});

const composeArb = fc.record({
  form: fc.constantFrom('list', 'map'),
  entries: fc.uniqueArray(
    fc.record({
      name: fc.constantFrom(
        'OPENAI_API_KEY',
        'GITHUB_PAT',
        'DB_PASSWORD',
        'DATABASE_URL',
        'SLACK_BOT_TOKEN',
        'APP_SECRET',
        'NANOBOT_PROVIDERS__OPENAI__API_KEY',
      ),
      tail: TAIL,
      quoting: fc.constantFrom('plain', 'double', 'single'),
      escapes: ESCAPES,
    }),
    { minLength: 1, maxLength: 4, selector: (e) => e.name },
  ),
  basicAuth: fc.boolean(),
  commandFlag: fc.boolean(),
});

type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;

/** An object with keys in order, duplicates allowed: [key, raw JSON value] pairs. */
type Members = [string, string][];
const obj = (members: Members): string => `{ ${members.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')} }`;

function buildConfig(c: Generated<typeof configArb>): { text: string; secrets: Secret[] } {
  const secrets: Secret[] = [];
  /** `whole`: the value is secret as a whole, so any character may be in it. */
  const secret = (i: number, s: Generated<typeof secretArb>, suffix = '', whole = false): string => {
    const value = `CANARY${i}${suffix}${whole && s.slash ? '/' : ''}${whole && s.wild !== null ? s.wild : s.tail}`;
    const spelled = jsonSpelling(value, s.escapes, s.upper);
    secrets.push({ value, spelled });
    return spelled;
  };
  const providers: Members = [];
  const servers: Members = [];
  const telegram: Members = [
    ['enabled', 'true'],
    ['allowFrom', '["*"]'],
  ];
  c.secrets.forEach((s, i) => {
    const q = (raw: string) => `"${raw}"`;
    const shape: Shape = s.shape;
    switch (shape) {
      case 'field':
        providers.push([`p${i}`, obj([['apiKey', q(secret(i, s, '', true))]])]);
        break;
      case 'field-snake':
        providers.push([`p${i}`, obj([['api_key', q(secret(i, s, '', true))]])]);
        break;
      case 'field-dup':
        providers.push([
          `p${i}`,
          obj([
            ['apiKey', q(secret(i, s, 'a', true))],
            ['apiKey', q(secret(i, s, 'b', true))],
          ]),
        ]);
        break;
      case 'channel-token':
        telegram.push(['token', q(secret(i, s, '', true))]);
        break;
      case 'userinfo':
        providers.push([`p${i}`, obj([['apiBase', q(`https://svc:${secret(i, s)}@llm.example/v1`)]])]);
        break;
      case 'query':
        servers.push([
          `s${i}`,
          obj([
            ['type', '"sse"'],
            ['url', q(`https://mcp.example/sse?region=eu&${c.param}=${secret(i, s)}`)],
          ]),
        ]);
        break;
      case 'arg-next':
        servers.push([
          `s${i}`,
          obj([
            ['command', '"npx"'],
            ['args', `["-y", "server", "${c.flag}", ${q(secret(i, s, '', true))}]`],
          ]),
        ]);
        break;
      case 'arg-eq':
        servers.push([
          `s${i}`,
          obj([
            ['command', '"npx"'],
            ['args', `["server", "${c.flag}=${secret(i, s)}"]`],
          ]),
        ]);
        break;
      case 'arg-env':
        servers.push([
          `s${i}`,
          obj([
            ['command', '"docker"'],
            ['args', `["run", "-e", "${c.envName}=${secret(i, s)}", "image"]`],
          ]),
        ]);
        break;
      case 'env':
        servers.push([
          `s${i}`,
          obj([
            ['command', '"npx"'],
            ['env', obj([[c.envName, q(secret(i, s, '', true))]])],
          ]),
        ]);
        break;
      case 'header-auth':
        servers.push([
          `s${i}`,
          obj([
            ['url', '"https://mcp.example/mcp"'],
            ['headers', obj([['Authorization', q(`Bearer ${secret(i, s)}`)]])],
          ]),
        ]);
        break;
      case 'header-key':
        servers.push([
          `s${i}`,
          obj([
            ['url', '"https://mcp.example/mcp"'],
            ['headers', obj([['X-Api-Key', q(secret(i, s, '', true))]])],
          ]),
        ]);
        break;
      case 'proxy':
        telegram.push(['proxy', q(`http://user:${secret(i, s)}@10.0.0.5:3128`)]);
        break;
      case 'extra-header':
        providers.push([`p${i}`, obj([['extraHeaders', obj([['Authorization', q(`Bearer ${secret(i, s)}`)]])]])]);
        break;
      case 'server-dup':
        servers.push([
          `s${i}`,
          obj([
            ['command', '"npx"'],
            ['args', `["${c.flag}", ${q(secret(i, s, 'a', true))}]`],
          ]),
        ]);
        servers.push([
          `s${i}`,
          obj([
            ['command', '"npx"'],
            ['env', obj([[c.envName, q(secret(i, s, 'b', true))]])],
          ]),
        ]);
        break;
    }
  });
  const sections: Members = [
    ['providers', obj(providers)],
    ['gateway', obj([['host', '"0.0.0.0"']])],
    [
      'tools',
      obj([
        ['restrictToWorkspace', 'false'],
        [c.mcpKey, obj(servers)],
        ['exec', obj([['timeout', '600']])],
      ]),
    ],
    ['channels', obj([['telegram', obj(telegram)]])],
  ];
  const text =
    c.layout === 'one-line'
      ? `${obj(sections)}\n`
      : `{\n${sections.map(([k, v]) => `${c.layout === 'tabs' ? '\t' : '  '}${JSON.stringify(k)}: ${v}`).join(',\n')}\n}\n`;
  return { text, secrets };
}

function yamlSpelling(value: string, quoting: string, escapes: readonly number[]): string {
  if (quoting === 'single') return `'${value.replace(/'/g, "''")}'`;
  if (quoting === 'plain') return value;
  const at = new Set(escapes.map((n) => n % value.length));
  return `"${[...value].map((ch, i) => (at.has(i) ? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}` : ch)).join('')}"`;
}

function buildCompose(c: Generated<typeof composeArb>): { text: string; secrets: Secret[] } {
  const secrets: Secret[] = [];
  const lines = ['services:', '  nanobot:', '    image: ghcr.io/hkuds/nanobot:latest'];
  if (c.commandFlag) {
    const value = 'CANARYcmd-1x';
    secrets.push({ value, spelled: value });
    lines.push(`    command: ["gateway", "--api-key", "${value}"]`);
  }
  lines.push('    environment:');
  c.entries.forEach((e, i) => {
    const value = e.name === 'DATABASE_URL' ? `postgres://bot:CANARY${i}${e.tail}@db/x` : `CANARY${i}${e.tail}`;
    const spelled = yamlSpelling(value, e.quoting, e.escapes);
    const inner = e.quoting === 'plain' ? spelled : spelled.slice(1, -1);
    secrets.push({ value, spelled: inner });
    if (c.form === 'map') lines.push(`      ${e.name}: ${spelled}`);
    else if (e.quoting === 'plain') lines.push(`      - ${e.name}=${spelled}`);
    else lines.push(`      - ${spelled[0]}${e.name}=${inner}${spelled[0]}`);
  });
  if (c.basicAuth) {
    const written = 'admin:$$apr1$$CANARYsalt$$hash';
    secrets.push({ value: written, spelled: written }, { value: written.replace(/\$\$/g, '$'), spelled: written });
    lines.push('    labels:', `      traefik.http.middlewares.auth.basicauth.users: "${written}"`);
  }
  lines.push('    ports:', '      - "18790:18790"', '');
  return { text: lines.join('\n'), secrets };
}

function capture(dir: string, env: Record<string, string>): { io: Io; out: string[] } {
  const out: string[] = [];
  const sink = { write: (t: string) => out.push(t) };
  return { io: { stdout: sink, stderr: sink, stdinIsTTY: false, env: { HOME: dir, PATH: '/usr/bin:/bin', NO_COLOR: '1', ...env }, cwd: dir }, out };
}

async function place(dir: string, name: string, config: string, compose: string): Promise<{ file: string; compose: string }> {
  const home = join(dir, name);
  await mkdir(join(home, '.nanobot'), { recursive: true, mode: 0o700 });
  const file = join(home, '.nanobot', 'config.json');
  await writeFile(file, config);
  await chmod(file, 0o644);
  await writeFile(join(home, 'compose.yml'), compose);
  return { file, compose: join(home, 'compose.yml') };
}

describe('no secret in any output, for generated configs and compose files', () => {
  it('audit, fix, docker, systemd, incident, restore and errors', async () => {
    const root = await tempDir();
    let n = 0;
    let redactedSeen = 0;
    await fc.assert(
      fc.asyncProperty(configArb, composeArb, async (cfg, cmp) => {
        const config = buildConfig(cfg);
        const compose = buildCompose(cmp);
        const dir = join(root, String(n++));
        const envSecret = { value: `CANARYenv${n}x`, spelled: `CANARYenv${n}x` };
        const env = { NANOBOT_PROVIDERS__ANTHROPIC__API_KEY: envSecret.value, NANOBOT_PROVIDERS__CUSTOM__API_BASE: `https://u:${envSecret.value}@llm.example` };
        const { io, out } = capture(dir, env);
        /** The exit code, and what the command printed (for a failure's message). */
        const run = async (args: string[]) => {
          const from = out.length;
          const code = await main([...args, '--nanobot-version', '0.3.0'], io);
          return { code, printed: `${args.join(' ')}: ${out.slice(from).join('')}` };
        };
        const ok = async (args: string[], expected?: number) => {
          const r = await run(args);
          if (expected === undefined) expect(r.code, r.printed).not.toBe(2);
          else expect(r.code, r.printed).toBe(expected);
        };

        const a = await place(dir, 'a', config.text, compose.text);
        const on = ['-c', a.file, '--compose', a.compose];
        for (const format of ['text', 'json', 'sarif', 'junit']) await ok(['audit', ...on, '--profile', 'strict', '--format', format]);
        await ok(['audit', ...on]);
        for (const format of ['text', 'json']) await ok(['fix', '--dry-run', ...on, '--runtime', 'host', '--format', format]);
        for (const format of ['text', 'json']) {
          const b = await place(dir, `yes-${format}`, config.text, compose.text);
          await ok(['fix', '--yes', '-c', b.file, '--compose', b.compose, '--runtime', 'host', '--allow-from', 'telegram=123456789', '--format', format]);
          await run(['restore', '--list', '-c', b.file]);
        }
        for (const cmd of ['docker', 'systemd', 'incident']) await ok([cmd, '-c', a.file], 0);
        // Errors: a trailing comma, and a wrong type next to the secrets.
        const broken = await place(dir, 'broken', config.text.replace(/\s*}\s*$/, ',\n}\n'), compose.text);
        const wrongType = await place(
          dir,
          'type',
          config.text.replace('"restrictToWorkspace": false', '"restrictToWorkspace": "CANARYnot-a-bool"'),
          compose.text,
        );
        for (const f of [broken.file, wrongType.file]) await ok(['audit', '-c', f], 2);
        await ok(['fix', '--dry-run', '-c', broken.file, '--runtime', 'host'], 2);
        // A string where a boolean belongs: fix writes the hardened value, and the diff hides the old one.
        await ok(['fix', '--dry-run', '-c', wrongType.file, '--runtime', 'host'], 1);

        const all = out.join('');
        for (const s of [...config.secrets, ...compose.secrets, envSecret]) {
          expect(all, `leaked ${s.value}`).not.toContain(s.value);
          expect(all, `leaked ${s.spelled}`).not.toContain(s.spelled);
        }
        expect(all).not.toMatch(/CANARY/);
        // The diffs were shown: the property is about outputs that held secret lines.
        redactedSeen += all.split('[redacted]').length - 1;
        expect(all).toMatch(/^\+.*"host": "127\.0\.0\.1"/m);
      }),
      { numRuns: Number(process.env['HARDEN_PROPERTY_RUNS'] ?? 5), endOnFailure: true },
    );
    expect(redactedSeen).toBeGreaterThan(0);
    // The fixes did write: the last run's files hold their secrets still, and a backup exists.
    expect(await readFile(join(root, String(n - 1), 'yes-text', '.nanobot', 'config.json'), 'utf8')).toMatch(/"host": "127\.0\.0\.1"/);
  }, 120_000);
});
