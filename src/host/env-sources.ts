// Where a service gets its environment: systemd units that start nanobot (Environment= and
// EnvironmentFile=, drop-ins included, read by unit-file.ts as systemd reads them) and nanobot.env
// beside the config (compose services: compose-env.ts, which needs the YAML parser and is loaded
// only when a compose file is named). Each variable keeps its file and line, so a finding can name
// them.
import { basename, dirname, join, resolve } from 'node:path';
import { parseEnvFile, type EnvReader } from '../config/envfile.js';
import { listDir, readText } from '../io/read.js';
import {
  isUserUnit,
  loadUnit,
  parseUnitText,
  resolveSpecifiers,
  serviceValues,
  splitWords,
  unitEnvironment,
  unitSearchPath,
  type LoadedUnit,
} from './unit-file.js';

export interface EnvVarAt {
  name: string;
  value: string;
  file: string;
  line: number;
}

export interface EnvSource {
  kind: 'systemd' | 'compose' | 'envfile';
  /** The unit, compose file or env file. */
  file: string;
  /** A service name for compose, the unit name for systemd. */
  label: string;
  vars: EnvVarAt[];
  /** A file the source names that could not be read. */
  unreadable: string[];
}

/** An env file's variables as `reader` reads it (systemd's EnvironmentFile= unless said otherwise). */
export function envFileVars(path: string, reader: EnvReader = 'systemd'): EnvVarAt[] | undefined {
  const text = readText(path);
  return text === undefined ? undefined : parseEnvFile(text, reader).map((e) => ({ ...e, file: path }));
}

/** systemd's Environment= value: NAME=value words, quoted and escaped as systemd.exec(5) says. */
export function splitEnvironment(value: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const word of splitWords(value).words) {
    const eq = word.indexOf('=');
    if (eq > 0) out.push({ name: word.slice(0, eq), value: word.slice(eq + 1) });
  }
  return out;
}

/** A unit's [Service] lines with their line numbers (continuations joined, comments skipped). */
export function serviceLines(text: string): { key: string; value: string; line: number }[] {
  return parseUnitText(text, '')
    .filter((l) => l.section === 'Service')
    .map((l) => ({ key: l.key, value: l.value, line: l.line }));
}

/** The config a unit's nanobot reads: its --config/-c argument, else undefined (the default). */
function unitConfig(execStart: string): string | undefined {
  const words = splitWords(execStart.replace(/^[-@:+!]+/, '')).words;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--config' || w === '-c') return words[i + 1];
    if (w.startsWith('--config=')) return w.slice('--config='.length);
  }
  return undefined;
}

export interface UnitOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** The search path, when the caller has it (and `known`: every `.d` directory in it). */
  search?: readonly string[];
  known?: ReadonlySet<string>;
}

export function readUnit(file: string, config: string, options: UnitOptions = { env: {} }): EnvSource | undefined {
  const user = isUserUnit(file);
  const unit = loadUnit(file, options.search ?? unitSearchPath(user, options.env), { ...(options.known ? { known: options.known } : {}), mentions: /nanobot/ });
  return unit ? unitSource(unit, config, options.env) : undefined;
}

/** The environment a loaded unit gives nanobot, when the unit starts nanobot for this config. */
function unitSource(unit: LoadedUnit, config: string, env: Readonly<Record<string, string | undefined>>): EnvSource | undefined {
  const file = unit.file;
  const user = isUserUnit(file);
  const spec = { user, home: user ? env['HOME'] : '/root', userName: env['USER'], env };
  const exec = serviceValues(unit, 'ExecStart')
    .map((l) => l.value)
    .filter((v) => v !== '')
    .join(' ');
  if (!/nanobot/.test(exec)) return undefined;
  const raw = unitConfig(exec);
  const target = raw === undefined ? undefined : resolveSpecifiers(raw, { ...spec, unit: unit.name });
  // A unit for another instance (its own --config) is not this config's environment; one whose
  // path harden cannot resolve (a specifier such as %H) may be, and counts.
  if (raw !== undefined && target !== undefined && resolve(target.replace(/^~(?=\/)/, spec.home ?? '~')) !== config) return undefined;
  const source: EnvSource = { kind: 'systemd', file, label: basename(file), vars: [], unreadable: [] };
  const found = unitEnvironment(unit, spec);
  for (const v of found.vars) source.vars.push(v);
  // The files' variables win over Environment='s, the later file over the earlier.
  for (const f of found.files) {
    const vars = envFileVars(f.path);
    if (vars) for (const v of vars) source.vars.push(v);
    else if (!f.optional) source.unreadable.push(f.path);
  }
  return source;
}

