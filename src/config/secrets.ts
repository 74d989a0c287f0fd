// The one map of secret-bearing fields (nanobot-config.md, section 6). Redaction of every output
// and the plaintext-secret checks both read it. Paths are canonical (camelCase), '*' is one segment.
import { matches, canonicalKey } from './layout.js';
import type { JsonNode } from './parse.js';
import { JsonTooDeepError, parseJsonTree } from './json-tree.js';
import { xml } from './escape.js';
import {
  argumentSpans,
  credentialSpans,
  urlCredentialSpans,
  isCredentialFlag,
  isCredentialValue,
  isSecretName,
  redactShapes,
  redactSpans,
  REDACTED,
  type Span,
} from './credentials.js';

export { REDACTED } from './credentials.js';

export const SECRET_PATHS: readonly string[] = [
  'providers/*/apiKey',
  'providers/*/extraHeaders/*',
  'providers/*/extraQuery/*',
  'providers/*/proxy',
  'api/apiKey',
  'tools/web/search/apiKey',
  'tools/web/proxy',
  'tools/mcpServers/*/env/*',
  'tools/mcpServers/*/headers/*',
  'channels/*/proxy',
  'channels/*/proxyPassword',
  'channels/telegram/webhookSecretToken',
  'channels/feishu/instances/*/appSecret',
  'channels/feishu/instances/*/encryptKey',
  'channels/feishu/instances/*/verificationToken',
  'channels/feishu/encryptKey',
  'channels/feishu/verificationToken',
  'channels/email/imapPassword',
  'channels/email/smtpPassword',
  'channels/matrix/accessToken',
  'channels/napcat/accessToken',
  'channels/whatsapp/bridgeToken',
  'channels/qq/secret',
  'channels/wecom/secret',
];

/** nanobot's own masking keywords (cli/onboard.py _SENSITIVE_KEYWORDS), on camelCase keys. */
const KEYWORDS = /(apikey|api_key|token|secret|password|passwd|credential|encryptkey|authorization|bearer|cookie)/i;

/** Keys that merely name a token-ish setting without holding one. */
const NOT_SECRET = new Set(['websocketRequiresToken', 'tokenTtlS', 'maxTokens', 'maxToolResultChars', 'contextWindowTokens', 'tokenIssuePath']);

/** The secret paths by their last segment ('*' last segments apply to every key). */
const BY_LAST = new Map<string, string[]>();
for (const p of SECRET_PATHS) {
  const last = p.slice(p.lastIndexOf('/') + 1);
  BY_LAST.set(last, [...(BY_LAST.get(last) ?? []), p]);
}
const ANY_LAST = BY_LAST.get('*') ?? [];

export function isSecretPath(path: readonly string[]): boolean {
  const lastSegment = path[path.length - 1] ?? '';
  if ((BY_LAST.get(lastSegment) ?? []).some((p) => matches(p, path)) || ANY_LAST.some((p) => matches(p, path))) return true;
  const last = path[path.length - 1] ?? '';
  if (/^\d+$/.test(last)) return isSecretPath(path.slice(0, -1));
  if (NOT_SECRET.has(last)) return false;
  return KEYWORDS.test(last);
}

const ENV_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** A value that holds a credential itself, not an empty value or a ${VAR} reference. */
export function isPlaintextSecret(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && !ENV_REFERENCE.test(value.trim());
}

/**
 * A string node that holds a credential: the whole value (a secret-named field, the argument
 * after a credential flag) or the spans of it that have a credential's shape.
 */
export interface SecretSpot {
  node: JsonNode;
  value: string;
  /** Spans of `value`; undefined: all of it. */
  spans?: readonly Span[];
}

