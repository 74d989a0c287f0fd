// KEY=value files, read the way the program that loads them reads them, for they differ:
// - systemd's EnvironmentFile= (env-file.c): `#` and `;` comments (a comment ending in a backslash
//   goes on to the next line), a backslash at the end of a line joins the next one, single and
//   double quotes anywhere in a value, `\` escapes, whitespace around `=` and at the end trimmed,
//   no `export ` prefix (such a line is an invalid name and ignored), names of letters, digits, `_`;
// - Compose's .env and env_file: (compose-go's dotenv): `#` comments (and ` #` ending an unquoted
//   value), an `export ` prefix, `KEY: value` too, quotes only around a whole value (double quotes
//   take `\n`-style escapes and may span lines), `${VAR}` interpolated from the shell, the file's
//   own earlier lines; a name alone takes the shell's value;
// - `docker run --env-file` (docker/cli opts/envfile.go): no quotes, no escapes, no `export`: the
//   text after the first `=` is the value, as it is; a name alone takes the shell's value.
// Parsing keeps line numbers (findings name them); rendering only appends, so an existing file is
// merged, never clobbered.
import { interpolate, type Lookup } from './compose-interpolate.js';

export interface EnvEntry {
  name: string;
  value: string;
  line: number;
}

/** The program that reads an env file. */
export type EnvReader = 'systemd' | 'compose' | 'docker';

const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** systemd's parse_env_file_internal, state by state. */
function systemdEnv(text: string): EnvEntry[] {
  const out: EnvEntry[] = [];
  type State = 'preKey' | 'key' | 'preValue' | 'value' | 'valueEscape' | 'single' | 'double' | 'doubleEscape' | 'comment' | 'commentEscape';
  let state: State = 'preKey';
  let key = '';
  let value = '';
  let line = 1;
  let keyLine = 1;
  // Where trailing whitespace of the key or an unquoted value starts (-1: none yet).
  let keyWs = -1;
  let valueWs = -1;
  const push = () => {
    const name = keyWs >= 0 ? key.slice(0, keyWs) : key;
    // systemd drops an assignment whose name is not a valid one (`export A`, `A-B`), with a warning.
    if (VALID_NAME.test(name)) out.push({ name, value, line: keyLine });
    key = '';
    value = '';
  };
  const trimValue = () => {
    if (valueWs >= 0) value = value.slice(0, valueWs);
  };
  for (const c of text) {
    const newline = c === '\n' || c === '\r';
    switch (state) {
      case 'preKey':
        if (c === '#' || c === ';') state = 'comment';
        else if (!/\s/.test(c)) {
          state = 'key';
          keyLine = line;
          keyWs = -1;
          key = c;
        }
        break;
      case 'key':
        if (newline) {
          // A name without `=` is ignored.
          state = 'preKey';
          key = '';
        } else if (c === '=') {
          state = 'preValue';
          valueWs = -1;
        } else {
          if (!/\s/.test(c)) keyWs = -1;
          else if (keyWs < 0) keyWs = key.length;
          key += c;
        }
        break;
      case 'preValue':
        if (newline) {
          state = 'preKey';
          push();
        } else if (c === "'") state = 'single';
        else if (c === '"') state = 'double';
        else if (c === '\\') state = 'valueEscape';
        else if (!/\s/.test(c)) {
          state = 'value';
          value += c;
        }
        break;
      case 'value':
        if (newline) {
          state = 'preKey';
          trimValue();
          push();
        } else if (c === '\\') {
          state = 'valueEscape';
          valueWs = -1;
        } else {
          if (!/\s/.test(c)) valueWs = -1;
          else if (valueWs < 0) valueWs = value.length;
          value += c;
        }
        break;
      case 'valueEscape':
        state = 'value';
        // A backslash before the line break joins the next line; before anything else it quotes it.
        if (!newline) value += c;
        break;
      case 'single':
        if (c === "'") state = 'preValue';
        else value += c;
        break;
      case 'double':
        if (c === '"') state = 'preValue';
        else if (c === '\\') state = 'doubleEscape';
        else value += c;
        break;
      case 'doubleEscape':
        state = 'double';
        if ('"\\`$'.includes(c)) value += c;
        else if (c !== '\n') value += `\\${c}`;
        break;
      case 'comment':
        if (c === '\\') state = 'commentEscape';
        else if (newline) state = 'preKey';
        break;
      case 'commentEscape':
        state = 'comment';
        break;
    }
    if (c === '\n') line++;
  }
  if (state === 'preValue' || state === 'value' || state === 'valueEscape' || state === 'single' || state === 'double' || state === 'doubleEscape') {
    if (state === 'value' || state === 'valueEscape') trimValue();
    push();
  }
  return out;
}

const COMPOSE_SPACE = /[\t\v\f\r \u0085\u00a0]/;
const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', c: 'c', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', '\\': '\\' };

