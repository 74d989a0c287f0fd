// What harden knows of nanobot's config layout: which objects are pydantic models (their keys
// accept camelCase and snake_case), which are free maps (keys are names: MCP servers, env
// variables, headers), the types of the security-relevant fields and their defaults.

import type { VersionTraits } from './version.js';
import { table } from './own.js';

/** pydantic's to_camel for a snake_case field name. */
export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

const CAMEL = /^[a-z][a-zA-Z0-9]*$/;
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;

/**
 * The field a key of a pydantic model fills: a camelCase alias fills itself, a snake_case field
 * name fills its camelCase alias (Base uses alias_generator=to_camel, populate_by_name=True).
 * Any other spelling fills nothing: pydantic ignores it.
 */
export function canonicalKey(key: string): Canonical {
  let known = canonical.get(key);
  if (!known) {
    known = CAMEL.test(key) ? { key, spelling: 'camel' } : SNAKE.test(key) ? { key: snakeToCamel(key), spelling: 'snake' } : { key, spelling: 'other' };
    // The same few dozen field names recur in every channel; names of free maps do not repeat much.
    if (canonical.size < 4096) canonical.set(key, known);
  }
  return known;
}

export interface Canonical {
  readonly key: string;
  readonly spelling: 'camel' | 'snake' | 'other';
}

const canonical = new Map<string, Canonical>();

export type ObjectKind = 'model' | 'map' | 'raw';

/** Paths (canonical, '*' matches one segment) whose object keys are names, not fields. */
const MAPS: readonly string[] = ['tools/mcpServers', 'modelPresets'];
const RAW: readonly string[] = [
  'tools/mcpServers/*/env',
  'tools/mcpServers/*/headers',
  'providers/*/extraHeaders',
  'providers/*/extraBody',
  'providers/*/extraQuery',
  'channels/whatsapp/lidMappings',
  'channels/napcat/groupPolicyOverrides',
];

const split = new Map<string, string[]>();

export function matches(pattern: string, path: readonly string[]): boolean {
  let parts = split.get(pattern);
  if (!parts) split.set(pattern, (parts = pattern.split('/')));
  if (parts.length !== path.length) return false;
  for (let i = 0; i < parts.length; i++) if (parts[i] !== '*' && parts[i] !== path[i]) return false;
  return true;
}

export function objectKind(path: readonly string[]): ObjectKind {
  if (RAW.some((p) => matches(p, path))) return 'raw';
  if (MAPS.some((p) => matches(p, path))) return 'map';
  return 'model';
}

/**
 * How the keys of the object at `path` (canonical) are read: a model's fields take camelCase or
 * snake_case, a map's names stay as written. Directly under `channels`, ChannelsConfig
 * (extra="allow") maps a snake_case key onto one of its own fields (send_progress) and keeps
 * every other key verbatim as a channel's section, so "my_plugin" and "myPlugin" are two channels
 * and "to_string" is not "toString" (verified with nanobot's loader at 0.3.0: model_extra holds
 * each of them).
 */
export function keysAt(path: readonly string[]): (key: string) => Canonical {
  if (path.length === 1 && path[0] === 'channels') return channelsKey;
  return objectKind(path) === 'model' ? canonicalKey : asWritten;
}

const asWritten = (key: string): Canonical => ({ key, spelling: 'camel' });

function channelsKey(key: string): Canonical {
  const canon = canonicalKey(key);
  return canon.spelling === 'snake' && !CHANNEL_SETTINGS.includes(canon.key) ? asWritten(key) : canon;
}

export type FieldType = 'bool' | 'int' | 'number' | 'string' | 'string?' | 'list' | 'object';

/** Types of the fields the checks read; nanobot coerces these loosely (pydantic lax mode). */
export const FIELD_TYPES: readonly (readonly [string, FieldType])[] = [
  ['tools/restrictToWorkspace', 'bool'],
  ['tools/exec/restrictToWorkspace', 'bool'],
  ['tools/exec/enable', 'bool'],
  ['tools/exec/timeout', 'int'],
  ['tools/exec/sandbox', 'string'],
  ['tools/exec/allowPatterns', 'list'],
  ['tools/exec/allowedEnvKeys', 'list'],
  ['tools/ssrfWhitelist', 'list'],
  ['tools/webuiAllowRemotePackageInstall', 'bool'],
  ['tools/my/allowSet', 'bool'],
  ['gateway/host', 'string'],
  ['gateway/port', 'int'],
  ['api/host', 'string'],
  ['api/port', 'int'],
  ['api/apiKey', 'string'],
  ['channels/*/enabled', 'bool'],
  ['channels/*/allowFrom', 'list'],
  ['channels/*/dm/enabled', 'bool'],
  ['channels/*/group/enabled', 'bool'],
  ['channels/*/dm/allowFrom', 'list'],
  ['channels/*/groupAllowFrom', 'list'],
  ['channels/websocket/host', 'string'],
  ['channels/websocket/port', 'int'],
  ['channels/websocket/websocketRequiresToken', 'bool'],
  ['channels/email/verifyDkim', 'bool'],
  ['channels/email/verifySpf', 'bool'],
  ['channels/msteams/validateInboundAuth', 'bool'],
];

