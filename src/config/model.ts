// The effective-value model: what one nanobot release ends up running on, after json.load (last
// duplicate wins), the release's loader (0.1.3.x's own key conversion, _migrate_config), its
// pydantic models (lax coercion, aliases, defaults, validators), NANOBOT_* variables
// (pydantic-settings), ${VAR} references and the channel manager (which sections start, with which
// parsed config). Whether the release loads the file at all is part of the answer (`load`): it may
// run the file, run on its defaults without a word (<= 0.2.1), or refuse to start. Every value
// keeps where it came from, so a finding can say why a setting is what it is. The rules of the
// release are data (release.ts); behaviour that lives in nanobot's code is written here, each with
// the release and source line it comes from.
import type { JsonNode, ParsedConfig } from './parse.js';
import { toPointer } from './pointer.js';
import type { VersionTraits } from './version.js';
import { applyEnv, nanobotNames, type EnvError, type EnvSetting } from './env.js';
import { own, setOwn } from './own.js';
import { defaultsOf, type LoadStatus, type ReleaseFacts, type SchemaNode } from './release.js';
import { shapesOf, type Shape, type Shapes } from './shape.js';
import { expectedOf, isObject, validate, type Issue, type Validation } from './pydantic.js';
import { VALIDATORS } from './validators.js';

import type { Origin } from './origin.js';
import { pythonStr } from './text.js';
export type { Origin } from './origin.js';

/** A key the file has but nanobot does not use, because another copy of it wins. */
export interface Shadow {
  path: string[];
  pointer: string;
  node: JsonNode;
  winner: Origin;
  reason: 'duplicate' | 'spelling';
}

/** A key nanobot reads no value from although it looks like a setting. */
export interface Ignored {
  /** The canonical path it looks like. */
  path: string[];
  pointer: string;
  node: JsonNode;
  why: string;
  /** The spelling that would be read instead. */
  write?: string;
}

/** A value the release rejects, and where it came from. */
export interface LoadIssue extends Issue {
  /** Where the value (or its nearest written ancestor) came from. */
  origin: Origin;
  /** The part of `path` below that ancestor (an array item, an absent key). */
  rest: string[];
  /** The environment variable that supplied the value, when one did. */
  env?: string;
}

/** Why nanobot does not start, or drops the file. */
export type LoadCause =
  | { kind: 'invalid'; issue: LoadIssue }
  | { kind: 'env-json'; name: string; path: string[] }
  | { kind: 'migrate'; path: string[]; origin: Origin; what: string }
  | { kind: 'unset-variable'; name: string; path: string[]; origin: Origin; rest: string[] };

/** A channel the manager starts (a Feishu instance is one of its own). */
export interface StartedChannel {
  /** The name nanobot routes by: the channel, or "feishu.<id>" for a Feishu instance. */
  runtime: string;
  /** The section under `channels`. */
  section: string;
  /** Canonical path of the config it runs on (the section, or an entry of instances[]). */
  path: string[];
  /** Its parsed config (camelCase keys, defaults filled). */
  config: Record<string, unknown>;
}

/** A section under `channels` that starts nothing. */
export interface IdleChannel {
  name: string;
  path: string[];
  why: 'unknown' | 'invalid' | 'not-an-object';
  /** What the channel's model rejects (why = invalid). */
  issue?: LoadIssue;
  /** Whether the section asks to be enabled. */
  enabled: boolean;
}

export interface Load {
  status: LoadStatus;
  /** What stops nanobot or drops the file (empty when it loads). */
  causes: LoadCause[];
  started: StartedChannel[];
  idle: IdleChannel[];
  /** `nanobot gateway` exits at start (0.1.4.post4-0.1.5.post3: an enabled channel with an empty allowFrom). */
  gatewayExit?: { channel: string; path: string[] };
}

