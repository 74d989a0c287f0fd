// Every rule: configs it must flag (with the pointer and line it must name) and configs it must
// leave alone, on the old (0.1.4) and the current layout where they differ.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../../src/findings.js';
import { ROOT } from '../../helpers/fixtures.js';
import { auditText, type RunOptions } from '../../helpers/audit.js';

interface Invalid {
  json: string;
  pointer?: string;
  line?: number;
  severity?: string;
  options?: RunOptions;
}
interface Cases {
  valid: (string | { json: string; options: RunOptions })[];
  invalid: Invalid[];
}

const j = (v: unknown) => JSON.stringify(v, null, 2);
const chan = (name: string, body: Record<string, unknown>) => j({ channels: { [name]: { enabled: true, ...body } } });

const CASES: Record<string, Cases> = {
  'restrict-to-workspace': {
    valid: [
      j({ tools: { restrictToWorkspace: true } }),
      j({ tools: { restrict_to_workspace: true } }),
      j({ tools: { exec: { restrictToWorkspace: true } } }),
      { json: j({ tools: { exec: { restrictToWorkspace: true } } }), options: { version: '0.1.4' } },
      { json: '{}', options: { env: { NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE: 'true' } } },
    ],
    invalid: [
      { json: j({ tools: { restrictToWorkspace: false } }), pointer: '/tools/restrictToWorkspace', line: 3 },
      { json: j({ tools: { restrictToWorkspace: false, exec: { restrictToWorkspace: true } } }), pointer: '/tools/restrictToWorkspace', options: { version: '0.1.4' } },
      { json: j({ tools: {} }), pointer: '/tools/restrictToWorkspace', line: 2 },
      { json: '{}', pointer: '/tools/restrictToWorkspace', line: 1 },
      { json: j({ tools: { restrictToWorkspace: true, restrict_to_workspace: true, restrictToWorkspace_: 1 } }).replace('"restrictToWorkspace": true', '"restrictToWorkspace": false'), pointer: '/tools/restrictToWorkspace' },
    ],
  },
  'exec-timeout': {
    valid: [j({ tools: { exec: { timeout: 30 } } }), '{}'],
    invalid: [
      { json: j({ tools: { exec: { timeout: 0 } } }), pointer: '/tools/exec/timeout', line: 4 },
      { json: j({ tools: { exec: { timeout: 600 } } }), pointer: '/tools/exec/timeout' },
      { json: j({ tools: {} }), pointer: '/tools/exec/timeout', options: { env: { NANOBOT_TOOLS__EXEC__TIMEOUT: '0' } } },
    ],
  },
  'allow-from-empty': {
    valid: [chan('telegram', { allowFrom: ['123'] }), j({ channels: { telegram: { enabled: false, allowFrom: [] } } })],
    invalid: [
      { json: chan('telegram', { allowFrom: [] }), pointer: '/channels/telegram/allowFrom', severity: 'medium' },
      { json: chan('discord', {}), pointer: '/channels/discord/allowFrom', line: 3 },
      { json: chan('telegram', { allowFrom: [] }), severity: 'critical', options: { version: '0.1.4' } },
      { json: chan('telegram', { allow_from: [] }), pointer: '/channels/telegram/allow_from' },
      { json: chan('feishu', { allowFrom: [], instances: [{ id: 'a', allowFrom: ['ou_1'] }, { id: 'b' }] }), pointer: '/channels/feishu/instances/1/allowFrom' },
    ],
  },
  'allow-from-wildcard': {
    valid: [chan('telegram', { allowFrom: ['123'] })],
    invalid: [
      { json: chan('telegram', { allowFrom: ['*'] }), pointer: '/channels/telegram/allowFrom', severity: 'high' },
      { json: chan('discord', { allowFrom: ['*'] }), severity: 'info', options: { version: '0.1.4' } },
      { json: chan('matrix', { allowFrom: ['@a:b', '*'] }), pointer: '/channels/matrix/allowFrom' },
    ],
  },
  'allow-from-never-matches': {
    valid: [chan('telegram', { allowFrom: ['123', 'alice'] }), chan('whatsapp', { allowFrom: ['4915112345678'], groupPolicy: 'mention' }), chan('discord', { allowFrom: ['123456789012345678'] }), chan('email', { allowFrom: ['owner@example.com'] })],
    invalid: [
      { json: chan('telegram', { allowFrom: ['@alice'] }), pointer: '/channels/telegram/allowFrom/0', line: 6 },
      { json: chan('whatsapp', { allowFrom: ['+4915112345678'], groupPolicy: 'mention' }), pointer: '/channels/whatsapp/allowFrom/0' },
      { json: chan('discord', { allowFrom: ['someusername'] }), pointer: '/channels/discord/allowFrom/0' },
      { json: chan('email', { allowFrom: ['Owner@Example.com'] }), pointer: '/channels/email/allowFrom/0' },
    ],
  },
  'dm-policy-open': {
    valid: [
      chan('slack', { dm: { policy: 'allowlist', allowFrom: ['U1'] } }),
      chan('slack', { dm: { enabled: false } }),
      chan('signal', {}),
      chan('signal', { dm: { policy: 'open' } }),
    ],
    invalid: [
      { json: chan('slack', { allowFrom: ['U1'] }), pointer: '/channels/slack/dm/policy', line: 3 },
      { json: chan('mattermost', { dm: { policy: 'open' } }), pointer: '/channels/mattermost/dm/policy', line: 6 },
      { json: chan('signal', { dm: { enabled: true, policy: 'open' } }), pointer: '/channels/signal/dm/policy' },
    ],
  },
  'group-policy-open': {
    valid: [
      chan('whatsapp', { allowFrom: ['1'], groupPolicy: 'open' }),
      chan('matrix', { allowFrom: ['@a:b'] }),
      chan('slack', { dm: { policy: 'allowlist' }, groupPolicy: 'allowlist', groupAllowFrom: ['C1'] }),
      chan('signal', { group: { enabled: false, policy: 'open' } }),
    ],
    invalid: [
      { json: chan('slack', { dm: { policy: 'allowlist' }, groupPolicy: 'open' }), pointer: '/channels/slack/groupPolicy' },
      { json: chan('mattermost', { dm: { policy: 'allowlist' } }), pointer: '/channels/mattermost/groupPolicy', line: 3 },
      { json: chan('signal', { group: { enabled: true, policy: 'open' } }), pointer: '/channels/signal/group/policy' },
    ],
  },
  'gateway-host-loopback': {
    valid: [j({ gateway: { host: '127.0.0.1' } }), j({ gateway: { host: 'localhost' } }), '{}'],
    invalid: [
      { json: j({ gateway: { host: '0.0.0.0' } }), pointer: '/gateway/host', line: 3 },
      { json: j({ gateway: { host: '' } }), pointer: '/gateway/host' },
      { json: '{}', pointer: '/gateway/host', options: { version: '0.1.4' } },
      { json: j({ gateway: { port: 1 } }), pointer: '/gateway/host', options: { env: { NANOBOT_GATEWAY__HOST: '0.0.0.0' } } },
    ],
  },
  'api-host-loopback': {
    valid: [j({ api: { host: '127.0.0.1' } })],
    invalid: [{ json: j({ api: { host: '0.0.0.0', apiKey: 'FAKE-api-key-123' } }), pointer: '/api/host', severity: 'high' }],
  },
  'api-exposed-without-key': {
    valid: [j({ api: { host: '127.0.0.1', apiKey: '' } })],
    invalid: [
      { json: j({ api: { host: '0.0.0.0', apiKey: '' } }), pointer: '/api/host', severity: 'critical' },
      { json: j({ api: { host: '192.168.1.5' } }), pointer: '/api/host' },
    ],
  },
  'websocket-host-loopback': {
    valid: ['{}', j({ channels: { websocket: { enabled: true, host: '0.0.0.0', token: 'x' } } }).replace('0.0.0.0', '127.0.0.1')],
    invalid: [{ json: j({ channels: { websocket: { host: '0.0.0.0', tokenIssueSecret: 'FAKE-secret-1' } } }), pointer: '/channels/websocket/host' }],
  },
  'websocket-exposed-without-secret': {
    valid: [j({ channels: { websocket: { host: '0.0.0.0', enabled: false } } })],
    invalid: [
      { json: j({ channels: { websocket: { host: '' } } }), pointer: '/channels/websocket/host', severity: 'critical' },
      { json: j({ channels: { websocket: { host: '[::]', token: '' } } }), pointer: '/channels/websocket/host' },
    ],
  },
  'email-spoofable': {
    valid: [chan('email', { allowFrom: ['a@b.c'] }), chan('email', { allowFrom: ['a@b.c'], verifyDkim: false })],
    invalid: [{ json: chan('email', { allowFrom: ['a@b.c'], verifyDkim: false, verifySpf: false }), pointer: '/channels/email/verifyDkim' }],
  },
  'msteams-inbound-auth': {
    valid: [chan('msteams', { allowFrom: ['x'] })],
    invalid: [{ json: chan('msteams', { allowFrom: ['x'], validateInboundAuth: false }), pointer: '/channels/msteams/validateInboundAuth' }],
  },
  'duplicate-key': {
    valid: [j({ gateway: { host: '127.0.0.1' } }), '{"gateway": {"host": "127.0.0.1", "host": "127.0.0.1"}}', '{"agents": {"x": 1, "x": 2}}'],
    invalid: [
      { json: '{\n  "gateway": {\n    "host": "127.0.0.1",\n    "host": "0.0.0.0"\n  }\n}', pointer: '/gateway/host', line: 3 },
      { json: '{"tools": {"restrict_to_workspace": true, "restrictToWorkspace": false}}', pointer: '/tools/restrict_to_workspace' },
      { json: '{"channels": {"telegram": {"enabled": true, "allowFrom": ["1"]}, "telegram": {"enabled": false}}}', pointer: '/channels/telegram' },
    ],
  },
  'old-place-ignored': {
    valid: [j({ tools: { exec: { restrictToWorkspace: true } } }), j({ tools: { restrictToWorkspace: true, exec: { restrictToWorkspace: true } } })],
    invalid: [
      { json: j({ tools: { restrictToWorkspace: false, exec: { restrictToWorkspace: true } } }), pointer: '/tools/exec/restrictToWorkspace', line: 5 },
      { json: j({ tools: { exec: { restrict_to_workspace: true } } }), pointer: '/tools/exec/restrict_to_workspace' },
    ],
  },
  'unknown-key': {
    valid: [j({ tools: { restrictToWorkspace: true, maxSessionMessagesPerMinute: 6 } }), chan('telegram', { allowFrom: ['1'], proxy: '' })],
    invalid: [
      { json: j({ tools: { restrictToWorkSpace: true } }), pointer: '/tools/restrictToWorkSpace', line: 3 },
      { json: j({ tools: { exec: { sandBox: 'bwrap' } } }), pointer: '/tools/exec/sandBox' },
      { json: j({ channels: { telegramm: { enabled: true } } }), pointer: '/channels/telegramm' },
      { json: chan('telegram', { allowfrom: ['1'], allowFrom: ['1'] }), pointer: '/channels/telegram/allowfrom' },
      { json: chan('feishu', { allow_from: ['ou_1'] }), pointer: '/channels/feishu/allow_from', line: 5 },
    ],
  },
  'env-reference-unsupported': {
    valid: [chan('telegram', { token: '${TELEGRAM_TOKEN}', allowFrom: ['1'] })],
    invalid: [{ json: chan('telegram', { token: '${TELEGRAM_TOKEN}', allowFrom: ['1'] }), pointer: '/channels/telegram/token', line: 5, options: { version: '0.1.4' } }],
  },
  'plaintext-secret': {
    valid: [chan('telegram', { token: '${TELEGRAM_TOKEN}', allowFrom: ['1'] }), j({ providers: { openai: { apiKey: null } } }), j({ providers: { openai: { apiKey: '' } } })],
    invalid: [
      { json: chan('telegram', { token: 'FAKE-tg-token-1', allowFrom: ['1'] }), pointer: '/channels/telegram/token', line: 5 },
      { json: j({ providers: { openrouter: { api_key: 'sk-or-FAKE' } } }), pointer: '/providers/openrouter/api_key' },
      { json: j({ providers: { company: { extraHeaders: { Authorization: 'Bearer FAKE' } } } }), pointer: '/providers/company/extraHeaders/Authorization' },
    ],
  },
  'mcp-inline-secret': {
    valid: [j({ tools: { mcpServers: { gh: { env: { GITHUB_TOKEN: '${GITHUB_TOKEN}' } } } } })],
    invalid: [{ json: j({ tools: { mcpServers: { crm: { headers: { Authorization: 'Bearer FAKE-crm' } } } } }), pointer: '/tools/mcpServers/crm/headers/Authorization' }],
  },
  'exec-sandbox': {
    valid: [j({ tools: { exec: { sandbox: 'bwrap' } } })],
    invalid: [{ json: '{}', pointer: '/tools/exec/sandbox' }],
  },
  'allow-from-mutable': {
    valid: [chan('telegram', { allowFrom: ['123456789'] })],
    invalid: [{ json: chan('telegram', { allowFrom: ['123', 'your_username'] }), pointer: '/channels/telegram/allowFrom/1' }],
  },
  'ssrf-whitelist-broad': {
    valid: [j({ tools: { ssrfWhitelist: ['10.1.2.3/32'] } })],
    invalid: [
      { json: j({ tools: { ssrfWhitelist: ['169.254.0.0/16'] } }), pointer: '/tools/ssrfWhitelist/0' },
      { json: j({ tools: { ssrfWhitelist: ['10.1.2.3/32', '10.0.0.0/8'] } }), pointer: '/tools/ssrfWhitelist/1' },
    ],
  },
  'exec-env-secrets': {
    valid: [j({ tools: { exec: { allowedEnvKeys: ['PATH', 'LANG'] } } })],
    invalid: [{ json: j({ tools: { exec: { allowedEnvKeys: ['PATH', 'OPENAI_API_KEY'] } } }), pointer: '/tools/exec/allowedEnvKeys/1' }],
  },
  'exec-allow-patterns-bypass': {
    valid: [j({ tools: { exec: { allowPatterns: [] } } })],
    invalid: [{ json: j({ tools: { exec: { allowPatterns: ['^git .*$'] } } }), pointer: '/tools/exec/allowPatterns' }],
  },
  'webui-remote-package-install': {
    valid: [j({ tools: { webuiAllowRemotePackageInstall: false } })],
    invalid: [{ json: j({ tools: { webuiAllowRemotePackageInstall: true } }), pointer: '/tools/webuiAllowRemotePackageInstall' }],
  },
  'self-config-set': {
    valid: [j({ tools: { my: { allowSet: false } } })],
    invalid: [{ json: j({ tools: { my: { allowSet: true } } }), pointer: '/tools/my/allowSet' }],
  },
};

