// Redaction of compose files by YAML node: what a compose diff shows, and what the redactor knows.
import { describe, expect, it } from 'vitest';
import { composeSecrets, redactComposeText } from '../../../src/host/compose-secrets.js';

const COMPOSE = `services:
  nanobot:
    image: ghcr.io/hkuds/nanobot:latest
    command: ["gateway", "--api-key", "CANARY-cmd"]
    environment:
      - OPENAI_API_KEY=CANARY-list
      - "GH_TOKEN=p\\x41ss-CANARY"
      - NANOBOT_GATEWAY__HOST=127.0.0.1
      - DATABASE_URL=sqlite:////data/CANARY-db.sqlite
      - PROXY=http://u:CANARY-userinfo@proxy:3128
      - TELEGRAM_TOKEN=\${TELEGRAM_TOKEN}
    labels:
      traefik.http.middlewares.auth.basicauth.users: "admin:$$apr1$$CANARY$$hash"
  db:
    image: postgres
    environment:
      POSTGRES_PASSWORD: 'it''s-CANARY'
      PGPORT: 5432
      REDIS_PASSWORD: 123456
      MAX_TOKENS: 4096
      PRIVATE_KEY: |
        -----BEGIN KEY-----
        CANARYLINE0123456789
        -----END KEY-----
    ports:
      - "5432:5432"
`;

describe('redactComposeText', () => {
  const shown = redactComposeText(COMPOSE);

  it('hides each secret, on the same lines', () => {
    expect(shown).not.toContain('CANARY');
    expect(shown).not.toContain('x41');
    expect(shown).not.toContain('123456');
    expect(shown.split('\n')).toHaveLength(COMPOSE.split('\n').length);
  });

  it('shows what is not a secret as it was', () => {
    for (const kept of [
      '- NANOBOT_GATEWAY__HOST=127.0.0.1',
      '- TELEGRAM_TOKEN=${TELEGRAM_TOKEN}',
      'PGPORT: 5432',
      'MAX_TOKENS: 4096',
      '- "5432:5432"',
      'image: ghcr.io/hkuds/nanobot:latest',
    ]) {
      expect(shown).toContain(kept);
    }
  });

  it("replaces only the credential part of a value, in the value's own quoting", () => {
    expect(shown).toContain('command: ["gateway", "--api-key", "[redacted]"]');
    expect(shown).toContain('- OPENAI_API_KEY=[redacted]');
    expect(shown).toContain('- "GH_TOKEN=[redacted]"');
    expect(shown).toContain('- DATABASE_URL=[redacted]');
    expect(shown).toContain('- PROXY=http://[redacted]@proxy:3128');
    expect(shown).toContain('basicauth.users: "[redacted]"');
    expect(shown).toContain("POSTGRES_PASSWORD: '[redacted]'");
    expect(shown).toContain('REDIS_PASSWORD: "[redacted]"');
    expect(shown).toContain('PRIVATE_KEY: "[redacted]"');
  });

  it('hides every value of a text that is not YAML', () => {
    const broken = 'services:\n  a:\n    environment: [API_KEY=CANARY-x\n  b: {';
    expect(redactComposeText(broken)).not.toContain('CANARY');
  });
});

describe('composeSecrets', () => {
  const found = composeSecrets(COMPOSE);

  it('knows each value decoded, as written, and as compose reads it', () => {
    expect(found).toEqual(
      expect.arrayContaining([
        'CANARY-cmd',
        'CANARY-list',
        'pAss-CANARY',
        'p\\x41ss-CANARY',
        'sqlite:////data/CANARY-db.sqlite',
        'u:CANARY-userinfo',
        'admin:$$apr1$$CANARY$$hash',
        'admin:$apr1$CANARY$hash',
        "it's-CANARY",
        "it''s-CANARY",
        '123456',
        'CANARYLINE0123456789',
      ]),
    );
  });

  it('and nothing that is not a secret', () => {
    for (const s of found) expect(s, s).toMatch(/CANARY|123456/);
  });
});
