// Answers the owner gives on the command line or in a file: who may talk to the bot.
import { parseJsonInput } from '../config/json-input.js';
import { dictionary, own, setOwn } from '../config/own.js';
import { readInputText } from '../io/read.js';
import { UsageError } from '../errors.js';
import { checkGroupId, checkId } from './ids.js';
import type { Answers } from './plan.js';
import type { JsonNode } from '../config/parse.js';

type Kind = 'allowFrom' | 'groupAllowFrom';

/** A channel name for a sentence: as it is when it looks like one, else quoted (a file can hold any string). */
const shown = (name: string): string => (/^[A-Za-z0-9_.-]+$/.test(name) ? name : JSON.stringify(name));

/** Where each channel name the owner gave came from ("--allow-from", "--answers FILE"), to check them against the configs. */
export type NamedChannels = Map<string, string>;

export function add(answers: Answers, kind: Kind, channel: string, raw: readonly unknown[], where: string, notes: string[], named?: NamedChannels): void {
  const ids: string[] = [];
  for (const value of raw) {
    if (typeof value !== 'string') throw new UsageError(`${where}: ${shown(channel)} entries must be strings`);
    const checked = kind === 'allowFrom' ? checkId(channel, value) : checkGroupId(channel, value);
    if (!checked.ok) throw new UsageError(`${where}: ${shown(channel)} entry ${JSON.stringify(value)} is not usable: ${checked.reason}`);
    if (checked.note) notes.push(`${channel}: ${checked.note}`);
    ids.push(checked.id);
  }
  if (named && !named.has(channel)) named.set(channel, where);
  // Channel names are the owner's words: "constructor" or "__proto__" is a key like any other.
  const table = (answers[kind] ??= dictionary<string[]>());
  setOwn(table, channel, [...new Set([...(own(table, channel) ?? []), ...ids])]);
}

/** --allow-from CHANNEL=ID[,ID...] (repeatable); an empty list is allowed and means "nobody". */
export function parseAssignments(values: readonly string[], kind: Kind, flag: string, answers: Answers, notes: string[], named?: NamedChannels): void {
  for (const value of values) {
    const m = /^([a-z][a-z0-9_]*)=(.*)$/i.exec(value.trim());
    if (!m) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected CHANNEL=ID[,ID...], for instance ${flag} telegram=123456789`);
    const ids = m[2]!
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    add(answers, kind, m[1]!.toLowerCase(), ids, flag, notes, named);
  }
}

/** --answers FILE: { "allowFrom": { "telegram": ["123"] }, "groupAllowFrom": { "slack": ["C0123"] } } */
export function readAnswersFile(path: string, answers: Answers, notes: string[], named?: NamedChannels): void {
  const data = parseJsonInput(readInputText(path, `--answers ${path}`), `--answers ${path}`);
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new UsageError(`--answers ${path}: expected a JSON object with allowFrom and/or groupAllowFrom`);
  for (const [key, table] of Object.entries(data)) {
    if (key !== 'allowFrom' && key !== 'groupAllowFrom')
      throw new UsageError(`--answers ${path}: unknown key ${JSON.stringify(key)} (expected allowFrom, groupAllowFrom)`);
    if (table === null || typeof table !== 'object' || Array.isArray(table))
      throw new UsageError(`--answers ${path}: ${key} must map channel names to lists of IDs`);
    for (const [channel, ids] of Object.entries(table as Record<string, unknown>)) {
      if (!Array.isArray(ids)) throw new UsageError(`--answers ${path}: ${key}.${shown(channel)} must be a list of IDs`);
      add(answers, key, channel, ids, `--answers ${path}`, notes, named);
    }
  }
}

/**
 * Every channel name the owner gave must be one nanobot has, or a section under `channels` in one
 * of the configs (a plugin channel): a misspelt name would otherwise be dropped without a word.
 * Names are compared in a list and a Set, never as object keys: "constructor" is one more unknown name.
 */
export async function checkChannelNames(named: NamedChannels, configs: readonly string[]): Promise<void> {
  if (named.size === 0) return;
  const { CHANNELS } = await import('../config/layout.js');
  const unknown = [...named.keys()].filter((name) => !CHANNELS.includes(name));
  if (unknown.length === 0) return;
  const { readConfig } = await import('../config/read.js');
  const { lastProperty } = await import('../config/model.js');
  const inConfigs = new Set<string>();
  for (const file of configs) {
    let root: JsonNode;
    try {
      root = readConfig(file).parsed.root;
    } catch {
      continue; // the run itself says why this config cannot be used
    }
    const channels = lastProperty(root, 'channels');
    for (const prop of channels?.type === 'object' ? (channels.children ?? []) : []) inConfigs.add(String(prop.children?.[0]?.value));
  }
  const missing = unknown.find((name) => !inConfigs.has(name));
  if (missing !== undefined) {
    const { didYouMean } = await import('../config/nearest.js');
    const guess = didYouMean(missing, [...CHANNELS, ...inConfigs]);
    throw new UsageError(
      `${named.get(missing)}: ${shown(missing)} is not a nanobot channel, and no config here has a channels.${shown(missing)} section${guess || ` (the channels are ${CHANNELS.join(', ')})`}`,
    );
  }
}
