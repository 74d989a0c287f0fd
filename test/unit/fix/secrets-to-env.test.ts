import { describe, expect, it } from 'vitest';
import { appendEnv, envSafeValue, parseEnvFile } from '../../../src/config/envfile.js';
import { forbiddenName, nameFor, nanobotName } from '../../../src/fix/secrets-to-env.js';

describe('variable names', () => {
  it.each([
    [['channels', 'telegram', 'token'], 'TELEGRAM_TOKEN'],
    [['channels', 'email', 'smtpPassword'], 'EMAIL_SMTP_PASSWORD'],
    [['providers', 'openrouter', 'apiKey'], 'OPENROUTER_API_KEY'],
    [['providers', 'companyProxy', 'extraHeaders', 'Authorization'], 'COMPANY_PROXY_EXTRA_HEADERS_AUTHORIZATION'],
    [['api', 'apiKey'], 'NANOBOT_API_KEY'],
    [['tools', 'web', 'search', 'apiKey'], 'WEB_SEARCH_API_KEY'],
    [['tools', 'mcpServers', 'github', 'env', 'GITHUB_PERSONAL_ACCESS_TOKEN'], 'GITHUB_PERSONAL_ACCESS_TOKEN'],
    [['tools', 'mcpServers', 'crm', 'headers', 'Authorization'], 'MCP_CRM_HEADERS_AUTHORIZATION'],
    [['channels', 'feishu', 'instances', 'team', 'appSecret'], 'FEISHU_TEAM_APP_SECRET'],
  ])('%j -> %s', (path, name) => {
    expect(nameFor(path)).toBe(name);
  });

  it('never picks a name nanobot reads as a whole section, or the unprefixed MODEL_PRESETS', () => {
    for (const bad of ['NANOBOT_API', 'nanobot_tools', 'NANOBOT_MODEL_PRESETS', 'MODEL_PRESETS', 'MODELPRESETS', 'NANOBOT_GATEWAY__HOST'])
      expect(forbiddenName(bad), bad).toBe(true);
    for (const ok of ['NANOBOT_API_KEY', 'NANOBOT_TELEGRAM_TOKEN', 'TELEGRAM_TOKEN']) expect(forbiddenName(ok), ok).toBe(false);
  });

  it('old nanobot: NANOBOT_SECTION__FIELD', () => {
    expect(nanobotName(['providers', 'openrouter', 'apiKey'])).toBe('NANOBOT_PROVIDERS__OPENROUTER__API_KEY');
  });
});

describe('env files', () => {
  it('parses KEY=value with comments, export and quotes, keeping line numbers, as each reader does', () => {
    expect(parseEnvFile('# c\nA=1\n\nexport B="two"\nC = x y\n', 'compose')).toEqual([
      { name: 'A', value: '1', line: 2 },
      { name: 'B', value: 'two', line: 4 },
      { name: 'C', value: 'x y', line: 5 },
    ]);
    // systemd's EnvironmentFile= has no `export`: that line is an invalid name, ignored.
    expect(parseEnvFile('# c\nA=1\n\nexport B="two"\nC = x y\n', 'systemd').map((e) => e.name)).toEqual(['A', 'C']);
  });

  it('appends without touching what is there, keeping CRLF', () => {
    expect(appendEnv('A=1', [{ name: 'B', value: '2' }], 'added')).toBe('A=1\n# added\nB=2\n');
    expect(appendEnv('A=1\r\n', [{ name: 'B', value: '2' }], 'added')).toBe('A=1\r\n# added\r\nB=2\r\n');
  });

  it('only values both systemd and Docker read literally are safe', () => {
    expect(envSafeValue('sk-or-v1-abc')).toBe(true);
    for (const bad of ['', ' x', 'a"b', "a'b", 'a\\b', 'a\nb', '#x']) expect(envSafeValue(bad), bad).toBe(false);
  });
});

describe('secret values of variables read from units and env files', () => {
  it('by a name that says so, or a name the config references', async () => {
    const { secretValuesOf } = await import('../../../src/config/secrets.js');
    const vars = [
      { name: 'TELEGRAM_TOKEN', value: 'tg-1234' },
      { name: 'MY_CRED', value: 'cred-5678' },
      { name: 'PYTHONUNBUFFERED', value: '1' },
      { name: 'NANOBOT_GATEWAY__HOST', value: '0.0.0.0' },
    ];
    expect(secretValuesOf(vars, '{"providers": {"x": {"apiKey": "${MY_CRED}"}}}')).toEqual(['tg-1234', 'cred-5678']);
  });
});
