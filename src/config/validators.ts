// Model validators a JSON Schema cannot express, by "<Model>.<validator>" as each release's data
// names them (release.ts `x-validators`). The ones that decide whether nanobot starts a section
// are emulated; the others are listed with null (their checks do not change what harden reports:
// provider options, time zones, buffer sizes). A test fails when a release names one that is in
// neither list, so a new validator is a decision, not a silent gap.
import type { Issue, ModelValidator } from './pydantic.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const WILDCARD = new Set(['0.0.0.0', '::']);

function fail(path: readonly string[], key: string, expected: string): Issue {
  return { path: [...path, key], expected, kind: 'validator' };
}

/** The path form nanobot compares (websocket channel: _normalize_config_path). */
function normalPath(p: string): string {
  const t = p.trim();
  const stripped = t.replace(/\/+$/, '');
  return stripped === '' ? '/' : stripped;
}

const zones = new Map<string, boolean>();

/** Whether a time zone name is one zoneinfo knows (as far as this Node's ICU tells). */
const AREA_ZONE =
  /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc|US|Canada|Brazil|Chile|Mexico)\/[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z][A-Za-z0-9_+-]*)?$/;

function knownZone(tz: string): boolean {
  // Intl's first use of a time zone loads ICU's zone data, some 15 ms of a 100 ms audit: a name of
  // zoneinfo's own form (Area/City) is taken as one, and only another form asks ICU. The price: a
  // well-formed name of no zone ("Europe/Berln") passes here, where nanobot 0.3.0+ stops at once.
  if (tz === 'UTC' || AREA_ZONE.test(tz)) return true;
  let known = zones.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      known = true;
    } catch {
      known = false;
    }
    if (zones.size < 256) zones.set(tz, known);
  }
  return known;
}