/** What credentialSpans' first test looks for, plus a backslash (an escape may spell any of it) and `{` (an object). */
const ARRAY_HINT = /[=:@_\\{-]|earer|asic|EARER|ASIC|AKIA|ASIA|AIza/;

/**
 * A file's spots, by its tree: the audit finds them for its secret set, and the diff of the same
 * text (before, and after as re-audited) uses them again instead of parsing and walking anew.
 * Walking twice more made V8 optimise the parser and the walker in the middle of a fix --dry-run,
 * which cost more than the walks.
 */
const SPOTS = new WeakMap<JsonNode, SecretSpot[]>();

/** Every secret-bearing string in a parsed file, the losing copies of duplicated keys included. */
export function secretSpots(root: JsonNode, prefix: readonly string[] = [], text?: string): SecretSpot[] {
  const known = prefix.length === 0 ? SPOTS.get(root) : undefined;
  if (known) return known;
  const out: SecretSpot[] = [];
  const path: string[] = [...prefix];
  const string = (node: JsonNode, secretField: boolean): void => {
    const value = node.value as string;
    if (secretField) {
      if (isPlaintextSecret(value)) out.push({ node, value });
      return;
    }
    const spans = credentialSpans(value);
    if (spans.length > 0) out.push({ node, value, spans });
  };
  const visit = (node: JsonNode): void => {
    if (node.type === 'object') {
      for (const prop of node.children ?? []) {
        const value = prop.children?.[1];
        if (!value) continue;
        path.push(canonicalKey(String(prop.children?.[0]?.value ?? '')).key);
        visit(value);
        path.pop();
      }
    } else if (node.type === 'array') {
      const children = node.children ?? [];
      const secretList = isSecretPath(path);
      // A list of plain values with no character any credential shape needs (a long allow list
      // of numeric IDs): one native test of its text instead of one per entry.
      if (!secretList && text !== undefined && children.length > 8 && !ARRAY_HINT.test(text.slice(node.offset, node.offset + node.length))) return;
      for (let i = 0; i < children.length; i++) {
        const child = children[i]!;
        if (child.type === 'string') {
          // A command line as a list (an MCP server's args): what follows a credential flag.
          const prev = children[i - 1];
          const value = child.value as string;
          if (
            !secretList &&
            prev?.type === 'string' &&
            (prev.value as string).startsWith('-') &&
            isCredentialFlag(prev.value as string) &&
            !value.startsWith('-') &&
            isCredentialValue(value)
          )
            out.push({ node: child, value });
          else string(child, secretList);
        } else if (child.type === 'object' || child.type === 'array') {
          path.push(String(i));
          visit(child);
          path.pop();
        }
      }
    } else if (node.type === 'string') {
      string(node, isSecretPath(path));
    }
  };
  visit(root);
  if (prefix.length === 0) SPOTS.set(root, out);
  return out;
}

/** The text of a spot's credentials: the whole value, or each span. */
function spotTexts(spot: SecretSpot): string[] {
  return spot.spans ? spot.spans.map((s) => spot.value.slice(s.start, s.end)) : [spot.value];
}

/**
 * The same credentials as the file spells them, where that differs (`\u0043`, `\/`): for each
 * decoded code unit, the offset in the raw string where its spelling starts.
 */
function rawSpellings(text: string, spot: SecretSpot): string[] {
  const raw = text.slice(spot.node.offset + 1, spot.node.offset + spot.node.length - 1);
  if (!raw.includes('\\')) return [];
  if (!spot.spans) return [raw];
  const starts: number[] = [];
  for (let i = 0; i < raw.length;) {
    starts.push(i);
    if (raw[i] !== '\\') i += 1;
    else if (raw[i + 1] === 'u') i += 6;
    else i += 2;
  }
  starts.push(raw.length);
  return spot.spans.map((s) => raw.slice(starts[s.start] ?? raw.length, starts[s.end] ?? raw.length));
}

/**
 * Every secret in a parsed file: whole values of secret fields and the credentials inside other
 * values, decoded; with `text`, also as the file spells them, so output quoting the raw text is
 * covered too.
 */
export function secretsInTree(root: JsonNode, text?: string, prefix: readonly string[] = []): string[] {
  const found = new Set<string>();
  for (const spot of secretSpots(root, prefix, text)) {
    for (const t of spotTexts(spot)) found.add(t);
    if (!spot.spans) {
      // A credential inside a URL (user:password@host) is the part worth hiding too.
      for (const s of urlCredentialSpans(spot.value)) found.add(spot.value.slice(s.start, s.end));
    }
    if (text !== undefined) for (const r of rawSpellings(text, spot)) found.add(r);
  }
  return [...found];
}

/**
 * The config text with every secret-bearing string replaced, by node, by a JSON string of its
 * redacted value: `[redacted]` for the whole of a secret field, only the credential part of any
 * other value. Line structure, keys and every other byte stay, so a diff of two redacted texts is
 * the diff of the originals with the secrets gone, however they were spelled.
 */
export function redactConfigText(text: string, tree?: JsonNode): string {
  const root = tree ?? parseJsonTree(text, []);
  // Not JSON at all (never a config harden read): hide every string.
  if (!root) return text.replace(/"(?:[^"\\\n]|\\.)*"/g, JSON.stringify(REDACTED));
  const spots = [...secretSpots(root, [], text)].sort((a, b) => a.node.offset - b.node.offset);
  let out = '';
  let at = 0;
  for (const spot of spots) {
    out += text.slice(at, spot.node.offset) + JSON.stringify(spot.spans ? redactSpans(spot.value, spot.spans) : REDACTED);
    at = spot.node.offset + spot.node.length;
  }
  return out + text.slice(at);
}

