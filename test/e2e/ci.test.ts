// What CI needs: waivers that accept a risk for a while, a baseline of known findings, a score.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateReport as validate } from '../helpers/schemas.js';
import { copyFixture } from '../helpers/fixtures.js';
import { harden } from '../helpers/cli.js';

interface Report {
  findings: { ruleId: string; pointer?: string; waived?: { reason: string; expires: string }; known?: boolean; message: string }[];
  summary: { failed: boolean; waived: number; known: number; score: number; scores: Record<string, number> };
}

function audit(args: string[]): { code: number; report: Report; stderr: string } {
  const r = harden(['audit', '--format', 'json', '--nanobot-version', '0.3.0', '--no-host', ...args]);
  const report = JSON.parse(r.stdout || '{}') as Report;
  if (r.stdout) expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  return { code: r.code, report, stderr: r.stderr };
}

const CONFIG = JSON.stringify({ tools: { restrictToWorkspace: true, exec: { timeout: 30 } }, gateway: { host: '0.0.0.0' } }, null, 2);

describe('waivers', () => {
  it('a waived finding stays in the report, marked, and does not count', async () => {
    const { dir, file } = await copyFixture('audit/guide-hardened.json');
    await writeFile(file, CONFIG);
    await writeFile(
      join(dir, '.nanobot', '.harden.json'),
      JSON.stringify({ waivers: [{ ruleId: 'gateway-host-loopback', pointer: '/gateway/host', reason: 'behind the VPN', expires: '2999-01-01' }] }),
    );
    const { code, report } = audit(['-c', file]);
    expect(code).toBe(0);
    expect(report.findings.find((f) => f.ruleId === 'gateway-host-loopback')?.waived).toEqual({ reason: 'behind the VPN', expires: '2999-01-01' });
    expect(report.summary.waived).toBe(1);
    const text = harden(['audit', '-c', file, '--nanobot-version', '0.3.0', '--no-host']).stdout;
    expect(text).toMatch(/gateway-host-loopback {2}\(waived until 2999-01-01: behind the VPN\)/);
  });

  it('fix --yes leaves a waived setting alone and does not fail on it', async () => {
    const { dir, file } = await copyFixture('audit/guide-hardened.json');
    await writeFile(file, CONFIG);
    await writeFile(
      join(dir, '.nanobot', '.harden.json'),
      JSON.stringify({ waivers: [{ ruleId: 'gateway-host-loopback', reason: 'behind the VPN', expires: '2999-01-01' }] }),
    );
    const r = harden(['fix', '--yes', '-c', file, '--format', 'json', '--nanobot-version', '0.3.0', '--no-host', '--runtime', 'host']);
    expect(r.code).toBe(0);
    const report = (JSON.parse(r.stdout) as { results: { changed: boolean; remaining: { ruleId: string; waived?: unknown }[] }[] }).results[0]!;
    expect(report.changed).toBe(false);
    expect(report.remaining.map((f) => [f.ruleId, f.waived !== undefined])).toEqual([['gateway-host-loopback', true]]);
  });

  it('an expired waiver stops working and says so; an unused one is reported', async () => {
    const { dir, file } = await copyFixture('audit/guide-hardened.json');
    await writeFile(file, CONFIG);
    const waivers = join(dir, 'team-waivers.json');
    await writeFile(
      waivers,
      JSON.stringify({
        waivers: [
          { ruleId: 'gateway-host-loopback', reason: 'was fine last year', expires: '2020-01-01' },
          { ruleId: 'exec-timeout', file: file, reason: 'long builds', expires: '2999-01-01' },
        ],
      }),
    );
    const { code, report } = audit(['-c', file, '--waivers', waivers]);
    expect(code).toBe(1);
    expect(report.findings.find((f) => f.ruleId === 'gateway-host-loopback')?.waived).toBeUndefined();
    expect(report.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['waiver-expired', 'waiver-unused']));
    expect(report.findings.find((f) => f.ruleId === 'waiver-expired')?.message).toMatch(/expired on 2020-01-01: its findings count again/);
  });

  it('a malformed waiver file is one sentence with its line, exit 2', async () => {
    const { dir, file } = await copyFixture('audit/guide-hardened.json');
    await writeFile(
      join(dir, '.nanobot', '.harden.json'),
      '{\n  "waivers": [\n    { "ruleId": "gateway-host-loopback", "reason": "x", "expires": "soon" }\n  ]\n}\n',
    );
    const { code, stderr } = audit(['-c', file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/\.harden\.json:3:\d+: "expires" must be a date that exists, written as an ISO date such as 2027-03-31 \("soon" is not\)/);
  });
});

describe('--baseline and the score', () => {
  it('fails only on findings that are not in a saved report', async () => {
    const { dir, file } = await copyFixture('audit/guide-hardened.json');
    await writeFile(file, CONFIG);
    const saved = harden(['audit', '-c', file, '--format', 'json', '--nanobot-version', '0.3.0', '--no-host']);
    expect(saved.code).toBe(1);
    const baseline = join(dir, 'baseline.json');
    await writeFile(baseline, saved.stdout);
    expect(audit(['-c', file, '--baseline', baseline]).code).toBe(0);
    await writeFile(file, JSON.stringify({ tools: { restrictToWorkspace: false, exec: { timeout: 30 } }, gateway: { host: '0.0.0.0' } }, null, 2));
    const { code, report } = audit(['-c', file, '--baseline', baseline]);
    expect(code).toBe(1);
    expect(report.findings.filter((f) => !f.known).map((f) => f.ruleId)).toEqual(['restrict-to-workspace']);
    expect(report.summary.known).toBe(1);
  });

  it('scores each config 0-100 by severity, in text and JSON', async () => {
    const { file } = await copyFixture('audit/guide-hardened.json');
    await writeFile(file, CONFIG);
    const { report } = audit(['-c', file]);
    expect(report.summary.score).toBe(96); // one medium finding
    expect(report.summary.scores).toEqual({ [file]: 96 });
    const insecure = await copyFixture('audit/current-v0.3-insecure.json');
    const both = audit(['-c', file, '-c', insecure.file]);
    expect(both.report.summary.scores[insecure.file]).toBeLessThan(50);
    expect(both.report.summary.score).toBe(Math.round((96 + both.report.summary.scores[insecure.file]!) / 2));
    expect(harden(['audit', '-c', file, '--nanobot-version', '0.3.0', '--no-host']).stdout).toContain('Hardening score: 96/100.');
  });
});
