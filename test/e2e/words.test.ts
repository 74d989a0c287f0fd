// What harden says must be so: nothing given on the command line is dropped in silence, help says
// nothing meaningless, and a copy that was never built says what to run.
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harden } from '../helpers/cli.js';
import { copyFixture, ROOT, tempDir } from '../helpers/fixtures.js';

const BASE = ['--nanobot-version', '0.3.0', '--no-host', '--runtime', 'host'];

describe('nothing given is ignored in silence', () => {
  it('a misspelt channel in --allow-from or an answers file is exit 2 with the channel it most likely meant', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json');
    const typo = harden(['fix', '--dry-run', '-c', file, '--allow-from', 'telegrm=123', ...BASE]);
    expect([typo.code, typo.stderr]).toEqual([
      2,
      'harden: --allow-from: telegrm is not a nanobot channel, and no config here has a channels.telegrm section (did you mean telegram?)\n',
    ]);
    const short = harden(['fix', '--dry-run', '-c', file, '--allow-from', 'tg=123', ...BASE]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/tg is not a nanobot channel.*\(the channels are telegram, whatsapp, /);
    const answers = join(dir, 'answers.json');
    await writeFile(answers, JSON.stringify({ allowFrom: { telegarm: ['123'] } }));
    const file2 = harden(['fix', '--dry-run', '-c', file, '--answers', answers, ...BASE]);
    expect([file2.code, file2.stderr]).toEqual([
      2,
      `harden: --answers ${answers}: telegarm is not a nanobot channel, and no config here has a channels.telegarm section (did you mean telegram?)\n`,
    ]);
  });

  it('--accept-risk that names no rule is exit 2, with the rule it most likely meant', async () => {
    const { file } = await copyFixture('fix/crlf-tabs.json');
    const r = harden(['fix', '--dry-run', '-c', file, '--accept-risk', 'gateway', ...BASE]);
    expect([r.code, r.stderr]).toEqual([2, 'harden: --accept-risk "gateway": no such rule (did you mean gateway-host-loopback?)\n']);
  });

  it('a waiver that expires on a day that does not exist is exit 2 with its place', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json');
    const waivers = join(dir, 'waivers.json');
    await writeFile(waivers, JSON.stringify({ waivers: [{ ruleId: 'gateway-host-loopback', reason: 'VPN only', expires: '2027-02-30' }] }));
    const r = harden(['audit', '-c', file, '--waivers', waivers, ...BASE.slice(0, 3)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/waivers\.json:1:\d+: "expires" must be a date that exists, written as an ISO date such as 2027-03-31 \("2027-02-30" is not\)/);
  });
});

describe('help', () => {
  it('shows no "(default: [])" for repeatable options', () => {
    for (const command of ['audit', 'fix', 'restore', 'docker']) {
      const r = harden([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('(default: [])');
    }
  });
});

describe('a copy that was never built', () => {
  it('says to build it instead of printing a stack trace', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'harden'));
    await cp(join(ROOT, 'bin'), join(dir, 'harden', 'bin'), { recursive: true });
    await cp(join(ROOT, 'package.json'), join(dir, 'harden', 'package.json'));
    const r = spawnSync(process.execPath, [join(dir, 'harden', 'bin', 'harden.js'), 'audit'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('harden: this copy of harden is not built (dist/ is missing): run `npm ci && npm run build` in its directory first\n');
  });
});

describe('which nanobot the findings assume', () => {
  it('says why a version is assumed: not looked up, not on PATH, or a nanobot whose version cannot be read', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json');
    const bin = join(dir, 'bin');
    await mkdir(bin);
    // A nanobot that answers --version with nothing usable and has no package metadata beside it.
    await writeFile(join(bin, 'nanobot'), '#!/bin/sh\necho "nanobot"\n', { mode: 0o755 });
    const path = `${bin}:/usr/bin:/bin`;
    const noHost = harden(['audit', '-c', file, '--no-host'], { env: { PATH: path } });
    expect(noHost.stdout).toMatch(/nanobot [\d.]+ assumed \(the installed version was not looked up under --no-host;/);
    const unreadable = harden(['audit', '-c', file], { env: { PATH: path } });
    expect(unreadable.stdout).toMatch(/nanobot [\d.]+ assumed \(a nanobot is on PATH, but its version could not be read;/);
    const none = harden(['audit', '-c', file]);
    expect(none.stdout).toMatch(/nanobot [\d.]+ assumed \(no nanobot on PATH;/);
    const json = JSON.parse(harden(['audit', '-c', file, '--no-host', '--format', 'json']).stdout) as { nanobot: { source: string; assumedWhy: string } };
    expect(json.nanobot).toMatchObject({ source: 'assumed', assumedWhy: 'not-looked-up' });
  });
});

describe('every change the diff shows has a reason', () => {
  it('writing the old place of restrictToWorkspace for an unknown version says why', async () => {
    const dir = await tempDir();
    const file = join(dir, 'config.json');
    await writeFile(file, '{"tools": {"restrictToWorkspace": false}}');
    const r = harden(['fix', '--dry-run', '-c', file, '--no-host', '--runtime', 'host']);
    expect(r.stdout).toContain('+{"tools": {"restrictToWorkspace": true, "exec": {"restrictToWorkspace": true}}}');
    expect(r.stdout).toMatch(
      /note: tools\.exec\.restrictToWorkspace is set beside tools\.restrictToWorkspace because the installed nanobot version is not known/,
    );
    const known = harden(['fix', '--dry-run', '-c', file, '--no-host', '--runtime', 'host', '--nanobot-version', '0.3.0']);
    expect(known.stdout).not.toContain('"exec"');
    expect(known.stdout).not.toMatch(/note: tools\.exec/);
  });
});
