// The one map of secret-bearing fields (nanobot-config.md, section 6). Redaction of every output
// and the plaintext-secret checks both read it. Paths are canonical (camelCase), '*' is one segment.
import { matches, canonicalKey } from './layout.js';
import type { JsonNode } from './parse.js';

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

/** Every secret string in a parsed file, the losing copies of duplicated keys included. */
export function secretsInTree(root: JsonNode): string[] {
  const found = new Set<string>();
  const path: string[] = [];
  const visit = (node: JsonNode): void => {
    if (node.type === 'object') {
      for (const prop of node.children ?? []) {
        const key = String(prop.children?.[0]?.value ?? '');
        const value = prop.children?.[1];
        if (!value) continue;
        path.push(canonicalKey(key).key);
        visit(value);
        path.pop();
      }
    } else if (node.type === 'array') {
      // A list of plain strings holds secrets only when the list itself is a secret field.
      const children = node.children ?? [];
      if (children.every((c) => c.type !== 'object' && c.type !== 'array') && !isSecretPath(path)) return;
      children.forEach((child, i) => {
        path.push(String(i));
        visit(child);
        path.pop();
      });
    } else if (node.type === 'string' && isSecretPath(path) && isPlaintextSecret(node.value)) {
      found.add(node.value as string);
      // A credential inside a URL (user:password@host) is the part worth hiding too.
      const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@\s]+)@/i.exec(node.value as string);
      if (userinfo?.[1]) found.add(userinfo[1]);
    }
  };
  visit(root);
  return [...found];
}

/** Secret values of NANOBOT_* variables (a token set through the environment). */
export function secretsInEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => /^nanobot_/i.test(name) && value && KEYWORDS.test(name.replace(/_/g, '')) && isPlaintextSecret(value))
    .map(([, value]) => value as string);
}

/**
 * Values of variables (from units, compose and env files) that hold credentials: a name that
 * says so, a NANOBOT_* name addressing a secret field, or a name the config references as ${NAME}.
 */
export function secretValuesOf(vars: readonly { name: string; value: string }[], configText: string): string[] {
  return vars
    .filter((v) => isPlaintextSecret(v.value) && (KEYWORDS.test(v.name.replace(/_/g, '')) || configText.includes(`\${${v.name}}`)))
    .map((v) => v.value);
}

export const REDACTED = '[redacted]';

/** A function that removes every known secret from a piece of output. */
export function redactor(secrets: Iterable<string>): (text: string) => string {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (s.length < 4) continue; // too short to search for without mangling ordinary text
    needles.add(s);
    needles.add(JSON.stringify(s).slice(1, -1));
  }
  const sorted = [...needles].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  const pattern = new RegExp(sorted.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}