/** A value from the file for a message or a report: secret fields whole, credentials by shape. */
export function redactValue(path: readonly string[], value: unknown): unknown {
  if (typeof value === 'string') return isSecretPath(path) ? (isPlaintextSecret(value) ? REDACTED : value) : redactShapes(value);
  if (Array.isArray(value)) {
    if (isSecretPath(path)) return value.map((v) => (typeof v === 'string' && isPlaintextSecret(v) ? REDACTED : redactValue([...path, '0'], v)));
    const spans = argumentSpans(value);
    return value.map((v, i) => {
      const s = spans[i]!;
      if (s === 'all') return REDACTED;
      return typeof v === 'string' ? (s.length === 0 ? v : redactSpans(v, s)) : redactValue([...path, String(i)], v);
    });
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, { value: redactValue([...path, canonicalKey(k).key], v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/**
 * The credentials in one variable's value: all of it when the name says so (a NANOBOT_* name by
 * the field it addresses, so NANOBOT_..._WEBSOCKET_REQUIRES_TOKEN=true is no secret), the
 * secrets of a JSON section given whole (NANOBOT_TOOLS='{...}'), and credential shapes in any
 * value (a proxy URL with a password).
 */
export function secretsInVariable(name: string, value: string, referenced = false): string[] {
  const nanobot = /^nanobot_(.+)$/i.exec(name);
  const path = nanobot ? nanobot[1]!.split('__').map((seg) => canonicalKey(seg.toLowerCase()).key) : undefined;
  const named = referenced || (path ? isSecretPath(path) : isSecretName(name));
  const out: string[] = [];
  if (named && isPlaintextSecret(value) && isCredentialValue(value)) out.push(value);
  const t = value.trim();
  if (path && (t.startsWith('{') || t.startsWith('['))) {
    let root: ReturnType<typeof parseJsonTree>;
    try {
      root = parseJsonTree(t, []);
    } catch (error) {
      // Too deep to read (nanobot cannot either, and refuses it elsewhere): hide all of it.
      if (!(error instanceof JsonTooDeepError)) throw error;
      out.push(value);
    }
    if (root) for (const s of secretsInTree(root, t, path)) out.push(s);
  }
  for (const s of credentialSpans(value)) out.push(value.slice(s.start, s.end));
  return out;
}

/** Secret values of NANOBOT_* variables (a token set through the environment). */
export function secretsInEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env).flatMap(([name, value]) => (value && /^nanobot_/i.test(name) ? secretsInVariable(name, value) : []));
}

/**
 * Values of variables (from units, compose and env files) that hold credentials: a name that
 * says so, a NANOBOT_* name addressing a secret field, or a name the config references as ${NAME}.
 */
export function secretValuesOf(vars: readonly { name: string; value: string }[], configText: string): string[] {
  return vars.flatMap((v) => secretsInVariable(v.name, v.value, configText.includes(`\${${v.name}}`)));
}

const jsonInner = (s: string): string => JSON.stringify(s).slice(1, -1);
/** Characters that JSON or XML output writes otherwise: all but printable ASCII without "&'<>\\. */
const ESCAPED_SOMEWHERE = /[^\x20\x21\x23-\x25\x28-\x3b\x3d\x3f-\x5b\x5d-\x7e]/;

/**
 * A function that removes every known secret from a piece of output: as it is, and as each
 * output escapes it (a JSON string, a message quoting JSON inside a JSON report, JUnit's XML).
 */
export function redactor(secrets: Iterable<string>): (text: string) => string {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (s.length < 4) continue; // too short to search for without mangling ordinary text
    needles.add(s);
    // Most secrets are printable ASCII without quotes or markup: every output writes them as they are.
    if (!ESCAPED_SOMEWHERE.test(s)) continue;
    for (const form of [jsonInner(s), jsonInner(jsonInner(s)), xml(s), xml(jsonInner(s))]) if (form.length >= 4) needles.add(form);
  }
  const sorted = [...needles].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  // One alternation per batch of needles: a single pattern of every secret grows past what V8
  // compiles ("Regular expression too large") when a secret is long, and the error message would
  // carry the secret. A needle too long for any pattern is cut out by plain search instead.
  const steps: ((text: string) => string)[] = [];
  let batch: string[] = [];
  let size = 0;
  const flush = () => {
    if (batch.length === 0) return;
    const parts = batch;
    let pattern: RegExp | undefined;
    try {
      pattern = new RegExp(parts.join('|'), 'g');
    } catch {
      pattern = undefined;
    }
    if (pattern) {
      const re = pattern;
      steps.push((text) => text.replace(re, REDACTED));
    } else {
      const plain = parts.map((p) => p.replace(/\\(.)/gs, '$1'));
      steps.push((text) => plain.reduce((t, needle) => t.split(needle).join(REDACTED), text));
    }
    batch = [];
    size = 0;
  };
  for (const needle of sorted) {
    if (needle.length > PATTERN_LIMIT) {
      flush();
      steps.push((text) => text.split(needle).join(REDACTED));
      continue;
    }
    const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (size + escaped.length > PATTERN_LIMIT) flush();
    batch.push(escaped);
    size += escaped.length + 1;
  }
  flush();
  if (steps.length === 1) return steps[0]!;
  return (text) => steps.reduce((t, step) => step(t), text);
}

/** The most source a redaction pattern holds (V8 refuses patterns far larger; this stays well clear). */
const PATTERN_LIMIT = 16_384;
