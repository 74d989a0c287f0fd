// The effective-value model: what nanobot ends up with after json.load (last duplicate wins),
// pydantic (camelCase beats snake_case, other spellings ignored), the old-layout migration,
// NANOBOT_* variables filling keys the file leaves out, and defaults. Every value keeps where it
// came from, so a finding can say why a setting is what it is.
import type { JsonNode, ParsedConfig } from './parse.js';
import { CHANNEL_DEFAULTS, CHANNEL_SETTINGS, defaultsFor, fieldTypeAt, keysAt, type Canonical, type FieldType } from './layout.js';
import { toPointer } from './pointer.js';
import type { VersionTraits } from './version.js';
import { applyEnv, type EnvSetting } from './env.js';
import { own, setOwn } from './own.js';

export type Origin =
  | { kind: 'file'; pointer: string; node: JsonNode }
  | { kind: 'migrated'; pointer: string; node: JsonNode }
  | { kind: 'inherited'; pointer: string; node: JsonNode }
  | { kind: 'env'; name: string }
  | { kind: 'default' };

/** A key the file has but nanobot does not use, because another copy of it wins. */
export interface Shadow {
  path: string[];
  pointer: string;
  node: JsonNode;
  winner: Origin;
  reason: 'duplicate' | 'spelling';
}

/** A value nanobot would reject (HEAD refuses to start; 0.2.1 and older fall back to defaults). */
export interface Invalid {
  path: string[];
  origin: Origin;
  expected: FieldType;
}

/** A key nanobot reads no value from although it looks like a setting. */
export interface Ignored {
  /** The canonical path it looks like. */
  path: string[];
  pointer: string;
  node: JsonNode;
  why: string;
}

