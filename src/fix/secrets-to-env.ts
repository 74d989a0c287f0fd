// Move plaintext secrets out of config.json: each value becomes a ${NAME} reference (nanobot
// 0.1.5 and later) and goes to an env file. Older nanobot takes ${NAME} literally, so there the
// key is deleted and the value goes to a NANOBOT_* variable instead (which nanobot writes back
// into the file in plaintext on its next save; ${NAME} does not).
import { isObject, type Effective } from '../config/model.js';
import { camelToSnake } from '../config/layout.js';
import type { ParsedConfig } from '../config/parse.js';
import { isPlaintextSecret, isSecretPath } from '../config/secrets.js';
import { envSafeValue } from '../config/envfile.js';
import type { VersionTraits } from '../config/version.js';
import { dotted, fromPointer, toPointer } from '../config/pointer.js';
import { locate } from '../rules/locate.js';
import type { Patch } from './edit.js';
import { removal, type Skip } from './plan.js';

export interface EnvVar {
  name: string;
  value: string;
  /** The setting it holds, for messages. */
  path: string[];
}

export interface SecretsPlan {
  patches: Patch[];
  vars: EnvVar[];
  skipped: Skip[];
  /** Said once when the old-version route is taken. */
  warnings: string[];
}

const TOP_LEVEL = ['AGENTS', 'CHANNELS', 'TRANSCRIPTION', 'PROVIDERS', 'API', 'GATEWAY', 'TOOLS', 'MODEL_PRESETS', 'MODELPRESETS'];

/**
 * Names that would break nanobot: NANOBOT_<SECTION> is read as a whole section (startup fails on
 * a plain string), MODEL_PRESETS is read unprefixed, and NANOBOT_..__.. addresses a setting.
 */
export function forbiddenName(name: string): boolean {
  const upper = name.toUpperCase();
  if (upper === 'MODEL_PRESETS' || upper === 'MODELPRESETS') return true;
  if (!upper.startsWith('NANOBOT_')) return false;
  const rest = upper.slice('NANOBOT_'.length);
  return TOP_LEVEL.includes(rest) || rest.includes('__');
}

const upperSnake = (s: string): string =>
  camelToSnake(s)
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();

/** A name that says what the variable holds: TELEGRAM_TOKEN, OPENROUTER_API_KEY, EMAIL_SMTP_PASSWORD. */
export function nameFor(path: readonly string[]): string {
  const [section, a, b, c, d] = path;
  if (section === 'providers' && a) {
    if (b === 'apiKey') return `${upperSnake(a)}_API_KEY`;
    return [a, ...path.slice(2)].map(upperSnake).join('_');
  }
  if (section === 'channels' && a) {
    if (b === 'instances' && c !== undefined && d) return [a, c, ...path.slice(4)].map(upperSnake).join('_');
    return [a, ...path.slice(2)].map(upperSnake).join('_');
  }
  if (section === 'api' && a === 'apiKey') return 'NANOBOT_API_KEY';
  if (section === 'tools' && a === 'mcpServers' && b && c) {
    // An MCP env variable keeps its own name when it is one (GITHUB_PERSONAL_ACCESS_TOKEN).
    if (c === 'env' && d && /^[A-Z_][A-Z0-9_]*$/.test(d)) return d;
    return ['MCP', ...[b, ...path.slice(3)].map(upperSnake)].join('_');
  }
  if (section === 'tools') return path.slice(1).map(upperSnake).join('_');
  return path.map(upperSnake).join('_');
}

/** NANOBOT_SECTION__FIELD__... for nanobot before 0.1.5. */
export function nanobotName(path: readonly string[]): string {
  return 'NANOBOT_' + path.map((p) => camelToSnake(p).toUpperCase()).join('__');
}

export interface SecretsInput {
  parsed: ParsedConfig;
  effective: Effective;
  traits: VersionTraits;
  /** Variables already in the env file. */
  existing: ReadonlyMap<string, string>;
  /** The environment harden runs in: a name set there to another value is not reused silently. */
  env: Readonly<Record<string, string | undefined>>;
}

