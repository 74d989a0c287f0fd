// Variables that decide settings, found where services get them: real unit files, compose files
// and env files in temp directories.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit, type AuditOptions } from '../../../src/audit/index.js';
import { readCompose } from '../../../src/host/compose-env.js';
import { readUnit, splitEnvironment } from '../../../src/host/env-sources.js';
import { fix } from '../../../src/fix/index.js';
import { tempDir, writeConfig } from '../../helpers/fixtures.js';

const MINIMAL = JSON.stringify({ tools: { restrictToWorkspace: true, exec: { timeout: 30 } }, gateway: { port: 18790 } }, null, 2) + '\n';

const run = (file: string, extra: Partial<AuditOptions> = {}) =>
  audit({ configs: [file], profile: 'baseline', noHost: false, nanobotVersion: '0.3.0', env: { HOME: '/nonexistent' }, ...extra });

describe('systemd units', () => {
  it('splits Environment= as systemd does (quotes anywhere in a word, C escapes)', () => {
    expect(splitEnvironment('A=1 "B=two words" \'C=3\' D="4" E=a\\tb')).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'two words' },
      { name: 'C', value: '3' },
      { name: 'D', value: '4' },
      { name: 'E', value: 'a\tb' },
    ]);
    // systemd.exec(5)'s own example.
    expect(splitEnvironment('"VAR1=word1 word2" VAR2=word3 "VAR3=$word 5 6"')).toEqual([
      { name: 'VAR1', value: 'word1 word2' },
      { name: 'VAR2', value: 'word3' },
      { name: 'VAR3', value: '$word 5 6' },
    ]);
  });

  it('reads a quoted value of ten million characters and 50,000 continued lines', async () => {
    const long = 'x'.repeat(10_000_000);
    expect(splitEnvironment(`"A=${long}" B=1`)).toEqual([
      { name: 'A', value: long },
      { name: 'B', value: '1' },
    ]);
    // An unclosed quote makes the assignment invalid, and systemd ignores the line (systemd.exec).
    expect(splitEnvironment(`"A=${long} B=1`)).toEqual([]);
    const dir = await tempDir();
    const unit = join(dir, 'nanobot.service');
    await writeFile(
      unit,
      `[Service]\nEnvironment=A=1 \\\n${Array.from({ length: 50_000 }, (_, i) => `B${i}=x`).join(' \\\n')}\nExecStart=/usr/bin/nanobot gateway\n`,
    );
    const source = readUnit(unit, join(dir, 'config.json'));
    expect(source?.vars).toHaveLength(50_001);
    expect(source?.vars[50_000]).toMatchObject({ name: 'B49999', value: 'x', line: 2 });
  });

  it('a variable in a unit that starts nanobot weakens a setting the file leaves out: finding at its line', async () => {
    const { file } = await writeConfig(MINIMAL);
    const dir = await tempDir();
    const unit = join(dir, 'nanobot.service');
    await writeFile(
      unit,
      `[Unit]\nDescription=nanobot\n\n[Service]\nUser=nanobot\nExecStart=/usr/local/bin/nanobot gateway --config ${file}\nEnvironment=PYTHONUNBUFFERED=1 NANOBOT_GATEWAY__HOST=0.0.0.0\nEnvironmentFile=-${join(dir, 'bot.env')}\n`,
    );
    await writeFile(join(dir, 'bot.env'), '# tokens\nNANOBOT_TOOLS__EXEC__TIMEOUT=0\n');
    const result = await run(file, { units: [unit] });
    const found = result.findings.filter((f) => f.ruleId === 'env-override').map((f) => [f.file, f.line, f.source.name, f.severity, f.pointer]);
    expect(found).toEqual([[unit, 7, 'NANOBOT_GATEWAY__HOST', 'medium', '/gateway/host']]);
    const shadowed = result.findings.filter((f) => f.ruleId === 'env-override-shadowed').map((f) => [f.file, f.line, f.severity]);
    expect(shadowed).toEqual([[join(dir, 'bot.env'), 2, 'info']]);
  });

  it('a whole section given as JSON is never quoted (it may carry a token)', async () => {
    const { file } = await writeConfig(JSON.stringify({ gateway: { host: '127.0.0.1' } }));
    const dir = await tempDir();
    const unit = join(dir, 'nanobot.service');
    await writeFile(
      unit,
      `[Service]\nExecStart=/usr/bin/nanobot gateway\nEnvironment='NANOBOT_TOOLS={"restrictToWorkspace": false, "web": {"search": {"apiKey": "SECRET-in-json-9"}}}'\n`,
    );
    const result = await run(file, { units: [unit] });
    const override = result.findings.find((f) => f.ruleId === 'env-override');
    expect(override?.message).toMatch(/^NANOBOT_TOOLS=\(a JSON section\) /);
    expect(JSON.stringify(result.findings)).not.toContain('SECRET-in-json-9');
  });

  it('an env file a unit needs but harden cannot read is named, not silently skipped', async () => {
    const { file } = await writeConfig(MINIMAL);
    const dir = await tempDir();
    const unit = join(dir, 'nanobot.service');
    await writeFile(
      unit,
      `[Service]\nExecStart=/usr/bin/nanobot gateway\nEnvironmentFile=${join(dir, 'missing.env')}\nEnvironmentFile=-${join(dir, 'optional.env')}\n`,
    );
    const notes = (await run(file, { units: [unit] })).findings.filter((f) => f.ruleId === 'not-checked' && f.message.includes('environment file'));
    expect(notes.map((f) => f.message)).toEqual([
      `the environment file ${join(dir, 'missing.env')} (named by nanobot.service) not checked: it cannot be read, so the variables it sets are unknown`,
    ]);
  });

  it('a unit for another config does not count', async () => {
    const { file } = await writeConfig(MINIMAL);
    const dir = await tempDir();
    const unit = join(dir, 'other.service');
    await writeFile(unit, '[Service]\nExecStart=/usr/bin/nanobot gateway --config /srv/other/config.json\nEnvironment=NANOBOT_GATEWAY__HOST=0.0.0.0\n');
    expect(readUnit(unit, file)).toBeUndefined();
    expect((await run(file, { units: [unit] })).findings.map((f) => f.ruleId).filter((id) => id.startsWith('env-'))).toEqual([]);
  });

  it('finds user units under $HOME/.config/systemd/user', async () => {
    const { file } = await writeConfig(MINIMAL);
    const home = await tempDir();
    await mkdir(join(home, '.config', 'systemd', 'user'), { recursive: true });
    await writeFile(
      join(home, '.config', 'systemd', 'user', 'nanobot-gateway.service'),
      `[Service]\nExecStart=%h/.local/bin/nanobot gateway\nEnvironment=NANOBOT_GATEWAY__HOST=0.0.0.0\n`,
    );
    const result = await run(file, { env: { HOME: home } });
    expect(result.findings.map((f) => f.ruleId).filter((id) => id.startsWith('env-'))).toEqual(['env-override']);
  });
});

