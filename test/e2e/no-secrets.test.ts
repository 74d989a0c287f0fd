// One config full of distinctive fake secrets through every output path: audit text and JSON at
// both profiles, fix --dry-run, fix --yes (text and JSON, with and without --secrets-to-env),
// restore --list, the journal, the wizard's screens and error messages. None may come out.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWizard } from '../../src/wizard/run.js';
import { copyFixture, tempDir, writeConfig } from '../helpers/fixtures.js';
import { harden } from '../helpers/cli.js';

const FIXTURE = 'secrets/full-of-secrets.json';
const BASE = ['--nanobot-version', '0.3.0', '--runtime', 'host']; // for fix

async function secrets(): Promise<string[]> {
  const text = await readFile(join(__dirname, '..', 'fixtures', FIXTURE), 'utf8');
  const found = [...text.matchAll(/"([^"]*SECRET[^"]*)"/g)].map((m) => m[1]!);
  expect(found.length).toBeGreaterThanOrEqual(18);
  // The password inside the proxy URL on its own, too.
  return [...found, 'SECRET-proxy-pass-k1l2', 'SECRET-env-only-z9'];
}

function expectClean(output: string, list: readonly string[]): void {
  for (const s of list) expect(output, `leaked ${s}`).not.toContain(s);
  expect(output).not.toMatch(/SECRET-/);
}

