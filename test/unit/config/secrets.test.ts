// Redaction by JSON node: the config text as a diff shows it, the secret set the redactor
// searches for (decoded and as written), values in messages, and variables.
import { describe, expect, it } from 'vitest';
import { parseJsonTree } from '../../../src/config/json-tree.js';
import { redactConfigText, redactValue, redactor, secretsInEnv, secretsInTree, secretsInVariable, secretValuesOf } from '../../../src/config/secrets.js';

const tree = (text: string) => parseJsonTree(text, [])!;
const lines = (text: string) => text.split('\n').length;

describe('redactConfigText', () => {
  it('hides a secret field however its value is spelled, and leaves every other byte', () => {
    const text = [
      '{',
      '  "providers": {',
      '    "openrouter": { "apiKey": "sk-or-v1-LEAK\\u0043ANARY", "apiBase": "https:\\/\\/llm.example\\/v1" },',
      '    "groq": { "api_key": "gsk_\\/CANARY" }',
      '  },',
      '  "gateway": { "host": "0.0.0.0" }',
      '}',
      '',
    ].join('\n');
    const shown = redactConfigText(text);
    expect(shown).not.toMatch(/CANARY|u0043/);
    expect(shown).toContain('"apiKey": "[redacted]"');
    expect(shown).toContain('"api_key": "[redacted]"');
    // A value without a credential keeps its own spelling, escapes included.
    expect(shown).toContain('"apiBase": "https:\\/\\/llm.example\\/v1"');
    expect(shown.replace('"[redacted]"', '"sk-or-v1-LEAK\\u0043ANARY"').replace('"[redacted]"', '"gsk_\\/CANARY"')).toBe(text);
  });

  it('hides only the credential inside other values, on the same lines', () => {
    const text = `{
\t"providers": { "custom": { "apiBase": "https://svc:CANARY-base@llm.example/v1" } },
\t"tools": {
\t\t"mcp_servers": {
\t\t\t"gh": { "command": "npx", "args": ["-y", "server", "--api-key", "CANARY-arg", "--token=CANARY-eq"], "env": { "GITHUB_TOKEN": "CANARY-env" } },
\t\t\t"crm": { "url": "https://crm.example/mcp?region=eu&api_key=CANARY-query", "headers": { "Authorization": "Bearer CANARY-header" } },
\t\t\t"gh": { "env": { "GITHUB_TOKEN": "CANARY-dup" } }
\t\t}
\t}
}\r\n`;
    const shown = redactConfigText(text);
    expect(shown).not.toContain('CANARY');
    expect(lines(shown)).toBe(lines(text));
    expect(shown).toContain('"apiBase": "https://[redacted]@llm.example/v1"');
    expect(shown).toContain('"args": ["-y", "server", "--api-key", "[redacted]", "--token=[redacted]"]');
    expect(shown).toContain('"url": "https://crm.example/mcp?region=eu&api_key=[redacted]"');
    expect(shown).toContain('"Authorization": "[redacted]"');
    expect(shown.match(/"GITHUB_TOKEN": "\[redacted\]"/g)).toHaveLength(2);
    expect(shown.endsWith('}\r\n')).toBe(true);
  });

  it('leaves references, empty values and ordinary strings as they are', () => {
    const text =
      '{"channels": {"telegram": {"token": "${TELEGRAM_TOKEN}", "allowFrom": ["123456789", "alice@example.com"]}, "slack": {"botToken": ""}}, "agents": {"defaults": {"model": "anthropic/claude"}}}';
    expect(redactConfigText(text)).toBe(text);
  });

  it('hides every string of a text that is not JSON', () => {
    const shown = redactConfigText('{"apiKey": "CANARY-broken", ');
    expect(shown).not.toContain('CANARY');
  });
});