describe('compose files', () => {
  it('reads environment (map and list), env_file, and ${VAR} from the .env beside it, with lines', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '.env'), 'BIND=0.0.0.0\n');
    await writeFile(join(dir, 'nanobot.env'), 'NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE=false\n');
    const compose = join(dir, 'docker-compose.yml');
    await writeFile(
      compose,
      [
        'services:',
        '  nanobot:',
        '    image: hkuds/nanobot:latest',
        '    env_file: nanobot.env',
        '    environment:',
        '      # the gateway',
        '      NANOBOT_GATEWAY__HOST: ${BIND}',
        '  db:',
        '    image: postgres',
        '    environment:',
        '      - POSTGRES_PASSWORD=x',
        '',
      ].join('\n'),
    );
    const [source, ...rest] = readCompose(compose, {});
    expect(rest).toEqual([]);
    expect(source!.vars.map((v) => [v.name, v.value, v.line])).toEqual([
      ['NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE', 'false', 1],
      ['NANOBOT_GATEWAY__HOST', '0.0.0.0', 7],
    ]);
    const { file } = await writeConfig(JSON.stringify({ tools: { exec: { timeout: 30 } } }));
    const result = await run(file, { compose: [compose] });
    expect(result.findings.filter((f) => f.ruleId === 'env-override').map((f) => [f.source.name, f.file, f.line])).toEqual([
      ['NANOBOT_GATEWAY__HOST', compose, 7],
      ['NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE', join(dir, 'nanobot.env'), 1],
    ]);
  });
});

describe('${NAME} references', () => {
  it('are fine when the env file beside the config sets them, info when set nowhere harden can see', async () => {
    const { file } = await writeConfig(
      JSON.stringify(
        {
          tools: { restrictToWorkspace: true, exec: { timeout: 30 } },
          providers: { openrouter: { apiKey: '${OPENROUTER_API_KEY}' }, groq: { apiKey: '${GROQ_API_KEY}' } },
        },
        null,
        2,
      ),
    );
    await writeFile(join(file, '..', 'nanobot.env'), 'OPENROUTER_API_KEY=sk-or-FAKE\n');
    const result = await run(file);
    const refs = result.findings.filter((f) => f.ruleId.startsWith('env-'));
    expect(refs.map((f) => [f.ruleId, f.severity, f.pointer])).toEqual([['env-reference-unset', 'info', '/providers/groq/apiKey']]);
    expect(refs[0]!.message).toContain('${GROQ_API_KEY}');
  });
});

describe('the fix pins the value in the file', () => {
  it('writes gateway.host into the config and says to remove the variable', async () => {
    const { file } = await writeConfig(MINIMAL);
    const dir = await tempDir();
    const unit = join(dir, 'nanobot.service');
    await writeFile(unit, `[Service]\nExecStart=/usr/bin/nanobot gateway\nEnvironment=NANOBOT_GATEWAY__HOST=0.0.0.0\n`);
    const [result] = await fix({
      configs: [file],
      profile: 'baseline',
      noHost: false,
      nanobotVersion: '0.3.0',
      env: {},
      units: [unit],
      dryRun: false,
      answers: {},
      acceptRisk: [],
      runtime: 'host',
      keepBackups: 5,
    });
    expect(result!.applied.map((p) => [p.pointer, p.op === 'set' ? p.after : null])).toEqual([['/gateway/host', '127.0.0.1']]);
    expect(result!.skipped.map((s) => s.message).filter((m) => m.includes('NANOBOT_'))).toEqual([
      `remove NANOBOT_GATEWAY__HOST from ${unit}:3; with the value in the config it no longer decides anything`,
    ]);
    expect(result!.remaining.map((f) => f.ruleId).filter((id) => id.startsWith('env-'))).toEqual(['env-override-shadowed']);
  });
});
