// Checks on the file's content that a schema over the effective config cannot express: copies
// of a key that lose, keys nanobot ignores, secrets written in plain text.
import { isDeepStrictEqual } from 'node:util';
import { getNodeValue } from 'jsonc-parser';
import { canonicalKey } from '../config/layout.js';
import { namesOf, pyCamelToSnake, shapesOf } from '../config/shape.js';
import { getIn, type Effective } from '../config/model.js';
import type { JsonNode, ParsedConfig } from '../config/parse.js';
import { dotted, fromPointer, toPointer } from '../config/pointer.js';
import { isPlaintextSecret, isSecretPath } from '../config/secrets.js';
import type { VersionTraits } from '../config/version.js';
import { inProfile, makeFinding, type Finding, type Profile } from '../findings/index.js';
import { nodePosition } from './locate.js';
import { showValue } from './values.js';
import { nearest } from '../config/nearest.js';

const SECURITY_SECTIONS = new Set(['tools', 'gateway', 'api', 'channels']);

function sameValue(a: JsonNode, b: JsonNode): boolean {
  // Python compares dicts by content, whatever order their keys are written in.
  return isDeepStrictEqual(getNodeValue(a), getNodeValue(b));
}

function duplicateFindings(parsed: ParsedConfig, eff: Effective, traits: VersionTraits): Finding[] {
  const out: Finding[] = [];
  for (const shadow of eff.shadows) {
    if (!SECURITY_SECTIONS.has(shadow.path[0] ?? '')) continue;
    if (shadow.winner.kind !== 'file' && shadow.winner.kind !== 'migrated') continue;
    if (sameValue(shadow.node, shadow.winner.node)) continue;
    const pos = nodePosition(parsed, shadow.node);
    const winnerPos = nodePosition(parsed, shadow.winner.node);
    const reason =
      shadow.reason === 'spelling' ? '; nanobot prefers the camelCase spelling over snake_case' : '; Python keeps the last copy of a duplicated key';
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
  const oldValue: unknown = getNodeValue(old.node);
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
  'restrictToWorkspace',
  'allowFrom',
  'enabled',
  'sandbox',
  'timeout',
  'host',
  'apiKey',
  'policy',
  'groupPolicy',
  'ssrfWhitelist',
  'allowPatterns',
  'denyPatterns',
  'allowedEnvKeys',
  'verifyDkim',
  'verifySpf',
  'token',
  'tokenIssueSecret',
  'websocketRequiresToken',
  'validateInboundAuth',
  'groupAllowFrom',
  'dm',
];

/** Objects whose misspelt keys matter, with the fields a typo there most likely meant. */
const TYPO_TARGETS: readonly (readonly [string, readonly string[]])[] = [
  ['tools', ['restrictToWorkspace', 'ssrfWhitelist', 'mcpServers', 'exec', 'webuiAllowRemotePackageInstall', 'webuiAllowLocalServiceAccess']],
  [
    'tools/exec',
    [
      'enable',
      'timeout',
      'sandbox',
      'allowPatterns',
      'denyPatterns',
      'allowedEnvKeys',
      'restrictToWorkspace',
      'sandboxRoBinds',
      'sandboxRwBinds',
      'pathPrepend',
      'pathAppend',
    ],
  ],
  ['gateway', ['host', 'port']],
  ['api', ['host', 'port', 'apiKey']],
];

/** The keys a model at `path` reads in this release (aliases and names), or undefined when no model is there. */
function acceptedAt(eff: Effective, path: readonly string[]): { names: Record<string, string>; fields: string[] } | undefined {
  const shape = shapesOf(eff.release).at(path);
  if (shape.kind !== 'model') return undefined;
  return { names: namesOf(shape.node), fields: Object.keys(shape.node.properties ?? {}) };
}

function unknownKeyFindings(parsed: ParsedConfig, eff: Effective, traits: VersionTraits): Finding[] {
  const out: Finding[] = [];
  const fileObject = (path: readonly string[]): { node: JsonNode; filePath: string[] } | undefined => {
    const origin = eff.origins.get(toPointer(path));
    return origin?.kind === 'file' && origin.node.type === 'object' ? { node: origin.node, filePath: fromPointer(origin.pointer) } : undefined;
  };
  const scan = (path: string[], accepts: (key: string) => boolean, candidates: readonly string[]): void => {
    const found = fileObject(path);
    if (!found || candidates.length === 0) return;
    for (const prop of found.node.children ?? []) {
      const keyNode = prop.children?.[0];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      if (accepts(key)) continue;
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
  const convert = eff.release.convertKeys ? pyCamelToSnake : (k: string) => k;
  const modelScan = (path: string[], wanted: readonly string[]): void => {
    const model = acceptedAt(eff, path);
    if (!model) return;
    scan(
      path,
      (key) => Object.hasOwn(model.names, convert(key)),
      wanted.filter((f) => model.fields.includes(f)),
    );
  };
  for (const [section, candidates] of TYPO_TARGETS) modelScan(section.split('/'), candidates);
  for (const ignored of eff.ignored) {
    const filePath = fromPointer(ignored.pointer);
    out.push(
      makeFinding(
        {
          ruleId: 'unknown-key',
          file: parsed.file,
          args: { path: dotted(filePath), suggestion: ` (${ignored.why}${ignored.write ? `: write ${ignored.write}` : ''})` },
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
  const names = eff.release.channels.names;
  const settings = eff.release.channels.settings;
  scan(['channels'], (key) => names.includes(convert(key)) || settings.includes(convert(key)) || settings.includes(canonicalKey(key).key), names);
  for (const started of eff.load.started) {
    modelScan(started.path, SECURITY_FIELDS);
    modelScan([...started.path, 'dm'], ['enabled', 'policy', 'allowFrom']);
  }
  return out;
}

/**
 * Plaintext secrets, read from the file itself: a secret in a key nanobot ignores, or in a file it
 * drops, is still a secret in the file. Losing copies of a duplicated key are left to duplicate-key.
 */
function secretFindings(parsed: ParsedConfig, eff: Effective, traits: VersionTraits): Finding[] {
  const out: Finding[] = [];
  const shadowed = new Set(eff.shadows.map((sh) => sh.node));
  const path: string[] = [];
  const filePath: string[] = [];
  const visit = (node: JsonNode): void => {
    if (shadowed.has(node)) return;
    if (node.type === 'object') {
      for (const prop of node.children ?? []) {
        const value = prop.children?.[1];
        if (!value) continue;
        const key = String(prop.children?.[0]?.value);
        path.push(canonicalKey(key).key);
        filePath.push(key);
        visit(value);
        path.pop();
        filePath.pop();
      }
      return;
    }
    if (node.type === 'array') {
      const children = node.children ?? [];
      // A list of plain strings holds a secret only when the list itself is a secret field.
      if (children.every((c) => c.type !== 'object' && c.type !== 'array') && !isSecretPath(path)) return;
      children.forEach((c, i) => {
        path.push(String(i));
        filePath.push(String(i));
        visit(c);
        path.pop();
        filePath.pop();
      });
      return;
    }
    if (!isSecretPath(path) || !isPlaintextSecret(node.value)) return;
    const pointer = toPointer(filePath);
    const mcp = path[0] === 'tools' && path[1] === 'mcpServers';
    out.push(
      makeFinding(
        {
          ruleId: mcp ? 'mcp-inline-secret' : 'plaintext-secret',
          file: parsed.file,
          args: { path: dotted(filePath), source: '' },
          pointer,
          ...nodePosition(parsed, node),
          source: { kind: 'file', pointer },
          path: [...path],
        },
        traits,
      ),
    );
  };
  visit(parsed.root);
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
