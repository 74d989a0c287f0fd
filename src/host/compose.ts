// Compose projects as Docker Compose reads them: one or more files merged in order (`-f a -f b`),
// each interpolated on its own before the merge with the variables of the shell and of the `.env`
// beside the first file, YAML merge keys (`<<: *base`), `extends`, `include`, `!reset` and
// `!override`, profiles. The services that run nanobot are checked for the guide's Docker flags,
// each finding at the file and line that decided the value. Loaded only when a compose file is
// named (yaml is large).
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';
import { ConfigSyntaxError } from '../errors.js';
import { readInputText, readText } from '../io/read.js';
import { parseEnvFile } from '../config/envfile.js';
import type { VersionTraits } from '../config/version.js';
import { makeFinding, type Finding } from '../findings/index.js';
import { interpolate, type Lookup } from '../config/compose-interpolate.js';
import { textOf } from '../config/text.js';

export interface ComposeFile {
  file: string;
  text: string;
  doc: Document;
  counter: LineCounter;
}

/** Where a value was written: the file, its line, and the node when it is in a file harden read. */
export interface Origin {
  file: string;
  line: number;
  node?: Node;
}

export interface ComposeService {
  name: string;
  /** The service as Compose runs it: interpolated, merged, extended. */
  value: Record<string, unknown>;
  /** The last file that declares the service, and its map there: where a fix adds what is missing. */
  file: string;
  line: number;
  node: YAMLMap;
  /** Each named file's own map of this service, in merge order. */
  declarations: { file: ComposeFile; node: YAMLMap }[];
  /** Where a key's value was decided. */
  at(key: string): Origin;
  /** Where each item of a list-valued key was written (same order as value[key]). */
  items(key: string): (Origin | undefined)[];
  /** Whether the service runs without naming a profile. */
  enabled: boolean;
}

export interface ComposeProject {
  files: ComposeFile[];
  services: ComposeService[];
  /** The variables interpolation used: the shell's, then the project .env's. */
  variables: Lookup;
  directory: string;
  /** Values Compose refuses (a required variable unset, an invalid template), with where they are. */
  problems: { file: string; line: number; message: string }[];
  /** Variables used while unset: Compose warns and uses "". */
  unset: string[];
}

/** A single file's parse, kept for callers that look at one file (secrets, the editor). */
export interface ComposeDoc extends ComposeProject {
  file: string;
  text: string;
  doc: Document;
  counter: LineCounter;
}

// ---- values with origins ------------------------------------------------------------------------

const KEYS = new WeakMap<object, Map<string, Origin>>();
const ITEMS = new WeakMap<unknown[], (Origin | undefined)[]>();
const RESET = Symbol('!reset');
const OVERRIDE = new WeakSet<object>();

function keyOrigins(o: object): Map<string, Origin> {
  let m = KEYS.get(o);
  if (!m) KEYS.set(o, (m = new Map<string, Origin>()));
  return m;
}

function itemOrigins(a: unknown[]): (Origin | undefined)[] {
  let m = ITEMS.get(a);
  if (!m) ITEMS.set(a, (m = []));
  return m;
}

/** Where a key of a value harden read was written. */
export const keyOrigin = (o: object, key: string): Origin | undefined => KEYS.get(o)?.get(key);
/** Where item `i` of a list harden read was written. */
export const itemOrigin = (a: unknown[], i: number): Origin | undefined => ITEMS.get(a)?.[i];

interface Reader {
  file: ComposeFile;
  lookup: Lookup;
  problems: ComposeProject['problems'];
  unset: Set<string>;
  budget: { nodes: number };
}

const MAX_NODES = 200_000;

function lineOf(f: ComposeFile, node: { range?: [number, number, number] | null } | null | undefined): number {
  const range = node?.range;
  return range ? f.counter.linePos(range[0]).line : 1;
}

