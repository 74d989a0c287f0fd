// Checks on the file's content that a schema over the effective config cannot express: copies
// of a key that lose, keys nanobot ignores, secrets written in plain text.
import { getNodeValue } from 'jsonc-parser';
import { CHANNELS, CHANNEL_SETTINGS, canonicalKey, KNOWN_FIELDS } from '../config/layout.js';
import { getIn, isObject, type Effective, type Shadow } from '../config/model.js';
import type { JsonNode, ParsedConfig } from '../config/parse.js';
import { dotted, fromPointer, toPointer } from '../config/pointer.js';
import { isPlaintextSecret, isSecretPath } from '../config/secrets.js';
import type { VersionTraits } from '../config/version.js';
import { inProfile, makeFinding, type Finding, type Profile } from '../findings.js';
import { locate, nodePosition } from './locate.js';
import { showValue } from './values.js';

const SECURITY_SECTIONS = new Set(['tools', 'gateway', 'api', 'channels']);

function sameValue(a: JsonNode, b: JsonNode): boolean {
  return JSON.stringify(getNodeValue(a)) === JSON.stringify(getNodeValue(b));
}

function duplicateFindings(parsed: ParsedConfig, eff: Effective, traits: VersionTraits): Finding[] {
  const out: Finding[] = [];
  for (const shadow of eff.shadows as Shadow[]) {
    if (!SECURITY_SECTIONS.has(shadow.path[0] ?? '')) continue;
    if (shadow.winner.kind !== 'file' && shadow.winner.kind !== 'migrated') continue;
    if (sameValue(shadow.node, shadow.winner.node)) continue;
    const pos = nodePosition(parsed, shadow.node);
    const winnerPos = nodePosition(parsed, shadow.winner.node);
    const reason =
      shadow.reason === 'spelling'
        ? '; nanobot prefers the camelCase spelling over snake_case'
        : '; Python keeps the last copy of a duplicated key';
    out.push(
      makeFinding(
        {
          ruleId: 'duplicate-key',
          file: parsed.file,
          args: {
            path: dotted(fromPointer(shadow.pointer)),
            value: showValue(shadow.path, getNodeValue(shadow.node)),
            winnerLine: winnerPos.line,
            winnerValue: showValue(shadow.path, getIn(eff.value, shadow.path)),
            reason,
          },
          pointer: shadow.pointer,
          ...pos,
          source: { kind: 'file', pointer: shadow.pointer },
          path: shadow.path,
        },
        traits,
      ),
    );
  }
  return out;
}

/** tools.exec.restrictToWorkspace that nanobot does not use. */
function oldPlaceFindings(parsed: ParsedConfig, eff: Effective, traits: VersionTraits): Finding[] {
  if (traits.restrictInExecOnly) return [];
  const old = eff.origins.get('/tools/exec/restrictToWorkspace');
  if (!old || old.kind !== 'file') return [];
  const current = eff.origins.get('/tools/restrictToWorkspace');
  if (current?.kind === 'migrated') return [];
  const oldValue = getIn(eff.value, ['tools', 'exec', 'restrictToWorkspace']);
  const effective = getIn(eff.value, ['tools', 'restrictToWorkspace']);
  if (oldValue === effective) return [];
  const spelledSnake = old.pointer.endsWith('restrict_to_workspace');
  const reason = spelledSnake
    ? ': nanobot migrates the old place only when it is spelled restrictToWorkspace'
    : ': nanobot migrates the old place only when tools.restrictToWorkspace is absent';
  return [
    makeFinding(
      {
        ruleId: 'old-place-ignored',
        file: parsed.file,
        args: { path: dotted(fromPointer(old.pointer)), value: JSON.stringify(oldValue), winnerValue: JSON.stringify(effective), reason },
        pointer: old.pointer,
        ...nodePosition(parsed, old.node),
        source: { kind: 'file', pointer: old.pointer },
        path: ['tools', 'restrictToWorkspace'],
      },
      traits,
    ),
  ];
}

