import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { RULES } from '../../src/findings/index.js';
import { ROOT } from '../helpers/fixtures.js';
// @ts-expect-error: a plain .mjs build script without types
import { renderRulesDoc } from '../../scripts/rules-doc.mjs';

it('docs/rules.md is generated from schemas/rules.json and up to date (npm run docs)', async () => {
  const onDisk = await readFile(join(ROOT, 'docs', 'rules.md'), 'utf8');
  expect(onDisk).toBe(await (renderRulesDoc as () => Promise<string>)());
  for (const id of Object.keys(RULES)) expect(onDisk).toContain(`### ${id}\n`);
});

it('every setting issue 15 lists is checked by a rule or says in docs/rules.md why not', async () => {
  const doc = await readFile(join(ROOT, 'docs', 'rules.md'), 'utf8');
  const covered: Record<string, string> = {
    'tools.mcpServers.*': 'mcp-server-broad-path',
    'tools.mcpServers.*.enabledTools': 'mcp-all-tools',
    'agents.defaults.workspace': 'workspace-broad',
    'tools.exec.sandboxRwBinds / sandboxRoBinds': 'sandbox-bind-broad',
    'channels.websocket.websocketRequiresToken': 'websocket-token-not-required',
    'channels.websocket.trustedProxyAuth.trustedPeerCidrs': 'websocket-trusted-proxy-broad',
    'channels.websocket TLS': 'websocket-no-tls',
    'tools.exec.pathPrepend / pathAppend': 'exec-path-unsafe',
    'tools.exec.pathPrepend': 'exec-path-prepend',
    'tools.webuiAllowLocalServiceAccess': 'webui-local-service-access',
    'tools.cliApps.enable': 'cli-apps-enabled',
    'channels.msteams.host': 'msteams-host-loopback',
    'channels.msteams.trustedServiceUrlHosts': 'msteams-service-url-broad',
    'channels.dingtalk.allowRemoteMediaRedirects': 'dingtalk-media-redirects',
    'channels.mattermost.allowFromMatchMode': 'mattermost-match-mutable',
    'agents.defaults.unifiedSession': 'unified-session',
    'gateway.heartbeat.enabled': 'heartbeat-enabled',
    'channels.telegram.webhookListenHost': 'telegram-webhook-listen',
    'channels.signal.daemonHost': 'signal-daemon-remote',
    'channels.email.allowedAttachmentTypes': 'email-attachment-types-broad',
    'tools.web.fetch.useJinaReader': 'web-jina-reader',
    'tools.web.proxy': 'web-proxy',
    'providers.*.apiBase': 'provider-plain-http',
  };
  for (const [setting, id] of Object.entries(covered)) expect(RULES[id], setting).toBeDefined();
  for (const setting of ['channels.matrix.e2eeEnabled', 'tools.maxSessionMessagesPerMinute']) expect(doc).toContain(`| \`${setting}\` |`);
});
