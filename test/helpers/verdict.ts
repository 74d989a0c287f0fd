// harden's model, reduced to the fields nanobot's own loader reports through the oracle
// (scripts/nanobot/nb_oracle.py), so the two can be compared case by case.
import { effectiveConfig, getIn } from '../../src/config/model.js';
import { decodeConfig, parseConfig } from '../../src/config/parse.js';
import type { LoadStatus } from '../../src/config/release.js';
import { traitsFromRelease, parseVersion } from '../../src/config/version.js';
import { releaseData } from '../../src/config/release-data.js';
import { ConfigSyntaxError } from '../../src/errors.js';
import { snakeToCamel } from '../../src/config/layout.js';
import { pythonStr } from '../../src/config/text.js';

/** The oracle's channel attributes (nb_oracle.py CH_ATTRS, SECRET_ATTRS). */
export const CH_ATTRS = [
  'allow_from',
  'group_policy',
  'group_allow_from',
  'host',
  'port',
  'websocket_requires_token',
  'verify_dkim',
  'verify_spf',
  'validate_inbound_auth',
  'unix_socket_path',
  'path',
  'mode',
  'webhook_listen_host',
  'allow_channels',
  'token_ttl_s',
  'trusted_service_url_hosts',
];
const SECRET_ATTRS = ['token', 'token_issue_secret', 'trusted_proxy_auth'];

export interface Verdict {
  status: LoadStatus;
  restrictToWorkspace?: boolean;
  gatewayHost?: unknown;
  apiHost?: unknown;
  apiKeySet?: unknown;
  channels?: Record<string, Record<string, unknown>>;
  gatewayExit?: string | null;
}

function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

/** One channel's config as the oracle shows it (channel_view). */
export function channelView(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const attr of CH_ATTRS) {
    const k = snakeToCamel(attr);
    if (Object.hasOwn(config, k)) out[attr] = config[k];
  }
  for (const attr of SECRET_ATTRS) {
    const k = snakeToCamel(attr);
    if (Object.hasOwn(config, k)) out[`${attr}_set`] = pyTruthy(config[k]);
  }
  for (const sub of ['dm', 'group']) {
    const v = config[sub];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const sv = v as Record<string, unknown>;
      const o: Record<string, unknown> = {};
      for (const k of ['enabled', 'policy', 'allow_from']) {
        const c = snakeToCamel(k);
        if (Object.hasOwn(sv, c)) o[k] = sv[c];
      }
      out[sub] = o;
    }
  }
  return out;
}

/** harden's verdict on one config and environment for one release. */
export function hardenVerdict(bytes: Uint8Array, env: Record<string, string>, releaseName: string): Verdict {
  const release = releaseData(releaseName);
  const traits = traitsFromRelease(parseVersion(release.version)!, 'flag', release);
  let parsed;
  try {
    parsed = parseConfig('/config.json', decodeConfig('/config.json', bytes));
  } catch (error) {
    if (!(error instanceof ConfigSyntaxError)) throw error;
    // Not JSON at all, or a root that is no object: each release's own probe says what follows.
    const root = /the top level is/.test(error.reason);
    const status = root ? (release.loader.probes['rootArray'] ?? 'crash') : release.loader.onInvalidJson;
    if (status !== 'fallback') return { status };
    return fallbackOf(env, releaseName);
  }
  const eff = effectiveConfig(parsed, { traits, env, envComplete: true });
  return verdictOf(eff);
}

function fallbackOf(env: Record<string, string>, releaseName: string): Verdict {
  const v = hardenVerdict(new TextEncoder().encode('{}'), env, releaseName);
  return v.status === 'ok' ? { ...v, status: 'fallback' } : v;
}

export function verdictOf(eff: ReturnType<typeof effectiveConfig>): Verdict {
  const { load, value } = eff;
  if (load.status !== 'ok' && load.status !== 'fallback') return { status: load.status };
  const restrict = getIn(value, ['tools', 'restrictToWorkspace']) ?? getIn(value, ['tools', 'exec', 'restrictToWorkspace']);
  const v: Verdict = {
    status: load.status,
    restrictToWorkspace: restrict as boolean,
    gatewayHost: getIn(value, ['gateway', 'host']),
    channels: Object.fromEntries(load.started.map((s) => [s.runtime, channelView(s.config)])),
    gatewayExit: load.gatewayExit?.channel ?? null,
  };
  if ('api' in eff.release.topLevel) {
    v.apiHost = getIn(value, ['api', 'host']);
    const key = getIn(value, ['api', 'apiKey']);
    v.apiKeySet = key === undefined ? null : pyTruthy(pythonStr(key).trim());
  }
  return v;
}

/** The oracle's line, reduced the same way. */
export function oracleVerdict(o: Record<string, unknown>): Verdict {
  const status = o['status'] as LoadStatus;
  if (status !== 'ok' && status !== 'fallback') return { status };
  const restrict = o['restrictToWorkspace'] !== '<absent>' ? o['restrictToWorkspace'] : o['execRestrictToWorkspace'];
  const exit = typeof o['gatewayExit'] === 'string' ? (/"([^"]+)" has empty allowFrom/.exec(o['gatewayExit'])?.[1] ?? o['gatewayExit']) : null;
  const v: Verdict = {
    status,
    restrictToWorkspace: restrict as boolean,
    gatewayHost: o['gatewayHost'],
    channels: Object.fromEntries(
      Object.entries((o['channels'] ?? {}) as Record<string, Record<string, unknown>>).map(([k, c]) => [
        k,
        Object.fromEntries(Object.entries(c).filter(([a]) => a !== 'configType')),
      ]),
    ),
    gatewayExit: exit,
  };
  if ('apiHost' in o) {
    v.apiHost = o['apiHost'];
    v.apiKeySet = o['apiKeySet'];
  }
  return v;
}