/** A node as Compose sees it: strings interpolated, aliases and merge keys resolved, tags noted. */
function plain(node: unknown, r: Reader, depth = 0): unknown {
  if (++r.budget.nodes > MAX_NODES || depth > 200)
    throw new ConfigSyntaxError(r.file.file, lineOf(r.file, node as Node), 1, 'too many nodes once its aliases are expanded');
  if (isAlias(node)) return plain(node.resolve(r.file.doc), r, depth + 1);
  const tag = (node as { tag?: string } | null)?.tag;
  if (tag === '!reset') return RESET;
  let out: unknown;
  if (isMap(node)) {
    const obj: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    const origins = keyOrigins(obj);
    const merged: Record<string, unknown>[] = [];
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (key === '<<' && isScalar(pair.key) && pair.key.type === 'PLAIN') {
        const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
        for (const s of sources) {
          const v = plain(s, r, depth + 1);
          if (v && typeof v === 'object' && !Array.isArray(v)) merged.push(v as Record<string, unknown>);
        }
        continue;
      }
      obj[key] = plain(pair.value, r, depth + 1);
      origins.set(key, { file: r.file.file, line: lineOf(r.file, pair.key as Node), node: pair as unknown as Node });
    }
    // YAML merge keys: the map's own keys win, then the first merged map that has the key.
    for (const m of merged) {
      for (const [k, v] of Object.entries(m)) {
        if (k in obj) continue;
        obj[k] = v;
        const o = KEYS.get(m)?.get(k);
        if (o) origins.set(k, o);
      }
    }
    out = obj;
  } else if (isSeq(node)) {
    const arr: unknown[] = [];
    const origins = itemOrigins(arr);
    for (const item of node.items) {
      arr.push(plain(item, r, depth + 1));
      const target = isAlias(item) ? undefined : (item as Node);
      origins.push({ file: r.file.file, line: lineOf(r.file, item as Node), ...(target ? { node: target } : {}) });
    }
    out = arr;
  } else if (isScalar(node)) {
    if (typeof node.value === 'string' && node.value.includes('$')) {
      const result = interpolate(node.value, r.lookup);
      for (const u of result.unset) r.unset.add(u);
      if (result.error) r.problems.push({ file: r.file.file, line: lineOf(r.file, node), message: result.error });
      out = result.value;
    } else out = node.value;
  } else out = node ?? null;
  if (tag === '!override' && out && typeof out === 'object') OVERRIDE.add(out);
  return out;
}

// ---- merging, as compose-go's override package does ----------------------------------------------

/** Keys whose later value replaces the earlier one instead of being appended to it. */
const REPLACED = new Set(['command', 'entrypoint']);

/** `environment:` as a map, whichever way it is written; a name without a value is null. */
function environmentMap(v: unknown): Record<string, string | null> | undefined {
  if (Array.isArray(v)) {
    const out: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
    const origins = keyOrigins(out);
    const items = ITEMS.get(v) ?? [];
    v.forEach((entry, i) => {
      if (typeof entry !== 'string' && typeof entry !== 'number') return;
      const text = String(entry);
      const eq = text.indexOf('=');
      const name = eq < 0 ? text : text.slice(0, eq);
      out[name] = eq < 0 ? null : text.slice(eq + 1);
      const o = items[i];
      if (o) origins.set(name, o);
    });
    return out;
  }
  if (v && typeof v === 'object') {
    const out: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
    const origins = keyOrigins(out);
    for (const [k, x] of Object.entries(v)) {
      out[k] = x === null || x === undefined ? null : String(x);
      const o = KEYS.get(v)?.get(k);
      if (o) origins.set(k, o);
    }
    return out;
  }
  return undefined;
}

function identity(key: string, item: unknown): string {
  if (key === 'volumes' && item && typeof item === 'object') return `target:${String((item as Record<string, unknown>)['target'])}`;
  if (key === 'volumes' && typeof item === 'string') return `target:${item.split(':')[1] ?? item}`;
  return JSON.stringify(item);
}