/** The units that mention nanobot, loaded with their drop-ins: the same for every config of a run. */
function scanUnits(
  home: string | undefined,
  explicit: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { unit: LoadedUnit; env: Readonly<Record<string, string | undefined>> }[] {
  const userEnv = { ...env, ...(home ? { HOME: home } : {}) };
  const searches = { system: unitSearchPath(false, env), user: unitSearchPath(true, userEnv) };
  const files: string[] = [...explicit];
  // Every `.d` directory in the search path, from the listings: drop-ins are asked for only there.
  const known = new Set<string>();
  for (const dir of [...searches.system, ...searches.user, ...explicit.map((f) => dirname(f))]) {
    const entries = listDir(dir) ?? [];
    for (const n of entries) if (n.endsWith('.d')) known.add(join(dir, n));
    if (explicit.length > 0) continue;
    // Units an admin or `nanobot gateway install-service` writes are read whole; the vendor
    // directories hold hundreds of distribution units, of which only a packaged nanobot's matter.
    const vendor = /^\/(usr\/)?lib\/|^\/usr\/local\/lib\/|^\/usr\/(local\/)?share\//.test(dir);
    for (const n of entries) if (n.endsWith('.service') && !(vendor && !/nanobot/i.test(n))) files.push(join(dir, n));
  }
  const out: { unit: LoadedUnit; env: Readonly<Record<string, string | undefined>> }[] = [];
  // A unit name earlier in the search path hides the same name further down, as in systemd.
  const seen = new Set<string>();
  for (const f of files) {
    const user = isUserUnit(f);
    const key = `${user ? 'user' : 'system'}/${basename(f)}`;
    if (explicit.length === 0) {
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const unit = loadUnit(f, user ? searches.user : searches.system, { known, mentions: /nanobot/ });
    if (unit) out.push({ unit, env: user ? userEnv : env });
  }
  return out;
}

/**
 * Units that start nanobot, system and user, unless units were named explicitly. A unit name in a
 * directory earlier in systemd's search path hides the same name further down, as systemd does.
 * `cache` (one per run) keeps the scan for the other configs of a fleet.
 */
export async function findUnits(
  home: string | undefined,
  config: string,
  explicit: readonly string[],
  env: Readonly<Record<string, string | undefined>> = home ? { HOME: home } : {},
  cache?: Map<string, Promise<unknown>>,
): Promise<EnvSource[]> {
  const key = `units\0${home}\0${explicit.join('\0')}\0${['HOME', 'USER', 'XDG_CONFIG_HOME', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME', 'XDG_CONFIG_DIRS', 'XDG_DATA_DIRS'].map((k) => env[k]).join('\0')}`;
  let scan = cache?.get(key) as Promise<ReturnType<typeof scanUnits>> | undefined;
  if (!scan) {
    scan = Promise.resolve(scanUnits(home, explicit, env));
    cache?.set(key, scan);
  }
  const out: EnvSource[] = [];
  for (const { unit, env: unitEnv } of await scan) {
    const source = unitSource(unit, config, unitEnv);
    if (source) out.push(source);
  }
  return out;
}

/** nanobot.env beside the config, the file harden fix --secrets-to-env writes (read as systemd's EnvironmentFile=). */
export function besideConfig(config: string): EnvSource | undefined {
  const path = join(dirname(config), 'nanobot.env');
  const vars = envFileVars(path);
  return vars ? { kind: 'envfile', file: path, label: 'nanobot.env', vars, unreadable: [] } : undefined;
}