/** Field types by last segment, so most paths are answered without trying every pattern. */
const BY_LAST = new Map<string, (readonly [string, FieldType])[]>();
for (const row of FIELD_TYPES) {
  const last = row[0].slice(row[0].lastIndexOf('/') + 1);
  BY_LAST.set(last, [...(BY_LAST.get(last) ?? []), row]);
}

/** fieldType of path + key, without building that path for the many keys no field type names. */
export function fieldTypeAt(path: readonly string[], key: string): FieldType | undefined {
  const rows = BY_LAST.get(key);
  if (!rows) return undefined;
  const full = [...path, key];
  return rows.find(([p]) => matches(p, full))?.[1];
}

/** Known fields of the models near security settings, to tell a typo from a setting (looked up by paths a config or a variable names). */
export const KNOWN_FIELDS: Readonly<Record<string, readonly string[]>> = table<readonly string[]>({
  '': ['agents', 'channels', 'transcription', 'providers', 'api', 'gateway', 'tools', 'modelPresets'],
  tools: [
    'web', 'exec', 'file', 'cliApps', 'my', 'imageGeneration', 'maxSessionMessagesPerMinute', 'restrictToWorkspace',
    'webuiAllowLocalServiceAccess', 'allowLocalPreviewAccess', 'webuiAllowRemotePackageInstall', 'mcpServers',
    'ssrfWhitelist', 'myEnabled', 'mySet',
  ],
  'tools/exec': [
    'enable', 'timeout', 'pathPrepend', 'pathAppend', 'sandbox', 'sandboxRoBinds', 'sandboxRwBinds', 'allowedEnvKeys',
    'allowPatterns', 'denyPatterns', 'restrictToWorkspace',
  ],
  gateway: ['host', 'port', 'restartMode', 'heartbeat'],
  api: ['host', 'port', 'timeout', 'apiKey'],
  'channels/*': ['enabled', 'allowFrom', 'token', 'groupPolicy', 'dm', 'host', 'port'],
  'channels/*/dm': ['enabled', 'policy', 'allowFrom'],
});

/** Channel names nanobot has shipped; any other key holding an object is an unknown channel. */
export const CHANNELS: readonly string[] = [
  'telegram', 'whatsapp', 'discord', 'slack', 'mattermost', 'feishu', 'dingtalk', 'email', 'matrix', 'qq',
  'napcat', 'wecom', 'weixin', 'msteams', 'mochat', 'signal', 'websocket',
];

/** Channel-wide settings that sit beside the channels under `channels`. */
export const CHANNEL_SETTINGS: readonly string[] = [
  'sendProgress', 'sendToolHints', 'showReasoning', 'extractDocumentText', 'sendMaxRetries',
  'transcriptionProvider', 'transcriptionLanguage',
];

/** Defaults nanobot fills for absent keys, by version. Only what the checks read. */
export function defaultsFor(traits: VersionTraits): readonly (readonly [string, unknown])[] {
  const defaults: [string, unknown][] = [
    ['tools/restrictToWorkspace', false],
    ['tools/exec/enable', true],
    ['tools/exec/timeout', 60],
    ['tools/exec/sandbox', ''],
    ['tools/exec/allowPatterns', []],
    ['tools/exec/allowedEnvKeys', []],
    ['tools/ssrfWhitelist', []],
    ['gateway/host', traits.gatewayDefaultHost],
    ['gateway/port', 18790],
  ];
  if (traits.apiSection) {
    defaults.push(['api/host', '127.0.0.1'], ['api/port', 8900], ['api/apiKey', '']);
  }
  if (traits.websocketChannel) {
    defaults.push(
      ['channels/websocket/enabled', traits.websocketEnabledByDefault],
      ['channels/websocket/host', '127.0.0.1'],
      ['channels/websocket/port', 8765],
      ['channels/websocket/allowFrom', ['*']],
      ['channels/websocket/websocketRequiresToken', true],
      ['channels/websocket/token', ''],
      ['channels/websocket/tokenIssueSecret', ''],
    );
  }
  return defaults;
}

/** Defaults inside a channel section that exists (channels are free dicts, so per channel; looked up by the file's channel names). */
export const CHANNEL_DEFAULTS: Readonly<Record<string, readonly (readonly [string, unknown])[]>> = table<readonly (readonly [string, unknown])[]>({
  '*': [
    ['enabled', false],
    ['allowFrom', []],
  ],
  slack: [
    ['groupPolicy', 'mention'],
    ['dm/enabled', true],
    ['dm/policy', 'open'],
    ['dm/allowFrom', []],
  ],
  mattermost: [
    ['groupPolicy', 'mention'],
    ['dm/enabled', true],
    ['dm/policy', 'open'],
    ['dm/allowFrom', []],
  ],
  signal: [
    ['dm/enabled', false],
    ['dm/policy', 'allowlist'],
    ['dm/allowFrom', []],
    ['group/enabled', false],
    ['group/policy', 'allowlist'],
    ['group/allowFrom', []],
  ],
  email: [
    ['verifyDkim', true],
    ['verifySpf', true],
  ],
  msteams: [
    ['host', '0.0.0.0'],
    ['validateInboundAuth', true],
  ],
});