function mergeValue(key: string, base: unknown, over: unknown): unknown {
  if (over === RESET) return RESET;
  if (over && typeof over === 'object' && OVERRIDE.has(over)) return over;
  if (base === undefined || base === RESET) return over;
  if (REPLACED.has(key)) return over;
  if (key === 'environment') {
    const a = environmentMap(base);
    const b = environmentMap(over);
    if (a && b) return mergeMaps(a, b);
  }
  if (Array.isArray(base) && Array.isArray(over)) {
    // Appended; an item equal to an earlier one (or a volume on the same target) replaces it.
    const out: unknown[] = [];
    const origins = itemOrigins(out);
    const seen = new Map<string, number>();
    const add = (item: unknown, o: Origin | undefined) => {
      const id = identity(key, item);
      const at = seen.get(id);
      if (at !== undefined) {
        out[at] = item;
        origins[at] = o;
        return;
      }
      seen.set(id, out.length);
      out.push(item);
      origins.push(o);
    };
    base.forEach((x, i) => add(x, ITEMS.get(base)?.[i]));
    over.forEach((x, i) => add(x, ITEMS.get(over)?.[i]));
    return out;
  }
  if (base && over && typeof base === 'object' && typeof over === 'object' && !Array.isArray(base) && !Array.isArray(over)) {
    return mergeMaps(base as Record<string, unknown>, over as Record<string, unknown>);
  }
  return over;
}

function mergeMaps(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const origins = keyOrigins(out);
  for (const [k, v] of Object.entries(base)) {
    out[k] = v;
    const o = KEYS.get(base)?.get(k);
    if (o) origins.set(k, o);
  }
  for (const [k, v] of Object.entries(over)) {
    const merged = mergeValue(k, out[k], v);
    if (merged === RESET) {
      delete out[k];
      origins.delete(k);
      continue;
    }
    out[k] = merged;
    const o = KEYS.get(over)?.get(k);
    if (o) origins.set(k, o);
  }
  return out;
}

// ---- loading -------------------------------------------------------------------------------------

function parseFile(file: string, text: string): ComposeFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    const pos = counter.linePos(error.pos[0]);
    throw new ConfigSyntaxError(file, pos.line, pos.col, `not valid YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  return { file, text, doc, counter };
}

/** The variables Compose interpolates with: the shell's environment first, then the .env file. */
export function projectVariables(env: Readonly<Record<string, string | undefined>>, dotenvText: string | undefined): Lookup {
  const shell = (name: string) => (Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined);
  const dotenv = new Map<string, string>();
  if (dotenvText !== undefined) {
    for (const e of parseEnvFile(dotenvText, 'compose', (name) => shell(name) ?? dotenv.get(name))) dotenv.set(e.name, e.value);
  }
  return (name) => shell(name) ?? dotenv.get(name);
}

interface Loaded {
  files: ComposeFile[];
  /** Each file's services, interpolated, in file order. */
  perFile: { file: ComposeFile; services: Map<string, { value: Record<string, unknown>; node: YAMLMap; line: number }> }[];
  problems: ComposeProject['problems'];
  unset: Set<string>;
}

function servicesOf(f: ComposeFile, r: Reader): Map<string, { value: Record<string, unknown>; node: YAMLMap; line: number }> {
  const out = new Map<string, { value: Record<string, unknown>; node: YAMLMap; line: number }>();
  const all = f.doc.get('services', true);
  if (!isMap(all)) return out;
  for (const item of all.items) {
    const node = isAlias(item.value) ? item.value.resolve(f.doc) : item.value;
    if (!isMap(node)) continue;
    const name = String(isScalar(item.key) ? item.key.value : item.key);
    const value = plain(item.value, r) as Record<string, unknown>;
    out.set(name, { value, node, line: lineOf(f, item.key as Node) });
  }
  return out;
}

/** A file that `extends: { file }` or `include:` names: read as Compose would, or undefined. */
function readOther(path: string, cache: Map<string, ComposeFile | null>): ComposeFile | undefined {
  if (!cache.has(path)) {
    const text = readText(path);
    cache.set(path, text === undefined ? null : parseFile(path, text));
  }
  return cache.get(path) ?? undefined;
}

/** `extends:`, resolved through every level (a loop is a problem Compose reports too). */
function extend(
  name: string,
  services: ReadonlyMap<string, { value: Record<string, unknown> }>,
  f: ComposeFile,
  r: Omit<Reader, 'file'>,
  cache: Map<string, ComposeFile | null>,
  seen: Set<string>,
): Record<string, unknown> | undefined {
  const own = services.get(name)?.value;
  if (!own) return undefined;
  const ext = own['extends'];
  if (ext === undefined) return own;
  const key = `${f.file}#${name}`;
  if (seen.has(key)) {
    r.problems.push({ file: f.file, line: KEYS.get(own)?.get('extends')?.line ?? 1, message: `extends loops back to service ${name}` });
    return own;
  }
  seen.add(key);
  const target = typeof ext === 'string' ? { service: ext } : (ext as { service?: unknown; file?: unknown });
  let baseFile = f;
  let baseServices = services;
  if (typeof target.file === 'string') {
    const path = isAbsolute(target.file) ? target.file : join(dirname(f.file), target.file);
    const other = readOther(path, cache);
    if (!other) {
      r.problems.push({ file: f.file, line: KEYS.get(own)?.get('extends')?.line ?? 1, message: `extends names ${path}, which cannot be read` });
      return own;
    }
    baseFile = other;
    baseServices = servicesOf(other, { ...r, file: other });
  }
  const base = extend(String(target.service), baseServices, baseFile, r, cache, seen);
  const local: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(own)) if (k !== 'extends') local[k] = v;
  const origins = keyOrigins(local);
  for (const [k, o] of KEYS.get(own) ?? []) origins.set(k, o);
  return base ? mergeMaps(base, local) : local;
}