describe('secretsInTree', () => {
  it('knows the raw spelling of an escaped value next to the decoded one', () => {
    const text = '{"providers": {"openrouter": {"apiKey": "sk-or-v1-LEAK\\u0043ANARY"}}}';
    const found = secretsInTree(tree(text), text);
    expect(found).toContain('sk-or-v1-LEAKCANARY');
    expect(found).toContain('sk-or-v1-LEAK\\u0043ANARY');
  });

  it('knows each credential inside a value, decoded and as written', () => {
    const text =
      '{"providers": {"x": {"apiBase": "https://svc:P\\u0041SS-CANARY@llm.example/v1?key=Q\\/CANARY"}}, "tools": {"mcpServers": {"a": {"args": ["--token", "ARG-CANARY"]}}}}';
    const found = secretsInTree(tree(text), text);
    expect(found).toEqual(expect.arrayContaining(['svc:PASS-CANARY', 'svc:P\\u0041SS-CANARY', 'Q/CANARY', 'Q\\/CANARY', 'ARG-CANARY']));
    // Nothing that is not a credential.
    expect(found.some((s) => s.includes('llm.example'))).toBe(false);
  });

  it('without the text, only decoded values', () => {
    const text = '{"api": {"apiKey": "K\\u0045Y-CANARY"}}';
    expect(secretsInTree(tree(text))).toEqual(['KEY-CANARY']);
  });
});

describe('redactor', () => {
  it('finds a secret as each output escapes it', () => {
    const secret = 'p"a\\s<s>&CANARY';
    const redact = redactor([secret]);
    const json = JSON.stringify({ message: `value ${JSON.stringify(secret)}` });
    const xml = `<failure message="${secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}"/>`;
    for (const out of [secret, JSON.stringify(secret), json, xml]) {
      expect(redact(out)).not.toContain('CANARY');
      expect(redact(out)).toContain('[redacted]');
    }
  });
});

describe('redactValue', () => {
  it('hides secret fields whole and credentials by shape, at any depth', () => {
    const value = {
      telegram: { token: 'CANARY-t', allowFrom: ['123'] },
      mcp_servers: { a: { args: ['--api-key', 'CANARY-a'], url: 'https://u:CANARY-u@x.example' } },
    };
    const shown = redactValue(['channels'], value);
    expect(JSON.stringify(shown)).not.toContain('CANARY');
    expect(shown).toEqual({
      telegram: { token: '[redacted]', allowFrom: ['123'] },
      mcp_servers: { a: { args: ['--api-key', '[redacted]'], url: 'https://[redacted]@x.example' } },
    });
  });
});

describe('secretsInVariable', () => {
  it('a NANOBOT_* variable by the field it addresses', () => {
    expect(secretsInVariable('NANOBOT_PROVIDERS__OPENAI__API_KEY', 'CANARY-1')).toEqual(['CANARY-1']);
    expect(secretsInVariable('NANOBOT_CHANNELS__WEBSOCKET__WEBSOCKET_REQUIRES_TOKEN', 'true')).toEqual([]);
    expect(secretsInVariable('NANOBOT_GATEWAY__HOST', '0.0.0.0')).toEqual([]);
  });

  it('a JSON section given whole', () => {
    expect(secretsInVariable('NANOBOT_TOOLS', '{"mcpServers": {"gh": {"env": {"GITHUB_TOKEN": "CANARY-2"}, "args": ["--api-key", "CANARY-3"]}}}')).toEqual([
      'CANARY-2',
      'CANARY-3',
    ]);
  });

  it('other variables by name, by reference from the config, and by shape', () => {
    expect(secretsInVariable('GITHUB_PAT', 'CANARY-4')).toEqual(['CANARY-4']);
    expect(secretsInVariable('MAX_TOKENS', '4096')).toEqual([]);
    expect(secretsInVariable('HTTPS_PROXY', 'http://u:CANARY-5@proxy:3128')).toEqual(['u:CANARY-5']);
    expect(secretValuesOf([{ name: 'MY_VALUE', value: 'CANARY-6' }], '{"api": {"apiKey": "${MY_VALUE}"}}')).toEqual(['CANARY-6']);
  });
});

describe('redactor, for secrets of any length and number', () => {
  it('hides a secret far longer than a regular expression may be, and many secrets at once', () => {
    // The shape that overflowed one pattern of every secret: JSON given whole in a NANOBOT_* variable.
    const long = `${'{"a":'.repeat(2_000)}"CANARY"${'}'.repeat(2_000)}`;
    const many = Array.from({ length: 5_000 }, (_, i) => `token-${i}-CANARY`);
    const redact = redactor([...secretsInEnv({ NANOBOT_TOOLS: long }), ...many]);
    const out = redact(`x ${long} y ${JSON.stringify(long).slice(1, -1)} z ${many[4_321]} w`);
    expect(out).not.toContain('CANARY');
    expect(out.startsWith('x [redacted] y ')).toBe(true);
    expect(out.endsWith(' z [redacted] w')).toBe(true);
  });
});
