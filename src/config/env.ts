// NANOBOT_* variables, as pydantic-settings reads them for nanobot's root Config
// (env_prefix="NANOBOT_", env_nested_delimiter="__", case-insensitive). The parsed file is the
// init-kwargs source, deep-merged over the environment, so a key the file has wins. Except for
// one trap (verified with nanobot's loader): a segment spelled as the lower-cased camelCase alias
// (NANOBOT_TOOLS__RESTRICTTOWORKSPACE) lands under the camelCase key, and pydantic prefers
// camelCase, so it beats a snake_case key in the file. Precedence for one field:
// file camelCase > env camelCase > file snake_case > env snake_case > default.
import { camelToSnake, canonicalKey, CHANNEL_SETTINGS, KNOWN_FIELDS, keysAt, snakeToCamel } from './layout.js';
import { toPointer } from './pointer.js';
import { setOwn } from './own.js';
import { MAX_DEPTH, tooDeepAt } from './json-tree.js';
import { UsageError } from '../errors.js';
import type { Origin } from './model.js';

export interface EnvSetting {
  name: string;
  /** Canonical path the variable addresses. */
  path: string[];
  /** False when the file's own key wins. */
  effective: boolean;
}

type Spelling = 'camel' | 'snake';
interface Segment {
  key: string;
  spelling: Spelling;
}

const PREFIX = /^nanobot_/i;

/** The canonical key an env segment names under `parent`, matched as pydantic-settings does. */
function segmentKey(parent: readonly string[], segment: string): Segment {
  const known = KNOWN_FIELDS[parent.join('/')] ?? (parent[0] === 'channels' && parent.length === 2 ? KNOWN_FIELDS['channels/*'] : undefined);
  // Typed models: pydantic-settings maps the segment to the alias or the field name.
  if (parent[0] !== 'channels' || parent.length < 2) {
    const hit = known?.find((f) => f.toLowerCase() === segment || camelToSnake(f) === segment);
    if (hit) return { key: hit, spelling: hit.toLowerCase() === segment ? 'camel' : 'snake' };
  }
  // Under `channels`, a segment that names none of ChannelsConfig's own fields is a channel's name,
  // kept as written (NANOBOT_CHANNELS__MY_PLUGIN is the section "my_plugin", as in the file).
  if (parent.length === 1 && parent[0] === 'channels') {
    const setting = CHANNEL_SETTINGS.find((f) => f.toLowerCase() === segment || camelToSnake(f) === segment);
    return setting ? { key: setting, spelling: setting.toLowerCase() === segment ? 'camel' : 'snake' } : { key: segment, spelling: 'camel' };
  }
  // Channel sections are plain dicts: the key arrives as written (lower-cased) and the channel's
  // own model then reads it, so only a snake_case segment maps onto a camelCase field.
  return segment.includes('_') ? { key: snakeToCamel(segment), spelling: 'snake' } : { key: segment, spelling: 'camel' };
}

/** Decode a variable's value: JSON for complex values (pydantic-settings), else the raw string. */
function decodeValue(name: string, raw: string): unknown {
  const t = raw.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    // The value is walked recursively below; pydantic-settings' json.loads gives up near 1,000
    // levels as nanobot's json.load does (json-tree.ts, MAX_DEPTH), and nanobot does not start.
    if (tooDeepAt(t) >= 0) throw new UsageError(`the environment variable ${name} holds JSON nested more than ${MAX_DEPTH} levels deep; nanobot cannot decode it (RecursionError) and does not start`);
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Canonical keys for an object the environment supplies whole (camelCase beats snake_case). */
function canonicalize(value: unknown, path: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => canonicalize(v, [...path, String(i)]));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  const entries = Object.entries(value).sort(([a], [b]) => Number(canonicalKey(a).spelling !== 'snake') - Number(canonicalKey(b).spelling !== 'snake'));
  const keyOf = keysAt(path);
  for (const [k, v] of entries) {
    const key = keyOf(k).key;
    setOwn(out, key, canonicalize(v, [...path, key]));
  }
  return out;
}

function record(path: string[], value: unknown, origin: Origin, origins: Map<string, Origin>): void {
  origins.set(toPointer(path), origin);
  if (isObject(value)) for (const [k, v] of Object.entries(value)) record([...path, k], v, origin, origins);
  else if (Array.isArray(value)) value.forEach((v, i) => record([...path, String(i)], v, origin, origins));
}

/** How the file spells the key it has at `path`, if it has one. */
function fileSpelling(path: readonly string[], origins: Map<string, Origin>): Spelling | undefined {
  const origin = origins.get(toPointer(path));
  if (!origin || origin.kind !== 'file') return undefined;
  const written = origin.pointer.slice(origin.pointer.lastIndexOf('/') + 1);
  return written === path[path.length - 1] ? 'camel' : 'snake';
}

interface Merge {
  origin: Origin;
  origins: Map<string, Origin>;
}

/** Merge one env-supplied key into the effective object; true when it changed the effective value. */
function mergeKey(target: Record<string, unknown>, seg: Segment, value: unknown, path: string[], m: Merge): boolean {
  const childPath = [...path, seg.key];
  // Own keys only: "in" would find Object.prototype's, and a "__proto__" key would merge into it.
  if (!Object.hasOwn(target, seg.key) || (seg.spelling === 'camel' && fileSpelling(childPath, m.origins) === 'snake')) {
    setOwn(target, seg.key, canonicalize(value, childPath));
    record(childPath, target[seg.key], m.origin, m.origins);
    return true;
  }
  const current = target[seg.key];
  if (isObject(current) && isObject(value)) {
    let any = false;
    for (const [k, v] of Object.entries(value)) {
      const canon = canonicalKey(k);
      any = mergeKey(current, { key: canon.key, spelling: canon.spelling === 'snake' ? 'snake' : 'camel' }, v, childPath, m) || any;
    }
    return any;
  }
  return false;
}

/** Fill the effective value from NANOBOT_* variables; returns every variable that names a setting. */
export function applyEnv(value: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>, origins: Map<string, Origin>): EnvSetting[] {
  const settings: EnvSetting[] = [];
  const names = Object.keys(env).filter((n) => PREFIX.test(n)).sort();
  for (const name of names) {
    const raw = env[name];
    if (raw === undefined) continue;
    const segments = name.slice('NANOBOT_'.length).toLowerCase().split('__');
    if (segments.some((s) => s === '')) continue;
    const path: Segment[] = [];
    for (const seg of segments) path.push(segmentKey(path.map((p) => p.key), seg));
    const top = path[0]!.key;
    // Unknown names are ignored; modelPresets is read from the unprefixed MODEL_PRESETS instead.
    if (!KNOWN_FIELDS['']!.includes(top) || top === 'modelPresets') continue;
    // Build the nested value from the inside out, then merge it at the top.
    // pydantic-settings decodes JSON for typed complex fields; inside a channel's free-form dict the
    // value stays a raw string (NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM='["*"]' is a string there).
    const rawChannelValue = path[0]!.key === 'channels' && path.length >= 2;
    let nested: unknown = rawChannelValue ? raw : decodeValue(name, raw);
    for (let i = path.length - 1; i >= 1; i--) nested = { [path[i]!.spelling === 'snake' ? camelToSnake(path[i]!.key) : path[i]!.key]: nested };
    const effective = mergeKey(value, path[0]!, nested, [], { origin: { kind: 'env', name }, origins });
    settings.push({ name, path: path.map((p) => p.key), effective });
  }
  return settings;
}