function enabled(value: Record<string, unknown>, lookup: Lookup): boolean {
  const profiles = value['profiles'];
  if (!Array.isArray(profiles) || profiles.length === 0) return true;
  const active = (lookup('COMPOSE_PROFILES') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return active.includes('*') || profiles.some((p) => active.includes(String(p)));
}

/**
 * The project the files make, as `docker compose -f FILE...` would: the project directory is the
 * first file's, and its .env gives the variables the shell does not.
 */
export function composeProject(
  files: readonly { file: string; text: string }[],
  env: Readonly<Record<string, string | undefined>>,
  dotenvText?: string,
): ComposeProject {
  const parsed = files.map((f) => parseFile(f.file, f.text));
  const directory = dirname(files[0]?.file ?? '.');
  const lookup = projectVariables(env, dotenvText);
  const problems: ComposeProject['problems'] = [];
  const unset = new Set<string>();
  const budget = { nodes: 0 };
  const cache = new Map<string, ComposeFile | null>();
  const loaded: Loaded = { files: parsed, perFile: [], problems, unset };
  for (const f of parsed) {
    const r: Reader = { file: f, lookup, problems, unset, budget };
    const services = servicesOf(f, r);
    // include: another project's services join this one (its own directory and .env).
    const include = f.doc.get('include', true);
    if (isSeq(include)) {
      for (const entry of plain(include, r) as unknown[]) {
        const spec = typeof entry === 'string' ? { path: entry } : (entry as { path?: unknown; project_directory?: unknown; env_file?: unknown });
        const paths = (Array.isArray(spec.path) ? spec.path : [spec.path])
          .filter((p): p is string => typeof p === 'string')
          .map((p) => (isAbsolute(p) ? p : join(dirname(f.file), p)));
        const first = paths[0];
        if (!first) continue;
        const dir = typeof spec.project_directory === 'string' ? resolve(dirname(f.file), spec.project_directory) : dirname(first);
        const envFiles = (Array.isArray(spec.env_file) ? spec.env_file : spec.env_file === undefined ? [join(dir, '.env')] : [spec.env_file]).map((p) =>
          isAbsolute(String(p)) ? String(p) : join(dirname(f.file), String(p)),
        );
        const texts = paths.map((p) => ({ file: p, text: readText(p) }));
        const missing = texts.find((t) => t.text === undefined);
        if (missing) {
          problems.push({ file: f.file, line: lineOf(f, include), message: `include names ${missing.file}, which cannot be read` });
          continue;
        }
        const sub = composeProject(texts as { file: string; text: string }[], env, envFiles.map((p) => readText(p) ?? '').join('\n'));
        problems.push(...sub.problems);
        for (const s of sub.services) if (!services.has(s.name)) services.set(s.name, { value: s.value, node: s.node, line: s.line });
      }
    }
    for (const name of services.keys()) {
      const extended = extend(name, services, f, { lookup, problems, unset, budget }, cache, new Set());
      if (extended) services.get(name)!.value = extended;
    }
    loaded.perFile.push({ file: f, services });
  }
  const merged = new Map<string, { value: Record<string, unknown>; decl: { file: ComposeFile; node: YAMLMap; line: number }[] }>();
  for (const { file, services } of loaded.perFile) {
    for (const [name, s] of services) {
      const before = merged.get(name);
      if (!before) merged.set(name, { value: s.value, decl: [{ file, node: s.node, line: s.line }] });
      else {
        before.value = mergeMaps(before.value, s.value);
        before.decl.push({ file, node: s.node, line: s.line });
      }
    }
  }
  const all = [...merged.entries()].map(([name, m]) => ({ name, ...m, enabled: enabled(m.value, lookup) }));
  const running = all.filter((s) => s.enabled);
  const services: ComposeService[] = [];
  for (const s of all) {
    // The nanobot service: the one that names nanobot anywhere, or the only one that runs.
    if (!/nanobot/i.test(JSON.stringify(s.value)) && !(running.length === 1 && running[0] === s)) continue;
    const last = s.decl[s.decl.length - 1]!;
    const value = s.value;
    services.push({
      name: s.name,
      value,
      file: last.file.file,
      line: last.line,
      node: last.node,
      declarations: s.decl.filter((d) => parsed.includes(d.file)).map((d) => ({ file: d.file, node: d.node })),
      at: (key) => KEYS.get(value)?.get(key) ?? { file: last.file.file, line: last.line },
      items: (key) => {
        const v = value[key];
        return Array.isArray(v) ? v.map((_, i) => ITEMS.get(v)?.[i]) : [];
      },
      enabled: s.enabled,
    });
  }
  return { files: parsed, services, variables: lookup, directory, problems, unset: [...unset] };
}

/** One file on its own, with no variables (tests and the editor's own checks). */
export function parseCompose(file: string, text: string, env: Readonly<Record<string, string | undefined>> = {}): ComposeDoc {
  const p = composeProject([{ file, text }], env);
  const f = p.files[0]!;
  return { ...p, file, text, doc: f.doc, counter: f.counter };
}

/** The files named with --compose, read, with the .env beside the first. */
export function loadComposeProject(files: readonly string[], env: Readonly<Record<string, string | undefined>>): ComposeProject {
  const texts = files.map((file) => ({ file, text: readInputText(file, `the compose file ${file}`) }));
  const dotenv = files[0] ? readText(join(dirname(files[0]), '.env')) : undefined;
  return composeProject(texts, env, dotenv);
}

// ---- findings ------------------------------------------------------------------------------------

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string');

/** Compose's reading of a boolean that may have come from a variable (`read_only: ${RO}`). */
export function composeBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const t = v.toLowerCase();
  if (t === 'true' || t === 'y' || t === 'yes' || t === 'on') return true;
  if (t === 'false' || t === 'n' || t === 'no' || t === 'off') return false;
  return undefined;
}