export const VALIDATORS: Readonly<Record<string, ModelValidator | null>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, ModelValidator | null>, {
    // 0.3.0 nanobot/config/schema.py:331: 0.0.0.0 or :: needs a non-blank api_key.
    'ApiConfig.wildcard_host_requires_auth': (v, path) =>
      WILDCARD.has(str(v['host'])) && !str(v['apiKey']).trim()
        ? fail(path, 'host', 'a loopback address while api.apiKey is empty (nanobot rejects 0.0.0.0 and :: without a key)')
        : undefined,
    // 0.2.0 nanobot/channels/websocket.py:131 (trustedProxyAuth counts from main on).
    'WebSocketConfig.wildcard_host_requires_auth': (v, path, model) => {
      if (!WILDCARD.has(str(v['host']))) return undefined;
      const proxy = model.properties?.['trustedProxyAuth'] !== undefined && v['trustedProxyAuth'] !== null && v['trustedProxyAuth'] !== undefined;
      if (str(v['token']).trim() || str(v['tokenIssueSecret']).trim() || proxy) return undefined;
      return fail(path, 'host', 'a loopback address while no token, tokenIssueSecret or trustedProxyAuth is set (nanobot rejects 0.0.0.0 and :: without one)');
    },
    'WebSocketConfig.path_must_start_with_slash': (v, path) => (str(v['path']).startsWith('/') ? undefined : fail(path, 'path', 'a path that starts with "/"')),
    'WebSocketConfig.token_issue_path_format': (v, path) => {
      const p = str(v['tokenIssuePath']).trim();
      return p && !p.startsWith('/') ? fail(path, 'tokenIssuePath', 'a path that starts with "/"') : undefined;
    },
    'WebSocketConfig.token_issue_path_differs_from_ws_path': (v, path) => {
      const p = str(v['tokenIssuePath']).trim();
      return p && normalPath(p) === normalPath(str(v['path'])) ? fail(path, 'tokenIssuePath', 'a path other than the WebSocket path') : undefined;
    },
    'WebSocketConfig.unix_socket_path_format': (v, path) => {
      const p = str(v['unixSocketPath']).trim();
      if (!p) return undefined;
      return p.includes('\u0000') || !(p.startsWith('/') || p.startsWith('~')) ? fail(path, 'unixSocketPath', 'an absolute path') : undefined;
    },
    'WebSocketConfig.public_ws_url_format': (v, path) => {
      const u = str(v['publicWsUrl']).trim();
      if (!u) return undefined;
      try {
        const url = new URL(u);
        return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.host && !url.username && !url.password && !url.search && !url.hash
          ? undefined
          : fail(path, 'publicWsUrl', 'an absolute ws:// or wss:// URL without credentials');
      } catch {
        return fail(path, 'publicWsUrl', 'an absolute ws:// or wss:// URL without credentials');
      }
    },
    'WebSocketConfig.public_ws_url_matches_path': (v, path) => {
      const u = str(v['publicWsUrl']).trim();
      if (!u) return undefined;
      try {
        return normalPath(new URL(u).pathname || '/') === normalPath(str(v['path']) || '/')
          ? undefined
          : fail(path, 'publicWsUrl', 'a URL whose path matches path');
      } catch {
        return undefined;
      }
    },
    // 0.2.1 nanobot/channels/telegram.py: webhook mode needs a public https URL and a secret token.
    'TelegramConfig.validate_webhook_config': (v, path) => {
      if (v['mode'] !== 'webhook') return undefined;
      const url = str(v['webhookUrl']).trim();
      let https: boolean;
      try {
        const parsed = new URL(url);
        https = parsed.protocol === 'https:' && parsed.host !== '';
      } catch {
        https = false;
      }
      if (!https) return fail(path, 'webhookUrl', 'a public https:// URL (webhook mode)');
      const secret = str(v['webhookSecretToken']).trim();
      if (!secret || secret.length > 256 || !/^[A-Za-z0-9_-]+$/.test(secret))
        return fail(path, 'webhookSecretToken', '1-256 characters of A-Z, a-z, 0-9, _ and - (webhook mode)');
      return undefined;
    },
    'TelegramConfig.webhook_path_must_start_with_slash': (v, path) => {
      const p = str(v['webhookPath']).trim() || '/telegram';
      return p.startsWith('/') ? undefined : fail(path, 'webhookPath', 'a path that starts with "/"');
    },
    // 0.2.0 nanobot/config/schema.py: a preset named anywhere must exist.
    'Config._validate_model_preset': (v, path) => {
      const presets = (v['modelPresets'] ?? {}) as Record<string, unknown>;
      if (Object.hasOwn(presets, 'default')) return fail(path, 'modelPresets', "preset names other than 'default'");
      const defaults = ((v['agents'] ?? {}) as Record<string, unknown>)['defaults'] as Record<string, unknown> | undefined;
      const name = defaults?.['modelPreset'];
      if (typeof name === 'string' && name && name !== 'default' && !Object.hasOwn(presets, name))
        return fail([...path, 'agents', 'defaults'], 'modelPreset', 'the name of a preset in modelPresets');
      const dream = ((defaults?.['dream'] ?? {}) as Record<string, unknown>)['modelOverride'];
      if (typeof dream === 'string' && dream && dream !== 'default' && !Object.hasOwn(presets, dream))
        return fail([...path, 'agents', 'defaults', 'dream'], 'modelOverride', 'the name of a preset in modelPresets');
      for (const fallback of Array.isArray(defaults?.['fallbackModels']) ? (defaults['fallbackModels'] as unknown[]) : []) {
        if (typeof fallback === 'string' && !Object.hasOwn(presets, fallback))
          return fail([...path, 'agents', 'defaults'], 'fallbackModels', 'names of presets in modelPresets');
      }
      return undefined;
    },
    'AgentDefaults.validate_timezone': (v, path) => (knownZone(str(v['timezone'])) ? undefined : fail(path, 'timezone', 'an IANA time zone name')),
    'ProvidersConfig._validate_api_type_scope': (v, path) => {
      for (const [name, p] of Object.entries(v)) {
        if (name === 'openai' || p === null || typeof p !== 'object') continue;
        const t = (p as Record<string, unknown>)['apiType'];
        if (t !== undefined && t !== 'auto') return fail([...path, name], 'apiType', '"auto" (only providers.openai takes another api type)');
      }
      return undefined;
    },
    // Known, and left out: they do not change what starts, binds or who is let in.
    'AgentDefaults.resolve_timezone': null,
    'BedrockProviderConfig._validate_thinking_style': null,
    'ProviderConfig._validate_thinking_style': null,
    'ProvidersConfig.convert_extra_providers': null,
    'SignalConfig._validate_buffer_size': null,
    'MattermostConfig._inherit_thread_policy': null,
    'WeixinConfig._enable_tool_event_transport': null,
  } satisfies Record<string, ModelValidator | null>),
);