/** Host and environment rules are tested on real files in test/unit/host; these have no config-only cases. */
const HOST_RULES = new Set(['config-file-mode', 'config-dir-mode', 'pairing-approvals', 'webui-full-access', 'env-override', 'env-override-shadowed', 'env-reference-unset']);

/** Every test file's text, to find the rules tested on real files outside this table. */
function testSources(dir: string): string {
  return readdirSync(dir, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? testSources(join(dir, e.name)) : e.name.endsWith('.test.ts') ? readFileSync(join(dir, e.name), 'utf8') : ''))
    .join('\n');
}

describe('every rule in schemas/rules.json is tested', () => {
  // Activity rules are tested on generated histories in test/unit/activity.
  const elsewhere = testSources(join(ROOT, 'test', 'unit', 'host')) + testSources(join(ROOT, 'test', 'e2e')) + testSources(join(ROOT, 'test', 'unit', 'activity'));
  it.each(Object.keys(RULES))('%s', (id) => {
    const cases = CASES[id];
    if (cases && !HOST_RULES.has(id)) expect(cases.invalid.length).toBeGreaterThan(0);
    else expect(elsewhere, `${id} has no cases here and no test in test/unit/host, test/unit/activity or test/e2e names it`).toMatch(new RegExp(`['"\`]${id}[@'"\`]`));
  });
});