export interface PortUse {
  raw: unknown;
  hostIp?: string;
  published?: string;
  target: string;
}

/** Compose port syntaxes: "8765", "18790:18790", "127.0.0.1:18790:18790", "[::1]:1:1", long form. */
export function parsePort(entry: unknown): PortUse | undefined {
  if (typeof entry === 'number') return { raw: entry, target: String(entry) };
  if (typeof entry === 'string') {
    // An empty host address (`:8765:8765`, what `${BIND}` may leave) is every interface.
    const m = /^(?:(\[[^\]]+\]|[^:[]*):)?(?:([^:]*):)?([^:]+)$/.exec(entry);
    if (!m) return undefined;
    const [, a, b, target] = m;
    if (b !== undefined) return { raw: entry, hostIp: a, published: b, target: target!.replace(/\/\w+$/, '') };
    return { raw: entry, ...(a !== undefined ? { published: a } : {}), target: target!.replace(/\/\w+$/, '') };
  }
  if (entry && typeof entry === 'object') {
    const o = entry as Record<string, unknown>;
    return {
      raw: entry,
      ...(o['host_ip'] !== undefined ? { hostIp: textOf(o['host_ip']) } : {}),
      ...(o['published'] !== undefined ? { published: textOf(o['published']) } : {}),
      target: String(o['target']),
    };
  }
  return undefined;
}

