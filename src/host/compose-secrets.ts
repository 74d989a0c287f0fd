// Secrets in a compose file, found by YAML node as the config's are found by JSON node: the value
// of a secret-looking name (`OPENAI_API_KEY: ...`, `- GH_PAT=...`, a traefik `basicauth.users`
// label, `DATABASE_URL`), the argument after a credential flag in a `command:` list, and
// credential shapes in any string (a URL's password). Loaded only with --compose (yaml is large).
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Scalar } from 'yaml';
import { credentialSpans, isCredentialFlag, isCredentialValue, isSecretName, redactSpans, REDACTED, type Span } from '../config/credentials.js';

interface ComposeSpot {
  node: Scalar;
  value: string;
  /** Spans of `value`; undefined: all of it. */
  spans?: readonly Span[];
}

function spotsOf(doc: Document, text: string): ComposeSpot[] {
  const out: ComposeSpot[] = [];
  const scalar = (node: Scalar, name: string | undefined): void => {
    const range = node.range;
    if (!range || node.value === null || node.value === undefined) return;
    // A number or a word is a credential only under a secret name (`DB_PASSWORD: 123456`).
    const value = typeof node.value === 'string' ? node.value : text.slice(range[0], range[1]);
    if (name !== undefined && isSecretName(name)) {
      if (isCredentialValue(value, 'compose')) out.push({ node, value });
      return;
    }
    if (typeof node.value !== 'string') return;
    const spans = credentialSpans(value, 'compose');
    if (spans.length > 0) out.push({ node, value, spans });
  };
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        if (isScalar(pair.key)) scalar(pair.key, undefined);
        const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (isScalar(pair.value)) scalar(pair.value, name);
        else visit(pair.value);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        if (!isScalar(item)) return visit(item);
        // `command: ["--api-key", "..."]`: what follows a credential flag.
        const prev = node.items[i - 1];
        const value = typeof item.value === 'string' ? item.value : undefined;
        if (
          value !== undefined &&
          isScalar(prev) &&
          typeof prev.value === 'string' &&
          isCredentialFlag(prev.value) &&
          !value.startsWith('-') &&
          isCredentialValue(value, 'compose')
        ) {
          out.push({ node: item, value });
        } else scalar(item, undefined);
      });
    }
  };
  visit(doc.contents);
  return out;
}

const QUOTED = new Set(['QUOTE_DOUBLE', 'QUOTE_SINGLE']);

/** The scalar's text between its quotes, as written. */
function rawInner(text: string, node: Scalar): string {
  const raw = text.slice(node.range![0], node.range![1]);
  return QUOTED.has(node.type ?? '') ? raw.slice(1, -1) : raw;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

/**
 * For each code unit of a quoted scalar's value, where its spelling starts in the raw text, when
 * the scalar is on one line (else undefined: the caller falls back to the whole raw text).
 */
function rawStarts(inner: string, type: string | undefined, value: string): number[] | undefined {
  if (inner.includes('\n')) return undefined;
  const starts: number[] = [];
  let decoded = '';
  for (let i = 0; i < inner.length;) {
    let ch: string;
    let width = 1;
    if (type === 'QUOTE_SINGLE' && inner.startsWith("''", i)) {
      ch = "'";
      width = 2;
    } else if (type === 'QUOTE_DOUBLE' && inner[i] === '\\') {
      const e = inner[i + 1] ?? '';
      const hex = { x: 2, u: 4, U: 8 }[e];
      if (hex) {
        ch = String.fromCodePoint(parseInt(inner.slice(i + 2, i + 2 + hex), 16));
        width = 2 + hex;
      } else {
        ch = SIMPLE_ESCAPES[e] ?? e;
        width = 2;
      }
    } else ch = inner[i]!;
    for (let k = 0; k < ch.length; k++) starts.push(i);
    decoded += ch;
    i += width;
  }
  starts.push(inner.length);
  return decoded === value ? starts : undefined;
}

/** The credentials of a compose file, decoded, as written, and as compose reads them ($$ is $). */
export function composeSecrets(text: string): string[] {
  const doc = parseDocument(text);
  const found = new Set<string>();
  const add = (s: string): void => {
    found.add(s);
    if (s.includes('$$')) found.add(s.replace(/\$\$/g, '$'));
    // A multi-line secret (a private key) may be shown a line at a time.
    if (s.includes('\n')) for (const line of s.split('\n')) if (line.trim().length >= 8 && !/^-----(BEGIN|END) /.test(line.trim())) found.add(line.trim());
  };
  for (const spot of spotsOf(doc, text)) {
    const inner = rawInner(text, spot.node);
    const block = spot.node.type === 'BLOCK_LITERAL' || spot.node.type === 'BLOCK_FOLDED';
    if (!spot.spans) {
      add(spot.value);
      if (inner !== spot.value && !block) add(inner);
      continue;
    }
    for (const s of spot.spans) add(spot.value.slice(s.start, s.end));
    if (inner === spot.value) continue;
    const starts = rawStarts(inner, spot.node.type, spot.value);
    if (!starts) add(inner);
    else for (const s of spot.spans) add(inner.slice(starts[s.start], starts[s.end]));
  }
  return [...found];
}

/** One scalar as it would be written with its redacted value, on as many lines as before. */
function render(node: Scalar, redacted: string, whole: boolean, raw: string): string {
  const lines = '\n'.repeat(raw.split('\n').length - 1);
  if (node.type === 'QUOTE_SINGLE') return `'${redacted.replace(/'/g, "''")}'${lines}`;
  if (node.type === 'PLAIN' && !whole && !/^[[{&*!|>'"%@`#]/.test(redacted)) return redacted + lines;
  return JSON.stringify(redacted) + lines;
}

/**
 * The compose text with every secret-bearing scalar replaced by its redacted value, line structure
 * kept: what a diff of the compose file shows. Text that is not YAML has every line's value hidden.
 */
export function redactComposeText(text: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return text.replace(/^(\s*(?:-\s+)?[^:#\n]*[:=]\s*)\S.*$/gm, `$1${REDACTED}`);
  const spots = spotsOf(doc, text).sort((a, b) => a.node.range![0] - b.node.range![0]);
  let out = '';
  let at = 0;
  for (const spot of spots) {
    const [start, end] = spot.node.range!;
    if (start < at) continue;
    const raw = text.slice(start, end);
    out += text.slice(at, start) + render(spot.node, spot.spans ? redactSpans(spot.value, spot.spans) : REDACTED, !spot.spans, raw);
    at = end;
  }
  return out + text.slice(at);
}