for (const [ruleId, cases] of Object.entries(CASES).filter(([id]) => !HOST_RULES.has(id))) {
  const profile = (RULES[ruleId]?.profile ?? 'baseline') as 'baseline' | 'strict'; // CASES holds audit rules only
  describe(ruleId, () => {
    cases.valid.forEach((c, i) => {
      const { json, options } = typeof c === 'string' ? { json: c, options: {} } : c;
      it(`leaves valid case ${i + 1} alone`, async () => {
        const result = await auditText(json, { profile, ...options });
        expect(result.findings.filter((f) => f.ruleId === ruleId).map((f) => f.pointer)).toEqual([]);
      });
    });
    cases.invalid.forEach((c, i) => {
      it(`flags invalid case ${i + 1}${c.pointer ? ` at ${c.pointer}` : ''}`, async () => {
        const result = await auditText(c.json, { profile, ...c.options });
        const hits = result.findings.filter((f) => f.ruleId === ruleId);
        expect(hits.length, JSON.stringify(result.findings.map((f) => [f.ruleId, f.pointer]))).toBeGreaterThan(0);
        const hit = c.pointer ? hits.find((f) => f.pointer === c.pointer) : hits[0];
        expect(hit, `pointers: ${hits.map((f) => f.pointer).join(', ')}`).toBeDefined();
        if (c.line !== undefined) expect(hit!.line).toBe(c.line);
        if (c.severity !== undefined) expect(hit!.severity).toBe(c.severity);
        expect(hit!.message).not.toMatch(/\{[a-z]\w*\}/); // every placeholder filled
      });
    });
  });
}