export const isLoopback = (ip: string | undefined): boolean => ip !== undefined && /^(127\.\d+\.\d+\.\d+|\[?::1\]?|localhost)$/.test(ip);

export interface ComposeContext {
  traits: VersionTraits;
  /** tools.exec.sandbox is bwrap: SYS_ADMIN and unconfined profiles are its price. */
  bwrap: boolean;
}

export const NEEDED_CAPS = ['CHOWN', 'SETUID', 'SETGID'];
export const capName = (x: string): string => x.toUpperCase().replace(/^CAP_/, '');

export function composeFindings(c: ComposeProject, ctx: ComposeContext): Finding[] {
  const out: Finding[] = [];
  for (const s of c.services) {
    const add = (ruleId: string, key: string, args: Record<string, string> = {}) => {
      const at = s.at(key);
      out.push(
        makeFinding(
          {
            ruleId,
            file: at.file,
            args: { service: `service ${s.name}`, file: at.file, ...args },
            pointer: `/services/${s.name}`,
            line: at.line,
            column: 1,
            source: { kind: 'file', pointer: `/services/${s.name}` },
          },
          ctx.traits,
        ),
      );
    };
    const v = s.value;
    if (composeBoolean(v['read_only']) !== true) add('compose-read-only', 'read_only');
    const secOpts = strings(v['security_opt']);
    if (!secOpts.some((o) => /^no-new-privileges(:true|=true)?$/.test(o))) add('compose-no-new-privileges', 'security_opt');
    const drop = strings(v['cap_drop']).map(capName);
    const capAdd = strings(v['cap_add']).map(capName);
    const extra = capAdd.filter((x) => !NEEDED_CAPS.includes(x) && !(ctx.bwrap && x === 'SYS_ADMIN'));
    if (!drop.includes('ALL') || extra.length > 0) {
      add('compose-cap-drop', drop.includes('ALL') ? 'cap_add' : 'cap_drop', {
        detail: extra.length > 0 ? ` (it adds ${extra.join(', ')}${extra.includes('SYS_ADMIN') ? ', which only the bwrap sandbox needs' : ''})` : '',
      });
    }
    const unconfined = secOpts.filter((o) => /^(apparmor|seccomp)[:=]unconfined$/.test(o));
    if (ctx.bwrap && (capAdd.includes('SYS_ADMIN') || unconfined.length > 0)) {
      add('compose-bwrap-trade', 'cap_add', { grants: [...(capAdd.includes('SYS_ADMIN') ? ['SYS_ADMIN'] : []), ...unconfined].join(', ') });
    }
    if (!strings(v['tmpfs']).some((t) => /^\/tmp(:|$)/.test(t) && /noexec/.test(t) && /nosuid/.test(t))) add('compose-tmpfs', 'tmpfs');
    for (const entry of list(v['ports'])) {
      const port = parsePort(entry);
      if (port && !isLoopback(port.hostIp)) add('compose-ports-loopback', 'ports', { port: port.published || port.target });
    }
    if (composeBoolean(v['privileged']) === true) add('compose-privileged', 'privileged');
    if (v['network_mode'] === 'host') add('compose-host-network', 'network_mode');
    for (const x of list(v['volumes'])) {
      const vol =
        typeof x === 'string'
          ? { source: x.split(':')[0] ?? '', target: x.split(':')[1] ?? '', ro: /:(ro|readonly)(,|$)/.test(x.split(':').slice(2).join(':')) }
          : x && typeof x === 'object'
            ? {
                source: textOf((x as Record<string, unknown>)['source'] ?? ''),
                target: textOf((x as Record<string, unknown>)['target'] ?? ''),
                ro: composeBoolean((x as Record<string, unknown>)['read_only']) === true,
              }
            : undefined;
      if (!vol) continue;
      if (/docker\.sock/.test(vol.source)) add('compose-docker-socket', 'volumes', { source: vol.source });
      else if (/\/\.nanobot\/?$/.test(vol.target) && !vol.ro) add('compose-config-ro', 'volumes', { source: vol.source });
    }
  }
  return out;
}
