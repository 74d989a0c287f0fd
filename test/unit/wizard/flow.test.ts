// The wizard's flow, driven through a scripted PromptAdapter on real files.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWizard } from '../../../src/wizard/run.js';
import type { FixOptions } from '../../../src/fix/index.js';
import { fix } from '../../../src/fix/index.js';
import { PromptCancelledError } from '../../../src/errors.js';
import { copyFixture } from '../../helpers/fixtures.js';
import { ScriptedPrompts } from '../../helpers/scripted-prompts.js';
import { fixOptions } from '../../helpers/audit.js';

const options = (file: string, extra: Partial<FixOptions> = {}): FixOptions => fixOptions(file, extra);

function io(out: string[]) {
  return { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) }, stdinIsTTY: true, env: {}, cwd: '/' };
}

describe('the wizard', () => {
  it('offers to move plaintext secrets to an env file, and does it', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json');
    const prompts = new ScriptedPrompts([
      { select: 'none' },
      { select: false },
      { confirm: true, match: /Move the secrets to the env file\?/ },
      { confirm: true },
    ]);
    await runWizard(options(file), { io: io([]), color: false, failOn: 'low', prompts });
    prompts.done();
    expect(prompts.said.join('\n')).toMatch(/holds 1 secret in plain text \(channels\.telegram\.token\)/);
    expect(prompts.said.join('\n')).toMatch(/gets: TELEGRAM_TOKEN/);
    expect(prompts.said.join('\n')).not.toContain('FAKE-crlf-telegram-token');
    expect(await readFile(file, 'utf8')).toContain('"token": "${TELEGRAM_TOKEN}"');
    expect(await readFile(join(dir, '.nanobot', 'nanobot.env'), 'utf8')).toContain('TELEGRAM_TOKEN=123456:FAKE-crlf-telegram-token');
  });

  it('says what an empty answer leaves open, and ends with every finding still open and why it exits 1', async () => {
    const { file } = await copyFixture('fix/crlf-tabs.json', { mode: 0o644 });
    const prompts = new ScriptedPrompts([
      { select: 'all', match: /can be fixed without asking you anything/ },
      { select: true, match: /Remove "\*" from channels\.telegram\.allowFrom/ },
      { input: '', match: /Telegram accounts that may talk to the bot/ },
      { confirm: false, match: /Move the secrets to the env file\?/ },
      { confirm: true, match: /Write these changes\?/ },
    ]);
    const code = await runWizard(options(file), { io: io([]), color: false, failOn: 'low', prompts });
    prompts.done();
    expect(code).toBe(1);
    const said = prompts.said.join('\n');
    expect(said).toMatch(/no accounts given: channels\.telegram\.allowFrom stays as it is \(allow-from-wildcard remains open\)/);
    expect(said).toMatch(/Still open \(\d+\):\n {2}HIGH allow-from-wildcard \(line \d+\): /);
    expect(said).toMatch(/harden fix exits 1: \d+ of them (is|are) at or above --fail-on low\./);
    expect(await readFile(file, 'utf8')).toContain('["*"]');
  });

  it('applies all fixes, asks for Telegram IDs, shows the diff, confirms, writes with a backup', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json', { mode: 0o644 });
    const prompts = new ScriptedPrompts([
      { select: 'all', match: /can be fixed without asking you anything/ },
      { select: true, match: /Remove "\*" from channels\.telegram\.allowFrom/ },
      { input: '123456789, @alice_bot', match: /Telegram accounts that may talk to the bot \(a numeric Telegram user ID/ },
      { confirm: false, match: /Move the secrets to the env file\?/ },
      { confirm: true, match: /Write these changes\? A backup is made first/ },
    ]);
    const out: string[] = [];
    const code = await runWizard(options(file), { io: io(out), color: false, failOn: 'low', prompts });
    prompts.done();
    expect(code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('"allowFrom": ["123456789", "alice_bot"]');
    expect(text).toContain('"restrictToWorkspace": true');
    const said = prompts.said.join('\n');
    expect(said).toMatch(/where to find it: message @userinfobot/);
    expect(said).toMatch(/note: @alice_bot is a username: it can be changed or taken over/);
    expect(said).toMatch(/^-\t\t"host": "0\.0\.0\.0",$/m);
    expect(said).toMatch(/mode of .*config\.json: 644 -> 600/);
    expect(said).toMatch(/Backup: .*\.bak\nUndo with: harden restore --config /);
    expect(said).toMatch(/close the gateway port in your firewall/);
    expect(said).not.toContain('FAKE-crlf-telegram-token');
    expect(await readdir(join(dir, '.nanobot', '.harden', 'backups'))).toHaveLength(1);
  });

  it('produces the same file as --yes with the same answers', async () => {
    const a = await copyFixture('audit/current-v0.3-insecure.json');
    const b = await copyFixture('audit/current-v0.3-insecure.json');
    const prompts = new ScriptedPrompts([
      { select: 'all' },
      { input: '', match: /^Feishu accounts/ },
      { input: 'U0123456', match: /^Mattermost accounts/ },
      { input: '', match: /^Mattermost channels/ },
      { input: 'U0ABCDEF', match: /^Slack accounts/ },
      { input: '', match: /^Slack channels/ },
      { select: true, match: /Remove "\*" from channels\.telegram/ },
      { input: '123456789', match: /^Telegram accounts/ },
      { confirm: false, match: /Move the secrets/ },
      { confirm: true },
    ]);
    await runWizard(options(a.file), { io: io([]), color: false, failOn: 'low', prompts });
    prompts.done();
    await fix(options(b.file, { answers: { allowFrom: { mattermost: ['U0123456'], slack: ['U0ABCDEF'], telegram: ['123456789'] } } }));
    expect(await readFile(a.file, 'utf8')).toBe(await readFile(b.file, 'utf8'));
  });

  it('one by one: skip and explain', async () => {
    const { file } = await copyFixture('fix/crlf-tabs.json');
    const original = await readFile(file, 'utf8');
    const prompts = new ScriptedPrompts([
      { select: 'each' },
      { select: 'explain', match: /gateway\.host is "0\.0\.0\.0"/ },
      { select: 'skip', match: /gateway\.host/ },
      { select: 'apply', match: /restrictToWorkspace/ },
      { select: 'skip', match: /timeout/ },
      { select: false, match: /Remove "\*"/ },
      { confirm: false, match: /Move the secrets/ },
      { confirm: true },
    ]);
    await runWizard(options(file), { io: io([]), color: false, failOn: 'low', prompts });
    prompts.done();
    expect(prompts.said.join('\n')).toMatch(/Gateway listens beyond this machine\. The hardening guide binds/);
    expect(await readFile(file, 'utf8')).toBe(original.replace('"restrictToWorkspace": false', '"restrictToWorkspace": true'));
  });

  it('waive: asks for a reason and an end date and records the waiver beside the config', async () => {
    const { dir, file } = await copyFixture('fix/crlf-tabs.json');
    const prompts = new ScriptedPrompts([
      { select: 'each' },
      { select: 'waive', match: /gateway\.host/ },
      { input: 'behind the VPN', match: /Why is this risk acceptable/ },
      { input: '2999-12-31', match: /Until when\?/ },
      { select: 'apply', match: /restrictToWorkspace/ },
      { select: 'skip', match: /timeout/ },
      { select: false, match: /Remove "\*"/ },
      { confirm: false, match: /Move the secrets/ },
      { confirm: true, match: /Write these changes/ },
    ]);
    await runWizard(options(file), { io: io([]), color: false, failOn: 'low', prompts });
    prompts.done();
    const waivers = JSON.parse(await readFile(join(dir, '.nanobot', '.harden.json'), 'utf8')) as { waivers: unknown[] };
    expect(waivers.waivers).toEqual([{ ruleId: 'gateway-host-loopback', pointer: '/gateway/host', reason: 'behind the VPN', expires: '2999-12-31' }]);
    expect(await readFile(file, 'utf8')).toContain('"host": "0.0.0.0"');
    // A later fix --yes leaves the waived setting alone.
    const [later] = await fix(options(file, { dryRun: true }));
    expect(later!.applied.map((p) => p.pointer)).not.toContain('/gateway/host');
    const { audit } = await import('../../../src/audit/index.js');
    const report = await audit({ configs: [file], profile: 'baseline', noHost: true, nanobotVersion: '0.3.0', env: {} });
    expect(report.findings.find((f) => f.ruleId === 'gateway-host-loopback')?.waived).toEqual({ reason: 'behind the VPN', expires: '2999-12-31' });
  });

  it('declining the final confirm writes nothing', async () => {
    const { file } = await copyFixture('fix/crlf-tabs.json');
    const original = await readFile(file, 'utf8');
    const prompts = new ScriptedPrompts([{ select: 'all' }, { select: false }, { confirm: false, match: /Move the secrets/ }, { confirm: false }]);
    await runWizard(options(file), { io: io([]), color: false, failOn: 'low', prompts });
    expect(prompts.said.join('\n')).toContain('Nothing was written.');
    expect(await readFile(file, 'utf8')).toBe(original);
  });

  it('a cancel at any prompt writes nothing', async () => {
    const { file } = await copyFixture('fix/crlf-tabs.json');
    const original = await readFile(file, 'utf8');
    const prompts = new ScriptedPrompts([{ select: 'all' }, { cancel: true }]);
    await expect(runWizard(options(file), { io: io([]), color: false, failOn: 'low', prompts })).rejects.toBeInstanceOf(PromptCancelledError);
    expect(await readFile(file, 'utf8')).toBe(original);
  });

  it('asks before a change the lockout guard holds back', async () => {
    const { file } = await copyFixture('fix/crlf-tabs.json');
    const prompts = new ScriptedPrompts([
      { select: 'all' },
      { select: false },
      { confirm: false, match: /Move the secrets/ },
      {
        confirm: false,
        match:
          /One of the fixes you chose \(gateway-host-loopback\) is held back: gateway\.host: nanobot runs in a container \(--runtime container\), where it must listen on 0\.0\.0\.0/,
      },
      { confirm: true },
    ]);
    await runWizard(options(file, { runtime: 'container' }), { io: io([]), color: false, failOn: 'low', prompts });
    prompts.done();
    expect(await readFile(file, 'utf8')).toContain('"host": "0.0.0.0"');
  });

  it('rejects an ID in the wrong format at the prompt', async () => {
    const { file } = await copyFixture('fix/crlf-tabs.json');
    const prompts = new ScriptedPrompts([{ select: 'none' }, { select: true }, { input: '*' }]);
    await expect(runWizard(options(file), { io: io([]), color: false, failOn: 'low', prompts })).rejects.toThrow(/"\*" lets everyone in/);
  });

  it('the preview hides a key written with JSON escapes and credentials inside other values', async () => {
    const { file } = await copyFixture('secrets/escaped-and-shaped.json', { mode: 0o644 });
    const prompts = new ScriptedPrompts([
      { select: 'all', match: /can be fixed without asking you anything/ },
      { select: true, match: /Remove "\*" from channels\.telegram\.allowFrom/ },
      { input: '123456789', match: /^Telegram accounts/ },
      { confirm: false, match: /Move the secrets to the env file\?/ },
      { confirm: false, match: /Write these changes\?/ },
    ]);
    const out: string[] = [];
    await runWizard(options(file), { io: io(out), color: false, failOn: 'low', prompts });
    prompts.done();
    const screens = [...prompts.asked, ...prompts.said, ...out].join('\n');
    expect(screens).not.toMatch(/CANARY|LEAK/);
    // The preview did show the lines that hold them.
    const preview = prompts.said.find((t) => t.includes('The changes to'));
    expect(preview).toContain('"openrouter": { "apiKey": "[redacted]", "apiBase": "https://[redacted]@llm.example/v1" }');
    expect(preview).toContain('"--api-key", "[redacted]", "--token=[redacted]"');
    expect(preview).toContain('api_key=[redacted]');
    expect(preview).toMatch(/^\+ +"telegram": \{ "enabled": true, "token": "\[redacted\]", "allowFrom": \["123456789"\] \}$/m);
  });
});