/** Security-relevant fields a typo most often misses. */
const SECURITY_FIELDS = [
  'restrictToWorkspace', 'allowFrom', 'enabled', 'sandbox', 'timeout', 'host', 'apiKey', 'policy', 'groupPolicy',
  'ssrfWhitelist', 'allowPatterns', 'denyPatterns', 'allowedEnvKeys', 'verifyDkim', 'verifySpf', 'token',
  'tokenIssueSecret', 'websocketRequiresToken', 'validateInboundAuth', 'groupAllowFrom', 'dm',
];

// Two rows reused by every call: a config has thousands of key-candidate pairs to compare.
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** Levenshtein distance of a and b, or limit + 1 as soon as it is sure to exceed limit. */
function distanceWithin(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (rowA.length <= b.length) {
    rowA = new Int32Array(b.length + 1);
    rowB = new Int32Array(b.length + 1);
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const ca = a.charCodeAt(i - 1);
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let v = prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      if (prev[j]! + 1 < v) v = prev[j]! + 1;
      if (cur[j - 1]! + 1 < v) v = cur[j - 1]! + 1;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // Every later row is at least this row's minimum.
    if (rowMin > limit) return limit + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length]!;
}

const lowered = new WeakMap<readonly string[], string[]>();

/** The candidate a misspelt key most likely meant: within 1 edit (2 for keys of 8 or more), the first of the closest. */
export function nearest(key: string, candidates: readonly string[]): string | undefined {
  const lower = key.toLowerCase().replace(/_/g, '');
  const limit = key.length >= 8 ? 2 : 1;
  let lows = lowered.get(candidates);
  if (!lows) lowered.set(candidates, (lows = candidates.map((c) => c.toLowerCase())));
  let best: string | undefined;
  let bestD = limit + 1;
  for (let i = 0; i < candidates.length && bestD > 0; i++) {
    const d = distanceWithin(lower, lows[i]!, limit);
    if (d < bestD) {
      bestD = d;
      best = candidates[i];
    }
  }
  return best;
}

/**
 * What a mistyped name on the command line most likely meant: the nearest by edit distance, else
 * the candidates it is the start or a part of (at most three), as " (did you mean ...?)", or ''.
 */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const close = nearest(input, candidates);
  const lower = input.toLowerCase();
  const hits = close !== undefined ? [close] : lower.length >= 2 ? candidates.filter((c) => c.toLowerCase().startsWith(lower) || c.toLowerCase().includes(lower)).slice(0, 3) : [];
  return hits.length > 0 ? ` (did you mean ${hits.join(' or ')}?)` : '';
}

/** Objects whose misspelt keys matter, with the fields a typo there most likely meant. */
const TYPO_TARGETS: readonly (readonly [string, readonly string[]])[] = [
  ['tools', ['restrictToWorkspace', 'ssrfWhitelist', 'mcpServers', 'exec', 'webuiAllowRemotePackageInstall']],
  ['tools/exec', ['enable', 'timeout', 'sandbox', 'allowPatterns', 'denyPatterns', 'allowedEnvKeys', 'restrictToWorkspace']],
  ['gateway', ['host', 'port']],
  ['api', ['host', 'port', 'apiKey']],
];

