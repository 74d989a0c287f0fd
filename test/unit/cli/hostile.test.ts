// Hostile input, property-based: odd JSON shapes as the config, an --answers file, a --baseline
// report, a --waivers file, a .harden.json beside the config and NANOBOT_* variables. Whatever the shape, harden ends
// with exit code 0, 1 or 2, says why in one sentence when it is 2, and never reports an internal
// error or prints a stack trace. main() runs in-process, so each case costs milliseconds.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { Io } from '../../../src/io/process-io.js';
import { tempDir } from '../../helpers/fixtures.js';

/** Members of Object.prototype (and the snake_case spellings pydantic maps onto some of them). */
export const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__lookupGetter__',
  'to_string',
  'has_own_property',
  'value_of',
  'is_prototype_of',
];

/** Names a config, an answers file or a waiver file holds, so that shapes reach real code paths. */
const WORDS = [
  ...PROTOTYPE_NAMES,
  'channels',
  'telegram',
  'slack',
  'signal',
  'feishu',
  'email',
  'websocket',
  'instances',
  'dm',
  'group',
  'enabled',
  'allowFrom',
  'allow_from',
  'groupAllowFrom',
  'groupPolicy',
  'policy',
  'token',
  'apiKey',
  'providers',
  'extraHeaders',
  'tools',
  'exec',
  'restrictToWorkspace',
  'restrict_to_workspace',
  'timeout',
  'sandbox',
  'mcpServers',
  'env',
  'gateway',
  'api',
  'host',
  'port',
  'agents',
  'defaults',
  'waivers',
  'ruleId',
  'reason',
  'expires',
  'pointer',
  'file',
  'findings',
  'gateway-host-loopback',
  'allow-from-wildcard',
  '*',
  '0.0.0.0',
  '${TOKEN}',
  '2099-01-01',
];

const word = fc.constantFrom(...WORDS);
const scalar = fc.oneof(word, fc.string({ maxLength: 8 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
/** JSON built from the vocabulary, including duplicated keys (written as text: objects cannot hold them). */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar.map((v) => JSON.stringify(v) ?? 'null'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(', ')}]`),
    fc.array(fc.tuple(word, tie('value')), { maxLength: 5 }).map((props) => `{${props.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`),
  ),
})).value;
/** Mostly objects at the top, as every one of these files is, but not only. */
const fileText = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(fc.tuple(word, jsonText), { maxLength: 6 }).map((props) => `{${props.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`),
  },
  { weight: 1, arbitrary: jsonText },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      'null',
      '{',
      '[[[[',
      '{"a":'.repeat(3000),
      '['.repeat(5000) + ']'.repeat(5000),
      '{"waivers": [null, 1, "x", {}]}',
      '{"findings": [null, 1, "x", {}]}',
    ),
  },
);

/** A config whose top-level keys nanobot knows, so that the odd shapes reach the model and the rules. */
const configText = fc
  .array(fc.tuple(fc.constantFrom('channels', 'tools', 'providers', 'gateway', 'api', 'agents'), jsonText), { maxLength: 6 })
  .map((props) => `{${props.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`);

interface Run {
  code: number;
  stderr: string;
}

async function run(argv: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  let stderr = '';
  const io: Io = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, stdinIsTTY: false, env: { HOME: cwd, ...env }, cwd };
  const code = await main(argv, io);
  return { code, stderr };
}

function expectHandled(r: Run, input: string): void {
  const what = input.length > 120 ? `${input.slice(0, 120)}… (${input.length} characters)` : input;
  expect([0, 1, 2], `${what}: exit code ${r.code}`).toContain(r.code);
  expect(r.stderr, what).not.toMatch(/internal error/);
  expect(r.stderr, what).not.toMatch(/\n\s+at /);
  // Exit 2 is one sentence on one line.
  if (r.code === 2) expect(r.stderr.trim(), what).toMatch(/^harden: [^\n]+$/);
}

describe('hostile input files', () => {
  let dir = '';
  let config = '';
  let n = 0;
  beforeAll(async () => {
    dir = await tempDir();
    config = join(dir, 'config.json');
    await writeFile(config, '{"channels": {"telegram": {"enabled": true, "allowFrom": ["*"]}, "constructor": {"enabled": true, "allowFrom": ["*"]}}}', {
      mode: 0o600,
    });
  });
  /** A fresh directory with a config, so that a .harden.json beside it belongs to this case alone. */
  async function fresh(configText?: string): Promise<{ home: string; file: string }> {
    const home = join(dir, String(n++));
    await mkdir(home);
    const file = join(home, 'config.json');
    await writeFile(file, configText ?? '{"channels": {"telegram": {"enabled": true, "allowFrom": ["*"]}}}', { mode: 0o600 });
    return { home, file };
  }
  const params = { numRuns: 40 };

  it('as the config, for audit and fix --dry-run', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(configText, fileText), async (text) => {
        const { home, file } = await fresh(text);
        expectHandled(await run(['audit', '--no-host', '--profile', 'strict', '--config', file], home), text);
        expectHandled(await run(['fix', '--dry-run', '--no-host', '--secrets-to-env', '--config', file], home), text);
      }),
      params,
    );
  });

  it('as an --answers file', async () => {
    await fc.assert(
      fc.asyncProperty(fileText, async (text) => {
        const answers = join(dir, `answers-${n++}.json`);
        await writeFile(answers, text);
        expectHandled(await run(['fix', '--dry-run', '--no-host', '--config', config, '--answers', answers], dir), text);
      }),
      params,
    );
  });

  it('as a --baseline report', async () => {
    await fc.assert(
      fc.asyncProperty(fileText, async (text) => {
        const baseline = join(dir, `baseline-${n++}.json`);
        await writeFile(baseline, text);
        expectHandled(await run(['audit', '--no-host', '--config', config, '--baseline', baseline], dir), text);
      }),
      params,
    );
  });

  it('as NANOBOT_* variables, named after sections, channels and Object.prototype members', async () => {
    const name = fc
      .array(
        fc.constantFrom(
          'TOOLS',
          'CHANNELS',
          'TELEGRAM',
          'GATEWAY',
          'HOST',
          'EXEC',
          'ALLOW_FROM',
          'ALLOWFROM',
          'ENABLED',
          ...PROTOTYPE_NAMES.map((n) => n.toUpperCase()),
        ),
        { minLength: 1, maxLength: 3 },
      )
      .map((parts) => `NANOBOT_${parts.join('__')}`);
    await fc.assert(
      fc.asyncProperty(fc.dictionary(name, fileText, { maxKeys: 3 }), async (env) => {
        expectHandled(await run(['audit', '--no-host', '--profile', 'strict', '--config', config], dir, env), JSON.stringify(env));
        expectHandled(await run(['fix', '--dry-run', '--no-host', '--config', config], dir, env), JSON.stringify(env));
      }),
      params,
    );
  });

  it('as a --waivers file and as the .harden.json beside the config', async () => {
    await fc.assert(
      fc.asyncProperty(fileText, async (text) => {
        const waivers = join(dir, `waivers-${n++}.json`);
        await writeFile(waivers, text);
        expectHandled(await run(['audit', '--no-host', '--config', config, '--waivers', waivers], dir), text);
        const { home, file } = await fresh();
        await writeFile(join(home, '.harden.json'), text);
        expectHandled(await run(['fix', '--dry-run', '--no-host', '--config', file], home), text);
      }),
      params,
    );
  });
});
