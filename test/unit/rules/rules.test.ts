// Every rule: configs it must flag (with the pointer and line it must name) and configs it must
// leave alone, on the old (0.1.4) and the current layout where they differ.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../../src/findings/index.js';
import { ConfigSyntaxError } from '../../../src/errors.js';
import { ROOT } from '../../helpers/fixtures.js';
import { auditText, type RunOptions } from '../../helpers/audit.js';

interface Invalid {
  json: string;
  pointer?: string;
  line?: number;
  severity?: string;
  options?: RunOptions;
  /** nanobot does not start with it: the audit exits 2 with this sentence (nanobot-will-not-start). */
  refuses?: RegExp;
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
      {
        json: j({ tools: { restrictToWorkspace: false, exec: { restrictToWorkspace: true } } }),
        pointer: '/tools/restrictToWorkspace',
        options: { version: '0.1.4' },
      },
      { json: j({ tools: {} }), pointer: '/tools/restrictToWorkspace', line: 2 },
      { json: '{}', pointer: '/tools/restrictToWorkspace', line: 1 },
      {
        json: j({ tools: { restrictToWorkspace: true, restrict_to_workspace: true, restrictToWorkspace_: 1 } }).replace(
          '"restrictToWorkspace": true',
          '"restrictToWorkspace": false',
        ),
        pointer: '/tools/restrictToWorkspace',
      },
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
      {
        json: chan('feishu', { allowFrom: [], instances: [{ id: 'a', allowFrom: ['ou_1'] }, { id: 'b' }] }),
        pointer: '/channels/feishu/instances/1/allowFrom',
      },
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
    valid: [
      chan('telegram', { allowFrom: ['123', 'alice'] }),
      chan('whatsapp', { allowFrom: ['4915112345678'], groupPolicy: 'mention' }),
      chan('discord', { allowFrom: ['123456789012345678'] }),
      chan('email', { allowFrom: ['owner@example.com'] }),
    ],
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
    valid: [j({ api: { host: '127.0.0.1', apiKey: '' } }), j({ api: { host: '0.0.0.0', apiKey: 'FAKE-api-key-123' } })],
    invalid: [
      { json: j({ api: { host: '0.0.0.0', apiKey: '' } }), pointer: '/api/host', severity: 'critical', options: { version: '0.2.2' } },
      // 0.1.5 to 0.2.2 have no api.apiKey: a key there protects nothing.
      { json: j({ api: { host: '0.0.0.0', apiKey: 'FAKE-api-key-123' } }), pointer: '/api/host', severity: 'critical', options: { version: '0.2.2' } },
      // An apiKey of whitespace is no key (nanobot strips it); serve of 0.3.0 then refuses to start.
      { json: j({ api: { host: '192.168.1.5', apiKey: '   ' } }), pointer: '/api/host', severity: 'medium' },
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
    valid: [
      j({ gateway: { host: '127.0.0.1' } }),
      '{"gateway": {"host": "127.0.0.1", "host": "127.0.0.1"}}',
      '{"agents": {"x": 1, "x": 2}}',
      // The same object with its keys in another order: Python's dicts compare equal, so nothing is shadowed.
      '{"channels": {"telegram": {"enabled": true, "allowFrom": ["1"]}, "telegram": {"allowFrom": ["1"], "enabled": true}}}',
    ],
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
  'nanobot-will-not-start': {
    valid: [j({ api: { host: '0.0.0.0', apiKey: 'FAKE-api-key-123' } }), { json: chan('telegram', { allowFrom: ['123'] }), options: { version: '0.1.5' } }],
    invalid: [
      {
        json: j({ api: { host: '0.0.0.0' } }),
        line: 3,
        refuses:
          /api\.host is "0\.0\.0\.0", but nanobot needs a loopback address while api\.apiKey is empty .*: nanobot 0\.3\.0 refuses to start \(0\.3\.0 nanobot\/config\/loader\.py:\d+\)$/,
      },
      {
        json: j({ tools: [] }),
        line: 2,
        refuses: /tools is \[\], not an object, and nanobot's _migrate_config fails on it .*: nanobot 0\.3\.0 stops with a traceback/,
      },
      {
        json: j({ $schema: 'x', tools: {} }),
        line: 2,
        refuses: /the top-level key "\$schema" is not a section nanobot knows: nanobot 0\.2\.2 refuses to start/,
        options: { version: '0.2.2' },
      },
      {
        json: j({ gateway: { port: 18790 } }),
        refuses: /gateway\.port \(from the environment variable NANOBOT_GATEWAY__PORT\) must be a whole number: nanobot 0\.2\.2 refuses to start/,
        options: { version: '0.2.2', env: { NANOBOT_GATEWAY__PORT: 'abc' } },
      },
      { json: '{}', refuses: /the environment variable NANOBOT_TOOLS is not JSON/, options: { env: { NANOBOT_TOOLS: 'FAKE-secret' } } },
      {
        json: chan('telegram', { allowFrom: [] }),
        line: 5,
        refuses: /channels\.telegram\.allowFrom is empty: the gateway of nanobot 0\.1\.5 exits at start \("telegram" has empty allowFrom\)/,
        options: { version: '0.1.5' },
      },
      {
        json: chan('slack', { dm: { policy: 'allowlist', allowFrom: ['U1'] } }),
        refuses: /channels\.slack\.allowFrom is empty \(nanobot's default, as the file leaves it out\): the gateway of nanobot 0\.1\.5\.post3 exits at start/,
        options: { version: '0.1.5.post3' },
      },
    ],
  },
  'nanobot-runs-on-defaults': {
    valid: [{ json: chan('telegram', { allowFrom: ['123456789'] }), options: { version: '0.1.4.post4' } }],
    invalid: [
      {
        json: chan('telegram', { allowFrom: [123456789] }),
        pointer: '/channels/telegram/allowFrom/0',
        line: 6,
        severity: 'critical',
        options: { version: '0.1.4.post4' },
      },
      { json: j({ channels: [] }), pointer: '/channels', options: { version: '0.2.1' } },
      { json: j({ tools: { restrictToWorkspace: true }, version: 1 }), pointer: '/version', line: 5, options: { version: '0.2.1' } },
      { json: j({ tools: { exec: { timeout: 30.5 } } }), pointer: '/tools/exec/timeout', options: { version: '0.1.4' } },
    ],
  },
  'channel-not-started': {
    valid: [chan('telegram', { allowFrom: ['1'], groupPolicy: 'open' })],
    invalid: [
      { json: chan('telegram', { allowFrom: ['1'], groupPolicy: 'allowlist' }), pointer: '/channels/telegram/groupPolicy', line: 8 },
      { json: chan('telegram', { allowFrom: [1] }), pointer: '/channels/telegram/allowFrom/0' },
      { json: j({ channels: { websocket: { enabled: true, host: '0.0.0.0' } } }), pointer: '/channels/websocket/host' },
    ],
  },
  'channel-ignored': {
    valid: [chan('mattermost', { allowFrom: ['*'], dm: { policy: 'allowlist', allowFrom: ['u1'] }, groupPolicy: 'allowlist', groupAllowFrom: ['c1'] })],
    invalid: [
      { json: chan('mattermost', { allowFrom: ['*'] }), pointer: '/channels/mattermost', line: 3, options: { version: '0.2.2' } },
      { json: chan('my_plugin', { allowFrom: ['*'] }), pointer: '/channels/my_plugin' },
    ],
  },
  'websocket-token-not-required': {
    valid: [j({ channels: { websocket: { enabled: true, tokenIssueSecret: 'FAKE-issue-secret' } } })],
    invalid: [
      {
        json: j({ channels: { websocket: { enabled: true, host: '127.0.0.1', websocketRequiresToken: false, tokenIssueSecret: 'FAKE-issue-secret' } } }),
        pointer: '/channels/websocket/websocketRequiresToken',
        severity: 'high',
      },
    ],
  },
  'websocket-trusted-proxy-broad': {
    valid: [
      {
        json: j({ channels: { websocket: { enabled: true, trustedProxyAuth: { trustedPeerCidrs: ['127.0.0.1/32'], assertionHeader: 'X-User' } } } }),
        options: { version: '0.3.0+main.3852956a7' },
      },
    ],
    invalid: [
      {
        json: j({ channels: { websocket: { enabled: true, trustedProxyAuth: { trustedPeerCidrs: ['10.0.0.0/8'], assertionHeader: 'X-User' } } } }),
        pointer: '/channels/websocket/trustedProxyAuth/trustedPeerCidrs/0',
        options: { version: '0.3.0+main.3852956a7' },
      },
    ],
  },
  'websocket-no-tls': {
    valid: [
      j({
        channels: { websocket: { enabled: true, host: '192.168.1.5', token: 'FAKE-ws-token', sslCertfile: '/etc/ssl/ws.pem', sslKeyfile: '/etc/ssl/ws.key' } },
      }),
      j({ channels: { websocket: { enabled: true } } }),
    ],
    invalid: [
      { json: j({ channels: { websocket: { enabled: true, host: '192.168.1.5', token: 'FAKE-ws-token' } } }), pointer: '/channels/websocket/sslCertfile' },
    ],
  },
  'mcp-server-broad-path': {
    valid: [j({ tools: { mcpServers: { fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/srv/nanobot/workspace/shared'] } } } })],
    invalid: [
      {
        json: j({ tools: { mcpServers: { fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/'] } } } }),
        pointer: '/tools/mcpServers/fs/args/2',
        line: 9,
      },
      { json: j({ tools: { mcpServers: { fs: { command: 'npx', args: ['server-filesystem', '~'] } } } }), pointer: '/tools/mcpServers/fs/args/1' },
      { json: j({ tools: { mcpServers: { shell: { command: 'mcp-shell', cwd: '/' } } } }), pointer: '/tools/mcpServers/shell/cwd' },
    ],
  },
  'mcp-all-tools': {
    valid: [
      j({ tools: { mcpServers: { fs: { command: 'npx', enabledTools: ['read_file'] } } } }),
      j({ tools: { mcpServers: { remote: { url: 'https://mcp.example.com/sse' } } } }),
    ],
    invalid: [
      {
        json: j({ tools: { mcpServers: { fs: { command: 'npx', args: ['server-filesystem', '/srv/data'] } } } }),
        pointer: '/tools/mcpServers/fs/enabledTools',
      },
    ],
  },
  'workspace-broad': {
    valid: ['{}', j({ agents: { defaults: { workspace: '~/.nanobot/workspace' } } })],
    invalid: [
      { json: j({ agents: { defaults: { workspace: '/' } } }), pointer: '/agents/defaults/workspace', line: 4 },
      { json: j({ agents: { defaults: { workspace: '~' } } }), pointer: '/agents/defaults/workspace' },
      { json: '{}', pointer: '/agents/defaults/workspace', options: { env: { NANOBOT_AGENTS__DEFAULTS__WORKSPACE: '/' } } },
    ],
  },
  'sandbox-bind-broad': {
    valid: [{ json: j({ tools: { exec: { sandbox: 'bwrap', sandboxRwBinds: ['/srv/data'] } } }), options: { version: '0.3.0+main.3852956a7' } }],
    invalid: [
      {
        json: j({ tools: { exec: { sandbox: 'bwrap', sandboxRoBinds: ['/'] } } }),
        pointer: '/tools/exec/sandboxRoBinds/0',
        options: { version: '0.3.0+main.3852956a7' },
      },
      {
        json: j({ tools: { exec: { sandbox: 'bwrap', sandboxRwBinds: ['/home'] } } }),
        pointer: '/tools/exec/sandboxRwBinds/0',
        options: { version: '0.3.0+main.3852956a7' },
      },
    ],
  },
  'exec-path-unsafe': {
    valid: [j({ tools: { exec: { pathPrepend: '/usr/local/bin', pathAppend: '/opt/bin:/usr/games' } } })],
    invalid: [
      { json: j({ tools: { exec: { pathPrepend: '/tmp/bin' } } }), pointer: '/tools/exec/pathPrepend' },
      { json: j({ tools: { exec: { pathAppend: '/usr/bin:bin' } } }), pointer: '/tools/exec/pathAppend' },
      { json: j({ tools: { exec: { pathAppend: '/usr/bin:' } } }), pointer: '/tools/exec/pathAppend' },
    ],
  },
  'exec-path-prepend': {
    valid: ['{}'],
    invalid: [{ json: j({ tools: { exec: { pathPrepend: '/opt/tools/bin' } } }), pointer: '/tools/exec/pathPrepend' }],
  },
  'webui-local-service-access': {
    valid: [j({ tools: { webuiAllowLocalServiceAccess: false } }), j({ tools: { allowLocalPreviewAccess: false } })],
    invalid: [{ json: '{}', pointer: '/tools/webuiAllowLocalServiceAccess' }],
  },
  'cli-apps-enabled': {
    valid: [{ json: j({ tools: { cliApps: { enable: false } } }), options: { version: '0.3.0+main.3852956a7' } }],
    invalid: [{ json: '{}', pointer: '/tools/cliApps/enable', options: { version: '0.3.0+main.3852956a7' } }],
  },
  'web-jina-reader': {
    valid: [j({ tools: { web: { fetch: { useJinaReader: false } } } })],
    invalid: [{ json: '{}', pointer: '/tools/web/fetch/useJinaReader' }],
  },
  'web-proxy': {
    valid: ['{}'],
    invalid: [{ json: j({ tools: { web: { proxy: 'http://proxy.internal:3128' } } }), pointer: '/tools/web/proxy' }],
  },
  'provider-plain-http': {
    valid: [j({ providers: { openai: { apiBase: 'https://api.example.com/v1' }, vllm: { apiBase: 'http://localhost:8000/v1' } } })],
    invalid: [
      { json: j({ providers: { openai: { apiBase: 'http://10.0.0.5:8000/v1' } } }), pointer: '/providers/openai/apiBase' },
      { json: j({ providers: { mycorp: { apiKey: '${MYCORP_KEY}', apiBase: 'HTTP://llm.corp.example/v1' } } }), pointer: '/providers/mycorp/apiBase' },
    ],
  },
  'unified-session': {
    valid: ['{}'],
    invalid: [{ json: j({ agents: { defaults: { unifiedSession: true } } }), pointer: '/agents/defaults/unifiedSession' }],
  },
  'heartbeat-enabled': {
    valid: [j({ gateway: { heartbeat: { enabled: false } } })],
    invalid: [{ json: '{}', pointer: '/gateway/heartbeat/enabled' }],
  },
  'msteams-host-loopback': {
    valid: [chan('msteams', { allowFrom: ['x'], host: '127.0.0.1' })],
    invalid: [{ json: chan('msteams', { allowFrom: ['x'] }), pointer: '/channels/msteams/host' }],
  },
  'msteams-service-url-broad': {
    valid: [
      chan('msteams', { allowFrom: ['x'] }),
      chan('msteams', { allowFrom: ['x'], trustedServiceUrlHosts: ['smba.trafficmanager.net', '*.botframework.com'] }),
    ],
    invalid: [
      { json: chan('msteams', { allowFrom: ['x'], trustedServiceUrlHosts: ['*.com'] }), pointer: '/channels/msteams/trustedServiceUrlHosts/0' },
      {
        json: chan('msteams', { allowFrom: ['x'], trustedServiceUrlHosts: ['smba.trafficmanager.net', 'attacker'] }),
        pointer: '/channels/msteams/trustedServiceUrlHosts/1',
      },
    ],
  },
  'dingtalk-media-redirects': {
    valid: [chan('dingtalk', { allowFrom: ['staff-1'] })],
    invalid: [{ json: chan('dingtalk', { allowFrom: ['staff-1'], allowRemoteMediaRedirects: true }), pointer: '/channels/dingtalk/allowRemoteMediaRedirects' }],
  },
  'mattermost-match-mutable': {
    valid: [chan('mattermost', { dm: { policy: 'allowlist', allowFrom: ['u1'] } })],
    invalid: [
      {
        json: chan('mattermost', { dm: { policy: 'allowlist', allowFrom: ['alice'] }, allowFromMatchMode: 'username' }),
        pointer: '/channels/mattermost/allowFromMatchMode',
      },
    ],
  },
  'telegram-webhook-listen': {
    valid: [chan('telegram', { allowFrom: ['1'], mode: 'webhook', webhookUrl: 'https://bot.example.com/telegram', webhookSecretToken: 'FAKE_secret' })],
    invalid: [
      {
        json: chan('telegram', {
          allowFrom: ['1'],
          mode: 'webhook',
          webhookUrl: 'https://bot.example.com/telegram',
          webhookSecretToken: 'FAKE_secret',
          webhookListenHost: '0.0.0.0',
        }),
        pointer: '/channels/telegram/webhookListenHost',
      },
    ],
  },
  'signal-daemon-remote': {
    valid: [chan('signal', { dm: { enabled: true, allowFrom: ['+15550001111'] } })],
    invalid: [{ json: chan('signal', { dm: { enabled: true, allowFrom: ['+15550001111'] }, daemonHost: '10.0.0.2' }), pointer: '/channels/signal/daemonHost' }],
  },
  'email-attachment-types-broad': {
    valid: [chan('email', { allowFrom: ['a@b.c'], consentGranted: true, allowedAttachmentTypes: ['application/pdf'] })],
    invalid: [
      {
        json: chan('email', { allowFrom: ['a@b.c'], consentGranted: true, allowedAttachmentTypes: ['application/pdf', '*/*'] }),
        pointer: '/channels/email/allowedAttachmentTypes/1',
      },
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
    invalid: [
      { json: chan('telegram', { token: '${TELEGRAM_TOKEN}', allowFrom: ['1'] }), pointer: '/channels/telegram/token', line: 5, options: { version: '0.1.4' } },
    ],
  },
  'plaintext-secret': {
    valid: [
      chan('telegram', { token: '${TELEGRAM_TOKEN}', allowFrom: ['1'] }),
      j({ providers: { openai: { apiKey: null } } }),
      j({ providers: { openai: { apiKey: '' } } }),
    ],
    invalid: [
      { json: chan('telegram', { token: 'FAKE-tg-token-1', allowFrom: ['1'] }), pointer: '/channels/telegram/token', line: 5 },
      { json: j({ providers: { openrouter: { api_key: 'sk-or-FAKE' } } }), pointer: '/providers/openrouter/api_key' },
      { json: j({ providers: { company: { extraHeaders: { Authorization: 'Bearer FAKE' } } } }), pointer: '/providers/company/extraHeaders/Authorization' },
    ],
  },
  'mcp-inline-secret': {
    valid: [j({ tools: { mcpServers: { gh: { env: { GITHUB_TOKEN: '${GITHUB_TOKEN}' } } } } })],
    invalid: [
      {
        json: j({ tools: { mcpServers: { crm: { headers: { Authorization: 'Bearer FAKE-crm' } } } } }),
        pointer: '/tools/mcpServers/crm/headers/Authorization',
      },
    ],
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
const HOST_RULES = new Set([
  'config-file-mode',
  'config-dir-mode',
  'pairing-approvals',
  'webui-full-access',
  'env-override',
  'env-override-shadowed',
  'env-reference-unset',
]);

/** Every test file's text, to find the rules tested on real files outside this table. */
function testSources(dir: string): string {
  return readdirSync(dir, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? testSources(join(dir, e.name)) : e.name.endsWith('.test.ts') ? readFileSync(join(dir, e.name), 'utf8') : ''))
    .join('\n');
}

describe('every rule in schemas/rules.json is tested', () => {
  // Activity rules are tested on generated histories in test/unit/activity.
  const elsewhere =
    testSources(join(ROOT, 'test', 'unit', 'host')) + testSources(join(ROOT, 'test', 'e2e')) + testSources(join(ROOT, 'test', 'unit', 'activity'));
  it.each(Object.keys(RULES))('%s', (id) => {
    const cases = CASES[id];
    if (cases && !HOST_RULES.has(id)) expect(cases.invalid.length).toBeGreaterThan(0);
    else
      expect(elsewhere, `${id} has no cases here and no test in test/unit/host, test/unit/activity or test/e2e names it`).toMatch(
        new RegExp(`['"\`]${id}[@'"\`]`),
      );
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
        if (c.refuses) {
          const error: unknown = await auditText(c.json, { profile, ...c.options }).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(ConfigSyntaxError);
          expect((error as ConfigSyntaxError).reason).toMatch(c.refuses);
          if (c.line !== undefined) expect((error as ConfigSyntaxError).line).toBe(c.line);
          return;
        }
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
