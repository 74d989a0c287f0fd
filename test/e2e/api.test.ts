// The programmatic API as a consumer gets it: the packed tarball installed with --omit=dev into an
// empty package, then require() from CommonJS, import from ESM, a TypeScript consumer type-checked
// against dist/index.d.ts alone, and the schemas imported. The API in process is test/unit/api.test.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Script } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/fixtures.js';

const EXAMPLE = join(ROOT, 'examples', 'insecure-config.json');
// Pasted into the allow list too, so that a finding quotes it: only the redaction keeps it out.
const TOKEN = 'FAKE.discord.bot.token.000000000000';

let consumer: string;

/** Node in the consumer's directory, with little of the test's environment. */
function node(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: consumer, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: consumer } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the example config in its own private directory; returns its path. */
async function exampleConfig(name: string, edit: (text: string) => string = (t) => t): Promise<string> {
  const dir = join(consumer, name);
  await mkdir(dir, { mode: 0o700 });
  const file = join(dir, 'config.json');
  await writeFile(file, edit(await readFile(EXAMPLE, 'utf8')), { mode: 0o600 });
  return file;
}

beforeAll(async () => {
  const work = await tempDir();
  // --ignore-scripts: the test run already built dist/, and rebuilding it here would race the other tests.
  execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const tarball = join(
    work,
    (await readdir(work)).find((n) => n.endsWith('.tgz'))!,
  );
  consumer = join(work, 'consumer');
  await mkdir(consumer);
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: consumer, stdio: 'pipe' });
}, 120_000);

