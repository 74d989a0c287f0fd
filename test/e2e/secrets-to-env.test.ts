// harden fix --secrets-to-env: nothing secret left in the file, everything in a 0600 env file,
// and what nanobot ends up with unchanged.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../src/config/envfile.js';
import { effectiveConfig, getIn } from '../../src/config/model.js';
import { parseConfig } from '../../src/config/parse.js';
import { parseVersion, traitsFor } from '../../src/config/version.js';
import { copyFixture } from '../helpers/fixtures.js';
import { harden } from '../helpers/cli.js';

const FAKE = /FAKE|sk-or-v1|gsk_|xox[bp]-|ghp_|BSA-|tvly-/;

/** Every string in the parsed JSON that looks like one of the fixtures' fake credentials. */
function fakeSecrets(text: string): string[] {
  const out: string[] = [];
  const visit = (v: unknown, key: string) => {
    if (Array.isArray(v)) v.forEach((x) => visit(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, k);
    else if (typeof v === 'string' && FAKE.test(v) && !/^(cli_|ou_)/.test(v) && !/allowFrom|appId/.test(key)) out.push(v);
  };
  visit(JSON.parse(text), '');
  return out;
}

/** ${NAME} resolved from the env file, as nanobot does in memory. */
function resolveRefs(value: unknown, env: Map<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, n: string) => env.get(n) ?? whole);
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, env)]));
  return value;
}

describe('harden fix --secrets-to-env', () => {
  it('moves every secret to a 0600 env file; file plus env file mean what the file meant', async () => {
    const { dir, file } = await copyFixture('audit/current-v0.3-insecure.json');
    const original = await readFile(file, 'utf8');
    const secrets = fakeSecrets(original);
    expect(secrets.length).toBeGreaterThan(10);
    const r = harden(['fix', '--yes', '--secrets-to-env', '-c', file, '--nanobot-version', '0.3.0', '--runtime', 'host']);
    expect(r.stderr).toBe('');
    for (const s of secrets) expect(r.stdout).not.toContain(s);
    const after = await readFile(file, 'utf8');
    for (const s of secrets) expect(after).not.toContain(s);
    const envPath = join(dir, '.nanobot', 'nanobot.env');
    expect((await stat(envPath)).mode & 0o777).toBe(0o600);
    const env = new Map(parseEnvFile(await readFile(envPath, 'utf8')).map((e) => [e.name, e.value]));
    for (const s of secrets) expect([...env.values()]).toContain(s);
    // Everything the fix did not mean to change is as it was, once the references resolve.
    const before = JSON.parse(original) as Record<string, unknown>;
    const resolved = resolveRefs(JSON.parse(after), env) as Record<string, unknown>;
    // (and the allow-list entries that could never match, rewritten in the form nanobot compares)
    const hardened = [
      '/tools/restrictToWorkspace',
      '/tools/exec/timeout',
      '/gateway/host',
      '/api/host',
      '/channels/websocket/host',
      '/channels/email/verifyDkim',
      '/channels/email/verifySpf',
      '/channels/email/allowFrom',
      '/channels/whatsapp/allowFrom',
    ];
    for (const p of hardened) {
      const path = p.slice(1).split('/');
      const set = (o: Record<string, unknown>) => {
        let cur = o;
        for (const k of path.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
        delete cur[path[path.length - 1]!];
      };
      set(before);
      set(resolved);
    }
    expect(resolved).toEqual(before);
  });

  it('merges into an existing env file, never reusing a name that holds something else', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json');
    const envPath = join(dir, 'bot.env');
    await writeFile(envPath, '# mine\nTELEGRAM_TOKEN=something-else\nOTHER=1\n', { mode: 0o644 });
    const r = harden(['fix', '--yes', '--secrets-to-env', envPath, '-c', file, '--nanobot-version', '0.3.0', '--runtime', 'host', '--quiet'], {
      env: { TELEGRAM_TOKEN_2: 'taken-too' },
    });
    expect(r.stderr).toBe('');
    const text = await readFile(envPath, 'utf8');
    expect(text.startsWith('# mine\nTELEGRAM_TOKEN=something-else\nOTHER=1\n')).toBe(true);
    expect(text).toContain('TELEGRAM_TOKEN_3=123456:FAKE-crlf-telegram-token');
    expect(await readFile(file, 'utf8')).toContain('"token": "${TELEGRAM_TOKEN_3}"');
    expect((await stat(envPath)).mode & 0o777).toBe(0o600);
  });

  it('on nanobot before 0.1.5 deletes the keys and uses NANOBOT_* variables, with a warning', async () => {
    const { dir, file } = await copyFixture('audit/v0.1.4-insecure.json');
    const original = await readFile(file, 'utf8');
    const r = harden(['fix', '--yes', '--secrets-to-env', '-c', file, '--nanobot-version', '0.1.4', '--runtime', 'host', '--quiet']);
    expect(r.stdout).toMatch(
      /warning: nanobot 0\.1\.4 does not understand \$\{NAME\} references .* writes such variables back into config\.json in plain text/,
    );
    const after = await readFile(file, 'utf8');
    expect(after).not.toContain('${');
    const env = Object.fromEntries(parseEnvFile(await readFile(join(dir, '.nanobot', 'nanobot.env'), 'utf8')).map((e) => [e.name, e.value]));
    expect(env['NANOBOT_PROVIDERS__OPENROUTER__API_KEY']).toMatch(/^sk-or-v1-FAKE/);
    // What nanobot 0.1.4 ends up with, file plus variables, is what the old file said.
    const traits = traitsFor(parseVersion('0.1.4')!, 'flag');
    const was = effectiveConfig(parseConfig(file, original), { traits, env: {} });
    const now = effectiveConfig(parseConfig(file, after), { traits, env });
    for (const path of [
      ['providers', 'openrouter', 'apiKey'],
      ['channels', 'telegram', 'token'],
      ['channels', 'email', 'smtpPassword'],
      ['tools', 'web', 'search', 'apiKey'],
    ]) {
      expect(getIn(now.value, path), path.join('.')).toEqual(getIn(was.value, path));
    }
  });

  it('--dry-run names the variables and writes no env file', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json');
    const r = harden(['fix', '--dry-run', '--secrets-to-env', '-c', file, '--nanobot-version', '0.3.0', '--runtime', 'host']);
    expect(r.stdout).toMatch(/would add to the new env file .*nanobot\.env .*: TELEGRAM_TOKEN/);
    expect(r.stdout).toMatch(/^\+\t\t\t"token": "\$\{TELEGRAM_TOKEN\}",$/m);
    expect(r.stdout).not.toContain('FAKE-crlf-telegram-token');
    await expect(stat(join(dir, '.nanobot', 'nanobot.env'))).rejects.toThrow();
  });
});
