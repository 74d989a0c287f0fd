// The built CLI, run as a subprocess on real files in temp directories.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateReport } from '../helpers/schemas.js';
import { copyFixture, FIXTURES, tempDir, writeConfig } from '../helpers/fixtures.js';
import { harden } from '../helpers/cli.js';

interface JsonReport {
  findings: { ruleId: string; severity: string; line?: number; pointer?: string; source: { kind: string; name?: string } }[];
  summary: { total: number; failed: boolean; bySeverity: Record<string, number> };
  nanobot: { version: string; source: string; release?: string; outside?: string };
}

function auditJson(file: string, extra: string[] = [], env: Record<string, string> = {}): { code: number; report: JsonReport; raw: string } {
  const r = harden(['audit', '--config', file, '--format', 'json', '--nanobot-version', '0.3.0', ...extra], { env });
  expect(r.stderr).toBe('');
  const report = JSON.parse(r.stdout) as JsonReport;
  expect(validateReport(report), JSON.stringify(validateReport.errors)).toBe(true);
  return { code: r.code, report, raw: r.stdout };
}

describe('harden audit: exit codes and reports', () => {
  it("reports only the lockouts of its placeholders on the hardening guide's own example: nothing above low", async () => {
    const { file } = await copyFixture('audit/guide-hardened.json');
    const { code, report } = auditJson(file);
    expect(code).toBe(1);
    expect(report.findings.filter((f) => f.severity !== 'info' && f.severity !== 'low')).toEqual([]);
    // Its placeholders never match (a Discord name, a WhatsApp "+" number), and each is its list's
    // only entry: no one can use those channels, which is low; the placeholder beside a real ID is info.
    expect(report.findings.filter((f) => f.ruleId !== 'not-checked').map((f) => `${f.ruleId}@${f.pointer}:${f.severity}`)).toEqual([
      'allow-from-never-matches@/channels/discord/allowFrom/0:low',
      'allow-from-never-matches@/channels/whatsapp/allowFrom/0:low',
    ]);
    // With its IDs filled in, the guide's example is clean.
    const filled = await copyFixture('audit/guide-hardened-ids.json');
    const clean = auditJson(filled.file);
    expect(clean.code).toBe(0);
    expect(clean.report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('reports each problem of an insecure config at its line, exit 1, valid JSON', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const { code, report } = auditJson(file);
    expect(code).toBe(1);
    const at = report.findings.map((f) => `${f.ruleId}@${f.line}`);
    expect(at).toEqual(
      expect.arrayContaining([
        'duplicate-key@18',
        'gateway-host-loopback@20',
        'restrict-to-workspace@22',
        'unknown-key@23',
        'old-place-ignored@25',
        'allow-from-never-matches@39',
        'dm-policy-open@51',
      ]),
    );
  });

  it('--fail-on decides the exit code', async () => {
    const { file } = await copyFixture('audit/guide-hardened.json');
    expect(harden(['audit', '-c', file, '--fail-on', 'info', '--nanobot-version', '0.3.0']).code).toBe(1);
    const { file: insecure } = await copyFixture('audit/current-v0.3-insecure.json');
    expect(harden(['audit', '-c', insecure, '--fail-on', 'critical', '--nanobot-version', '0.3.0']).code).toBe(0);
    expect(harden(['audit', '-c', insecure, '--fail-on', 'high', '--nanobot-version', '0.3.0']).code).toBe(1);
  });

  it('the text report groups by severity with file:line:column, without colour under NO_COLOR', async () => {
    const { dir, file } = await copyFixture('audit/hand-edited-traps.json');
    const r = harden(['audit', '-c', file, '--nanobot-version', '0.3.0'], { cwd: dir, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('HIGH (');
    expect(r.stdout).toMatch(/^ {2}\.nanobot\/config\.json:22:3 {2}restrict-to-workspace$/m);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    const colored = harden(['audit', '-c', file, '--nanobot-version', '0.3.0'], { env: { FORCE_COLOR: '1', NO_COLOR: '' } });
    expect(colored.stdout).toMatch(/\u001b\[/);
  });

  it('says which nanobot version the findings assume', async () => {
    const { file } = await copyFixture('audit/v0.1.4-insecure.json');
    const r = harden(['audit', '-c', file, '--no-host']);
    expect(r.stdout).toMatch(/nanobot 0\.3\.0 assumed/);
    const old = auditJson(file, ['--nanobot-version', '0.1.4', '--no-host']);
    expect(old.report.nanobot).toEqual({ version: '0.1.4', source: 'flag', release: '0.1.4' });
    // A version between releases is read with the facts of the newest release at or below it; one
    // past them all, with the newest there are, and the report says so.
    expect(auditJson(file, ['--nanobot-version', '0.2.1.post1', '--no-host']).report.nanobot).toEqual({
      version: '0.2.1.post1',
      source: 'flag',
      release: '0.2.1',
    });
    const future = harden(['audit', '-c', file, '--no-host', '--nanobot-version', '0.4.0']);
    expect(future.stdout).toMatch(/nanobot 0\.4\.0 \(from --nanobot-version; newer than every release harden knows, checked as 0\.3\.0\+main\.[0-9a-f]+\)/);
    const telegram = old.report.findings.find((f) => f.ruleId === 'allow-from-empty' && f.pointer === '/channels/telegram/allowFrom');
    expect(telegram?.severity).toBe('critical'); // 0.1.4: an empty list lets everyone in
  });

  it('names the environment variable a weak value comes from', async () => {
    const { file } = await writeConfig(JSON.stringify({ gateway: { port: 18790 }, tools: { restrictToWorkspace: true } }));
    const { report } = auditJson(file, [], { NANOBOT_GATEWAY__HOST: '0.0.0.0' });
    const finding = report.findings.find((f) => f.ruleId === 'gateway-host-loopback');
    expect(finding?.source).toEqual({ kind: 'env', name: 'NANOBOT_GATEWAY__HOST' });
    expect(finding?.pointer).toBe('/gateway/host');
  });

  it('a "__proto__" section cannot hide a setting nanobot does not have', async () => {
    const { file } = await writeConfig('{"tools": {"__proto__": {"restrictToWorkspace": true}}, "gateway": {"host": "127.0.0.1"}}\n');
    const { report } = auditJson(file, []);
    expect(report.findings.map((f) => f.ruleId)).toContain('restrict-to-workspace');
  });

  it("reads nanobot's default location under $HOME when no --config is given", async () => {
    const { dir } = await copyFixture('audit/guide-hardened-ids.json');
    const r = harden(['audit', '--nanobot-version', '0.3.0'], { env: { HOME: dir } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(join(dir, '.nanobot', 'config.json'));
  });

  it('audits several files in one run, grouped with one exit code', async () => {
    const { file: a } = await copyFixture('audit/guide-hardened.json');
    const { file: b } = await copyFixture('audit/hand-edited-traps.json');
    const { code, report } = auditJson(a, ['--config', b]);
    expect(code).toBe(1);
    expect(new Set(report.findings.map((f) => (f as { file?: string }).file))).toEqual(new Set([a, b]));
  });
});

describe('harden audit: unusable input is one sentence and exit 2', () => {
  const expectOneSentence = (r: { code: number; stdout: string; stderr: string }, pattern: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };

  it.each([
    ['a comment', '{\n  "tools": {} // note\n}\n', /config\.json:2:15: not valid JSON: a comment/],
    ['a trailing comma', '{\n  "gateway": {"host": "127.0.0.1",}\n}\n', /config\.json:2:34: not valid JSON: a trailing comma/],
    ['a BOM', '\uFEFF{}', /config\.json:1:1: the file starts with a byte-order mark/],
    ['an array root', '[]', /config\.json:1:1: the top level is an array/],
    [
      'an unknown top-level key',
      '{\n  "$schema": "x",\n  "tools": {}\n}',
      /config\.json:2:3: the top-level key "\$schema" is not a section nanobot knows: nanobot 0\.3\.0 refuses to start \(0\.3\.0 nanobot\/config\/loader\.py:\d+\)$/m,
    ],
    [
      'a value nanobot rejects',
      '{"tools": {"restrictToWorkspace": "enabled"}}',
      /config\.json:1:12: tools\.restrictToWorkspace is a string, but nanobot needs true or false: nanobot 0\.3\.0 refuses to start/,
    ],
  ])('%s', async (_name, text, pattern) => {
    const { file } = await writeConfig(text);
    expectOneSentence(harden(['audit', '-c', file, '--nanobot-version', '0.3.0']), pattern);
  });

  it('a missing file', async () => {
    const dir = await tempDir();
    expectOneSentence(harden(['audit', '-c', join(dir, 'nope.json')]), /^harden: no config file at .*nope\.json$/m);
  });

  it('a directory', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'config.json'));
    expectOneSentence(
      harden(['audit', '-c', join(dir, 'config.json')]),
      /no config file in the directory .*config\.json \(harden looks for config\.json in it and in each of its subdirectories\)/,
    );
  });

  // Root reads any file whatever its mode, so this one needs an ordinary user (CI runs as root).
  it.skipIf(process.getuid?.() === 0)('an unreadable file', async () => {
    const { file } = await writeConfig('{}', { mode: 0o000 });
    expectOneSentence(harden(['audit', '-c', file]), /cannot read .*config\.json: permission denied/);
  });

  it('a bad flag value', () => {
    const r = harden(['audit', '--profile', 'paranoid']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/argument 'paranoid' is invalid/);
  });

  it('a bad --nanobot-version', async () => {
    const { file } = await copyFixture('audit/guide-hardened.json');
    expectOneSentence(harden(['audit', '-c', file, '--nanobot-version', 'latest']), /--nanobot-version "latest" is not a nanobot version/);
  });
});

describe('harden audit: no secret in any output', () => {
  // Every fake credential in the fixtures, found without the tool's own secret map.
  async function fixtureSecrets(name: string): Promise<string[]> {
    const text = await readFile(join(FIXTURES, name), 'utf8');
    const found: string[] = [];
    const visit = (v: unknown, key: string): void => {
      if (Array.isArray(v)) v.forEach((x) => visit(x, key));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, k);
      else if (typeof v === 'string' && /FAKE/.test(v) && /token|secret|password|key|authorization|app-code|proxy|GITHUB/i.test(key)) found.push(v);
    };
    visit(JSON.parse(text), '');
    return found;
  }

  it.each(['audit/current-v0.3-insecure.json', 'audit/v0.1.4-insecure.json', 'audit/hand-edited-traps.json', 'audit/guide-hardened.json'])(
    '%s',
    async (name) => {
      const secrets = await fixtureSecrets(name);
      if (name !== 'audit/guide-hardened.json') expect(secrets.length).toBeGreaterThan(2);
      const { file } = await copyFixture(name, { mode: 0o644 });
      const outputs: string[] = [];
      for (const profile of ['baseline', 'strict']) {
        for (const format of ['text', 'json']) {
          const r = harden(['audit', '-c', file, '--profile', profile, '--format', format, '--nanobot-version', '0.3.0']);
          outputs.push(r.stdout, r.stderr);
        }
      }
      const all = outputs.join('\n');
      expect(all).toContain('plaintext-secret');
      for (const secret of secrets) expect(all).not.toContain(secret);
      // The password part of a proxy URL is a secret too.
      expect(all).not.toContain('FAKE-proxy-pass');
    },
  );
});
