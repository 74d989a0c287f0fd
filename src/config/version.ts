// nanobot versions (PEP 440, parsed and ordered in pep440.ts) and the release whose facts apply to
// one: what nanobot means is data generated from nanobot (release.ts), picked here by version.
import { releaseData, releaseIndex, prepareReleaseData } from './release-data.js';
import { defaultsOf, type ReleaseEntry, type ReleaseFacts } from './release.js';
import { comparePep440, parsePep440, type Pep440 } from './pep440.js';

export interface NanobotVersion {
  text: string;
  pep440: Pep440;
}

/** A PEP 440 version (`0.3.0`, `0.1.4.post6`, `0.3.0rc1`, `1!0.1`), else undefined. */
export function parseVersion(text: string): NanobotVersion | undefined {
  const pep440 = parsePep440(text);
  return pep440 ? { text: text.trim().replace(/^v/i, ''), pep440 } : undefined;
}

export function compareVersions(a: NanobotVersion, b: NanobotVersion): number {
  return comparePep440(a.pep440, b.pep440);
}

function v(text: string): NanobotVersion {
  const parsed = parseVersion(text);
  if (!parsed) throw new Error(`bad version literal ${text}`);
  return parsed;
}

/** True when `version` is at least `since`. */
export function atLeast(version: NanobotVersion, since: string): boolean {
  return compareVersions(version, v(since)) >= 0;
}

/** How a version maps onto the releases harden has data for. */
export interface ReleaseChoice {
  release: ReleaseEntry;
  /** Set when the version is outside the releases known: 'newer' (checked as the newest) or 'older' (as the oldest). */
  outside?: 'newer' | 'older';
}

/**
 * The release whose facts apply to a version: the release of that exact name, else the newest
 * tagged release at or below it. A version newer than every tagged release is checked as the
 * newest data there is (main's snapshot, when there is one), and one older than them all as the
 * oldest; both say so.
 */
export function pickRelease(version: NanobotVersion): ReleaseChoice {
  const all = releaseIndex();
  const exact = all.find((r) => r.name === version.text);
  if (exact) return { release: exact };
  const tagged = all.filter((r) => r.tag !== null);
  let best: ReleaseEntry | undefined;
  for (const r of tagged) if (compareVersions(v(r.version), version) <= 0) best = r;
  const newestTagged = tagged[tagged.length - 1]!;
  if (!best) return { release: all[0]!, outside: 'older' };
  if (best === newestTagged && compareVersions(version, v(newestTagged.version)) > 0) return { release: all[all.length - 1]!, outside: 'newer' };
  return { release: best };
}

/** The newest tagged release: what harden assumes when it cannot learn the version. */
export function latestRelease(): ReleaseEntry {
  const tagged = releaseIndex().filter((r) => r.tag !== null);
  return tagged[tagged.length - 1]!;
}

/**
 * What the behaviour of one nanobot version means for the model and the loader checks: the facts
 * of its release, and a few answers derived from them that many places ask. How a setting's
 * severity changes with the version lives with the rule (rules.json `versions`).
 */