export interface Effective {
  value: Record<string, unknown>;
  origins: Map<string, Origin>;
  shadows: Shadow[];
  ignored: Ignored[];
  /** Every NANOBOT_* variable that names a setting, and whether it decides it. */
  env: EnvSetting[];
  /** What the release does with the file. */
  load: Load;
  release: ReleaseFacts;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Builder {
  origins: Map<string, Origin>;
  shadows: Shadow[];
  ignored: Ignored[];
  shapes: Shapes;
}

const esc = (segment: string): string => (segment.includes('~') || segment.includes('/') ? segment.replace(/~/g, '~0').replace(/\//g, '~1') : segment);

/**
 * Walk a parse-tree node into a plain value with canonical keys, recording origins. Pointers are
 * built as strings on the way down (a large config has hundreds of thousands of nodes), and a
 * path array only for what has children.
 */
function walk(node: JsonNode, shape: Shape, path: readonly string[], pointer: string, filePointer: string, b: Builder): Json {
  b.origins.set(pointer, { kind: 'file', pointer: filePointer, node });
  const children = node.children ?? [];
  if (node.type === 'array') {
    // Scalar items get no origin of their own (allow lists can hold 100,000 of them): locate()
    // finds an item through its array's node. Objects and arrays inside do get one.
    const item = shape.kind === 'list' ? shape.item : shape.kind === 'any' ? shape : { kind: 'any' as const };
    const items: Json[] = [];
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      items.push(
        child.type === 'object' || child.type === 'array'
          ? walk(child, item, [...path, String(i)], `${pointer}/${i}`, `${filePointer}/${i}`, b)
          : (child.value as Json),
      );
    }
    return items;
  }
  if (node.type !== 'object') return node.value as Json;
  const props = shape.kind === 'model' ? shape.node.properties : undefined;
  // Each property's key info; undefined for one that fills nothing.
  const infos: ({ key: string; rank: number; raw: string } | undefined)[] = [];
  const seen = new Set<string>();
  let repeated = false;
  for (const prop of children) {
    const keyNode = prop.children?.[0];
    if (!keyNode) {
      infos.push(undefined);
      continue;
    }
    const raw = String(keyNode.value);
    const info = b.shapes.key(shape, raw);
    if (info.rank < 0 && props && Object.hasOwn(props, info.key)) {
      // A spelling this model never reads although it names one of its fields (Feishu's
      // snake_case keys from 0.3.0, whose camelCase defaults always win).
      const value = prop.children?.[1];
      if (value)
        b.ignored.push({
          path: [...path, info.key],
          pointer: `${filePointer}/${esc(raw)}`,
          node: value,
          why: 'Feishu reads camelCase keys only',
          write: info.key,
        });
      infos.push(undefined);
      continue;
    }
    if (info.spelling === 'other' && shape.kind === 'any' && !b.shapes.release.convertKeys) {
      infos.push({ key: info.key, rank: 0, raw });
    } else infos.push({ key: info.key, rank: info.rank < 0 ? 0 : info.rank, raw });
    if (seen.has(info.key)) repeated = true;
    else seen.add(info.key);
  }
  const out: { [key: string]: Json } = {};
  const child = (canon: string, key: string, valueNode: JsonNode): Json =>
    walk(
      valueNode,
      valueNode.type === 'object' || valueNode.type === 'array' ? b.shapes.child(shape, canon, path) : shape,
      valueNode.type === 'object' || valueNode.type === 'array' ? [...path, canon] : path,
      `${pointer}/${esc(canon)}`,
      `${filePointer}/${esc(key)}`,
      b,
    );
  if (!repeated) {
    for (let i = 0; i < children.length; i++) {
      const info = infos[i];
      const valueNode = children[i]!.children?.[1];
      if (info && valueNode) setOwn(out, info.key, child(info.key, info.raw, valueNode));
    }
    return out;
  }
  // canonical key -> property nodes in file order
  const groups = new Map<string, { raw: string; rank: number; prop: JsonNode }[]>();
  for (let i = 0; i < children.length; i++) {
    const info = infos[i];
    if (!info) continue;
    const entry = { raw: info.raw, rank: info.rank, prop: children[i]! };
    const group = groups.get(info.key);
    if (group) group.push(entry);
    else groups.set(info.key, [entry]);
  }
  for (const [canon, group] of groups) {
    // json.load keeps the last copy of a key; pydantic then takes the first accepted name present
    // (the camelCase alias before the snake_case name).
    const best = Math.min(...group.map((g) => g.rank));
    const candidates = group.filter((g) => g.rank === best);
    const winner = candidates[candidates.length - 1]!;
    const valueNode = winner.prop.children?.[1];
    if (!valueNode) continue;
    setOwn(out, canon, child(canon, winner.raw, valueNode));
    if (group.length === 1) continue;
    const winnerOrigin = b.origins.get(`${pointer}/${esc(canon)}`)!;
    for (const g of group) {
      if (g === winner) continue;
      const loserValue = g.prop.children?.[1];
      if (!loserValue) continue;
      b.shadows.push({
        path: [...path, canon],
        pointer: `${filePointer}/${esc(g.raw)}`,
        node: loserValue,
        winner: winnerOrigin,
        reason: g.raw === winner.raw ? 'duplicate' : 'spelling',
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
  const pointer = toPointer(path);
  if (!origins.has(pointer)) origins.set(pointer, origin);
  if (Array.isArray(value)) value.forEach((v, i) => recordTree([...path, String(i)], v, origin, origins));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) recordTree([...path, k], v, origin, origins);
}

/** The value node of the last property named `key` (json.load keeps the last duplicate). */
export function lastProperty(object: JsonNode, key: string): JsonNode | undefined {
  let found: JsonNode | undefined;
  for (const prop of object.children ?? []) {
    if (prop.children?.[0]?.value === key) found = prop.children[1];
  }
  return found;
}

/** Python's bool() of a raw JSON value: how free-form channel sections decide they are enabled. */
export function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (typeof value === 'number' && Number.isNaN(value)) return true;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return true;
}

/**
 * nanobot's _migrate_config, on the dict json.load returned (before any key conversion): the old
 * tools.exec.restrictToWorkspace (camelCase only) moves to tools.restrictToWorkspace when that exact
 * key is absent (every release from 0.1.3.post5); tools.myEnabled / mySet move to tools.my (from
 * 0.1.5.post2, the releases whose ToolsConfig has `my`). It calls dict methods on what it finds, so
 * a `tools` that is not an object is an AttributeError and a `tools.exec` of null or a number a
 * TypeError nanobot does not catch (0.1.3.post5-0.3.0; main checks the types first).
 */
function migrate(parsed: ParsedConfig, value: Record<string, unknown>, b: Builder, release: ReleaseFacts): LoadCause | undefined {
  if (!release.loader.migrate) return undefined;
  const tools = lastProperty(parsed.root, 'tools');
  if (!tools) return undefined;
  const toolsOrigin: Origin = { kind: 'file', pointer: '/tools', node: tools };
  if (tools.type !== 'object') {
    const st = release.loader.probes['toolsArray'];
    if (st === 'crash') return { kind: 'migrate', path: ['tools'], origin: toolsOrigin, what: 'tools' };
    return undefined;
  }
  const exec = lastProperty(tools, 'exec');
  if (exec && (exec.type === 'null' || exec.type === 'number' || exec.type === 'boolean')) {
    if (release.loader.probes['toolsNull'] === 'crash')
      return { kind: 'migrate', path: ['tools', 'exec'], origin: { kind: 'file', pointer: '/tools/exec', node: exec }, what: 'tools.exec' };
    return undefined;
  }
  const old = exec?.type === 'object' ? lastProperty(exec, 'restrictToWorkspace') : undefined;
  if (old && !lastProperty(tools, 'restrictToWorkspace')) {
    const toolsValue = value['tools'] as Record<string, unknown>;
    const migrated: Origin = { kind: 'migrated', pointer: '/tools/exec/restrictToWorkspace', node: old };
    const snake = b.origins.get('/tools/restrictToWorkspace');
    if (snake && snake.kind === 'file') {
      // The migrated camelCase key beats a snake_case one the file spelled.
      b.shadows.push({ path: ['tools', 'restrictToWorkspace'], pointer: snake.pointer, node: snake.node, winner: migrated, reason: 'spelling' });
    }
    toolsValue['restrictToWorkspace'] = old.value as Json;
    b.origins.set('/tools/restrictToWorkspace', migrated);
    const execValue = toolsValue['exec'];
    if (isObject(execValue)) delete execValue['restrictToWorkspace'];
  }
  if ('my' in (release.schema.defs['ToolsConfig']?.properties ?? {})) {
    const toolsValue = value['tools'] as Record<string, unknown>;
    for (const [flat, field] of [
      ['myEnabled', 'enable'],
      ['mySet', 'allowSet'],
    ] as const) {
      const node = lastProperty(tools, flat);
      if (!node) continue;
      const my = toolsValue['my'];
      if (my !== undefined && !isObject(my)) continue;
      const target = isObject(my) ? my : (toolsValue['my'] = {} as Record<string, unknown>);
      if (!Object.hasOwn(target, field)) {
        target[field] = node.value;
        b.origins.set(`/tools/my/${field}`, { kind: 'migrated', pointer: `/tools/${flat}`, node });
      }
    }
  }
  return undefined;
}

const ANY_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * ${VAR} references (0.1.5+): resolved in every string the loaded config holds (channel sections
 * included); a variable that is not set stops nanobot (loader.resolve_config_env_vars).
 */
function interpolate(
  value: unknown,
  path: string[],
  env: Readonly<Record<string, string | undefined>>,
  pattern: RegExp,
  unset: { name: string; path: string[] }[],
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    return value.replace(pattern, (whole, name: string) => {
      const v = env[name];
      if (v === undefined) {
        unset.push({ name, path: [...path] });
        return whole;
      }
      return v;
    });
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(String(i));
      value[i] = interpolate(value[i], path, env, pattern, unset);
      path.pop();
    }
    return value;
  }
  if (isObject(value)) {
    for (const k of Object.keys(value)) {
      path.push(k);
      value[k] = interpolate(value[k], path, env, pattern, unset);
      path.pop();
    }
  }
  return value;
}

/** The origin of the value at `path`, or of its nearest ancestor that has one, and the rest of the path. */
function originAt(origins: Map<string, Origin>, path: readonly string[]): { origin: Origin; rest: string[] } {
  for (let n = path.length; n >= 0; n--) {
    const o = origins.get(toPointer(path.slice(0, n)));
    if (o) return { origin: o, rest: path.slice(n) };
  }
  return { origin: { kind: 'default' }, rest: [...path] };
}

function loadIssue(issue: Issue, origins: Map<string, Origin>): LoadIssue {
  const { origin, rest } = originAt(origins, issue.path);
  return { ...issue, origin, rest, ...(origin.kind === 'env' ? { env: origin.name } : {}) };
}

function validation(defs: Record<string, SchemaNode>, origins: Map<string, Origin> | undefined): Validation {
  return {
    defs,
    issues: [],
    validators: VALIDATORS,
    // A default subtree is marked at its root: locate() reads an unmarked path below as a default too.
    ...(origins ? { onDefault: (path: readonly string[]) => origins.has(toPointer(path)) || origins.set(toPointer(path), { kind: 'default' }) } : {}),
  };
}

/** Config's validation of a whole dict: its coerced value and the issues. */
function validateConfig(
  value: Record<string, unknown>,
  release: ReleaseFacts,
  origins: Map<string, Origin> | undefined,
): { value: Record<string, unknown> | undefined; issues: Issue[] } {
  const ctx = validation(release.schema.defs, origins);
  const r = validate(release.schema.root, value, [], ctx);
  if (!r.ok) return { value: undefined, issues: ctx.issues };
  return { value: r.value as Record<string, unknown>, issues: [] };
}

export interface ModelOptions {
  traits: VersionTraits;
  env: Readonly<Record<string, string | undefined>>;
  /**
   * `env` is all nanobot's process has (the oracle's cases): a ${NAME} it lacks stops nanobot.
   * harden itself sees only part of the service's environment (its own, and the units and files it
   * can read), so by default an unknown name is left as written and reported by env-reference-unset.
   */
  envComplete?: boolean;
}

function statusOf(issues: readonly Issue[], release: ReleaseFacts): LoadStatus {
  // An unknown top-level key is the root's extra="forbid"; anything else is a schema error.
  const unknownTop = issues.every((i) => i.kind === 'extra' && i.path.length === 1);
  return unknownTop ? release.loader.onUnknownTopLevelKey : release.loader.onInvalidSchema;
}

/** Build the effective config from a parsed file, the environment and the version. */
export function effectiveConfig(parsed: ParsedConfig, options: ModelOptions): Effective {
  const release = options.traits.release;
  const shapes = shapesOf(release);
  const b: Builder = { origins: new Map(), shadows: [], ignored: [], shapes };
  const fileValue = walk(parsed.root, shapes.root, [], '', '', b) as Record<string, unknown>;
  const feishu = release.channels.list['feishu'];
  const instances = b.origins.get('/channels/feishu/instances');
  if (feishu && !feishu.multiInstance && instances?.kind === 'file') {
    // Feishu's instances[] is a key FeishuConfig does not have before 0.3.0: the section's own keys run.
    b.ignored.push({
      path: ['channels', 'feishu', 'instances'],
      pointer: instances.pointer,
      node: instances.node,
      why: `nanobot ${options.traits.version.text} runs no Feishu instances: the section's own keys decide`,
    });
  }
  const causes: LoadCause[] = [];
  const result = (status: LoadStatus, value: Record<string, unknown>, origins: Map<string, Origin>, env: EnvSetting[]): Effective => {
    const load: Load = { status, causes, started: [], idle: [] };
    if (status === 'ok' || status === 'fallback') runManager(value, origins, release, options.env, load);
    return { value, origins, shadows: b.shadows, ignored: b.ignored, env, load, release };
  };

  // The environment alone: what Config() makes of NANOBOT_* (a variable whose JSON does not decode
  // is a SettingsError whatever the file holds).
  const envOrigins = new Map<string, Origin>();
  const envOnly: Record<string, unknown> = {};
  const envAlone = applyEnv(envOnly, options.env, envOrigins, shapes);
  const envFatal = (errors: readonly EnvError[]): boolean => {
    for (const e of errors) causes.push({ kind: 'env-json', name: e.name, path: e.path });
    return errors.length > 0;
  };
  if (envFatal(envAlone.errors)) return result('refuse', {}, new Map(), envAlone.settings);
  const envIssues = (): Issue[] => validateConfig(structuredClone(envOnly), release, undefined).issues;
  // 0.1.5-0.3.0 build Config() from the environment before they read the file (loader.py
  // `config = Config()`): an invalid variable stops nanobot even where the file sets the key.
  if (release.env.readBeforeFile) {
    const issues = envIssues();
    if (issues.length > 0) {
      for (const i of issues) causes.push({ kind: 'invalid', issue: loadIssue(i, envOrigins) });
      return result('refuse', {}, new Map(), envAlone.settings);
    }
  }
  const migrated = migrate(parsed, fileValue, b, release);
  if (migrated) {
    causes.push(migrated);
    return result('crash', fileValue, b.origins, envAlone.settings);
  }
  const env = applyEnv(fileValue, options.env, b.origins, shapes);
  const checked = validateConfig(fileValue, release, b.origins);
  let value: Record<string, unknown>;
  let origins = b.origins;
  let status: LoadStatus = 'ok';
  if (!checked.value) {
    for (const i of checked.issues) causes.push({ kind: 'invalid', issue: loadIssue(i, b.origins) });
    status = statusOf(checked.issues, release);
    if (status !== 'fallback') return result(status, fileValue, b.origins, env.settings);
    // The loader caught it and runs Config(): the environment and the defaults, none of the file.
    origins = new Map();
    const envValue: Record<string, unknown> = {};
    applyEnv(envValue, options.env, origins, shapes);
    const fallback = validateConfig(envValue, release, origins);
    if (!fallback.value) {
      for (const i of fallback.issues) causes.push({ kind: 'invalid', issue: loadIssue(i, origins) });
      return result('refuse', envValue, origins, env.settings);
    }
    value = fallback.value;
  } else {
    value = checked.value;
  }
  // Only a string with "${" can refer to a variable: no such text in the file or the variables, nothing to do.
  const references = parsed.text.includes('${') || /\\u0024/i.test(parsed.text) || nanobotNames(options.env).some((n) => options.env[n]?.includes('${'));
  if (release.interpolation.supported && references) {
    const unset: { name: string; path: string[] }[] = [];
    const pattern = release.interpolation.pattern ? new RegExp(release.interpolation.pattern, 'g') : ANY_REF;
    interpolate(value, [], options.env, pattern, unset);
    if (unset.length > 0 && options.envComplete) {
      for (const u of unset) causes.push({ kind: 'unset-variable', name: u.name, path: u.path, ...originAt(origins, u.path) });
      return result(release.interpolation.unsetVariable === 'ok' ? 'refuse' : release.interpolation.unsetVariable, value, origins, env.settings);
    }
  }
  return result(status, value, origins, status === 'ok' ? env.settings : envAlone.settings);
}

/**
 * The channel manager: which sections start, and the config each runs on. Up to 0.1.4.post4 the
 * sections are fields of ChannelsConfig (already validated with the file); later each is a raw
 * dict that the channel's own model reads when the channel is built, and a section it rejects
 * leaves that channel out ("channel not available"), nanobot running on.
 */
function runManager(
  value: Record<string, unknown>,
  origins: Map<string, Origin>,
  release: ReleaseFacts,
  env: Readonly<Record<string, string | undefined>>,
  load: Load,
): void {
  const channels = isObject(value['channels']) ? value['channels'] : {};
  const settings = new Set(release.channels.settings);
  const known = new Set(release.channels.names);
  for (const name of Object.keys(channels)) {
    if (settings.has(name) || known.has(name)) continue;
    // A section no channel of this release reads (a misspelt name, a newer channel, a plugin's).
    const section = channels[name];
    load.idle.push({ name, path: ['channels', name], why: 'unknown', enabled: isObject(section) && pythonTruthy(section['enabled']) });
    if (isObject(section)) channels[name] = { ...section, enabled: false };
  }
  if (!isObject(value['channels'])) return;
  for (const name of release.channels.names) {
    const facts = own(release.channels.list, name);
    if (!facts) continue;
    const path = ['channels', name];
    if (release.channels.typed) {
      const section = channels[name];
      if (isObject(section) && section['enabled'] === true) load.started.push({ runtime: name, section: name, path, config: section });
      continue;
    }
    let section = own(channels, name);
    if (section === undefined || section === null) {
      if (!facts.defaultEnabled) continue;
      // A channel on by default (the WebUI's websocket channel from 0.3.0) runs on its defaults.
      section = defaultsOf(facts.schema);
      channels[name] = section;
      recordTree(path, section, { kind: 'default' }, origins);
    }
    if (facts.multiInstance) {
      startInstances(name, section, facts, release, origins, load, channels);
      continue;
    }
    const enabled = isObject(section)
      ? Object.hasOwn(section, 'enabled')
        ? enabledOf(section['enabled'], release)
        : facts.defaultEnabled
      : facts.defaultEnabled;
    if (!isObject(section)) {
      if (enabled) load.idle.push({ name, path, why: 'not-an-object', enabled });
      continue;
    }
    if (!enabled) {
      channels[name] = parseSection(section, facts, path, origins).value ?? { ...section, enabled: false };
      markDisabled(channels, name);
      continue;
    }
    const parsed = parseSection(section, facts, path, origins);
    if (!parsed.value) {
      load.idle.push({ name, path, why: 'invalid', issue: parsed.issue!, enabled: true });
      channels[name] = { ...section, enabled: false };
      continue;
    }
    // The raw value decided that the channel runs ("false" is a non-empty string): so it does.
    parsed.value['enabled'] = true;
    channels[name] = parsed.value;
    load.started.push({ runtime: name, section: name, path, config: parsed.value });
  }
  void env;
  gatewayExit(release, load);
}

function markDisabled(channels: Record<string, unknown>, name: string): void {
  const v = channels[name];
  if (isObject(v)) v['enabled'] = false;
}

/** Whether a raw `enabled` starts a free-form section: Python truthiness (0.1.4.post5+), else pydantic's bool. */
function enabledOf(raw: unknown, release: ReleaseFacts): boolean {
  if (release.channels.enabledByTruthiness) return pythonTruthy(raw);
  return raw === true;
}

function parseSection(
  section: Record<string, unknown>,
  facts: ReleaseFacts['channels']['list'][string],
  path: string[],
  origins: Map<string, Origin>,
): { value?: Record<string, unknown>; issue?: LoadIssue } {
  const scratch = new Map<string, Origin>();
  const ctx = validation(facts.schema.defs, scratch);
  const r = validate(facts.schema.root, section, path, ctx);
  if (!r.ok) return { issue: loadIssue(ctx.issues[0] ?? { path, expected: expectedOf(facts.schema.root, facts.schema.defs), kind: 'type' }, origins) };
  for (const [k, v] of scratch) if (!origins.has(k)) origins.set(k, v);
  const value = r.value as Record<string, unknown>;
  computed(value, facts);
  return { value };
}

/**
 * Fields a channel's model computes (pydantic computed_field), which the JSON Schema of its input
 * leaves out: Signal's allow_from is the union of dm.allow_from and group.allow_from (0.2.1
 * nanobot/channels/signal.py:322, main nanobot/channels/signal/runtime.py:344).
 */
function computed(config: Record<string, unknown>, facts: ReleaseFacts['channels']['list'][string]): void {
  if (facts.schema.root['x-model'] !== 'SignalConfig' || Object.hasOwn(facts.schema.root.properties ?? {}, 'allowFrom')) return;
  const list = (sub: unknown): unknown[] => (isObject(sub) && Array.isArray(sub['allowFrom']) ? sub['allowFrom'] : []);
  config['allowFrom'] = [...new Set([...list(config['dm']), ...list(config['group'])])];
}

/**
 * Feishu from 0.3.0 (channels/feishu/instances.py): with instances[] each entry runs as a bot of
 * its own, merged over the section's other keys and nanobot's Feishu defaults (camelCase keys);
 * the section alone is no bot then. An entry that is not an object, has an invalid id, repeats an
 * id or an app already taken is skipped; an entry without an id is "default" (the first) or
 * "assistant-N". Runtime names are "feishu" for the default instance, else "feishu.<id>".
 */
function startInstances(
  name: string,
  section: unknown,
  facts: ReleaseFacts['channels']['list'][string],
  release: ReleaseFacts,
  origins: Map<string, Origin>,
  load: Load,
  channels: Record<string, unknown>,
): void {
  const path = ['channels', name];
  const defaults = defaultsOf(facts.schema);
  const raw = isObject(section) ? section : {};
  const list = Array.isArray(raw['instances']) ? (raw['instances'] as unknown[]) : undefined;
  const inherited = list ? Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'instances')) : undefined;
  const entries = list ?? [Object.keys(raw).length > 0 ? raw : { ...defaults }];
  const ids = new Set<string>();
  const apps = new Set<string>();
  const started: StartedChannel[] = [];
  const parsedEntries: unknown[] = [];
  let failed: LoadIssue | undefined;
  entries.forEach((entry, index) => {
    const entryPath = list ? [...path, 'instances', String(index)] : path;
    if (!isObject(entry)) {
      parsedEntries.push(entry);
      return;
    }
    const merged: Record<string, unknown> = { ...defaults, ...(inherited ?? {}), ...entry };
    if (inherited) {
      for (const key of Object.keys(inherited)) {
        if (Object.hasOwn(entry, key)) continue;
        const from = origins.get(toPointer([...path, key]));
        if (from && (from.kind === 'file' || from.kind === 'migrated'))
          recordTree([...entryPath, key], merged[key], { kind: 'inherited', pointer: from.pointer, node: from.node }, origins);
      }
    }
    const rawId = entry['id'] || entry['instanceId'] || entry['instance_id'] || (index === 0 ? 'default' : `assistant-${index + 1}`);
    const id = pythonStr(rawId).trim();
    const enabled = pythonTruthy(merged['enabled']);
    const parsed = parseSection(merged, facts, entryPath, origins);
    parsedEntries.push(parsed.value ? { ...parsed.value, enabled: false } : { ...merged, enabled: false });
    if (!/^[A-Za-z0-9_-]+$/.test(id) || ids.has(id)) return;
    ids.add(id);
    if (!enabled) return;
    const app = pythonStr(merged['appId'] ?? '').trim();
    const identity = app
      ? `${
          pythonStr(merged['domain'] ?? 'feishu')
            .trim()
            .toLowerCase() === 'lark'
            ? 'lark'
            : 'feishu'
        }:${app}`
      : '';
    if (identity && apps.has(identity)) return;
    if (identity) apps.add(identity);
    if (!parsed.value) {
      failed ??= parsed.issue;
      return;
    }
    const config = parsedEntries[parsedEntries.length - 1] as Record<string, unknown>;
    config['enabled'] = true;
    started.push({ runtime: id === 'default' ? name : `${name}.${id}`, section: name, path: entryPath, config });
  });
  // The channel is built once for all its instances: one that its model rejects fails them all.
  if (failed) {
    load.idle.push({ name, path, why: 'invalid', issue: failed, enabled: true });
  } else {
    for (const s of started) load.started.push(s);
  }
  const top = parseSection(Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'instances')), facts, path, origins).value ?? { ...raw };
  top['enabled'] = !failed && started.length > 0;
  if (list) top['instances'] = parsedEntries;
  channels[name] = top;
  void release;
}

/** 0.1.4.post4-0.1.5.post3: the gateway exits when a started channel's allowFrom is [] (or omitted, which is []). */
function gatewayExit(release: ReleaseFacts, load: Load): void {
  if (!release.allowFrom.gatewayExitsOnEmpty) return;
  for (const ch of load.started) {
    const allow = ch.config['allowFrom'];
    if (Array.isArray(allow) && allow.length === 0) {
      load.gatewayExit = { channel: ch.runtime, path: [...ch.path, 'allowFrom'] };
      return;
    }
  }
}

export { getIn, isObject };
