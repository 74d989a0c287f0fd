// The programmatic API (src/index.ts) in process: the same objects the CLI prints with --format
// json, as redacted, and harden's own errors thrown as the exported classes. The package as a
// consumer installs it is test/e2e/api.test.ts.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit, ConfigAccessError, ConfigSyntaxError, fix, HardenError, isHardenError, UsageError, version } from '../../src/index.js';
import { copyFixture, FIXTURES, ROOT, writeConfig } from '../helpers/fixtures.js';
import { harden } from '../helpers/cli.js';
import { validateFixReport, validateReport } from '../helpers/schemas.js';

// The CLI helper's environment, so that both read the same world.
const env = { PATH: '/usr/bin:/bin', NO_COLOR: '1', HOME: '/nonexistent' };
const SECRETS = 'secrets/full-of-secrets.json';

async function secretsOf(fixture: string): Promise<string[]> {
  const text = await readFile(join(FIXTURES, fixture), 'utf8');
  return [...text.matchAll(/"([^"]*SECRET[^"]*)"/g)].map((m) => m[1]!);
}

/**
 * examples/insecure-config.json with the Discord bot token pasted into the allow list as well: the
 * finding about that entry quotes it, and only the redaction takes it out again.
 */
async function pastedToken(): Promise<{ file: string; token: string }> {
  const token = 'FAKE.discord.bot.token.000000000000';
  const text = (await readFile(join(ROOT, 'examples', 'insecure-config.json'), 'utf8')).replace('"someusername"', JSON.stringify(token));
  expect(text.split(token)).toHaveLength(3);
  return { file: (await writeConfig(text)).file, token };
}

