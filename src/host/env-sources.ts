// Where a service gets its environment: systemd units that start nanobot (Environment= and
// EnvironmentFile=, drop-ins included, read by unit-file.ts as systemd reads them) and nanobot.env
// beside the config (compose services: compose-env.ts, which needs the YAML parser and is loaded
// only when a compose file is named). Each variable keeps its file and line, so a finding can name
// them.
import { basename, dirname, join, resolve } from 'node:path';
import { parseEnvFile, type EnvReader } from '../config/envfile.js';
import { listDir, readText } from '../io/read.js';
import { isUserUnit, loadUnit, parseUnitText, resolveSpecifiers, serviceValues, splitWords, unitEnvironment, unitSearchPath } from './unit-file.js';

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
export async function envFileVars(path: string, reader: EnvReader = 'systemd'): Promise<EnvVarAt[] | undefined> {
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
}

export async function readUnit(file: string, config: string, options: UnitOptions = { env: {} }): Promise<EnvSource | undefined> {
  const user = isUserUnit(file);
  const unit = loadUnit(file, unitSearchPath(user, options.env));
  if (!unit) return undefined;
  const spec = { user, home: user ? options.env['HOME'] : '/root', userName: options.env['USER'], env: options.env };
  const exec = serviceValues(unit, 'ExecStart').map((l) => l.value).filter((v) => v !== '').join(' ');
  if (!/nanobot/.test(exec)) return undefined;
  const raw = unitConfig(exec);
  const target = raw === undefined ? undefined : resolveSpecifiers(raw, { ...spec, unit: unit.name });
  // A unit for another instance (its own --config) is not this config's environment; one whose
  // path harden cannot resolve (a specifier such as %H) may be, and counts.
  if (raw !== undefined && target !== undefined && resolve(target.replace(/^~(?=\/)/, spec.home ?? '~')) !== config) return undefined;
  const source: EnvSource = { kind: 'systemd', file, label: basename(file), vars: [], unreadable: [] };
  const env = unitEnvironment(unit, spec);
  for (const v of env.vars) source.vars.push(v);
  // The files' variables win over Environment='s, the later file over the earlier.
  for (const f of env.files) {
    const vars = await envFileVars(f.path);
    if (vars) for (const v of vars) source.vars.push(v);
    else if (!f.optional) source.unreadable.push(f.path);
  }
  return source;
}

/**
 * Units that start nanobot, system and user, unless units were named explicitly. A unit name in a
 * directory earlier in systemd's search path hides the same name further down, as systemd does.
 */
export async function findUnits(home: string | undefined, config: string, explicit: readonly string[], env: Readonly<Record<string, string | undefined>> = home ? { HOME: home } : {}): Promise<EnvSource[]> {
  const files: string[] = [...explicit];
  if (explicit.length === 0) {
    const userEnv = { ...env, ...(home ? { HOME: home } : {}) };
    for (const search of [unitSearchPath(false, env), unitSearchPath(true, userEnv)]) {
      const seen = new Set<string>();
      for (const dir of search) {
        // Units an admin or `nanobot gateway install-service` writes are read whole; the vendor
        // directories hold hundreds of distribution units, of which only a packaged nanobot's matter.
        const vendor = /^\/(usr\/)?lib\/|^\/usr\/local\/lib\/|^\/usr\/(local\/)?share\//.test(dir);
        for (const n of listDir(dir) ?? []) {
          if (!n.endsWith('.service') || seen.has(n)) continue;
          seen.add(n);
          if (vendor && !/nanobot/i.test(n)) continue;
          files.push(join(dir, n));
        }
      }
    }
  }
  const out: EnvSource[] = [];
  for (const f of files) {
    const unit = await readUnit(f, config, { env: isUserUnit(f) && home ? { ...env, HOME: home } : env });
    if (unit) out.push(unit);
  }
  return out;
}

/** nanobot.env beside the config, the file harden fix --secrets-to-env writes (read as systemd's EnvironmentFile=). */
export async function besideConfig(config: string): Promise<EnvSource | undefined> {
  const path = join(dirname(config), 'nanobot.env');
  const vars = await envFileVars(path);
  return vars ? { kind: 'envfile', file: path, label: 'nanobot.env', vars, unreadable: [] } : undefined;
}
