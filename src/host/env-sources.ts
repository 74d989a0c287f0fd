// Where a service gets its environment: systemd units that start nanobot (Environment= and
// EnvironmentFile=), compose services (environment: and env_file:, with ${VAR} from the .env
// beside the compose file), and nanobot.env beside the config. Each variable keeps its file and
// line, so a finding can name them.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import { parseEnvFile } from '../config/envfile.js';
import { loadCompose } from './compose.js';

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

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

async function envFileVars(path: string): Promise<EnvVarAt[] | undefined> {
  const text = await readText(path);
  return text === undefined ? undefined : parseEnvFile(text).map((e) => ({ ...e, file: path }));
}

/** systemd's Environment= value: assignments separated by spaces, each optionally quoted. */
export function splitEnvironment(value: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const word = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3] ?? '');
    const eq = word.indexOf('=');
    if (eq > 0) out.push({ name: word.slice(0, eq), value: word.slice(eq + 1) });
  }
  return out;
}

/** A unit's [Service] lines with their line numbers (continuations joined). */
export function serviceLines(text: string): { key: string; value: string; line: number }[] {
  const out: { key: string; value: string; line: number }[] = [];
  let section = '';
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    const start = i;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++i]!.trim();
    if (line.startsWith('[')) section = line;
    else if (section === '[Service]' && !line.startsWith('#') && line.includes('=')) {
      const eq = line.indexOf('=');
      out.push({ key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: start + 1 });
    }
  }
  return out;
}

/** The config a unit's nanobot reads: its --config/-c argument, else the default under a home. */
function unitConfig(execStart: string): string | undefined {
  return /(?:--config|-c)[=\s]+("[^"]+"|'[^']+'|\S+)/.exec(execStart)?.[1]?.replace(/^["']|["']$/g, '');
}

export async function readUnit(file: string, config: string): Promise<EnvSource | undefined> {
  const text = await readText(file);
  if (text === undefined) return undefined;
  const dropins = await readdir(`${file}.d`).catch(() => [] as string[]);
  const parts = [{ file, text }];
  for (const name of dropins.filter((n) => n.endsWith('.conf')).sort()) {
    const t = await readText(join(`${file}.d`, name));
    if (t !== undefined) parts.push({ file: join(`${file}.d`, name), text: t });
  }
  const all = parts.flatMap((p) => serviceLines(p.text).map((l) => ({ ...l, file: p.file })));
  const exec = all.filter((l) => l.key === 'ExecStart').map((l) => l.value).join(' ');
  if (!/nanobot/.test(exec)) return undefined;
  const target = unitConfig(exec);
  // A unit for another instance (its own --config) is not this config's environment.
  if (target !== undefined && resolve(target.replace(/^~(?=\/)/, process.env['HOME'] ?? '~')) !== config && !target.includes('%')) return undefined;
  const source: EnvSource = { kind: 'systemd', file, label: file.slice(file.lastIndexOf('/') + 1), vars: [], unreadable: [] };
  for (const l of all) {
    if (l.key === 'Environment') for (const a of splitEnvironment(l.value)) source.vars.push({ ...a, file: l.file, line: l.line });
    if (l.key === 'EnvironmentFile') {
      const optional = l.value.startsWith('-');
      const path = l.value.replace(/^-/, '');
      const vars = await envFileVars(path);
      if (vars) source.vars.push(...vars);
      else if (!optional) source.unreadable.push(path);
    }
  }
  return source;
}

/** Units that start nanobot, system and user, unless units were named explicitly. */
export async function findUnits(home: string | undefined, config: string, explicit: readonly string[]): Promise<EnvSource[]> {
  // Units an admin or `nanobot gateway install-service` writes are read whole; the vendor
  // directories hold hundreds of distribution units, of which only a packaged nanobot's matter.
  const local = ['/etc/systemd/system', '/etc/systemd/user', ...(home ? [join(home, '.config', 'systemd', 'user')] : [])];
  const vendor = ['/usr/lib/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/user'];
  const files = explicit.length > 0 ? [...explicit] : [];
  if (explicit.length === 0) {
    for (const dir of local) for (const n of await readdir(dir).catch(() => [] as string[])) if (n.endsWith('.service')) files.push(join(dir, n));
    for (const dir of vendor) for (const n of await readdir(dir).catch(() => [] as string[])) if (n.endsWith('.service') && /nanobot/i.test(n)) files.push(join(dir, n));
  }
  const out: EnvSource[] = [];
  for (const f of files) {
    const unit = await readUnit(f, config);
    if (unit) out.push(unit);
  }
  return out;
}

/** Compose's ${VAR}, ${VAR:-default} and $VAR, from .env and the process environment. */
function interpolate(value: string, vars: ReadonlyMap<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, a?: string, def?: string, b?: string) => {
    if (whole === '$$') return '$';
    const name = a ?? b ?? '';
    return vars.get(name) ?? def ?? '';
  });
}

export async function readCompose(file: string, env: Readonly<Record<string, string | undefined>>): Promise<EnvSource[]> {
  const c = await loadCompose(file);
  if (!c) return [];
  const dir = dirname(file);
  const dotenv = new Map((await envFileVars(join(dir, '.env')))?.map((v) => [v.name, v.value]) ?? []);
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !dotenv.has(k)) dotenv.set(k, v);
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? c.counter.linePos(range[0]).line : 1;
  };
  const out: EnvSource[] = [];
  for (const service of c.services) {
    const source: EnvSource = { kind: 'compose', file, label: service.name, vars: [], unreadable: [] };
    const envFiles = service.node.get('env_file', true);
    const paths = isSeq(envFiles) ? envFiles.items : envFiles ? [envFiles] : [];
    for (const p of paths) {
      const raw = isScalar(p) ? String(p.value) : isMap(p) ? String(p.get('path')) : undefined;
      if (!raw) continue;
      const path = isAbsolute(raw) ? raw : join(dir, interpolate(raw, dotenv));
      const vars = await envFileVars(path);
      if (vars) source.vars.push(...vars);
      else if (!(isMap(p) && p.get('required') === false)) source.unreadable.push(path);
    }
    const environment = service.node.get('environment', true);
    if (isMap(environment)) {
      for (const pair of environment.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const value = isScalar(pair.value) ? pair.value.value : null;
        if (value === null || value === undefined) continue;
        source.vars.push({ name: String(pair.key.value), value: interpolate(String(value), dotenv), file, line: lineOf(pair.key) });
      }
    } else if (isSeq(environment)) {
      for (const entry of environment.items) {
        if (!isScalar(entry)) continue;
        const text = String(entry.value);
        const eq = text.indexOf('=');
        if (eq > 0) source.vars.push({ name: text.slice(0, eq), value: interpolate(text.slice(eq + 1), dotenv), file, line: lineOf(entry) });
      }
    }
    out.push(source);
  }
  return out;
}

/** nanobot.env beside the config, the file harden fix --secrets-to-env writes. */
export async function besideConfig(config: string): Promise<EnvSource | undefined> {
  const path = join(dirname(config), 'nanobot.env');
  const vars = await envFileVars(path);
  return vars ? { kind: 'envfile', file: path, label: 'nanobot.env', vars, unreadable: [] } : undefined;
}
