// Where a service gets its environment: systemd units that start nanobot (Environment= and
// EnvironmentFile=) and nanobot.env beside the config (compose services: compose-env.ts, which
// needs the YAML parser and is loaded only when a compose file is named). Each variable keeps its
// file and line, so a finding can name them.
import { dirname, join, resolve } from 'node:path';
import { parseEnvFile } from '../config/envfile.js';
import { listDir, readText } from '../io/read.js';

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

export async function envFileVars(path: string): Promise<EnvVarAt[] | undefined> {
  const text = readText(path);
  return text === undefined ? undefined : parseEnvFile(text).map((e) => ({ ...e, file: path }));
}

const SPACE = /\s/;
const WORD_END = /\s|$/g;
const QUOTE_OR_ESCAPE = /["\\]/g;
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/** The end of a double-quoted word opened at `at` (after its closing quote), or -1 when it is not closed. */
function closingQuote(text: string, at: number): number {
  let pos = at + 1;
  for (;;) {
    QUOTE_OR_ESCAPE.lastIndex = pos;
    const hit = QUOTE_OR_ESCAPE.exec(text);
    if (!hit) return -1;
    if (text[hit.index] === '"') return hit.index + 1;
    // A backslash escapes any character but a line terminator (then the word is not closed).
    if (hit.index + 1 >= text.length || LINE_TERMINATOR.test(text[hit.index + 1]!)) return -1;
    pos = hit.index + 2;
  }
}

/**
 * systemd's Environment= value: assignments separated by spaces, each optionally quoted. Read by
 * a scan rather than one regular expression, whose backtracking overflowed the stack on a quoted
 * value of millions of characters.
 */
export function splitEnvironment(value: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  let pos = 0;
  while (pos < value.length) {
    if (SPACE.test(value[pos]!)) {
      pos++;
      continue;
    }
    let word: string;
    const quote = value[pos];
    const closed = quote === '"' ? closingQuote(value, pos) : quote === "'" ? value.indexOf("'", pos + 1) + 1 : 0;
    if (closed > 0) {
      word = quote === '"' ? value.slice(pos + 1, closed - 1).replace(/\\(.)/g, '$1') : value.slice(pos + 1, closed - 1);
      pos = closed;
    } else {
      WORD_END.lastIndex = pos;
      const end = WORD_END.exec(value)!.index;
      word = value.slice(pos, end);
      pos = end;
    }
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
    const start = i;
    // Continuations are collected and joined once: appending each to the line so far made a unit
    // of 50,000 continued lines take 20 seconds.
    const parts = [lines[i]!.trim()];
    while (parts[parts.length - 1]!.endsWith('\\') && i + 1 < lines.length) {
      parts[parts.length - 1] = parts[parts.length - 1]!.slice(0, -1);
      parts.push(lines[++i]!.trim());
    }
    const line = parts.join(' ');
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
  const text = readText(file);
  if (text === undefined) return undefined;
  const dropins = listDir(`${file}.d`) ?? [];
  const parts = [{ file, text }];
  for (const name of dropins.filter((n) => n.endsWith('.conf')).sort()) {
    const t = readText(join(`${file}.d`, name));
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
      if (vars) for (const v of vars) source.vars.push(v);
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
    for (const dir of local) for (const n of listDir(dir) ?? []) if (n.endsWith('.service')) files.push(join(dir, n));
    for (const dir of vendor) for (const n of listDir(dir) ?? []) if (n.endsWith('.service') && /nanobot/i.test(n)) files.push(join(dir, n));
  }
  const out: EnvSource[] = [];
  for (const f of files) {
    const unit = await readUnit(f, config);
    if (unit) out.push(unit);
  }
  return out;
}

/** nanobot.env beside the config, the file harden fix --secrets-to-env writes. */
export async function besideConfig(config: string): Promise<EnvSource | undefined> {
  const path = join(dirname(config), 'nanobot.env');
  const vars = await envFileVars(path);
  return vars ? { kind: 'envfile', file: path, label: 'nanobot.env', vars, unreadable: [] } : undefined;
}