export interface Effective {
  value: Record<string, unknown>;
  origins: Map<string, Origin>;
  shadows: Shadow[];
  invalid: Invalid[];
  ignored: Ignored[];
  /** Channels whose section nanobot cannot load, so they never start. */
  unloadable: Invalid[];
  /** Every NANOBOT_* variable that names a setting, and whether it decides it. */
  env: EnvSetting[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Builder {
  origins: Map<string, Origin>;
  shadows: Shadow[];
  ignored: Ignored[];
}

const esc = (segment: string): string => (segment.includes('~') || segment.includes('/') ? segment.replace(/~/g, '~0').replace(/\//g, '~1') : segment);

/**
 * Walk a parse-tree node into a plain value with canonical keys, recording origins. Pointers are
 * built as strings on the way down (a large config has hundreds of thousands of nodes), and a
 * path array only for what has children: at start-up all of this runs in the interpreter, where
 * every allocation counts.
 */
function walk(node: JsonNode, path: readonly string[], pointer: string, filePointer: string, b: Builder): Json {
  b.origins.set(pointer, { kind: 'file', pointer: filePointer, node });
  const children = node.children ?? [];
  if (node.type === 'array') {
    // Scalar items get no origin of their own (allow lists can hold 100,000 of them): locate()
    // finds an item through its array's node. Objects and arrays inside do get one.
    const items: Json[] = [];
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      items.push(child.type === 'object' || child.type === 'array' ? walk(child, [...path, String(i)], `${pointer}/${i}`, `${filePointer}/${i}`, b) : (child.value as Json));
    }
    return items;
  }
  if (node.type !== 'object') return node.value as Json;
  const canonOf = keysAt(path);
  const feishu = path[0] === 'channels' && path[1] === 'feishu';
  // Each property's canonical key; undefined for one that fills nothing.
  const canons: (Canonical | undefined)[] = [];
  const seen = new Set<string>();
  let repeated = false;
  for (const prop of children) {
    const keyNode = prop.children?.[0];
    const canon = keyNode ? canonOf(String(keyNode.value)) : undefined;
    if (canon && canon.spelling === 'snake' && feishu) {
      // Feishu fills camelCase defaults wherever the exact camelCase key is missing, and those
      // beat the snake_case key (verified: allow_from ends up []).
      const value = prop.children?.[1];
      if (value) b.ignored.push({ path: [...path, canon.key], pointer: `${filePointer}/${esc(String(keyNode!.value))}`, node: value, why: 'Feishu reads camelCase keys only' });
      canons.push(undefined);
      continue;
    }
    canons.push(canon);
    if (!canon) continue;
    if (seen.has(canon.key)) repeated = true;
    else seen.add(canon.key);
  }
  const out: { [key: string]: Json } = {};
  const child = (canon: string, key: string, valueNode: JsonNode): Json =>
    walk(valueNode, valueNode.type === 'object' || valueNode.type === 'array' ? [...path, canon] : path, `${pointer}/${esc(canon)}`, `${filePointer}/${esc(key)}`, b);
  if (!repeated) {
    // The usual object: every key once, so each is its own winner.
    for (let i = 0; i < children.length; i++) {
      const canon = canons[i];
      const valueNode = children[i]!.children?.[1];
      if (canon && valueNode) setOwn(out, canon.key, child(canon.key, String(children[i]!.children![0]!.value), valueNode));
    }
    return out;
  }
  // canonical key -> property nodes in file order
  const groups = new Map<string, { key: string; spelling: string; prop: JsonNode }[]>();
  for (let i = 0; i < children.length; i++) {
    const canon = canons[i];
    if (!canon) continue;
    const prop = children[i]!;
    const entry = { key: String(prop.children![0]!.value), spelling: canon.spelling, prop };
    const group = groups.get(canon.key);
    if (group) group.push(entry);
    else groups.set(canon.key, [entry]);
  }
  for (const [canon, group] of groups) {
    // json.load keeps the last copy of a key; pydantic then prefers the camelCase alias.
    const candidates = group.length === 1 ? group : group.some((g) => g.spelling !== 'snake') ? group.filter((g) => g.spelling !== 'snake') : group;
    const winner = candidates[candidates.length - 1]!;
    const valueNode = winner.prop.children?.[1];
    if (!valueNode) continue;
    setOwn(out, canon, child(canon, winner.key, valueNode));
    if (group.length === 1) continue;
    const winnerOrigin = b.origins.get(`${pointer}/${esc(canon)}`)!;
    for (const g of group) {
      if (g === winner) continue;
      const loserValue = g.prop.children?.[1];
      if (!loserValue) continue;
      b.shadows.push({
        path: [...path, canon],
        pointer: `${filePointer}/${esc(g.key)}`,
        node: loserValue,
        winner: winnerOrigin,
        reason: g.key === winner.key ? 'duplicate' : 'spelling',
      });
    }
  }
  return out;
}

/** The value at a path of own keys: a channel named "constructor" is the file's, never Object's. */
function getIn(value: unknown, path: readonly string[]): unknown {
  let cur: unknown = value;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, p)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Set a value where the file (and env) left the key out, creating parents; records the origin. */
export function fill(root: Record<string, unknown>, path: readonly string[], value: unknown, origin: Origin, origins: Map<string, Origin>): boolean {
  let cur: Record<string, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = own(cur, key);
    if (next === undefined) {
      setOwn(cur, key, {});
      origins.set(toPointer(path.slice(0, i + 1)), origin);
    } else if (next === null || typeof next !== 'object') return false;
    cur = cur[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (Object.hasOwn(cur, last)) return false;
  setOwn(cur, last, structuredClone(value));
  recordTree(path, value, origin, origins);
  return true;
}

function recordTree(path: readonly string[], value: unknown, origin: Origin, origins: Map<string, Origin>): void {
  origins.set(toPointer(path), origin);
  if (Array.isArray(value)) value.forEach((v, i) => recordTree([...path, String(i)], v, origin, origins));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) recordTree([...path, k], v, origin, origins);
}

/**
 * nanobot's _migrate_config, on the dict json.load returned: tools.exec.restrictToWorkspace
 * (camelCase only) moves to tools.restrictToWorkspace when that exact key is absent.
 */
function migrate(parsed: ParsedConfig, value: Record<string, unknown>, b: Builder): void {
  const tools = lastProperty(parsed.root, 'tools');
  if (!tools || tools.type !== 'object') return;
  const exec = lastProperty(tools, 'exec');
  const old = exec?.type === 'object' ? lastProperty(exec, 'restrictToWorkspace') : undefined;
  if (!old) return;
  const toolsValue = value['tools'] as Record<string, unknown>;
  const oldPointer = '/tools/exec/restrictToWorkspace';
  if (lastProperty(tools, 'restrictToWorkspace')) return;
  const migrated: Origin = { kind: 'migrated', pointer: oldPointer, node: old };
  const snake = b.origins.get('/tools/restrictToWorkspace');
  if (snake) {
    // The migrated camelCase key beats a snake_case one the file spelled.
    b.shadows.push({ path: ['tools', 'restrictToWorkspace'], pointer: snake.kind === 'file' ? snake.pointer : '/tools/restrict_to_workspace', node: (snake as { node: JsonNode }).node, winner: migrated, reason: 'spelling' });
  }
  toolsValue['restrictToWorkspace'] = old.value as Json;
  b.origins.set('/tools/restrictToWorkspace', migrated);
}

/** The value node of the last property named `key` (json.load keeps the last duplicate). */
export function lastProperty(object: JsonNode, key: string): JsonNode | undefined {
  let found: JsonNode | undefined;
  for (const prop of object.children ?? []) {
    if (prop.children?.[0]?.value === key) found = prop.children[1];
  }
  return found;
}

const TRUE = new Set(['1', 'true', 'yes', 'on', 'y', 't']);
const FALSE = new Set(['0', 'false', 'no', 'off', 'n', 'f']);

/** pydantic's lax coercion for the field types the checks read; undefined when it would fail. */
export function coerce(value: unknown, type: FieldType): { ok: true; value: unknown } | { ok: false } {
  switch (type) {
    case 'bool':
      if (typeof value === 'boolean') return { ok: true, value };
      if (value === 0 || value === 1) return { ok: true, value: value === 1 };
      if (typeof value === 'string') {
        const s = value.trim().toLowerCase();
        if (TRUE.has(s)) return { ok: true, value: true };
        if (FALSE.has(s)) return { ok: true, value: false };
      }
      return { ok: false };
    case 'int': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n === 'number' && Number.isInteger(n)) return { ok: true, value: n };
      return { ok: false };
    }
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? { ok: true, value: n } : { ok: false };
    }
    case 'string':
      return typeof value === 'string' ? { ok: true, value } : { ok: false };
    case 'string?':
      return typeof value === 'string' || value === null ? { ok: true, value } : { ok: false };
    case 'list':
      return Array.isArray(value) ? { ok: true, value } : { ok: false };
    case 'object':
      return isObject(value) ? { ok: true, value } : { ok: false };
  }
}

