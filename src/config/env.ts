// NANOBOT_* variables, as pydantic-settings reads them for nanobot's root Config
// (env_prefix="NANOBOT_", env_nested_delimiter="__", case-insensitive). The parsed file is the
// init-kwargs source, deep-merged over the environment, so a key the file has wins. Except for
// one trap (verified with nanobot's loader): a segment spelled as the lower-cased camelCase alias
// (NANOBOT_TOOLS__RESTRICTTOWORKSPACE) lands under the camelCase key, and pydantic prefers
// camelCase, so it beats a snake_case key in the file. Precedence for one field:
// file camelCase > env camelCase > file snake_case > env snake_case > default.
// Which fields exist, and which of them take JSON (lists, dicts, models), comes from the release's
// own schema (shape.ts): a variable whose JSON does not decode stops nanobot (a SettingsError).
import { camelToSnake, snakeToCamel } from './release.js';
import { toPointer } from './pointer.js';
import { setOwn } from './own.js';
import { MAX_DEPTH, tooDeepAt } from './json-tree.js';
import { UsageError } from '../errors.js';
import type { Origin } from './origin.js';
import { namesOf, type Shape, type Shapes } from './shape.js';

export interface EnvSetting {
  name: string;
  /** Canonical path the variable addresses. */
  path: string[];
  /** False when the file's own key wins. */
  effective: boolean;
}

/** A variable pydantic-settings cannot use: its value for a list, dict or section is not JSON. */
export interface EnvError {
  name: string;
  path: string[];
}

type Spelling = 'camel' | 'snake';
interface Segment {
  key: string;
  spelling: Spelling;
  shape: Shape;
}

const PREFIX = /^nanobot_/i;

/** The canonical key an env segment names under a parent of shape `parent`, matched as pydantic-settings does. */
function segmentKey(shapes: Shapes, parent: Shape, parentPath: readonly string[], segment: string): Segment {
  if (parent.kind === 'model' && !(parentPath[0] === 'channels' && parentPath.length >= 2 && !shapes.release.channels.typed)) {
    const names = namesOf(parent.node);
    // The root (a BaseSettings) and every model: a segment matches a field's alias or name, in any case.
    for (const [name, prop] of Object.entries(names)) {
      if (name.toLowerCase() !== segment) continue;
      return { key: prop, spelling: name === prop ? 'camel' : 'snake', shape: shapes.child(parent, prop, parentPath) };
    }
    // (0.1.3.x models know only their snake_case names, so a camelCase segment matches nothing.)
    // Under a free-form `channels`, a segment that names none of ChannelsConfig's own fields is a
    // channel's name, kept as written (NANOBOT_CHANNELS__MY_PLUGIN is the section "my_plugin").
    return { key: segment, spelling: 'camel', shape: shapes.child(parent, segment, parentPath) };
  }
  // Free-form channel sections are plain dicts: the key arrives as written (lower-cased) and the
  // channel's own model then reads it, so only a snake_case segment maps onto a camelCase field.
  const key = segment.includes('_') ? snakeToCamel(segment) : segment;
  return { key, spelling: segment.includes('_') ? 'snake' : 'camel', shape: { kind: 'any' } };
}

/** A complex field takes JSON: a model, a map or a list. */
function complex(shape: Shape): boolean {
  return shape.kind === 'model' || shape.kind === 'map' || shape.kind === 'list';
}