function unknownKeyFindings(parsed: ParsedConfig, eff: Effective, traits: VersionTraits): Finding[] {
  const out: Finding[] = [];
  const fileObject = (path: readonly string[]): { node: JsonNode; filePath: string[] } | undefined => {
    const origin = eff.origins.get(toPointer(path));
    return origin?.kind === 'file' && origin.node.type === 'object' ? { node: origin.node, filePath: fromPointer(origin.pointer) } : undefined;
  };
  const scan = (path: string[], known: readonly string[], candidates: readonly string[]): void => {
    const found = fileObject(path);
    if (!found) return;
    for (const prop of found.node.children ?? []) {
      const keyNode = prop.children?.[0];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      const canon = canonicalKey(key);
      if (canon.spelling !== 'other' && known.includes(canon.key)) continue;
      const hit = nearest(key, candidates);
      if (!hit) continue;
      const filePath = [...found.filePath, key];
      const pointer = toPointer(filePath);
      out.push(
        makeFinding(
          {
            ruleId: 'unknown-key',
            file: parsed.file,
            args: { path: dotted(filePath), suggestion: ` (did you mean ${hit}?)` },
            pointer,
            ...nodePosition(parsed, prop.children?.[1] ?? keyNode),
            source: { kind: 'file', pointer },
            path: [...path, hit],
          },
          traits,
        ),
      );
    }
  };
  for (const [section, candidates] of TYPO_TARGETS) {
    scan(section.split('/'), KNOWN_FIELDS[section] ?? candidates, candidates);
  }
  for (const ignored of eff.ignored) {
    const filePath = fromPointer(ignored.pointer);
    out.push(
      makeFinding(
        {
          ruleId: 'unknown-key',
          file: parsed.file,
          args: { path: dotted(filePath), suggestion: ` (${ignored.why}: write ${ignored.path[ignored.path.length - 1]})` },
          pointer: ignored.pointer,
          ...nodePosition(parsed, ignored.node),
          source: { kind: 'file', pointer: ignored.pointer },
          path: ignored.path,
        },
        traits,
      ),
    );
  }
  // An unknown channel name (telegramm) is ignored by nanobot, allow list and all.
  scan(['channels'], [...CHANNELS, ...CHANNEL_SETTINGS], CHANNELS);
  const channels = eff.value['channels'];
  if (isObject(channels)) {
    for (const name of Object.keys(channels).filter((n) => CHANNELS.includes(n))) {
      scan(['channels', name], SECURITY_FIELDS, SECURITY_FIELDS);
      scan(['channels', name, 'dm'], KNOWN_FIELDS['channels/*/dm'] ?? [], KNOWN_FIELDS['channels/*/dm'] ?? []);
    }
  }
  return out;
}

function secretFindings(parsed: ParsedConfig, eff: Effective, traits: VersionTraits): Finding[] {
  const out: Finding[] = [];
  const visit = (value: unknown, path: string[]): void => {
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
      return;
    }
    if (Array.isArray(value)) {
      // A list of plain strings holds a secret only when the list itself is a secret field.
      if (value.every((v) => v === null || typeof v !== 'object') && !isSecretPath(path)) return;
      value.forEach((v, i) => visit(v, [...path, String(i)]));
      return;
    }
    if (!isSecretPath(path) || !isPlaintextSecret(value)) return;
    const origin = eff.origins.get(toPointer(path));
    if (origin?.kind !== 'file') return;
    const where = locate(parsed, eff, path);
    const mcp = path[0] === 'tools' && path[1] === 'mcpServers';
    out.push(
      makeFinding(
        {
          ruleId: mcp ? 'mcp-inline-secret' : 'plaintext-secret',
          file: parsed.file,
          args: { path: dotted(fromPointer(where.pointer)), source: '' },
          pointer: where.pointer,
          line: where.line,
          column: where.column,
          source: where.source,
          path,
        },
        traits,
      ),
    );
  };
  visit(eff.value, []);
  return out;
}

export function contentFindings(parsed: ParsedConfig, eff: Effective, traits: VersionTraits, profile: Profile): Finding[] {
  return [
    ...duplicateFindings(parsed, eff, traits),
    ...oldPlaceFindings(parsed, eff, traits),
    ...unknownKeyFindings(parsed, eff, traits),
    // The secret rules belong to the strict profile: a baseline audit does not walk every value for them.
    ...(inProfile('plaintext-secret', profile) || inProfile('mcp-inline-secret', profile) ? secretFindings(parsed, eff, traits) : []),
  ];
}
