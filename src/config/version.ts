// nanobot versions (PEP 440, parsed and ordered in pep440.ts) and what changed between them that
// matters to an auditor (nanobot-config.md, section 0).
import { comparePep440, parsePep440, type Pep440 } from './pep440.js';

export interface NanobotVersion {
  text: string;
  pep440: Pep440;
}

/** The newest nanobot whose behaviour this tool knows; an unknown version is assumed to be this. */
export const LATEST_KNOWN = '0.3.0';

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

/**
 * What the behaviour of one nanobot version means for the model and the loader checks. How a
 * setting's severity changes with the version lives with the rule (rules.json `versions`).
 */
export interface VersionTraits {
  version: NanobotVersion;
  /** How the version was learned. */
  source: 'flag' | 'detected' | 'assumed';
  /** v0.1.3.post4 read restrictToWorkspace only under tools.exec. */
  restrictInExecOnly: boolean;
  envReferences: boolean;
  gatewayDefaultHost: string;
  websocketChannel: boolean;
  websocketEnabledByDefault: boolean;
  apiSection: boolean;
  /** Invalid config: true = refuses to start; false = runs with defaults (<= 0.2.1). */
  failsFastOnInvalid: boolean;
  /** Channels are free-form dicts started when bool(raw enabled) is true (0.1.4.post5 and later). */
  freeFormChannels: boolean;
  topLevelKeys: readonly string[];
}

export function traitsFor(version: NanobotVersion, source: VersionTraits['source']): VersionTraits {
  const topLevelKeys = ['agents', 'channels', 'providers', 'gateway', 'tools'];
  if (atLeast(version, '0.1.5')) topLevelKeys.push('api');
  // Verified: v0.2.1 has modelPresets and no transcription; HEAD (0.3.0) has both. Where a key
  // appeared between checked tags, the later tag is assumed, so no valid file is called broken.
  if (atLeast(version, '0.2.0')) topLevelKeys.push('modelPresets');
  if (atLeast(version, '0.2.2')) topLevelKeys.push('transcription');
  return {
    version,
    source,
    restrictInExecOnly: !atLeast(version, '0.1.3.post5'),
    envReferences: atLeast(version, '0.1.5'),
    gatewayDefaultHost: atLeast(version, '0.1.5.post1') ? '127.0.0.1' : '0.0.0.0',
    websocketChannel: atLeast(version, '0.1.5.post1'),
    websocketEnabledByDefault: atLeast(version, '0.3.0'),
    apiSection: atLeast(version, '0.1.5'),
    failsFastOnInvalid: atLeast(version, '0.2.2'),
    freeFormChannels: atLeast(version, '0.1.4.post5'),
    topLevelKeys,
  };
}

export function assumedTraits(): VersionTraits {
  return traitsFor(v(LATEST_KNOWN), 'assumed');
}