/** Decode a variable's value for a complex field; undefined when it is not JSON. */
function decodeValue(name: string, raw: string): { ok: true; value: unknown } | { ok: false } {
  const t = raw.trim();
  // pydantic-settings' json.loads gives up near 1,000 levels as nanobot's json.load does
  // (json-tree.ts, MAX_DEPTH), and nanobot does not start.
  if ((t.startsWith('{') || t.startsWith('[')) && tooDeepAt(t) >= 0)
    throw new UsageError(
      `the environment variable ${name} holds JSON nested more than ${MAX_DEPTH} levels deep; nanobot cannot decode it (RecursionError) and does not start`,
    );
  try {
    return { ok: true, value: JSON.parse(t) as unknown };
  } catch {
    return { ok: false };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Canonical keys for an object the environment supplies whole (camelCase beats snake_case). */
function canonicalize(value: unknown, shape: Shape, path: readonly string[], shapes: Shapes): unknown {
  if (Array.isArray(value)) return value.map((v, i) => canonicalize(v, shape.kind === 'list' ? shape.item : shape, [...path, String(i)], shapes));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  const keyed = Object.entries(value).map(([k, v]) => ({ info: shapes.key(shape, k, true), v }));
  // Lower ranks win: write them last.
  keyed.sort((a, b) => b.info.rank - a.info.rank);
  for (const { info, v } of keyed) {
    if (info.rank < 0 && shape.kind === 'model' && Object.hasOwn(shape.node.properties ?? {}, info.key)) continue;
    setOwn(out, info.key, canonicalize(v, shapes.child(shape, info.key, path), [...path, info.key], shapes));
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
  shapes: Shapes;
}

/** Merge one env-supplied key into the effective object; true when it changed the effective value. */
function mergeKey(target: Record<string, unknown>, seg: Segment, value: unknown, path: string[], m: Merge): boolean {
  const childPath = [...path, seg.key];
  // Own keys only: "in" would find Object.prototype's, and a "__proto__" key would merge into it.
  if (!Object.hasOwn(target, seg.key) || (seg.spelling === 'camel' && fileSpelling(childPath, m.origins) === 'snake')) {
    setOwn(target, seg.key, canonicalize(value, seg.shape, childPath, m.shapes));
    record(childPath, target[seg.key], m.origin, m.origins);
    return true;
  }
  const current = target[seg.key];
  if (isObject(current) && isObject(value)) {
    let any = false;
    for (const [k, v] of Object.entries(value)) {
      const info = m.shapes.key(seg.shape, k, true);
      any =
        mergeKey(
          current,
          { key: info.key, spelling: info.spelling === 'snake' ? 'snake' : 'camel', shape: m.shapes.child(seg.shape, info.key, childPath) },
          v,
          childPath,
          m,
        ) || any;
    }
    return any;
  }
  return false;
}

// The NANOBOT_* names of an environment, listed once: process.env answers each key through C++,
// and a fix audits the same environment several times.
const listed = new WeakMap<object, { count: number; names: string[] }>();

/** The variables of `env` pydantic-settings would read for nanobot (NANOBOT_*, any case), sorted. */
export function nanobotNames(env: Readonly<Record<string, string | undefined>>): string[] {
  const keys = Object.keys(env);
  const known = listed.get(env);
  if (known && known.count === keys.length) return known.names;
  const names = keys.filter((n) => PREFIX.test(n)).sort();
  listed.set(env, { count: keys.length, names });
  return names;
}

/**
 * Fill the effective value from NANOBOT_* variables; returns every variable that names a setting,
 * and the ones whose value pydantic-settings cannot decode.
 */
export function applyEnv(
  value: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
  origins: Map<string, Origin>,
  shapes: Shapes,
): { settings: EnvSetting[]; errors: EnvError[] } {
  const settings: EnvSetting[] = [];
  const errors: EnvError[] = [];
  const names = nanobotNames(env);
  const topLevel = shapes.release.topLevel;
  for (const name of names) {
    const raw = env[name];
    if (raw === undefined) continue;
    const segments = name.slice('NANOBOT_'.length).toLowerCase().split('__');
    if (segments.some((s) => s === '')) continue;
    const path: Segment[] = [];
    let parent: Shape = shapes.root;
    for (const seg of segments) {
      const s = segmentKey(
        shapes,
        parent,
        path.map((p) => p.key),
        seg,
      );
      path.push(s);
      parent = s.shape;
    }
    const top = path[0]!.key;
    // Unknown names are ignored; a field with alias choices (modelPresets) takes unprefixed names
    // (MODEL_PRESETS), as pydantic-settings applies no prefix to a validation alias.
    if (!Object.hasOwn(topLevel, top) || topLevel[top]!.some((n) => n !== top)) continue;
    // pydantic-settings decodes JSON for typed complex fields; inside a channel's free-form dict the
    // value stays a raw string (NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM='["*"]' is a string there).
    const last = path[path.length - 1]!;
    const freeChannel = top === 'channels' && path.length >= 2 && !shapes.release.channels.typed;
    let nested: unknown = raw;
    if (!freeChannel && complex(last.shape) && shapes.release.env.complexValuesJsonDecoded) {
      const decoded = decodeValue(name, raw);
      if (!decoded.ok) {
        errors.push({ name, path: path.map((p) => p.key) });
        continue;
      }
      nested = decoded.value;
    }
    for (let i = path.length - 1; i >= 1; i--) nested = { [path[i]!.spelling === 'snake' ? camelToSnake(path[i]!.key) : path[i]!.key]: nested };
    const effective = mergeKey(value, path[0]!, nested, [], { origin: { kind: 'env', name }, origins, shapes });
    settings.push({ name, path: path.map((p) => p.key), effective });
  }
  return { settings, errors };
}