export function planSecrets(input: SecretsInput): SecretsPlan {
  const out: SecretsPlan = { patches: [], vars: [], skipped: [], warnings: [] };
  const taken = new Map(input.existing);
  const useReferences = input.traits.envReferences;
  if (!useReferences) {
    out.warnings.push(
      `nanobot ${input.traits.version.text} does not understand \${NAME} references (they came in 0.1.5): the keys are deleted from the file and the values go to NANOBOT_* variables. nanobot writes such variables back into config.json in plain text on its next save (onboard, WebUI settings, a channel login); upgrade and run this again to use \${NAME} instead.`,
    );
  }
  const visit = (value: unknown, path: string[]): void => {
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
      return;
    }
    if (Array.isArray(value)) {
      // Objects in lists (Feishu instances) hold fields; strings in lists (MCP args) are not moved.
      value.forEach((item, i) => {
        if (isObject(item)) visit(item, [...path, String(i)]);
      });
      return;
    }
    if (!isSecretPath(path) || !isPlaintextSecret(value)) return;
    const origin = input.effective.origins.get(toPointer(path));
    if (origin?.kind !== 'file') return;
    const where = locate(input.parsed, input.effective, path);
    if (!envSafeValue(value)) {
      out.skipped.push({
        ruleId: 'plaintext-secret',
        pointer: where.pointer,
        why: 'manual',
        message: `${dotted(path)}: its value has quotes, backslashes, a dollar sign, ' #' or spaces at its ends, which systemd, Compose and Docker read differently; move it by hand`,
      });
      return;
    }
    const base = nameFor(instanceNamed(input.effective.value, path));
    let name = useReferences ? base : nanobotName(path);
    if (useReferences) {
      // Never reuse a name that already means something else; never take a name nanobot reads.
      for (
        let n = 2;
        forbiddenName(name) || (taken.has(name) && taken.get(name) !== value) || (input.env[name] !== undefined && input.env[name] !== value);
        n++
      ) {
        name = `${base}_${n}`;
      }
    } else if (taken.has(name) && taken.get(name) !== value) {
      out.skipped.push({
        ruleId: 'plaintext-secret',
        pointer: where.pointer,
        why: 'conflict',
        message: `${dotted(path)}: ${name} is already set to another value in the env file; nothing was moved`,
      });
      return;
    }
    if (!taken.has(name)) out.vars.push({ name, value, path });
    taken.set(name, value);
    out.patches.push(
      useReferences
        ? { op: 'set', ruleId: 'plaintext-secret', pointer: where.pointer, before: value, after: `\${${name}}` }
        : { op: 'remove', ruleId: 'plaintext-secret', pointer: where.pointer, before: value, copy: lastCopy(input.parsed, where.pointer) },
    );
    // Earlier copies of the key hold a secret too (json.load ignores them; a reader does not).
    for (const shadow of input.effective.shadows) if (shadow.path.join('/') === path.join('/')) out.patches.push(removal('plaintext-secret', shadow));
  };
  visit(input.effective.value, []);
  return out;
}

/** Feishu instances are named by their id (FEISHU_TEAM_APP_SECRET), not their position. */
function instanceNamed(value: unknown, path: readonly string[]): string[] {
  if (path[0] !== 'channels' || path[2] !== 'instances' || path[3] === undefined) return [...path];
  const instance = (value as { channels?: Record<string, { instances?: { id?: unknown }[] }> }).channels?.[path[1]!]?.instances?.[Number(path[3])];
  const id = typeof instance?.id === 'string' && /^[A-Za-z0-9_-]+$/.test(instance.id) ? instance.id : path[3];
  return [...path.slice(0, 3), id, ...path.slice(4)];
}

/** The copy index of the last property at a pointer (the one nanobot reads). */
function lastCopy(parsed: ParsedConfig, pointer: string): number {
  const segments = fromPointer(pointer);
  let node = parsed.root;
  for (const seg of segments.slice(0, -1)) {
    let next;
    for (const prop of node.children ?? []) if (prop.children?.[0]?.value === seg) next = prop.children[1];
    if (!next) return 0;
    node = next;
  }
  const key = segments[segments.length - 1];
  return Math.max(0, (node.children ?? []).filter((p) => p.children?.[0]?.value === key).length - 1);
}
