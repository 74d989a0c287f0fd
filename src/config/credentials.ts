// Credentials recognised by the shape of a value rather than by the name of its field: the
// userinfo of a URL, a credential query parameter, the value after a credential flag on a
// command line, an Authorization header, NAME=value with a secret-looking NAME, a token with a
// well-known prefix. A field's name cannot tell these (`apiBase`, an MCP server's `args` or
// `url`, a compose `command`), so redaction and the secret set look at every string's shape.
// Pure string functions; the JSON and YAML walkers that call them know where a string sits.

/** A credential's place in a decoded string value: [start, end). */
export interface Span {
  start: number;
  end: number;
}

export const REDACTED = '[redacted]';

/**
 * Variable names, flags, header names, query parameters and labels that hold a credential. Split
 * into words (snake, kebab, dotted, camel); the last word decides (`GITHUB_PAT`, `--api-key`,
 * `X-Auth-Token`), or the run-together name's end (`BOTTOKEN`, `MYSQLROOTPASSWORD`).
 */
const LAST_WORD = new Set([
  'key',
  'apikey',
  'token',
  'secret',
  'password',
  'passwd',
  'pwd',
  'pass',
  'pat',
  'credential',
  'credentials',
  'cookie',
  'authorization',
  'bearer',
  'dsn',
  'sig',
  'signature',
  'jwt',
  'passphrase',
]);
const JOINED_END = /(?:token|secret|password|passwd|apikey|accesskey|privatekey|secretkey|basicauthusers|digestauthusers|databaseurl|connectionstring)$/;
/** Names that say token or key without holding one (nanobot's own fields among them). */
const NOT_SECRET_NAME = new Set([
  'websocketrequirestoken',
  'tokenttls',
  'maxtokens',
  'contextwindowtokens',
  'tokenissuepath',
  'maxtoolresultchars',
  'sortkey',
  'primarykey',
  'foreignkey',
  'keyid',
  'publickey',
]);

/** Every secret name holds one of these (lower-cased); most names are out after this one test. */
const NAME_HINT = /key|token|secret|pass|pwd|pat|credential|cookie|authorization|bearer|dsn|sig|jwt|url|string|users/i;

export function isSecretName(name: string): boolean {
  if (!NAME_HINT.test(name)) return false;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const joined = words.join('');
  if (joined === '' || NOT_SECRET_NAME.has(joined)) return false;
  return LAST_WORD.has(words[words.length - 1]!) || JOINED_END.test(joined);
}

/** `--api-key`, `--token`, `-password`: a flag whose next argument (or `=` part) is a credential. */
export function isCredentialFlag(arg: string): boolean {
  const m = /^--?([A-Za-z][\w.-]*)$/.exec(arg);
  return m !== null && !/^no-/i.test(m[1]!) && isSecretName(m[1]!);
}

/** nanobot resolves only ${NAME}; compose also $NAME and ${NAME:-default}. */
const JSON_REFERENCES = /^(?:\$\{[A-Za-z_][A-Za-z0-9_]*\}|:)+$/;
const COMPOSE_REFERENCES = /^(?:\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?+][^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*|:)+$/;

export type Dialect = 'json' | 'compose';

/** A value that is only references to variables (and colons between them): nothing to hide. */
export function isReferenceOnly(value: string, dialect: Dialect = 'json'): boolean {
  return (dialect === 'compose' ? COMPOSE_REFERENCES : JSON_REFERENCES).test(value);
}

/** Values that are settings, never credentials, whatever their variable is called. */
const NOT_A_CREDENTIAL = /^(?:true|false|yes|no|on|off|null|none)$/i;

/** A value worth hiding: not empty, not a reference, not a bare boolean. */
export function isCredentialValue(value: string, dialect: Dialect = 'json'): boolean {
  const t = value.trim();
  return t !== '' && !isReferenceOnly(t, dialect) && !NOT_A_CREDENTIAL.test(t);
}

// One cheap test first: a string with none of these characters or words has no credential shape
// (100,000 numeric allow-list entries pass through this and nothing else). Each shape below is
// then tried only where a plain `includes` says it could match: a regular expression costs its
// compilation the first time it runs, and in a typical audit that was most of this file's time.
const HINT = /[=:@_-]|earer|asic|EARER|ASIC|AKIA|ASIA|AIza/;
const KNOWN_PREFIXES = ['sk-', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'glpat-', 'xox', 'xapp-', 'gsk_', 'hf_', 'AKIA', 'ASIA', 'AIza'];