/** The error a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('audit()', () => {
  it('returns what `harden audit --format json` prints, valid against the report schema, redacted', async () => {
    const { file } = await copyFixture(SECRETS);
    const report = await audit({ configs: [file], noHost: true, nanobotVersion: '0.3.0', env, profile: 'strict', failOn: 'high' });
    const cli = harden(['audit', '-c', file, '--format', 'json', '--no-host', '--nanobot-version', '0.3.0', '--profile', 'strict', '--fail-on', 'high']);
    expect(report).toEqual(JSON.parse(cli.stdout));
    expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
    expect(report.summary.failOn).toBe('high');
    expect(report.findings.length).toBeGreaterThan(5);
    expect(report.runs).toBeUndefined();
    const text = JSON.stringify(report);
    for (const s of await secretsOf(SECRETS)) expect(text, `leaked ${s}`).not.toContain(s);
    expect(version).toBe(report.tool.version);
  });

  it('redacts a secret wherever the report quotes it, as the CLI does', async () => {
    const { file, token } = await pastedToken();
    const report = await audit({ configs: [file], noHost: true, nanobotVersion: '0.3.0', env });
    expect(report).toEqual(JSON.parse(harden(['audit', '-c', file, '--format', 'json', '--no-host', '--nanobot-version', '0.3.0']).stdout));
    const quoted = report.findings.find((f) => f.pointer === '/channels/discord/allowFrom/1');
    expect(quoted?.message).toContain('"[redacted]"');
    expect(JSON.stringify(report)).not.toContain(token);
    const fixed = await fix({ configs: [file], noHost: true, nanobotVersion: '0.3.0', env, runtime: 'host', dryRun: true });
    expect(fixed).toEqual(
      JSON.parse(harden(['fix', '--dry-run', '-c', file, '--format', 'json', '--no-host', '--nanobot-version', '0.3.0', '--runtime', 'host']).stdout),
    );
    expect(fixed.results[0]!.remaining.find((f) => f.pointer === '/channels/discord/allowFrom/1')?.message).toContain('"[redacted]"');
    expect(JSON.stringify(fixed)).not.toContain(token);
  });

  it('says where nanobot runs unless noHost, resolves configs against cwd, takes a baseline', async () => {
    const { dir } = await copyFixture('audit/hand-edited-traps.json');
    const report = await audit({ configs: ['.nanobot/config.json'], cwd: dir, nanobotVersion: '0.3.0', env: { ...env, HOME: dir } });
    expect(report.files).toEqual([join(dir, '.nanobot', 'config.json')]);
    expect(report.runs).toHaveLength(1);
    const saved = join(dir, 'baseline.json');
    await writeFile(saved, JSON.stringify(report));
    const again = await audit({ configs: ['~/.nanobot/config.json'], nanobotVersion: '0.3.0', env: { ...env, HOME: dir }, baseline: saved, cwd: dir });
    expect(again.summary.known).toBe(again.findings.length);
    expect(again.summary.failed).toBe(false);
  });

  it('throws harden errors for input it cannot use; lists a bad config among several', async () => {
    const missing = await rejection(audit({ configs: ['/nonexistent/config.json'], noHost: true }));
    expect(missing).toBeInstanceOf(ConfigAccessError);
    expect(missing).toBeInstanceOf(HardenError);
    expect([isHardenError(missing), (missing as HardenError).exitCode]).toEqual([true, 2]);
    const { file } = await writeConfig('{ "gateway": { "host": "0.0.0.0", } }');
    const syntax = await rejection(audit({ configs: [file], noHost: true }));
    expect(syntax).toBeInstanceOf(ConfigSyntaxError);
    expect((syntax as ConfigSyntaxError).line).toBe(1);
    const several = await audit({ configs: [file, (await copyFixture('audit/hand-edited-traps.json')).file], noHost: true, nanobotVersion: '0.3.0', env });
    expect(several.errors).toEqual([{ file, message: expect.stringContaining(file) }]);
    expect(several.files).toHaveLength(1);
    for (const bad of [
      {},
      { configs: [] },
      { configs: [''] },
      { configs: 'config.json' },
      { configs: [file], profile: 'nope' },
      { configs: [file], failOn: 'severe' },
      { configs: [file], nanobotVersion: '' },
      { configs: [file], waivers: '' },
      { configs: [file], compose: [3] },
    ]) {
      const error = await rejection(audit(bad as never));
      expect(error, JSON.stringify(bad)).toBeInstanceOf(UsageError);
    }
    expect(await rejection(audit(null as never))).toBeInstanceOf(UsageError);
  });
});

describe('fix()', () => {
  it('returns what `harden fix --dry-run --format json` prints, redacted, and writes nothing', async () => {
    const { file } = await copyFixture(SECRETS);
    const before = await readFile(file, 'utf8');
    const options = { configs: [file], noHost: true, nanobotVersion: '0.3.0', env, runtime: 'host', dryRun: true, secretsToEnv: true } as const;
    const report = await fix(options);
    const cli = harden([
      'fix',
      '--dry-run',
      '-c',
      file,
      '--format',
      'json',
      '--no-host',
      '--nanobot-version',
      '0.3.0',
      '--runtime',
      'host',
      '--secrets-to-env',
    ]);
    expect(report).toEqual(JSON.parse(cli.stdout));
    expect(validateFixReport(report), JSON.stringify(validateFixReport.errors)).toBe(true);
    expect(report.dryRun).toBe(true);
    expect(report.results[0]!.changed).toBe(true);
    expect(report.results[0]!.envFile?.added.length).toBeGreaterThan(3);
    const text = JSON.stringify(report);
    for (const s of await secretsOf(SECRETS)) expect(text, `leaked ${s}`).not.toContain(s);
    expect(text).toContain('[redacted]');
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('applies the fixes with the answers given, backs up, and keeps the backups asked for', async () => {
    const { file } = await copyFixture('fix/crlf-tabs.json');
    const report = await fix({
      configs: [file],
      noHost: true,
      nanobotVersion: '0.3.0',
      env,
      runtime: 'host',
      allowFrom: { telegram: ['123456789'] },
      groupAllowFrom: {},
      keepBackups: 2,
      failOn: 'critical',
    });
    const [result] = report.results;
    expect(result!.changed).toBe(true);
    expect(result!.backup).toMatch(/\.harden\/backups\//);
    expect(await readFile(file, 'utf8')).toContain('"allowFrom": ["123456789"]');
    expect(report.failed).toBe(false);
    const again = await fix({ configs: [file], noHost: true, nanobotVersion: '0.3.0', env, runtime: 'host', allowFrom: { telegram: ['123456789'] } });
    expect(again.results[0]!.changed).toBe(false);
  });

  it('secretsToEnv takes a path, relative to cwd', async () => {
    const { dir, file } = await copyFixture(SECRETS);
    const report = await fix({ configs: [file], noHost: true, nanobotVersion: '0.3.0', env, runtime: 'host', dryRun: true, secretsToEnv: 'bot.env', cwd: dir });
    expect(report.results[0]!.envFile?.path).toBe(join(dir, 'bot.env'));
  });

  it('throws a UsageError for options harden cannot use, before touching anything', async () => {
    const { file } = await copyFixture('fix/crlf-tabs.json');
    const before = await readFile(file, 'utf8');
    for (const bad of [
      { keepBackups: 0 },
      { keepBackups: 1.5 },
      { runtime: 'vm' },
      { allowFrom: { telegram: 123 } },
      { allowFrom: ['telegram'] },
      { allowFrom: { telegram: [42] } },
      { allowFrom: { telegram: ['not an id!'] } },
      { allowFrom: { telegarm: ['123456789'] } },
      { acceptRisk: ['no-such-rule'] },
      { secretsToEnv: '' },
      { secretsToEnv: 1 },
    ]) {
      const error = await rejection(fix({ configs: [file], noHost: true, nanobotVersion: '0.3.0', env, ...bad } as never));
      expect(error, JSON.stringify(bad)).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(2);
    }
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});

describe('the package', () => {
  it('exports the API from package.json, typed, and the schemas', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown>; types: string; main: string };
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect([pkg.main, pkg.types]).toEqual(['./dist/index.js', './dist/index.d.ts']);
    expect(pkg.exports['./schemas/*']).toBe('./schemas/*');
  });
});