describe('the API from an installed tarball', () => {
  it('installs nothing but nanobot-harden, and the harden command still runs from it', async () => {
    expect((await readdir(join(consumer, 'node_modules'))).filter((n) => !n.startsWith('.'))).toEqual(['nanobot-harden']);
    // No code cache: the last test checks that the library runs leave none in this HOME.
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: consumer, HARDEN_NO_COMPILE_CACHE: '1' };
    expect(execFileSync(join(consumer, 'node_modules', '.bin', 'harden'), ['--version'], { encoding: 'utf8', env }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(existsSync(join(consumer, 'node_modules', 'nanobot-harden', 'dist', 'index.d.ts'))).toBe(true);
  });

  it('require(): audits the example config, redacted; harden errors are the exported classes', async () => {
    const file = await exampleConfig('cjs', (t) => t.replace('"someusername"', JSON.stringify(TOKEN)));
    await writeFile(
      join(consumer, 'audit.cjs'),
      `const harden = require('nanobot-harden');
(async () => {
  const report = await harden.audit({ configs: [${JSON.stringify(file)}], noHost: true, nanobotVersion: '0.3.0' });
  let missing;
  try { await harden.audit({ configs: ['no-such-config.json'], noHost: true }); } catch (error) { missing = error; }
  console.log(JSON.stringify({ report, missing: { name: missing.constructor.name, access: missing instanceof harden.ConfigAccessError, harden: missing instanceof harden.HardenError, exitCode: missing.exitCode }, version: harden.version }));
})();
`,
    );
    const r = node(['audit.cjs']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const out = JSON.parse(r.stdout) as {
      report: { schemaVersion: number; nanobot: { version: string }; findings: { ruleId: string; message: string }[]; summary: { failed: boolean } };
      missing: unknown;
      version: string;
    };
    expect(out.report.schemaVersion).toBe(1);
    expect(out.report.nanobot.version).toBe('0.3.0');
    expect(out.report.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['allow-from-wildcard', 'allow-from-never-matches']));
    expect(out.report.summary.failed).toBe(true);
    expect(out.report.findings.some((f) => f.message.includes('"[redacted]"'))).toBe(true);
    // Not the pasted token, nor any other secret of the example (each has FAKE in it).
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stdout).not.toMatch(/FAKE/);
    expect(out.missing).toEqual({ name: 'ConfigAccessError', access: true, harden: true, exitCode: 2 });
    expect(out.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('import: a dry run writes nothing, a fix with allowFrom writes the config and a backup', async () => {
    const file = await exampleConfig('esm');
    const before = await readFile(file, 'utf8');
    await writeFile(
      join(consumer, 'fix.mjs'),
      `import { audit, fix } from 'nanobot-harden';
const options = { configs: [${JSON.stringify(file)}], noHost: true, nanobotVersion: '0.3.0', runtime: 'host', allowFrom: { telegram: ['123456789'] } };
const { readFileSync } = await import('node:fs');
const text = () => readFileSync(${JSON.stringify(file)}, 'utf8');
const before = text();
const dry = await fix({ ...options, dryRun: true });
const dryWroteNothing = text() === before;
const real = await fix(options);
const after = await audit(options);
console.log(JSON.stringify({ dry, dryWroteNothing, real, after }));
`,
    );
    const r = node(['fix.mjs']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const out = JSON.parse(r.stdout) as {
      dry: { dryRun: boolean; results: { changed: boolean; backup: string | null }[] };
      dryWroteNothing: boolean;
      real: { dryRun: boolean; results: { changed: boolean; backup: string | null; applied: { pointer: string }[] }[] };
      after: { findings: { ruleId: string }[] };
    };
    expect([out.dry.dryRun, out.dry.results[0]!.changed, out.dry.results[0]!.backup]).toEqual([true, true, null]);
    expect(out.dryWroteNothing).toBe(true);
    const [result] = out.real.results;
    expect([out.real.dryRun, result!.changed]).toEqual([false, true]);
    expect(result!.applied.map((p) => p.pointer)).toContain('/channels/telegram/allowFrom');
    const now = await readFile(file, 'utf8');
    expect(now).not.toBe(before);
    expect((JSON.parse(now) as { channels: { telegram: { allowFrom: string[] } } }).channels.telegram.allowFrom).toEqual(['123456789']);
    expect(result!.backup).toMatch(/[/]\.harden[/]backups[/]/);
    expect(await readFile(result!.backup!, 'utf8')).toBe(before);
    expect(out.after.findings.map((f) => f.ruleId)).not.toContain('allow-from-wildcard');
    expect(r.stdout).not.toMatch(/FAKE/);
  });

  it('TypeScript: a consumer type-checks against dist/index.d.ts alone (no @types/node), and a wrong option fails', async () => {
    const good = `import { audit, fix, HardenError, ConfigSyntaxError, type AuditReport, type FixReport, type Finding, type FixOptions } from 'nanobot-harden';
export async function run(file: string): Promise<number> {
  const report: AuditReport = await audit({ configs: [file], profile: 'strict', failOn: 'high', noHost: true, nanobotVersion: '0.3.0', env: { HOME: '/home/bot' } });
  const high: Finding[] = report.findings.filter((f) => f.severity === 'high' || f.severity === 'critical');
  const options: FixOptions = { configs: [file], dryRun: true, allowFrom: { telegram: ['123456789'] }, runtime: 'host', secretsToEnv: true };
  try {
    const fixed: FixReport = await fix(options);
    const backups: (string | null)[] = fixed.results.map((r) => r.backup);
    return high.length + backups.length + (report.summary.score ?? 0);
  } catch (error) {
    if (error instanceof ConfigSyntaxError) return error.line;
    if (error instanceof HardenError) return error.exitCode;
    throw error;
  }
}
`;
    await writeFile(join(consumer, 'good.mts'), good);
    await writeFile(join(consumer, 'good.cts'), good.replace('export async function run', 'export async function runFromCommonJs'));
    await writeFile(
      join(consumer, 'bad.mts'),
      `import { audit } from 'nanobot-harden';\nexport const report = audit({ configs: ['config.json'], profile: 'nope' });\n`,
    );
    await writeFile(
      join(consumer, 'bad-report.mts'),
      `import { audit } from 'nanobot-harden';\nexport const score: string = (await audit({ configs: ['config.json'] })).summary.score;\n`,
    );
    const tsc = (files: string[]) =>
      spawnSync(
        process.execPath,
        [
          join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
          '--noEmit',
          '--strict',
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          '--target',
          'es2022',
          ...files,
        ],
        { cwd: consumer, encoding: 'utf8' },
      );
    const ok = tsc(['good.mts', 'good.cts']);
    expect([ok.status, ok.stdout]).toEqual([0, '']);
    const bad = tsc(['bad.mts', 'bad-report.mts']);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/^bad\.mts\(2,\d+\): error TS2322: Type '"nope"' is not assignable to type 'Profile/m);
    expect(bad.stdout).toMatch(/^bad-report\.mts\(2,\d+\): error TS2322: Type 'number \| null' is not assignable to type 'string'/m);
    expect(
      bad.stdout
        .trim()
        .split('\n')
        .filter((l) => /error TS/.test(l)),
    ).toHaveLength(2);
  });

  it('the schemas: import with type json from ESM, require() from CommonJS', async () => {
    await writeFile(
      join(consumer, 'schemas.mjs'),
      "import report from 'nanobot-harden/schemas/report.schema.json' with { type: 'json' };\nimport fixReport from 'nanobot-harden/schemas/fix-report.schema.json' with { type: 'json' };\nconsole.log(report.title + ' / ' + fixReport.title);\n",
    );
    const esm = node(['schemas.mjs']);
    expect([esm.stdout, esm.code]).toEqual(['harden audit --format json / harden fix --format json\n', 0]);
    const cjs = node(['-e', "console.log(require('nanobot-harden/schemas/report.schema.json').$id)"]);
    expect([cjs.stdout.trim(), cjs.code]).toEqual(['https://nanobot-harden.invalid/schemas/report.schema.json', 0]);
  });

  // After the runs above (HOME is the consumer's directory): a library writes no code cache.
  it('keeps no code cache in its user home', () => {
    expect(existsSync(join(consumer, '.cache'))).toBe(false);
  });
});

// The CLI's start-up is the CLI's alone: no file the CLI's entry requires, directly or through
// another, is the API's entry (both are in dist/pack.js; shared code is in chunks).
it("harden never loads the API's entry", () => {
  const dist = join(ROOT, 'dist');
  const pack = new Script(readFileSync(join(dist, 'pack.js'), 'utf8')).runInThisContext() as Record<string, (...args: unknown[]) => unknown>;
  const text = (name: string) => (Object.hasOwn(pack, name) ? pack[name]!.toString() : readFileSync(join(dist, name), 'utf8'));
  const reached = new Set<string>();
  const visit = (name: string): void => {
    if (reached.has(name)) return;
    reached.add(name);
    for (const m of text(name).matchAll(/require\("(\.\.?\/[^"]+)"\)/g)) visit(posix.join(posix.dirname(name), m[1]!));
  };
  visit('cli.js');
  expect(reached.size).toBeGreaterThan(20);
  expect(reached.has('index.js')).toBe(false);
  expect(Object.hasOwn(pack, 'index.js')).toBe(true);
});

// The example the tests above use is the repository's own.
it('the example config holds the secrets the test looks for', async () => {
  const text = await readFile(EXAMPLE, 'utf8');
  expect(text).toContain(TOKEN);
  expect(text.match(/FAKE/g)!.length).toBeGreaterThan(15);
});
