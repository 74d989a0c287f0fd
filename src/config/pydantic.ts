// pydantic's validation in lax mode (the mode nanobot's models run in), over the JSON Schema a
// release's models produce (release.ts). What a JSON Schema validator would reject but pydantic
// coerces is coerced here, as pydantic 2 does (checked with pydantic 2.13 on each case):
// booleans from 0/1/0.0/1.0 and "1", "true", "yes", "on", "y", "t" (and the negatives, any case,
// not trimmed); integers from whole floats, booleans and numeric strings (trimmed, "30.0" and
// "1_000" too); floats from numbers and numeric strings ("nan", "inf" too); strings only from
// strings. Unions try an exact match first ("smart" mode), then each member in order.
import type { SchemaNode } from './schema-node.js';

export interface Issue {
  /** Canonical path of the value (camelCase keys). */
  path: string[];
  /** What the value must be, as words: "a whole number", "true or false", ... */
  expected: string;
  kind: 'type' | 'enum' | 'range' | 'extra' | 'required' | 'validator' | 'pattern' | 'length';
}

export interface Validation {
  defs: Record<string, SchemaNode>;
  issues: Issue[];
  /** Called for each value taken from a default (path, value), so the model can record its origin. */
  onDefault?: (path: readonly string[], value: unknown) => void;
  /** Model validators by name (config/validators.ts); unknown names are skipped. */
  validators?: Readonly<Record<string, ModelValidator | null>>;
}

export type ModelValidator = (value: Record<string, unknown>, path: readonly string[], model: SchemaNode) => Issue | undefined;

type Result = { ok: true; value: unknown } | { ok: false };

const FAIL: Result = { ok: false };
const ok = (value: unknown): Result => ({ ok: true, value });

const TRUE = new Set(['1', 'true', 'yes', 'on', 'y', 't']);
const FALSE = new Set(['0', 'false', 'no', 'off', 'n', 'f']);

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function laxBool(v: unknown): Result {
  if (typeof v === 'boolean') return ok(v);
  if (typeof v === 'number') return v === 1 ? ok(true) : v === 0 ? ok(false) : FAIL;
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (TRUE.has(s)) return ok(true);
    if (FALSE.has(s)) return ok(false);
  }
  return FAIL;
}

const INT_TEXT = /^[+-]?\d+(?:_\d+)*(?:\.0*)?$/;
const FLOAT_TEXT = /^[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d*(?:_\d+)*(?:[eE][+-]?\d+)?|nan|inf|infinity)$/i;

export function laxInt(v: unknown): Result {
  if (typeof v === 'boolean') return ok(v ? 1 : 0);
  if (typeof v === 'number') return Number.isFinite(v) && Number.isInteger(v) ? ok(v) : FAIL;
  if (typeof v === 'string') {
    const s = v.trim();
    if (!INT_TEXT.test(s)) return FAIL;
    return ok(Number(s.replace(/_/g, '').replace(/\.0*$/, '')));
  }
  return FAIL;
}

export function laxFloat(v: unknown): Result {
  if (typeof v === 'boolean') return ok(v ? 1 : 0);
  if (typeof v === 'number') return ok(v);
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '' || !FLOAT_TEXT.test(s) || s === '.' || /^[+-]$/.test(s)) return FAIL;
    const lower = s.toLowerCase().replace(/_/g, '');
    if (/^[+-]?nan$/.test(lower)) return ok(NaN);
    if (/^[+-]?inf(inity)?$/.test(lower)) return ok(lower.startsWith('-') ? -Infinity : Infinity);
    const n = Number(lower);
    return Number.isNaN(n) ? FAIL : ok(n);
  }
  return FAIL;
}

function resolve(node: SchemaNode, defs: Record<string, SchemaNode>): SchemaNode {
  let cur = node;
  for (let i = 0; i < 16 && cur.$ref !== undefined; i++) {
    const target = defs[cur.$ref];
    if (!target) break;
    cur = target;
  }
  return cur;
}

