// Key spellings and a few names harden needs before it knows a release. What each release's
// models accept (fields, types, defaults) is the release's own data: release.ts and shape.ts.

import { camelToSnake, snakeToCamel } from './release.js';

export { camelToSnake, snakeToCamel };

const CAMEL = /^[a-z][a-zA-Z0-9]*$/;
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;

/**
 * The field a key of a pydantic model fills: a camelCase alias fills itself, a snake_case field
 * name fills its camelCase alias (Base uses alias_generator=to_camel, populate_by_name=True).
 * Any other spelling fills nothing: pydantic ignores it. For paths outside any release's view
 * (redaction, report paths); the model reads keys through the release's schema (shape.ts).
 */
export function canonicalKey(key: string): Canonical {
  let known = canonical.get(key);
  if (!known) {
    known = CAMEL.test(key) ? { key, spelling: 'camel' } : SNAKE.test(key) ? { key: snakeToCamel(key), spelling: 'snake' } : { key, spelling: 'other' };
    // The same few dozen field names recur in every channel; names of free maps do not repeat much.
    if (canonical.size < 4096) canonical.set(key, known);
  }
  return known;
}

export interface Canonical {
  readonly key: string;
  readonly spelling: 'camel' | 'snake' | 'other';
}

const canonical = new Map<string, Canonical>();

const split = new Map<string, string[]>();

export function matches(pattern: string, path: readonly string[]): boolean {
  let parts = split.get(pattern);
  if (!parts) split.set(pattern, (parts = pattern.split('/')));
  if (parts.length !== path.length) return false;
  for (let i = 0; i < parts.length; i++) if (parts[i] !== '*' && parts[i] !== path[i]) return false;
  return true;
}

/**
 * Channel names any nanobot release has shipped (for --allow-from and --answers, checked before a
 * release is picked). A test holds it to the union of the releases' own channel lists.
 */
export const CHANNELS: readonly string[] = [
  'telegram',
  'whatsapp',
  'discord',
  'slack',
  'mattermost',
  'feishu',
  'dingtalk',
  'email',
  'matrix',
  'qq',
  'napcat',
  'wecom',
  'weixin',
  'msteams',
  'mochat',
  'signal',
  'websocket',
];

/**
 * Top-level sections any nanobot release has (an older release refuses or ignores the newer ones;
 * a key in none of them is no setting at all). A test holds it to the union of the releases' own.
 */
export const SECTIONS: readonly string[] = ['agents', 'channels', 'transcription', 'providers', 'api', 'gateway', 'tools', 'modelPresets', 'model_presets'];
