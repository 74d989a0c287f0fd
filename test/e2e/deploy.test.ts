// harden docker, harden systemd and harden incident print for the config's real paths.
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FIXTURES, copyFixture, tempDir } from '../helpers/fixtures.js';
import { harden } from '../helpers/cli.js';

describe('printed deployment', () => {
  it('harden systemd: a unit that runs harden audit before nanobot, sandboxed, writable only where nanobot writes', async () => {
    const { dir, file } = await copyFixture('audit/guide-hardened.json');
    await writeFile(join(dir, '.nanobot', 'nanobot.env'), 'TELEGRAM_TOKEN=x\n');
    const r = harden(['systemd', '--config', file, '--nanobot-version', '0.3.0'], { env: { HOME: dir } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ExecStartPre=.*harden\\.js audit --config ${file} --fail-on high`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^ExecStart=\\S+ gateway --config ${file}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^ReadWritePaths=${join(dir, '.nanobot')}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^EnvironmentFile=${join(dir, '.nanobot', 'nanobot.env')}$`, 'm'));
    for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=read-only', 'PrivateTmp=yes', 'RestrictNamespaces=yes'])
      expect(r.stdout).toContain(`\n${line}\n`);
    expect(r.stdout).toMatch(/^User=(?!root)\w+$/m);
  });

  it("harden docker: the current image's capabilities, loopback ports, the config read-only, the check first", async () => {
    const { dir, file } = await copyFixture('audit/current-v0.3-insecure.json');
    const r = harden(['docker', '--config', file, '--nanobot-version', '0.3.0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--cap-drop ALL --cap-add CHOWN --cap-add SETUID --cap-add SETGID');
    expect(r.stdout).toContain(`-v ${join(dir, '.nanobot')}:/home/nanobot/.nanobot \\`);
    expect(r.stdout).toContain(`-v ${file}:/home/nanobot/.nanobot/config.json:ro`);
    expect(r.stdout).toContain('-p 127.0.0.1:18790:18790');
    expect(r.stdout).toContain('-p 127.0.0.1:8765:8765'); // the WebUI is on in this config
    expect(r.stdout).toMatch(/audit --config .* --fail-on high --no-host\n\ndocker run/);
    expect(r.stdout.startsWith('#!/bin/sh\n')).toBe(true);
    expect(r.stdout).toMatch(/^set -e$/m);
    expect(r.stdout).not.toMatch(/FAKE/);
  });

  it('harden docker with the bwrap sandbox says what it costs', async () => {
    const { file } = await copyFixture('audit/guide-hardened.json');
    const text = JSON.parse(await readFile(file, 'utf8')) as { tools: { exec: Record<string, unknown> } };
    text.tools.exec['sandbox'] = 'bwrap';
    await writeFile(file, JSON.stringify(text));
    const r = harden(['docker', '--config', file, '--nanobot-version', '0.3.0']);
    expect(r.stdout).toMatch(/tools\.exec\.sandbox is bwrap: it needs SYS_ADMIN and unconfined profiles, at the cost of container isolation/);
    expect(r.stdout).toContain('--cap-add SYS_ADMIN --security-opt apparmor=unconfined --security-opt seccomp=unconfined');
  });

  it('harden incident: how to stop it, what to rotate (names, never values), where the logs are', async () => {
    const { file } = await copyFixture('audit/current-v0.3-insecure.json');
    const r = harden(['incident', '--config', file, '--nanobot-version', '0.3.0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1. Stop it now:');
    expect(r.stdout).toContain('   - channels.telegram.token: Telegram: @BotFather, /revoke, then the new token');
    expect(r.stdout).toContain('   - providers.openrouter.apiKey: OpenRouter: openrouter.ai, Settings > Keys');
    expect(r.stdout).toContain('pairing.json');
    expect(r.stdout).not.toMatch(/FAKE|sk-or-v1-F|gsk_F|xox[bp]-F|ghp_F/);
  });

  it('harden incident: the workspace step looks at one window and says so, or says the workspace is not there', async () => {
    const { dir, file } = await copyFixture('audit/guide-hardened.json');
    const none = harden(['incident', '--config', file, '--nanobot-version', '0.3.0'], { env: { HOME: dir } });
    expect(none.stdout).toMatch(/3\. Check the workspace, .*:\n {3}\(it does not exist here: /);
    expect(none.stdout).not.toMatch(/nothing changed/);
    const workspace = join(dir, 'ws');
    await mkdir(workspace);
    await writeFile(join(workspace, 'notes.txt'), 'x');
    const text = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...text, agents: { defaults: { workspace } } }));
    const some = harden(['incident', '--config', file, '--nanobot-version', '0.3.0'], { env: { HOME: dir } });
    const days = /changed in the last (\d+) days/.exec(some.stdout)?.[1];
    expect(days).toBeDefined();
    expect(some.stdout).toContain(`find ${workspace} -newermt '-${days} days' -type f`);
  });

  it('a config under a path with a space and a quote: one word for the shell, one value for yaml, one for systemd', async () => {
    const dir = join(await tempDir(), "Bob's bots", '.nanobot');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, 'config.json');
    await copyFile(join(FIXTURES, 'audit', 'guide-hardened.json'), file);
    await chmod(file, 0o600);
    const docker = harden(['docker', '--config', file, '--nanobot-version', '0.3.0']);
    expect(docker.code).toBe(0);
    expect(docker.stdout).toContain(`  -v "${dir}:/home/nanobot/.nanobot" \\\n`);
    const compose = harden(['docker', '--format', 'compose', '--config', file, '--nanobot-version', '0.3.0']);
    const service = (parse(compose.stdout) as { services: { nanobot: { volumes: string[] } } }).services.nanobot;
    expect(service.volumes.slice(0, 2)).toEqual([`${dir}:/home/nanobot/.nanobot`, `${file}:/home/nanobot/.nanobot/config.json:ro`]);
    const unit = harden(['systemd', '--config', file, '--nanobot-version', '0.3.0']);
    expect(unit.stdout).toMatch(new RegExp(`^ExecStart=\\S+ gateway --config "${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"$`, 'm'));
    expect(unit.stdout).toContain(`\nReadWritePaths="${dir}" `);
  });
});
