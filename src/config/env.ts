// NANOBOT_* variables, as pydantic-settings reads them for nanobot's root Config
// (env_prefix="NANOBOT_", env_nested_delimiter="__", case-insensitive). The parsed file is passed
// as init kwargs, so a key the file has wins over the environment, even "" or null; variables only
// fill what the file leaves out.
import { camelToSnake, KNOWN_FIELDS, snakeToCamel } from './layout.js';
import { toPointer } from './pointer.js';
import type { Origin } from './model.js';

export interface EnvSetting {
  name: string;
  /** Canonical path the variable addresses. */
  path: string[];
  /** False when the file's own key wins. */
  effective: boolean;
}

const PREFIX = /^nanobot_/i;

/** The canonical key an env segment names under `parent`, matched as pydantic-settings does. */
function segmentKey(parent: readonly string[], segment: string): string {
  const known = KNOWN_FIELDS[parent.join('/')] ?? (parent[0] === 'channels' && parent.length === 2 ? KNOWN_FIELDS['channels/*'] : undefined);
  const hit = known?.find((f) => f.toLowerCase() === segment || camelToSnake(f) === segment);
  if (hit) return hit;
  // Channel sections are plain dicts: the key arrives as written (lower-cased) and the channel's
  // own model then reads it, so only a snake_case segment maps onto a camelCase field.
  return segment.includes('_') ? snakeToCamel(segment) : segment;
}

/** Decode a variable's value: JSON for complex values (pydantic-settings), else the raw string. */
function decodeValue(raw: string): unknown {
  const t = raw.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
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

/** Merge `incoming` under `target`: only keys the target lacks are taken. */
function mergeUnder(target: Record<string, unknown>, incoming: Record<string, unknown>, path: string[], origin: Origin, origins: Map<string, Origin>): boolean {
  let any = false;
  for (const [rawKey, v] of Object.entries(incoming)) {
    const key = snakeToCamel(rawKey);
    const childPath = [...path, key];
    if (!(key in target)) {
      target[key] = v;
      record(childPath, v, origin, origins);
      any = true;
    } else if (isObject(target[key]) && isObject(v)) {
      any = mergeUnder(target[key] as Record<string, unknown>, v, childPath, origin, origins) || any;
    }
  }
  return any;
}

function record(path: string[], value: unknown, origin: Origin, origins: Map<string, Origin>): void {
  origins.set(toPointer(path), origin);
  if (isObject(value)) for (const [k, v] of Object.entries(value)) record([...path, snakeToCamel(k)], v, origin, origins);
  else if (Array.isArray(value)) value.forEach((v, i) => record([...path, String(i)], v, origin, origins));
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
    const path: string[] = [];
    for (const seg of segments) path.push(segmentKey(path, seg));
    if (!KNOWN_FIELDS['']!.includes(path[0]!)) continue; // unknown NANOBOT_* names are ignored
    const origin: Origin = { kind: 'env', name };
    const decoded = decodeValue(raw);
    const wrapped: Record<string, unknown> = {};
    let cur = wrapped;
    path.slice(0, -1).forEach((p) => {
      cur[p] = {};
      cur = cur[p] as Record<string, unknown>;
    });
    cur[path[path.length - 1]!] = decoded;
    const effective = mergeUnder(value, wrapped, [], origin, origins);
    settings.push({ name, path, effective });
  }
  return settings;
}