export interface VersionTraits {
  version: NanobotVersion;
  /** How the version was learned. */
  source: 'flag' | 'detected' | 'assumed';
  /** The release whose facts are used. */
  release: ReleaseFacts;
  /** The version is outside the releases harden knows (checked as the nearest one). */
  outside?: 'newer' | 'older';
  /** Why the version is assumed: --no-host (not looked up), no nanobot on PATH, or one whose version could not be read. */
  assumedWhy?: 'not-looked-up' | 'not-found' | 'unreadable';
  /** v0.1.3.post4 read restrictToWorkspace only under tools.exec. */
  restrictInExecOnly: boolean;
  /** ${NAME} references are resolved (0.1.5 and later). */
  envReferences: boolean;
  gatewayDefaultHost: string;
  /** gateway.host opens a port (the health endpoint, 0.1.5.post1 and later); before, nothing listens on it. */
  gatewayListens: boolean;
  websocketChannel: boolean;
  websocketEnabledByDefault: boolean;
  apiSection: boolean;
  /** api.apiKey exists (0.3.0 and later); before, the API has no authentication at all. */
  apiKeyField: boolean;
  /** What an empty (or omitted) allowFrom means: everyone, no one (the gateway exits), or pairing only. */
  allowFromEmpty: ReleaseFacts['allowFrom']['empty'];
  /** Whether "*" in allowFrom lets everyone in or is a literal sender id. */
  allowFromStar: ReleaseFacts['allowFrom']['star'];
  /** `nanobot serve` refuses a non-loopback api.host without a key (0.3.0 and later). */
  serveRequiresKey: boolean;
  /** Invalid config: true = refuses to start; false = runs with defaults (<= 0.2.1). */
  failsFastOnInvalid: boolean;
  /** Channels are free-form dicts each channel validates itself (0.1.4.post5 and later). */
  freeFormChannels: boolean;
  topLevelKeys: readonly string[];
}

function props(facts: ReleaseFacts, model: string): Record<string, unknown> {
  return facts.schema.defs[model]?.properties ?? {};
}

export function traitsFromRelease(version: NanobotVersion, source: VersionTraits['source'], release: ReleaseFacts, outside?: 'newer' | 'older'): VersionTraits {
  const gateway = (defaultsOf(release.schema)['gateway'] ?? {}) as Record<string, unknown>;
  const tools = props(release, 'ToolsConfig');
  return {
    version,
    source,
    release,
    ...(outside ? { outside } : {}),
    restrictInExecOnly: !('restrictToWorkspace' in tools) && 'restrictToWorkspace' in props(release, 'ExecToolConfig'),
    envReferences: release.interpolation.supported,
    gatewayDefaultHost: typeof gateway['host'] === 'string' ? gateway['host'] : '0.0.0.0',
    gatewayListens: (release.code['healthServerBind'] ?? []).length > 0,
    websocketChannel: release.channels.names.includes('websocket'),
    websocketEnabledByDefault: release.channels.list['websocket']?.defaultEnabled === true,
    apiSection: 'api' in release.topLevel,
    apiKeyField: 'apiKey' in props(release, 'ApiConfig'),
    allowFromEmpty: release.allowFrom.empty,
    allowFromStar: release.allowFrom.star,
    serveRequiresKey: (release.code['serveRequiresKeyOffLoopback'] ?? []).length > 0,
    failsFastOnInvalid: release.loader.onInvalidSchema !== 'fallback',
    freeFormChannels: !release.channels.typed,
    topLevelKeys: Object.keys(release.topLevel),
  };
}

/** What a report says about the version: checked for, learned how, described by which release's data. */
export interface NanobotInfo {
  version: string;
  source: VersionTraits['source'];
  release: string;
  outside?: 'newer' | 'older';
  assumedWhy?: 'not-looked-up' | 'not-found' | 'unreadable';
}

export function nanobotInfo(traits: VersionTraits): NanobotInfo {
  return {
    version: traits.version.text,
    source: traits.source,
    release: traits.release.name,
    ...(traits.outside ? { outside: traits.outside } : {}),
    ...(traits.assumedWhy ? { assumedWhy: traits.assumedWhy } : {}),
  };
}

/** The traits of a version (its release's facts must be prepared in the bundle: prepareTraits). */
export function traitsFor(version: NanobotVersion, source: VersionTraits['source']): VersionTraits {
  const choice = pickRelease(version);
  return traitsFromRelease(version, source, releaseData(choice.release.name), choice.outside);
}

/** Load the facts a version needs; then traitsFor answers without waiting. */
export async function prepareTraits(version: NanobotVersion, source: VersionTraits['source']): Promise<VersionTraits> {
  await prepareReleaseData(pickRelease(version).release.name);
  return traitsFor(version, source);
}

export function assumedVersion(): NanobotVersion {
  return v(latestRelease().version);
}

export function assumedTraits(): VersionTraits {
  return traitsFor(assumedVersion(), 'assumed');
}
