// Credentials by the shape of a value: one table per shape, each case the string as a user writes
// it and the string as harden may show it.
import { describe, expect, it } from 'vitest';
import { credentialSpans, isCredentialFlag, isSecretName, redactArgs, redactShapes } from '../../../src/config/credentials.js';

const cases = (table: readonly (readonly [string, string])[]) =>
  it.each(table)('%s', (input, shown) => {
    expect(redactShapes(input)).toBe(shown);
    // What is hidden is exactly what the spans name.
    const hidden = credentialSpans(input).map((s) => input.slice(s.start, s.end));
    for (const part of hidden) expect(shown).not.toContain(part);
  });

describe('credential shapes', () => {
  describe('URL userinfo, anywhere in a string', () => {
    cases([
      ['https://user:CANARY-pw-1@llm.example/v1', 'https://[redacted]@llm.example/v1'],
      ['http://ghp_CANARYtoken@github.com/org/repo.git', 'http://[redacted]@github.com/org/repo.git'],
      ['postgres://app:p@ss@CANARY@db:5432/x', 'postgres://[redacted]@db:5432/x'],
      ['proxy is socks5://u:CANARY9@10.0.0.5:1080 today', 'proxy is socks5://[redacted]@10.0.0.5:1080 today'],
      ['https://llm.example/v1', 'https://llm.example/v1'],
      ['https://${USER}:${PASS}@llm.example', 'https://${USER}:${PASS}@llm.example'],
      ['alice@example.com', 'alice@example.com'],
      ['12345:6@s.whatsapp.net', '12345:6@s.whatsapp.net'],
    ]);
  });

  describe('credential query parameters', () => {
    cases([
      ['https://mcp.example/sse?api_key=CANARY-q1&region=eu', 'https://mcp.example/sse?api_key=[redacted]&region=eu'],
      ['https://mcp.example/sse?region=eu&token=CANARY-q2', 'https://mcp.example/sse?region=eu&token=[redacted]'],
      ['https://x.example/?apiKey=CANARY-q3', 'https://x.example/?apiKey=[redacted]'],
      ['https://x.example/?access_token=CANARY-q4#frag', 'https://x.example/?access_token=[redacted]#frag'],
      ['https://app.example/cb#access_token=CANARY-q5&state=1', 'https://app.example/cb#access_token=[redacted]&state=1'],
      ['https://blob.example/c?sv=2020&sig=CANARY%2Bq6', 'https://blob.example/c?sv=2020&sig=[redacted]'],
      ['https://x.example/?X-Amz-Credential=CANARY-q7&X-Amz-Signature=CANARY-q8', 'https://x.example/?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]'],
      ['https://x.example/?password=CANARY-q9', 'https://x.example/?password=[redacted]'],
      ['https://x.example/search?q=tokens&max_tokens=100', 'https://x.example/search?q=tokens&max_tokens=100'],
      ['https://x.example/?token=${MCP_TOKEN}', 'https://x.example/?token=${MCP_TOKEN}'],
    ]);
  });

  describe('a credential flag inside one string', () => {
    cases([
      ['npx server --api-key CANARY-f1 --port 3000', 'npx server --api-key [redacted] --port 3000'],
      ['--api-key=CANARY-f2', '--api-key=[redacted]'],
      ['--token=CANARY-f3', '--token=[redacted]'],
      ['run --github-token "CANARY f4"', 'run --github-token "[redacted]"'],
      ["run --password 'CANARY-f5'", "run --password '[redacted]'"],
      ['--openai-key CANARY-f6', '--openai-key [redacted]'],
      ['--bottoken CANARY-f7', '--bottoken [redacted]'],
      ['--secret=CANARY-f8', '--secret=[redacted]'],
      ['--token --verbose', '--token --verbose'],
      ['--max-tokens 4096', '--max-tokens 4096'],
      ['--key-file /etc/key.pem', '--key-file /etc/key.pem'],
    ]);
  });

  describe('NAME=value with a secret-looking name', () => {
    cases([
      ['GITHUB_PERSONAL_ACCESS_TOKEN=CANARY-e1', 'GITHUB_PERSONAL_ACCESS_TOKEN=[redacted]'],
      ['env OPENAI_API_KEY=CANARY-e2 node x', 'env OPENAI_API_KEY=[redacted] node x'],
      ['GH_PAT=CANARY-e3', 'GH_PAT=[redacted]'],
      ['DATABASE_URL=sqlite:///CANARY-e4.db', 'DATABASE_URL=[redacted]'],
      ['traefik.http.middlewares.a.basicauth.users=admin:$$apr1$$CANARY$$e5', 'traefik.http.middlewares.a.basicauth.users=[redacted]'],
      ['MAX_TOKENS=4096', 'MAX_TOKENS=4096'],
      ['WEBSOCKET_REQUIRES_TOKEN=true', 'WEBSOCKET_REQUIRES_TOKEN=true'],
      ['API_TOKEN=${API_TOKEN}', 'API_TOKEN=${API_TOKEN}'],
    ]);
  });

  describe('Authorization headers and schemes', () => {
    cases([
      ['Authorization: Bearer CANARY-h1', 'Authorization: [redacted]'],
      ['-H "Authorization: Bearer CANARY-h2" https://x', '-H "Authorization: Bearer [redacted]" https://x'],
      ['authorization=token CANARY-h3', 'authorization=token [redacted]'],
      ['X-Api-Key: CANARY-h4', 'X-Api-Key: [redacted]'],
      ['Bearer eyJhbGciOi.CANARY.h5', 'Bearer [redacted]'],
      ['Basic dXNlcjpwYXNzCANARY', 'Basic [redacted]'],
      ['Basic authentication is used', 'Basic authentication is used'],
      ['Content-Type: application/json', 'Content-Type: application/json'],
    ]);
  });

  describe('tokens with a well-known prefix, wherever they sit', () => {
    cases([
      ['my key is sk-or-v1-0123456789abcdefCANARY0123 ok', 'my key is [redacted] ok'],
      ['ghp_0123456789CANARY0123456789', '[redacted]'],
      ['xoxb-1234-CANARY-abcd', '[redacted]'],
      ['AKIAABCDEFGHCANARY12', '[redacted]'],
      ['sk-learn', 'sk-learn'],
    ]);
  });

  it('a command line as a list: the argument after a credential flag', () => {
    expect(redactArgs(['-y', 'server', '--api-key', 'CANARY-a1', '--port', '8080'])).toEqual(['-y', 'server', '--api-key', '[redacted]', '--port', '8080']);
    expect(redactArgs(['--token', '--verbose', 'file'])).toEqual(['--token', '--verbose', 'file']);
    expect(redactArgs(['-e', 'GITHUB_TOKEN=CANARY-a2'])).toEqual(['-e', 'GITHUB_TOKEN=[redacted]']);
    expect(redactArgs(['--api-key', '${API_KEY}'])).toEqual(['--api-key', '${API_KEY}']);
  });

  it('names: a secret by its last word or the end of a run-together name', () => {
    for (const name of [
      'OPENAI_API_KEY',
      'apiKey',
      'X-Auth-Token',
      'GITHUB_PAT',
      'BOTTOKEN',
      'MYSQL_ROOT_PASSWORD',
      'client_secret',
      'DATABASE_URL',
      'SENTRY_DSN',
      'Cookie',
    ]) {
      expect(isSecretName(name), name).toBe(true);
    }
    for (const name of ['MAX_TOKENS', 'TOKEN_TTL', 'KEY_FILE', 'websocketRequiresToken', 'HTTP_PATH', 'region', 'COMPOSE_PROJECT_NAME', 'OAUTH_URL']) {
      expect(isSecretName(name), name).toBe(false);
    }
    expect(isCredentialFlag('--api-key')).toBe(true);
    expect(isCredentialFlag('-password')).toBe(true);
    expect(isCredentialFlag('--no-token')).toBe(false);
    expect(isCredentialFlag('--token=x')).toBe(false);
  });
});
