// Answers the owner gives on the command line or in a file: who may talk to the bot.
import { parseJsonInput } from '../config/json-input.js';
import { dictionary, own, setOwn } from '../config/own.js';
import { readInputText } from '../io/read.js';
import { UsageError } from '../errors.js';
import { checkGroupId, checkId } from '../fix/ids.js';
import type { Answers } from '../fix/plan.js';

type Kind = 'allowFrom' | 'groupAllowFrom';

function add(answers: Answers, kind: Kind, channel: string, raw: readonly unknown[], where: string, notes: string[]): void {
  const ids: string[] = [];
  for (const value of raw) {
    if (typeof value !== 'string') throw new UsageError(`${where}: ${channel} entries must be strings`);
    const checked = kind === 'allowFrom' ? checkId(channel, value) : checkGroupId(channel, value);
    if (!checked.ok) throw new UsageError(`${where}: ${channel} entry ${JSON.stringify(value)} is not usable: ${checked.reason}`);
    if (checked.note) notes.push(`${channel}: ${checked.note}`);
    ids.push(checked.id);
  }
  // Channel names are the owner's words: "constructor" or "__proto__" is a key like any other.
  const table = (answers[kind] ??= dictionary<string[]>());
  setOwn(table, channel, [...new Set([...(own(table, channel) ?? []), ...ids])]);
}

/** --allow-from CHANNEL=ID[,ID...] (repeatable); an empty list is allowed and means "nobody". */
export function parseAssignments(values: readonly string[], kind: Kind, flag: string, answers: Answers, notes: string[]): void {
  for (const value of values) {
    const m = /^([a-z][a-z0-9_]*)=(.*)$/i.exec(value.trim());
    if (!m) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected CHANNEL=ID[,ID...], for instance ${flag} telegram=123456789`);
    const ids = m[2]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
    add(answers, kind, m[1]!.toLowerCase(), ids, flag, notes);
  }
}

/** --answers FILE: { "allowFrom": { "telegram": ["123"] }, "groupAllowFrom": { "slack": ["C0123"] } } */
export async function readAnswersFile(path: string, answers: Answers, notes: string[]): Promise<void> {
  const data = parseJsonInput(readInputText(path, `--answers ${path}`), `--answers ${path}`);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`--answers ${path}: expected a JSON object with allowFrom and/or groupAllowFrom`);
  for (const [key, table] of Object.entries(data)) {
    if (key !== 'allowFrom' && key !== 'groupAllowFrom') throw new UsageError(`--answers ${path}: unknown key ${JSON.stringify(key)} (expected allowFrom, groupAllowFrom)`);
    if (table === null || typeof table !== 'object' || Array.isArray(table)) throw new UsageError(`--answers ${path}: ${key} must map channel names to lists of IDs`);
    for (const [channel, ids] of Object.entries(table as Record<string, unknown>)) {
      if (!Array.isArray(ids)) throw new UsageError(`--answers ${path}: ${key}.${channel} must be a list of IDs`);
      add(answers, key, channel, ids, `--answers ${path}`, notes);
    }
  }
}