/** compose-go's dotenv parser; stops where Compose would refuse the file. */
function composeEnv(text: string, lookup: Lookup | undefined): EnvEntry[] {
  const out: EnvEntry[] = [];
  const own = new Map<string, string>();
  const find: Lookup = (name) => lookup?.(name) ?? own.get(name);
  const expand = (v: string) => interpolate(v, find).value;
  // Line numbers from the offsets of the line breaks, found once.
  const breaks: number[] = [];
  for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) breaks.push(k);
  const lineAt = (i: number) => {
    let lo = 0;
    let hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (breaks[mid]! < i) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  let i = 0;
  for (;;) {
    // The start of a statement: skip whitespace and comment lines.
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    if (text[i] === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
      continue;
    }
    const start = i;
    if (/^export\s+/.test(text.slice(i, i + 8))) {
      i += 'export'.length;
      while (i < text.length && COMPOSE_SPACE.test(text[i]!)) i++;
    }
    let end = i;
    let inherited = false;
    for (; end < text.length; end++) {
      const c = text[end]!;
      if (COMPOSE_SPACE.test(c)) continue;
      if (c === '=' || c === ':' || c === '\n') {
        inherited = c === '\n';
        break;
      }
      if (!/[\p{L}\p{N}_.\-[\]]/u.test(c)) return out;
    }
    const name = text.slice(i, end).replace(/\s+$/, '');
    if (name.includes(' ') || name === '') return out;
    const line = lineAt(start);
    if (end >= text.length) {
      // The last line is a name alone.
      const v = lookup?.(name);
      if (v !== undefined) out.push({ name, value: v, line });
      break;
    }
    i = end + 1;
    if (inherited) {
      const v = lookup?.(name);
      if (v !== undefined) out.push({ name, value: v, line });
      continue;
    }
    while (i < text.length && COMPOSE_SPACE.test(text[i]!)) i++;
    let value: string;
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      let chars = '';
      let escaped = false;
      let closed = -1;
      for (let k = i + 1; k < text.length; k++) {
        const c = text[k]!;
        if (c !== quote) {
          if (!escaped && c === '\\') {
            escaped = true;
            continue;
          }
          if (escaped) chars += '\\';
          escaped = false;
          chars += c;
          continue;
        }
        if (escaped) {
          escaped = false;
          chars += c;
          continue;
        }
        closed = k;
        break;
      }
      if (closed < 0) return out;
      value =
        quote === '"'
          ? expand(
              chars.replace(/\\(?:([abcfnrtv"\\])|\$|(0[0-7]{0,3}))/g, (_m, simple?: string, octal?: string) =>
                simple ? ESCAPES[simple]! : octal !== undefined ? String.fromCharCode(parseInt(octal.slice(1) || '0', 8)) : '$$',
              ),
            )
          : chars;
      i = closed + 1;
    } else {
      const nl = text.indexOf('\n', i);
      let raw = nl < 0 ? text.slice(i) : text.slice(i, nl);
      const comment = raw.indexOf(' #');
      if (comment >= 0) raw = raw.slice(0, comment);
      value = expand(raw.replace(/\s+$/, ''));
      i = nl < 0 ? text.length : nl;
    }
    own.set(name, value);
    out.push({ name, value, line });
  }
  return out;
}

/** docker/cli's parseKeyValueFile (`docker run --env-file`): values exactly as written. */
function dockerEnv(text: string, lookup: Lookup | undefined): EnvEntry[] {
  const out: EnvEntry[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.replace(/\r$/, '').replace(/^[\s]+/, '');
      if (line === '' || line.startsWith('#')) return;
      const eq = line.indexOf('=');
      const name = eq < 0 ? line : line.slice(0, eq);
      // docker refuses the file for a name with whitespace; nothing after it is read.
      if (/\s/.test(name) || name === '') return;
      if (eq >= 0) out.push({ name, value: line.slice(eq + 1), line: i + 1 });
      else {
        const v = lookup?.(name);
        if (v !== undefined) out.push({ name, value: v, line: i + 1 });
      }
    });
  return out;
}

/**
 * The variables an env file sets, in order (a later one wins), as `reader` reads it. `lookup`
 * gives Compose and Docker the shell's variables (a name alone, `${VAR}` in Compose).
 */
export function parseEnvFile(text: string, reader: EnvReader = 'systemd', lookup?: Lookup): EnvEntry[] {
  if (reader === 'compose') return composeEnv(text, lookup);
  if (reader === 'docker') return dockerEnv(text, lookup);
  return systemdEnv(text);
}

/**
 * A value every reader takes literally: Docker's --env-file does no unquoting, systemd's
 * EnvironmentFile does, Compose interpolates `$`, so only values that need none of it are safe in
 * all three.
 */
export function envSafeValue(value: string): boolean {
  return value !== '' && !/[\r\n\\"'`$]/.test(value) && !value.includes(' #') && value.trim() === value && !value.startsWith('#');
}

/** The file with `additions` appended after what is already there. */
export function appendEnv(existing: string, additions: readonly { name: string; value: string }[], comment: string): string {
  if (additions.length === 0) return existing;
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  // A last line ending in a backslash would swallow the first added line in systemd's reading.
  const head = existing === '' || existing.endsWith('\n') ? existing : existing + eol;
  return head + [`# ${comment}`, ...additions.map((a) => `${a.name}=${a.value}`)].join(eol) + eol;
}