describe('no secret in any output', () => {
  it('audit, fix, restore and the journal', async () => {
    const list = await secrets();
    const { dir, file } = await copyFixture(FIXTURE, { mode: 0o644 });
    const unit = join(dir, 'nanobot.service');
    await writeFile(
      unit,
      '[Service]\nExecStart=/usr/bin/nanobot gateway\nEnvironment=NANOBOT_PROVIDERS__OPENAI__API_KEY=SECRET-env-only-z9 NANOBOT_API__API_KEY=SECRET-env-only-z9\n',
    );
    const env = { NANOBOT_PROVIDERS__ANTHROPIC__API_KEY: 'SECRET-env-only-z9' };
    const outputs: string[] = [];
    const run = (args: string[]) => {
      const r = harden(args, { env });
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    for (const profile of ['baseline', 'strict']) {
      for (const format of ['text', 'json', 'sarif', 'junit'])
        run(['audit', '-c', file, '--unit', unit, '--profile', profile, '--format', format, '--nanobot-version', '0.3.0']);
    }
    run(['fix', '--dry-run', '-c', file, '--unit', unit, ...BASE]);
    run(['fix', '--dry-run', '--secrets-to-env', '-c', file, '--format', 'json', ...BASE]);
    expect(run(['fix', '--yes', '-c', file, '--allow-from', 'telegram=123456789', ...BASE]).code).not.toBe(2);
    run(['fix', '--yes', '--secrets-to-env', '-c', file, '--format', 'json', ...BASE]);
    run(['restore', '--list', '-c', file]);
    run(['restore', '2', '-c', file]);
    run(['audit', '-c', file, '--profile', 'strict', '--nanobot-version', '0.3.0']);
    outputs.push(await readFile(join(dir, '.nanobot', '.harden', 'journal.jsonl'), 'utf8'));
    expectClean(outputs.join('\n'), list);
    expect(outputs.join('\n')).toContain('[redacted]'); // the diffs did show those lines
  });

  it('error messages', async () => {
    const list = await secrets();
    const text = await readFile(join(__dirname, '..', 'fixtures', FIXTURE), 'utf8');
    const broken = [
      text.replace('"gateway": { "host": "0.0.0.0" },', '"gateway": { "host": "0.0.0.0", },'),
      text.replace('"providers": {', '"$schema": "SECRET-schema-key",\n  "providers": {'),
      text.replace('"restrictToWorkspace": false', '"restrictToWorkspace": "SECRET-not-a-bool"'),
      text.replace('"sk-or-v1-SECRET-openrouter-a1b2c3"', '"sk-or-v1-SECRET-openrouter-a1b2c3'),
    ];
    const outputs: string[] = [];
    for (const [i, t] of broken.entries()) {
      const { file } = await writeConfig(t);
      // An unknown top-level key and a string where a boolean belongs are what fix corrects (it
      // removes the key, writes the hardened value), and the diff shows neither old value.
      const fixed = i === 1 || i === 2;
      for (const cmd of [['audit'], ['fix', '--dry-run', '--runtime', 'host'], ['fix', '--yes', '--runtime', 'host']]) {
        const r = harden([...cmd, '-c', file, '--nanobot-version', '0.3.0']);
        expect(r.code, r.stderr).toBe(fixed && cmd[0] === 'fix' ? 1 : 2);
        outputs.push(r.stdout, r.stderr);
      }
    }
    const dir = await tempDir();
    await writeFile(join(dir, 'answers.json'), '{"allowFrom": {"telegram": ["not-an-id!"]}}');
    const { file } = await copyFixture(FIXTURE);
    const bad = harden(['fix', '--yes', '-c', file, '--answers', join(dir, 'answers.json'), ...BASE]);
    expect(bad.code).toBe(2);
    outputs.push(bad.stdout, bad.stderr);
    expectClean(outputs.join('\n'), [...list, 'SECRET-schema-key', 'SECRET-not-a-bool']);
  });

  it("the wizard's screens", async () => {
    const list = await secrets();
    const { file } = await copyFixture(FIXTURE, { mode: 0o644 });
    // Answer whatever comes: apply each fix, skip channels, accept the secrets move.
    const answering = {
      asked: [] as string[],
      said: [] as string[],
      async select<T>(message: string, choices: readonly { value: T }[]): Promise<T> {
        this.asked.push(message);
        const wanted = choices.find((c) => c.value === ('apply' as unknown)) ?? choices.find((c) => c.value === ('each' as unknown)) ?? choices[0]!;
        return wanted.value;
      },
      async confirm(message: string) {
        this.asked.push(message);
        return true;
      },
      async input(message: string) {
        this.asked.push(message);
        return '';
      },
      say(text: string) {
        this.said.push(text);
      },
    };
    const out: string[] = [];
    await runWizard(
      {
        configs: [file],
        profile: 'strict',
        noHost: false,
        nanobotVersion: '0.3.0',
        env: {},
        dryRun: false,
        answers: {},
        acceptRisk: [],
        runtime: 'host',
        keepBackups: 5,
      },
      {
        io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) }, stdinIsTTY: true, env: {}, cwd: '/' },
        color: false,
        failOn: 'low',
        prompts: answering,
      },
    );
    const all = [...answering.asked, ...answering.said, ...out].join('\n');
    expect(all).toMatch(/Move the secrets/);
    expectClean(all, list);
  });

  // Every secret here holds CANARY decoded; the one written with \u0043 holds LEAK as written.
  const SHAPED = 'secrets/escaped-and-shaped.json';
  const LEAKED = /CANARY|LEAK/;

  it('a key written with JSON escapes, and credentials inside other values, in fix diffs and reports', async () => {
    const raw = await readFile(join(__dirname, '..', 'fixtures', SHAPED), 'utf8');
    expect(raw).toContain('"sk-or-v1-LEAK\\u0043ANARY-or"');
    const args = ['-c', '', '--allow-from', 'telegram=123456789', ...BASE];
    const withFile = (file: string, ...first: string[]) => [...first, ...args.map((a) => (a === '' ? file : a))];

    const dry = await copyFixture(SHAPED, { mode: 0o644 });
    const dryText = harden(withFile(dry.file, 'fix', '--dry-run'));
    const dryJson = harden(withFile(dry.file, 'fix', '--dry-run', '--format', 'json'));
    const yes = await copyFixture(SHAPED, { mode: 0o644 });
    const yesText = harden(withFile(yes.file, 'fix', '--yes'));
    const yesJson = await copyFixture(SHAPED, { mode: 0o644 });
    const yesJsonRun = harden(withFile(yesJson.file, 'fix', '--yes', '--format', 'json'));
    for (const r of [dryText, dryJson, yesText, yesJsonRun]) {
      expect(r.stderr).toBe('');
      expect(r.stdout).not.toMatch(LEAKED);
    }
    // The diffs did show those lines, with each secret in its place.
    for (const r of [dryText, yesText]) {
      expect(r.stdout).toContain('"openrouter": { "apiKey": "[redacted]", "apiBase": "https://[redacted]@llm.example/v1" }');
      expect(r.stdout).toContain('"args": ["-y", "@gh/server", "--api-key", "[redacted]", "--token=[redacted]", "-e", "GITHUB_PAT=[redacted]"]');
      expect(r.stdout).toContain('"url": "https://crm.example/mcp?region=eu&api_key=[redacted]"');
      expect(r.stdout).toMatch(/^\+ +"telegram": \{ "enabled": true, "token": "\[redacted\]", "allowFrom": \["123456789"\] \}$/m);
    }
    // The fix did its work: the secrets are still in the file, unchanged.
    expect(await readFile(yes.file, 'utf8')).toContain('"sk-or-v1-LEAK\\u0043ANARY-or"');
    expect(JSON.parse(dryJson.stdout).results[0].changed).toBe(true);
    expect(JSON.parse(yesJsonRun.stdout).results[0].changed).toBe(true);
  });

  it('secrets in a compose file: its diff, its findings, its report', async () => {
    const { dir, file } = await copyFixture(SHAPED, { mode: 0o600 });
    const compose = join(dir, 'compose.yml');
    // privileged: true above the credentials, so that the minimal diff shows them as context too.
    await writeFile(
      compose,
      (await readFile(join(__dirname, '..', 'fixtures', 'compose', 'secrets-in-environment.yml'), 'utf8')).replace(
        '    environment:\n      - OPENROUTER',
        '    privileged: true\n    environment:\n      - OPENROUTER',
      ),
    );
    const outputs: string[] = [];
    const run = (args: string[]) => {
      const r = harden([...args, '-c', file, '--compose', compose, '--nanobot-version', '0.3.0']);
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    for (const format of ['text', 'json', 'sarif', 'junit']) run(['audit', '--profile', 'strict', '--format', format]);
    const dry = run(['fix', '--dry-run', '--runtime', 'host']);
    run(['fix', '--dry-run', '--runtime', 'host', '--format', 'json']);
    run(['fix', '--yes', '--runtime', 'host', '--allow-from', 'telegram=123456789']);
    expect(outputs.join('\n')).not.toMatch(LEAKED);
    expect(dry.stdout).toContain('- OPENROUTER_API_KEY=[redacted]');
    expect(dry.stdout).toContain('- "GITHUB_PAT=[redacted]"');
    expect(dry.stdout).toContain('basicauth.users: "[redacted]"');
    expect(dry.stdout).toMatch(/^\+ +- "127\.0\.0\.1:18790:18790"$/m);
    expect(await readFile(compose, 'utf8')).toContain('CANARY-cmd-key');
  });
});
