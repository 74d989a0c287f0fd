// systemd unit files read as systemd reads them:
// - syntax (systemd.syntax(7), conf-parser.c): `#` and `;` comment lines, whitespace around `=`
//   ignored, a line ending in an unescaped backslash joined with the next (the backslash becomes a
//   space) and comment lines inside such a continuation skipped;
// - drop-ins (systemd.unit(5)): `.conf` files in `NAME.d/`, the template's `foo@.service.d/`, the
//   dash prefixes `foo-.service.d/` and the type's `service.d/`, in every directory of the unit
//   search path; a file name in a higher-priority directory masks the same name lower down, and
//   all of them apply after the unit, in the lexicographic order of their names;
// - specifiers (systemd.unit(5), "Specifiers"): `%i`, `%n`, `%h`, ... in the values that take them;
// - Environment= (systemd.exec(5)): words with quotes and C escapes, an empty assignment resets
//   the list; EnvironmentFile=: `-` marks an optional file, an empty assignment resets the list,
//   and the files' variables win over Environment='s.
import { basename, dirname, join } from 'node:path';
import { listDir, readText } from '../io/read.js';

export interface UnitLine {
  section: string;
  key: string;
  value: string;
  file: string;
  /** The line the assignment starts on. */
  line: number;
}

/** The assignments of one unit file, in order. */
export function parseUnitText(text: string, file: string): UnitLine[] {
  const out: UnitLine[] = [];
  const lines = text.split('\n');
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!.replace(/\r$/, '');
    // Continuations: collected, then joined once (a unit of 50,000 continued lines stays fast).
    const parts: string[] = [];
    while (endsInBackslash(line) && i + 1 < lines.length) {
      parts.push(line.slice(0, -1) + ' ');
      line = lines[++i]!.replace(/\r$/, '');
      // Comment lines inside a continuation are skipped; the line after them continues it.
      while (/^\s*[#;]/.test(line) && i + 1 < lines.length) line = lines[++i]!.replace(/\r$/, '');
      if (/^\s*[#;]/.test(line)) line = '';
    }
    parts.push(line);
    const l = (parts.length === 1 ? parts[0]! : parts.join('')).trim();
    if (l === '' || l.startsWith('#') || l.startsWith(';')) continue;
    if (l.startsWith('[')) {
      if (l.endsWith(']')) section = l.slice(1, -1);
      continue;
    }
    const eq = l.indexOf('=');
    // No section yet, no `=`, or no key before it: systemd ignores the line.
    if (section === '' || eq <= 0) continue;
    out.push({ section, key: l.slice(0, eq).trim(), value: l.slice(eq + 1).trim(), file, line: start + 1 });
  }
  return out;
}

/** A backslash at the end that is not itself escaped. */
function endsInBackslash(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

// ---- words: extract_first_word(EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE) -------------------------------

const C_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'", s: ' ' };

/** One C escape at `text[i]` (after the backslash): the character and how many characters it took. */
function cEscape(text: string, i: number): [string, number] | undefined {
  const c = text[i];
  if (c === undefined) return undefined;
  if (C_ESCAPES[c] !== undefined) return [C_ESCAPES[c], 1];
  const hex = { x: 2, u: 4, U: 8 }[c];
  if (hex) {
    const digits = text.slice(i + 1, i + 1 + hex);
    return /^[0-9a-fA-F]+$/.test(digits) && digits.length === hex ? [String.fromCodePoint(parseInt(digits, 16)), 1 + hex] : undefined;
  }
  if (/[0-7]/.test(c)) {
    const digits = text.slice(i, i + 3);
    return /^[0-7]{3}$/.test(digits) ? [String.fromCharCode(parseInt(digits, 8)), 3] : undefined;
  }
  return undefined;
}

/**
 * The words of a value as systemd splits them: whitespace separates words, quotes (anywhere in a
 * word) group, C escapes are decoded. Undefined for what systemd calls invalid syntax (an open
 * quote, a bad escape): it then ignores the rest of the line, keeping the words before.
 */
export function splitWords(value: string): { words: string[]; invalid: boolean } {
  const words: string[] = [];
  // What ends a run of plain characters: outside quotes, space, a quote or a backslash; inside,
  // the closing quote or a backslash. Runs are sliced whole (a value of millions of characters
  // is read in a few steps, not a character at a time).
  const special = { none: /[\s"'\\]/g, '"': /["\\]/g, "'": /['\\]/g };
  let i = 0;
  while (i < value.length) {
    while (i < value.length && /\s/.test(value[i]!)) i++;
    if (i >= value.length) break;
    let word = '';
    let quote: '"' | "'" | undefined;
    for (;;) {
      const re = special[quote ?? 'none'];
      re.lastIndex = i;
      const hit = re.exec(value);
      const at = hit ? hit.index : value.length;
      word += value.slice(i, at);
      i = at;
      if (!hit) break;
      const c = hit[0];
      if (!quote && /\s/.test(c)) break;
      if (c === '\\') {
        const e = cEscape(value, i + 1);
        if (!e) return { words, invalid: true };
        word += e[0];
        i += 1 + e[1];
      } else if (quote && c === quote) {
        quote = undefined;
        i++;
      } else {
        quote = c as '"' | "'";
        i++;
      }
    }
    if (quote) return { words, invalid: true };
    words.push(word);
  }
  return { words, invalid: false };
}

// ---- specifiers -----------------------------------------------------------------------------------

export interface SpecifierContext {
  /** The unit's name, e.g. nanobot@work.service. */
  unit: string;
  user: boolean;
  /** $HOME of the manager: /root for the system manager, the user's home for a user manager. */
  home?: string;
  userName?: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** `%i` and friends replaced; undefined when a specifier harden cannot know is used (`%H`, `%m`). */
export function resolveSpecifiers(value: string, ctx: SpecifierContext): string | undefined {
  const name = ctx.unit;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const at = stem.indexOf('@');
  const prefix = at >= 0 ? stem.slice(0, at) : stem;
  const instance = at >= 0 ? stem.slice(at + 1) : '';
  const unescape = (s: string) => s.replace(/-/g, '/').replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  const xdg = (v: string, fallback: string) => ctx.env[v] || (ctx.home ? join(ctx.home, fallback) : undefined);
  const table: Record<string, string | undefined> = {
    '%': '%',
    n: name,
    N: stem,
    p: prefix,
    P: unescape(prefix),
    i: instance,
    I: unescape(instance),
    j: prefix.slice(prefix.lastIndexOf('-') + 1),
    J: unescape(prefix.slice(prefix.lastIndexOf('-') + 1)),
    f: instance ? `/${unescape(instance)}` : `/${unescape(prefix)}`,
    h: ctx.user ? ctx.home : '/root',
    u: ctx.user ? ctx.userName : 'root',
    U: ctx.user ? undefined : '0',
    g: ctx.user ? undefined : 'root',
    G: ctx.user ? undefined : '0',
    s: ctx.user ? undefined : '/bin/sh',
    E: ctx.user ? xdg('XDG_CONFIG_HOME', '.config') : '/etc',
    S: ctx.user ? xdg('XDG_STATE_HOME', '.local/state') : '/var/lib',
    C: ctx.user ? xdg('XDG_CACHE_HOME', '.cache') : '/var/cache',
    L: ctx.user ? (xdg('XDG_STATE_HOME', '.local/state') ?? '') + '/log' : '/var/log',
    t: ctx.user ? ctx.env['XDG_RUNTIME_DIR'] : '/run',
    T: ctx.env['TMPDIR'] || '/tmp',
    V: ctx.env['TMPDIR'] || '/var/tmp',
  };
  let unknown = false;
  const out = value.replace(/%(.)/g, (whole, c: string) => {
    const v = Object.prototype.hasOwnProperty.call(table, c) ? table[c] : undefined;
    if (v === undefined) unknown = true;
    return v ?? whole;
  });
  return unknown ? undefined : out;
}

// ---- where units and drop-ins are -----------------------------------------------------------------

/** The unit search path, highest priority first (systemd.unit(5), "Unit File Load Path"). */
export function unitSearchPath(user: boolean, env: Readonly<Record<string, string | undefined>>, root = ''): string[] {
  const r = (p: string) => root + p;
  if (!user) {
    return [
      '/etc/systemd/system.control',
      '/run/systemd/system.control',
      '/run/systemd/transient',
      '/run/systemd/generator.early',
      '/etc/systemd/system',
      '/etc/systemd/system.attached',
      '/run/systemd/system',
      '/run/systemd/system.attached',
      '/run/systemd/generator',
      '/usr/local/lib/systemd/system',
      '/usr/lib/systemd/system',
      '/lib/systemd/system',
      '/run/systemd/generator.late',
    ].map(r);
  }
  const home = env['HOME'];
  const config = env['XDG_CONFIG_HOME'] || (home ? join(home, '.config') : undefined);
  const runtime = env['XDG_RUNTIME_DIR'];
  const dataHome = env['XDG_DATA_HOME'] || (home ? join(home, '.local', 'share') : undefined);
  const configDirs = (env['XDG_CONFIG_DIRS'] || '/etc/xdg').split(':').filter(Boolean);
  const dataDirs = (env['XDG_DATA_DIRS'] || '/usr/local/share:/usr/share').split(':').filter(Boolean);
  return [
    ...(config ? [join(config, 'systemd', 'user.control')] : []),
    ...(runtime ? [join(runtime, 'systemd', 'user.control'), join(runtime, 'systemd', 'transient'), join(runtime, 'systemd', 'generator.early')] : []),
    ...(config ? [join(config, 'systemd', 'user')] : []),
    ...configDirs.map((d) => r(join(d, 'systemd', 'user'))),
    r('/etc/systemd/user'),
    ...(runtime ? [join(runtime, 'systemd', 'user')] : []),
    r('/run/systemd/user'),
    ...(runtime ? [join(runtime, 'systemd', 'generator')] : []),
    ...(dataHome ? [join(dataHome, 'systemd', 'user')] : []),
    ...dataDirs.map((d) => r(join(d, 'systemd', 'user'))),
    r('/usr/local/lib/systemd/user'),
    r('/usr/lib/systemd/user'),
    ...(runtime ? [join(runtime, 'systemd', 'generator.late')] : []),
  ];
}

/** The names whose `.d` directories hold drop-ins for a unit, most specific first, the type's last. */
export function dropinNames(unit: string): { names: string[]; type: string } {
  const dot = unit.lastIndexOf('.');
  const type = unit.slice(dot + 1);
  const stem = unit.slice(0, dot);
  const names = [unit];
  const at = stem.indexOf('@');
  const template = at >= 0 ? `${stem.slice(0, at + 1)}.${type}` : undefined;
  if (template && template !== unit) names.push(template);
  // foo-bar-baz.service: foo-bar-.service, then foo-.service.
  const base = at >= 0 ? stem.slice(0, at) : stem;
  for (let i = base.lastIndexOf('-', base.length - 2); i > 0; i = base.lastIndexOf('-', i - 1)) names.push(`${base.slice(0, i + 1)}.${type}`);
  return { names, type };
}

export interface UnitFiles {
  /** The unit file itself. */
  main: string;
  /** Its drop-ins, in the order systemd applies them. */
  dropins: string[];
}

/**
 * A unit's drop-ins: `NAME.d/*.conf` beside it, and in every directory of the search path.
 * `known`, when given, holds every `.d` directory there is (from listings already made), so that
 * the ones that do not exist are not asked for one by one.
 */
export function unitDropins(unitFile: string, search: readonly string[], known?: ReadonlySet<string>): string[] {
  const unit = basename(unitFile);
  const { names, type } = dropinNames(unit);
  // The unit's own directory first when it is outside the search path (named with --unit).
  const paths = search.includes(dirname(unitFile)) ? [...search] : [dirname(unitFile), ...search];
  const dirs: string[] = [];
  for (const p of paths) for (const n of names) dirs.push(join(p, `${n}.d`));
  for (const p of paths) dirs.push(join(p, `${type}.d`));
  const chosen = new Map<string, string>();
  for (const d of dirs) {
    if (known && !known.has(d)) continue;
    for (const name of listDir(d) ?? []) {
      // The first directory that has a name masks the same name further down.
      if (name.endsWith('.conf') && !chosen.has(name)) chosen.set(name, join(d, name));
    }
  }
  return [...chosen.keys()].sort().map((n) => chosen.get(n)!);
}

export interface LoadedUnit {
  name: string;
  file: string;
  dropins: string[];
  /** Every assignment of the unit and its drop-ins, in the order systemd applies them. */
  lines: UnitLine[];
}

export function loadUnit(
  unitFile: string,
  search: readonly string[],
  options: { known?: ReadonlySet<string>; mentions?: RegExp } = {},
): LoadedUnit | undefined {
  const text = readText(unitFile);
  if (text === undefined) return undefined;
  const dropins = unitDropins(unitFile, search, options.known);
  // A caller looking for units that mention something skips the others before parsing them.
  if (options.mentions && !options.mentions.test(text) && dropins.length === 0) return undefined;
  const lines = parseUnitText(text, unitFile);
  for (const d of dropins) {
    const t = readText(d);
    if (t !== undefined) for (const l of parseUnitText(t, d)) lines.push(l);
  }
  return { name: basename(unitFile), file: unitFile, dropins, lines };
}

/** The [Service] assignments of a key, in order. */
export function serviceValues(unit: LoadedUnit, key: string): UnitLine[] {
  return unit.lines.filter((l) => l.section === 'Service' && l.key === key);
}

/** A list setting's assignments still in force: those after the last empty one, which resets it. */
export function listValues(unit: LoadedUnit, key: string): UnitLine[] {
  const all = serviceValues(unit, key);
  let from = 0;
  all.forEach((l, i) => {
    if (l.value === '') from = i + 1;
  });
  return all.slice(from);
}

/** The value systemd uses for a single-valued setting: the last assignment. */
export function lastValue(unit: LoadedUnit, key: string): UnitLine | undefined {
  const all = serviceValues(unit, key);
  return all[all.length - 1];
}

export interface UnitEnvironment {
  /** Environment= variables still in force, in order (a later one wins). */
  vars: { name: string; value: string; file: string; line: number }[];
  /** EnvironmentFile= entries still in force, in order. */
  files: { path: string; optional: boolean; file: string; line: number }[];
  /** Values harden cannot know (a specifier such as %H or %m). */
  unresolved: UnitLine[];
}

const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function unitEnvironment(unit: LoadedUnit, ctx: Omit<SpecifierContext, 'unit'>): UnitEnvironment {
  const out: UnitEnvironment = { vars: [], files: [], unresolved: [] };
  const spec: SpecifierContext = { ...ctx, unit: unit.name };
  for (const l of unit.lines) {
    if (l.section !== 'Service') continue;
    if (l.key === 'Environment') {
      // An empty assignment resets the list.
      if (l.value === '') {
        out.vars = [];
        continue;
      }
      const { words } = splitWords(l.value);
      for (const w of words) {
        const resolved = resolveSpecifiers(w, spec);
        if (resolved === undefined) {
          out.unresolved.push(l);
          continue;
        }
        const eq = resolved.indexOf('=');
        // systemd ignores an assignment that is not NAME=value with a valid name.
        if (eq <= 0 || !VALID_NAME.test(resolved.slice(0, eq))) continue;
        out.vars.push({ name: resolved.slice(0, eq), value: resolved.slice(eq + 1), file: l.file, line: l.line });
      }
    } else if (l.key === 'EnvironmentFile') {
      if (l.value === '') {
        out.files = [];
        continue;
      }
      const optional = l.value.startsWith('-');
      const path = resolveSpecifiers(optional ? l.value.slice(1) : l.value, spec);
      if (path === undefined) out.unresolved.push(l);
      else out.files.push({ path, optional, file: l.file, line: l.line });
    }
  }
  return out;
}

/** Whether a unit file is a user unit (by where it lives). */
export const isUserUnit = (file: string): boolean => /\/systemd\/user(\.control)?\//.test(file);