const QUERY_PARAM = /[?&#;]([A-Za-z0-9_.\-[\]%]+)=([^&#;\s"'<>]*)/dg;
const AUTHORIZATION = /\b(?:proxy-)?authorization\s*[:=]\s*(?:(?:bearer|basic|token|bot|digest|negotiate)\s+)?([^\s,;"']+)/dgi;
const SCHEME_TOKEN = /\b(?:bearer|basic)\s+([A-Za-z0-9._~+/=-]{8,})/dgi;
const HEADER = /^\s*([A-Za-z][\w-]*)\s*:\s*(\S(?:.*\S)?)\s*$/ds;
const FLAG_VALUE = /(?:^|\s)(--?[A-Za-z][\w.-]*)(=|\s+)(?:"([^"]*)"|'([^']*)'|([^\s"']+))/dg;
const ASSIGNMENT = /(?:^|[\s"'])([A-Za-z_][\w.-]*)=(?:"([^"]*)"|'([^']*)'|([^\s"']+))/dg;
const KNOWN_TOKEN =
  /\b(?:sk-(?:ant-|or-v1-|proj-)?[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}|gsk_[A-Za-z0-9]{20,}|hf_[A-Za-z0-9]{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35})/dg;

/** An opaque token rather than a word: a digit or a token symbol, or mixed case inside it. */
function tokenLike(s: string): boolean {
  return /[0-9._~+/=-]/.test(s) || /[A-Z].*[A-Z]/.test(s.slice(1));
}

/** The span of the first capture group in `from` that took part in the match. */
function group(m: RegExpExecArray | RegExpMatchArray, ...from: number[]): Span | undefined {
  for (const n of from) {
    const at = m.indices?.[n];
    if (at) return { start: at[0], end: at[1] };
  }
  return undefined;
}

/** Where the credentials are inside one string, merged and in order. */
export function credentialSpans(value: string, dialect: Dialect = 'json'): Span[] {
  if (!HINT.test(value)) return [];
  const found: Span[] = [];
  const add = (span: Span | undefined): void => {
    if (span && span.end > span.start && isCredentialValue(value.slice(span.start, span.end), dialect)) found.push(span);
  };
  const eq = value.includes('=');
  const colon = value.indexOf(':');
  if (colon > 0 && value.includes('@')) for (const span of userinfoSpans(value)) add(span);
  const q = firstOf(value, '?', '#');
  if (eq && q >= 0) {
    QUERY_PARAM.lastIndex = q;
    for (let m = QUERY_PARAM.exec(value); m; m = QUERY_PARAM.exec(value)) if (isSecretName(safeDecode(m[1]!))) add(group(m, 2));
  }
  if ((colon > 0 || eq) && (value.includes('uthorization') || value.includes('UTHORIZATION'))) for (const m of value.matchAll(AUTHORIZATION)) add(group(m, 1));
  if (value.includes('earer') || value.includes('asic') || value.includes('EARER') || value.includes('ASIC')) {
    for (const m of value.matchAll(SCHEME_TOKEN)) if (tokenLike(m[1]!)) add(group(m, 1));
  }
  // The whole string is a header line: `X-Api-Key: value` (not `https://...`, not `123:abc`).
  if (colon > 0 && value.charCodeAt(colon + 1) !== 47 && isLetter(value.trimStart().charCodeAt(0))) {
    const header = HEADER.exec(value);
    if (header && isSecretName(header[1]!)) add(group(header, 2));
  }
  if ((value.startsWith('-') || value.includes(' -') || value.includes('\t-')) && (eq || /\s/.test(value))) {
    for (const m of value.matchAll(FLAG_VALUE)) {
      // `--token VALUE` inside one string; a flag followed by another flag has no value.
      if (isCredentialFlag(m[1]!) && (m[2] === '=' || !(m[5] ?? '').startsWith('-'))) add(group(m, 3, 4, 5));
    }
  }
  // (`Authorization=Bearer x` is the header's shape above: its scheme is no secret.)
  if (eq) for (const m of value.matchAll(ASSIGNMENT)) if (isSecretName(m[1]!) && !/authorization$/i.test(m[1]!)) add(group(m, 2, 3, 4));
  if (KNOWN_PREFIXES.some((p) => value.includes(p))) for (const m of value.matchAll(KNOWN_TOKEN)) add(group(m, 0));
  return merge(found);
}

const isLetter = (code: number): boolean => (code | 32) >= 97 && (code | 32) <= 122;

/** The characters that end a URL's authority (and so its userinfo), or the URL itself. */
const AUTHORITY_END = new Set([...'/?#"\'<> \t\n\r']);

/**
 * The userinfo of each `scheme://user:password@host` in a string: up to the last `@` before the
 * authority ends (a password may hold an unencoded `@`). Scanned by hand, not by a regular
 * expression, because a typical config's proxy URL would compile one on every audit.
 */
function userinfoSpans(value: string): Span[] {
  const out: Span[] = [];
  for (let at = value.indexOf('://'); at > 0; at = value.indexOf('://', at + 3)) {
    // A scheme ends in a letter, a digit, `+`, `.` or `-` (socks5://, git+ssh://).
    const c = value.charCodeAt(at - 1);
    if (!isLetter(c) && !(c >= 48 && c <= 57) && c !== 43 && c !== 46 && c !== 45) continue;
    const start = at + 3;
    let end = start;
    let lastAt = -1;
    for (; end < value.length && !AUTHORITY_END.has(value[end]!); end++) if (value[end] === '@') lastAt = end;
    if (lastAt > start) out.push({ start, end: lastAt });
  }
  return out;
}

/** The first index of either character, or -1. */
function firstOf(value: string, a: string, b: string): number {
  const i = value.indexOf(a);
  const j = value.indexOf(b);
  return i < 0 ? j : j < 0 ? i : Math.min(i, j);
}

/** Credentials a URL carries (userinfo, query): what a secret field's whole value may show in part. */
export function urlCredentialSpans(value: string): Span[] {
  if (!value.includes('://')) return [];
  const found: Span[] = value.includes('@') ? userinfoSpans(value) : [];
  const q = firstOf(value, '?', '#');
  if (q >= 0 && value.includes('=')) {
    QUERY_PARAM.lastIndex = q;
    for (let m = QUERY_PARAM.exec(value); m; m = QUERY_PARAM.exec(value)) {
      const g = group(m, 2);
      if (g && g.end > g.start && isSecretName(safeDecode(m[1]!))) found.push(g);
    }
  }
  return merge(found.filter((g) => isCredentialValue(value.slice(g.start, g.end))));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function merge(spans: Span[]): Span[] {
  if (spans.length < 2) return spans;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [{ ...spans[0]! }];
  for (const s of spans.slice(1)) {
    const last = out[out.length - 1]!;
    if (s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** The string with each span replaced by [redacted]. */
export function redactSpans(value: string, spans: readonly Span[]): string {
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += value.slice(at, s.start) + REDACTED;
    at = s.end;
  }
  return out + value.slice(at);
}

/** A string with every credential-shaped part replaced. */
export function redactShapes(value: string, dialect: Dialect = 'json'): string {
  const spans = credentialSpans(value, dialect);
  return spans.length === 0 ? value : redactSpans(value, spans);
}

/**
 * A command line as a list (an MCP server's `args`, a compose `command`, a process's argv): the
 * argument after a credential flag is a credential as a whole, and each argument's own shapes too.
 */
export function argumentSpans(args: readonly unknown[], dialect: Dialect = 'json'): (Span[] | 'all')[] {
  return args.map((arg, i) => {
    if (typeof arg !== 'string') return [];
    const prev = args[i - 1];
    if (typeof prev === 'string' && isCredentialFlag(prev) && !arg.startsWith('-') && isCredentialValue(arg, dialect)) return 'all';
    return credentialSpans(arg, dialect);
  });
}

export function redactArgs(args: readonly string[]): string[] {
  const spans = argumentSpans(args);
  return args.map((a, i) => {
    const s = spans[i]!;
    return s === 'all' ? REDACTED : s.length === 0 ? a : redactSpans(a, s);
  });
}