/** The schema node a value at `node` resolves to ($ref followed). */
export function deref(node: SchemaNode, defs: Record<string, SchemaNode>): SchemaNode {
  return resolve(node, defs);
}

function types(node: SchemaNode): string[] {
  return node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
}

/** Words for what a node accepts, for messages. */
export function expectedOf(node: SchemaNode, defs: Record<string, SchemaNode>): string {
  const n = resolve(node, defs);
  if (n.enum) return `one of ${n.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (n.const !== undefined) return JSON.stringify(n.const);
  if (n.anyOf) {
    const parts = n.anyOf.map((m) => expectedOf(m, defs)).filter((p) => p !== 'null');
    const nullable = n.anyOf.some((m) => types(resolve(m, defs)).includes('null'));
    return [...new Set(parts)].join(' or ') + (nullable ? ' (or null)' : '');
  }
  const t = types(n);
  if (n.properties || t.includes('object')) return n.properties ? 'an object' : 'an object';
  const words: Record<string, string> = {
    boolean: 'true or false',
    integer: 'a whole number',
    number: 'a number',
    string: 'a string',
    array: 'a list',
    null: 'null',
  };
  return t.map((x) => words[x] ?? x).join(' or ') || 'a value nanobot accepts';
}

/** Whether a value matches a node without coercion (pydantic's first, strict pass over a union). */
function exact(node: SchemaNode, v: unknown, defs: Record<string, SchemaNode>): boolean {
  const n = resolve(node, defs);
  if (n.properties || n['x-model']) return isObject(v);
  if (n.enum) return n.enum.some((e) => e === v);
  if (n.const !== undefined) return n.const === v;
  const t = types(n);
  if (t.length === 0) return true;
  return t.some((x) => {
    switch (x) {
      case 'boolean':
        return typeof v === 'boolean';
      case 'integer':
        return typeof v === 'number' && Number.isInteger(v);
      case 'number':
        return typeof v === 'number';
      case 'string':
        return typeof v === 'string';
      case 'null':
        return v === null;
      case 'array':
        return Array.isArray(v);
      case 'object':
        return isObject(v);
      default:
        return false;
    }
  });
}

function issue(ctx: Validation, path: readonly string[], node: SchemaNode, kind: Issue['kind'] = 'type'): Result {
  ctx.issues.push({ path: [...path], expected: expectedOf(node, ctx.defs), kind });
  return FAIL;
}

/** Validate (and coerce) a value against a schema node; issues go to ctx.issues. */
export function validate(node: SchemaNode, v: unknown, path: readonly string[], ctx: Validation): Result {
  return check(node, v, [...path], ctx);
}

/** validate() on a path stack of its own: each level pushes its key and pops it again (no copy per value). */
function check(node: SchemaNode, v: unknown, path: string[], ctx: Validation): Result {
  const n = resolve(node, ctx.defs);
  if (n.anyOf || n.oneOf) {
    const members = (n.anyOf ?? n.oneOf)!;
    // Smart mode: a member the value already is wins; else the first that validates.
    const strict = members.find((m) => exact(m, v, ctx.defs));
    const order = strict ? [strict, ...members.filter((m) => m !== strict)] : members;
    for (const m of order) {
      const sub: Validation = { ...ctx, issues: [] };
      const r = check(m, v, path, sub);
      if (r.ok) return r;
    }
    return issue(ctx, path, n);
  }
  if (n.allOf) {
    let cur: Result = ok(v);
    for (const m of n.allOf) {
      if (!cur.ok) break;
      cur = check(m, cur.value, path, ctx);
    }
    return cur;
  }
  if (n.properties || n['x-model']) return validateModel(n, v, path, ctx);
  if (n.enum) {
    // Literal / Enum of strings: exact values (pydantic does not coerce "Open" to "open").
    const hit = n.enum.find((e) => e === v || (typeof e === 'number' && typeof v === 'number' && e === v));
    return hit !== undefined ? ok(hit) : issue(ctx, path, n, 'enum');
  }
  if (n.const !== undefined) return n.const === v ? ok(v) : issue(ctx, path, n, 'enum');
  const t = types(n);
  if (t.length === 0) return ok(v);
  if (t.length > 1) {
    for (const x of t) {
      const r = check({ ...n, type: x }, v, path, { ...ctx, issues: [] });
      if (r.ok) return r;
    }
    return issue(ctx, path, n);
  }
  switch (t[0]) {
    case 'boolean': {
      const r = laxBool(v);
      return r.ok ? r : issue(ctx, path, n);
    }
    case 'integer': {
      const r = laxInt(v);
      return r.ok ? range(n, r.value as number, path, ctx) : issue(ctx, path, n);
    }
    case 'number': {
      const r = laxFloat(v);
      return r.ok ? range(n, r.value as number, path, ctx) : issue(ctx, path, n);
    }
    case 'string': {
      if (typeof v !== 'string') return issue(ctx, path, n);
      if (n.minLength !== undefined && [...v].length < n.minLength) return issue(ctx, path, n, 'length');
      if (n.maxLength !== undefined && [...v].length > n.maxLength) return issue(ctx, path, n, 'length');
      if (n.pattern !== undefined && !safeTest(n.pattern, v)) return issue(ctx, path, n, 'pattern');
      return ok(v);
    }
    case 'null':
      return v === null ? ok(null) : issue(ctx, path, n);
    case 'array':
      return validateArray(n, v, path, ctx);
    case 'object':
      return validateMap(n, v, path, ctx);
    default:
      return ok(v);
  }
}

function safeTest(pattern: string, v: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(v);
  } catch {
    return true;
  }
}

function range(n: SchemaNode, x: number, path: readonly string[], ctx: Validation): Result {
  // NaN compares false with everything: pydantic lets it through a bound, and so does this.
  if (
    (n.minimum !== undefined && x < n.minimum) ||
    (n.maximum !== undefined && x > n.maximum) ||
    (n.exclusiveMinimum !== undefined && x <= n.exclusiveMinimum) ||
    (n.exclusiveMaximum !== undefined && x >= n.exclusiveMaximum)
  ) {
    ctx.issues.push({ path: [...path], expected: bounds(n), kind: 'range' });
    return FAIL;
  }
  return ok(x);
}

function bounds(n: SchemaNode): string {
  const parts: string[] = [];
  if (n.minimum !== undefined) parts.push(`at least ${n.minimum}`);
  if (n.exclusiveMinimum !== undefined) parts.push(`more than ${n.exclusiveMinimum}`);
  if (n.maximum !== undefined) parts.push(`at most ${n.maximum}`);
  if (n.exclusiveMaximum !== undefined) parts.push(`less than ${n.exclusiveMaximum}`);
  return `a number ${parts.join(' and ')}`;
}

function validateArray(n: SchemaNode, v: unknown, path: string[], ctx: Validation): Result {
  if (!Array.isArray(v)) return issue(ctx, path, n);
  if (n.minItems !== undefined && v.length < n.minItems) return issue(ctx, path, n, 'length');
  if (n.maxItems !== undefined && v.length > n.maxItems) return issue(ctx, path, n, 'length');
  const item = n.items;
  if (!item) return ok(v);
  const out: unknown[] = [];
  let good = true;
  for (let i = 0; i < v.length; i++) {
    path.push(String(i));
    const r = check(item, v[i], path, ctx);
    path.pop();
    if (r.ok) out.push(r.value);
    else good = false;
  }
  return good ? ok(out) : FAIL;
}

function validateMap(n: SchemaNode, v: unknown, path: string[], ctx: Validation): Result {
  if (!isObject(v)) return issue(ctx, path, n);
  const ap = n.additionalProperties;
  if (ap === undefined || ap === true || ap === false) return ok(v);
  const out: Record<string, unknown> = {};
  let good = true;
  for (const [k, x] of Object.entries(v)) {
    path.push(k);
    const r = check(ap, x, path, ctx);
    path.pop();
    if (r.ok) Object.defineProperty(out, k, { value: r.value, enumerable: true, writable: true, configurable: true });
    else good = false;
  }
  return good ? ok(out) : FAIL;
}

/** A copy of plain JSON data (faster than structuredClone for the small values defaults are). */
export function copyJson<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(copyJson) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copyJson((v as Record<string, unknown>)[k]);
  return out as T;
}

// Defaults derived from a schema node, per node and property: derived once, copied on each use.
const derived = new WeakMap<SchemaNode, Map<string, { value: unknown } | null>>();

/** The default a missing field of a model gets, or undefined when the field is required or has none. */
export function defaultOf(model: SchemaNode, prop: string, ctx: DefaultsContext): { value: unknown } | undefined {
  // While the facts are compacted (release.ts) a model's own defaults change: derive afresh then.
  if (ctx.fresh) return deriveDefault(model, prop, ctx);
  let byProp = derived.get(model);
  if (!byProp) derived.set(model, (byProp = new Map<string, { value: unknown } | null>()));
  let d = byProp.get(prop);
  if (d === undefined) byProp.set(prop, (d = deriveDefault(model, prop, ctx) ?? null));
  return d ? { value: copyJson(d.value) } : undefined;
}

interface DefaultsContext {
  defs: Record<string, SchemaNode>;
  fresh?: boolean;
}

function deriveDefault(model: SchemaNode, prop: string, ctx: DefaultsContext): { value: unknown } | undefined {
  const d = model['x-defaults'];
  if (d && Object.hasOwn(d, prop)) return { value: d[prop] };
  const p = model.properties?.[prop];
  if (!p) return undefined;
  if (Object.hasOwn(p, 'default')) return { value: p.default };
  if (model.required?.includes(prop)) return undefined;
  // A default_factory field: a model builds with its own defaults, a list or dict starts empty.
  const target = resolve(p, ctx.defs);
  const member = target.anyOf?.map((m) => resolve(m, ctx.defs)).find((m) => !types(m).includes('null')) ?? target;
  if (member.properties || member['x-model']) return { value: modelDefaults(member, ctx) };
  if (types(member).includes('array')) return { value: [] };
  if (types(member).includes('object')) return { value: {} };
  return undefined;
}

/** A model built with no arguments. */
export function modelDefaults(model: SchemaNode, ctx: DefaultsContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const prop of Object.keys(model.properties ?? {})) {
    const d = defaultOf(model, prop, ctx);
    if (d) out[prop] = d.value;
  }
  return out;
}

function validateModel(n: SchemaNode, v: unknown, path: string[], ctx: Validation): Result {
  if (!isObject(v)) return issue(ctx, path, n);
  const props = n.properties ?? {};
  const out: Record<string, unknown> = {};
  let good = true;
  for (const [prop, schema] of Object.entries(props)) {
    if (Object.hasOwn(v, prop)) {
      path.push(prop);
      const r = check(schema, v[prop], path, ctx);
      path.pop();
      if (r.ok) out[prop] = r.value;
      else good = false;
      continue;
    }
    const d = defaultOf(n, prop, ctx);
    if (d) {
      out[prop] = d.value;
      if (ctx.onDefault) {
        path.push(prop);
        ctx.onDefault(path, d.value);
        path.pop();
      }
    } else if (n.required?.includes(prop)) {
      ctx.issues.push({ path: [...path, prop], expected: 'present (the field is required)', kind: 'required' });
      good = false;
    }
  }
  const extra = n['x-extra'] ?? 'ignore';
  for (const key of Object.keys(v)) {
    if (Object.hasOwn(props, key)) continue;
    if (extra === 'forbid') {
      ctx.issues.push({ path: [...path, key], expected: 'absent (not a setting this nanobot knows)', kind: 'extra' });
      good = false;
    } else if (extra === 'allow') {
      Object.defineProperty(out, key, { value: v[key], enumerable: true, writable: true, configurable: true });
    }
  }
  if (!good) return FAIL;
  for (const name of n['x-validators'] ?? []) {
    const check = ctx.validators?.[`${n['x-model'] ?? ''}.${name}`];
    if (!check) continue;
    const bad = check(out, path, n);
    if (bad) {
      ctx.issues.push(bad);
      return FAIL;
    }
  }
  return ok(out);
}