/** Python's bool() of a raw JSON value: how free-form channel sections decide they are enabled. */
export function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

interface Coercion {
  origins: Map<string, Origin>;
  invalid: Invalid[];
  unloadable: Invalid[];
  traits: VersionTraits;
}

function coerceAll(value: Record<string, unknown>, path: readonly string[], c: Coercion): void {
  // Own keys only (Object.keys): a for-in would take in anything inherited.
  for (const key of Object.keys(value)) {
    const child = value[key];
    const type = fieldTypeAt(path, key);
    if (type) {
      const childPath = [...path, key];
      const inChannel = childPath[0] === 'channels' && childPath.length >= 3;
      if (inChannel && childPath.length === 3 && key === 'enabled' && c.traits.freeFormChannels) {
        value[key] = pythonTruthy(child);
      } else {
        const result = coerce(child, type);
        const origin = c.origins.get(toPointer(childPath)) ?? { kind: 'default' as const };
        if (result.ok) value[key] = result.value;
        // A channel whose section does not validate fails to load on its own; nanobot still starts.
        else if (inChannel) c.unloadable.push({ path: childPath, origin, expected: type });
        else c.invalid.push({ path: childPath, origin, expected: type });
      }
    }
    if (isObject(child)) coerceAll(child, [...path, key], c);
    else if (Array.isArray(child)) {
      for (let i = 0; i < child.length; i++) {
        const item: unknown = child[i];
        if (isObject(item)) coerceAll(item, [...path, key, String(i)], c);
      }
    }
  }
}

function fillDefaults(value: Record<string, unknown>, traits: VersionTraits, origins: Map<string, Origin>): void {
  const def: Origin = { kind: 'default' };
  for (const [path, v] of defaultsFor(traits)) fill(value, path.split('/'), v, def, origins);
  const channels = value['channels'];
  if (!isObject(channels)) return;
  for (const [name, section] of Object.entries(channels)) {
    if (!isObject(section) || CHANNEL_SETTINGS.includes(name)) continue;
    // Signal has no top-level allowFrom (its lists live under dm and group).
    const rows = [...(name === 'signal' ? [['enabled', false] as const] : (CHANNEL_DEFAULTS['*'] ?? [])), ...(own(CHANNEL_DEFAULTS, name) ?? [])];
    for (const [path, v] of rows) fill(value, ['channels', name, ...path.split('/')], v, def, origins);
    // Feishu instances inherit the channel's top-level keys.
    if (name === 'feishu' && Array.isArray(section['instances'])) {
      section['instances'].forEach((instance: unknown, i) => {
        if (!isObject(instance)) return;
        for (const key of ['allowFrom', 'groupPolicy']) {
          const from = origins.get(toPointer(['channels', 'feishu', key]));
          const inherited: Origin = from?.kind === 'file' ? { kind: 'inherited', pointer: from.pointer, node: from.node } : (from ?? def);
          if (Object.hasOwn(section, key)) fill(value, ['channels', 'feishu', 'instances', String(i), key], section[key], inherited, origins);
        }
      });
    }
  }
}

export interface ModelOptions {
  traits: VersionTraits;
  env: Readonly<Record<string, string | undefined>>;
}

/** Build the effective config from a parsed file, the process environment and the version. */
export function effectiveConfig(parsed: ParsedConfig, options: ModelOptions): Effective {
  const b: Builder = { origins: new Map(), shadows: [], ignored: [] };
  const value = walk(parsed.root, [], '', '', b) as Record<string, unknown>;
  migrate(parsed, value, b);
  const env = applyEnv(value, options.env, b.origins);
  const c: Coercion = { origins: b.origins, invalid: [], unloadable: [], traits: options.traits };
  coerceAll(value, [], c);
  fillDefaults(value, options.traits, b.origins);
  const channels = value['channels'];
  for (const bad of c.unloadable) {
    const section = isObject(channels) ? channels[bad.path[1]!] : undefined;
    if (isObject(section)) section['enabled'] = false;
  }
  return { value, origins: b.origins, shadows: b.shadows, invalid: c.invalid, ignored: b.ignored, unloadable: c.unloadable, env };
}

export { getIn, isObject };
