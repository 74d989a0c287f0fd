// Accepting a risk on purpose: a waiver names a rule (and optionally a file and a pointer), a
// reason and an expiry date. A waived finding stays in every report, marked, and does not count
// toward the exit code; an expired waiver stops working and says so; an unused one is reported.
import { readText } from '../io/read.js';
import { dirname, join, resolve } from 'node:path';
import type { Node, ParseError } from 'jsonc-parser';
import { JsonTooDeepError, MAX_DEPTH, parseJsonTree } from '../config/json-tree.js';
import { ConfigSyntaxError, StaleFileError } from '../errors.js';
import { lineStarts, positionAt } from '../config/position.js';
import { makeFinding, RULES, type Finding } from './index.js';
import { didYouMean } from '../config/nearest.js';
import type { VersionTraits } from '../config/version.js';

export interface Waiver {
  ruleId: string;
  file?: string;
  pointer?: string;
  reason: string;
  expires: string;
  /** Where the waiver is written, for messages. */
  source: { file: string; line: number };
}

export const WAIVER_FILE = '.harden.json';

/** YYYY-MM-DD naming a day that exists: Date.parse turns 2027-02-30 into March 2nd without a word. */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const time = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === text;
}

function fail(file: string, text: string, offset: number, why: string): never {
  const pos = positionAt(lineStarts(text), offset);
  throw new ConfigSyntaxError(file, pos.line, pos.column, why);
}

/** Parse and check a waiver file; every problem is one sentence with its line. */
export function parseWaivers(file: string, text: string): Waiver[] {
  const errors: ParseError[] = [];
  let root: Node | undefined;
  try {
    root = parseJsonTree(text, errors);
  } catch (error) {
    if (!(error instanceof JsonTooDeepError)) throw error;
    fail(file, text, error.offset, `nested more than ${MAX_DEPTH} levels deep, which harden does not read`);
  }
  if (errors[0] || !root || root.type !== 'object') fail(file, text, errors[0]?.offset ?? 0, 'not a JSON object of the form { "waivers": [ ... ] }');
  // The last "waivers" key, as JSON.parse (and addWaivers) read it.
  const list = root.children?.filter((p) => p.children?.[0]?.value === 'waivers').pop()?.children?.[1];
  if (!list || list.type !== 'array') fail(file, text, root.offset, 'expected a "waivers" list');
  const lines = lineStarts(text);
  return (list.children ?? []).map((node) => {
    if (node.type !== 'object') fail(file, text, node.offset, 'each waiver is an object');
    const get = (key: string) => node.children?.filter((p) => p.children?.[0]?.value === key).pop()?.children?.[1];
    const str = (key: string, required: boolean): string | undefined => {
      const v = get(key);
      if (!v) return required ? fail(file, text, node.offset, `a waiver needs "${key}"`) : undefined;
      if (v.type !== 'string' || String(v.value).trim() === '') fail(file, text, v.offset, `"${key}" must be a non-empty string`);
      return String(v.value);
    };
    const ruleId = str('ruleId', true)!;
    if (!RULES[ruleId])
      fail(
        file,
        text,
        get('ruleId')!.offset,
        `unknown rule ${JSON.stringify(ruleId)}${didYouMean(ruleId, Object.keys(RULES)) || ' (docs/rules.md lists them)'}`,
      );
    const expires = str('expires', true)!;
    if (!isCalendarDate(expires))
      fail(
        file,
        text,
        get('expires')!.offset,
        `"expires" must be a date that exists, written as an ISO date such as 2027-03-31 (${JSON.stringify(expires)} is not)`,
      );
    const w: Waiver = { ruleId, reason: str('reason', true)!, expires, source: { file, line: positionAt(lines, node.offset).line } };
    const target = str('file', false);
    if (target !== undefined) w.file = resolve(dirname(file), target);
    const pointer = str('pointer', false);
    if (pointer !== undefined) w.pointer = pointer;
    return w;
  });
}

/** .harden.json beside each config, plus --waivers FILE. */
export function loadWaivers(configs: readonly string[], explicit: string | undefined): Waiver[] {
  const files = new Set(configs.map((c) => join(dirname(c), WAIVER_FILE)));
  const out: Waiver[] = [];
  for (const f of files) {
    const text = readText(f);
    // One at a time: push(...list) passes every waiver as an argument, and 200,000 of them
    // overflow the stack.
    if (text !== undefined) for (const w of parseWaivers(f, text)) out.push(w);
  }
  if (explicit) {
    const text = readText(explicit);
    if (text === undefined) throw new ConfigSyntaxError(explicit, 1, 1, 'the waiver file cannot be read');
    for (const w of parseWaivers(explicit, text)) out.push(w);
  }
  return out;
}

/** The waivers one pipeline applies: the audit's rules, or the activity review's (each reports only its own as unused). */
export function forPipeline(waivers: readonly Waiver[], pipeline: 'audit' | 'activity'): Waiver[] {
  return waivers.filter((w) => (RULES[w.ruleId]?.profile === 'activity') === (pipeline === 'activity'));
}

const matches = (w: Waiver, f: Finding) =>
  w.ruleId === f.ruleId && (w.file === undefined || w.file === f.file) && (w.pointer === undefined || w.pointer === f.pointer);

/** Mark the findings a live waiver covers (nothing added: for what is left after a fix). */
export function markWaived(findings: readonly Finding[], waivers: readonly Waiver[], today: string): Finding[] {
  return findings.map((f) => {
    const w = waivers.find((x) => matches(x, f) && x.expires >= today);
    return w ? { ...f, waived: { reason: w.reason, expires: w.expires } } : f;
  });
}

/** Mark waived findings; add a finding for each expired and each unused waiver. */
export function applyWaivers(findings: readonly Finding[], waivers: readonly Waiver[], today: string, traits: VersionTraits): Finding[] {
  const used = new Set<Waiver>();
  const out = findings.map((f) => {
    const w = waivers.find((x) => matches(x, f));
    if (!w) return f;
    used.add(w);
    return w.expires >= today ? { ...f, waived: { reason: w.reason, expires: w.expires } } : f;
  });
  for (const w of waivers) {
    const at = { file: w.source.file, line: w.source.line, column: 1, source: { kind: 'host' as const } };
    const args = { rule: w.ruleId, expires: w.expires, where: `${w.source.file}:${w.source.line}` };
    if (used.has(w) && w.expires < today) out.push(makeFinding({ ruleId: 'waiver-expired', ...at, args }, traits));
    if (!used.has(w)) out.push(makeFinding({ ruleId: 'waiver-unused', ...at, args }, traits));
  }
  return out;
}

export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** The waiver file with `added` appended (its other contents kept), as 2-space JSON. */
export function addWaivers(existing: string | undefined, added: readonly { ruleId: string; pointer?: string; reason: string; expires: string }[]): string {
  let data: Record<string, unknown> = {};
  if (existing) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch {
      parsed = undefined;
    }
    // It was a waiver file when the run began (loadWaivers read it): now it is something else.
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new StaleFileError(`${WAIVER_FILE} changed while harden ran and is no longer a waiver file; the new waivers were not recorded`);
    data = parsed as Record<string, unknown>;
  }
  const waivers = Array.isArray(data['waivers']) ? (data['waivers'] as unknown[]) : [];
  return JSON.stringify({ ...data, waivers: [...waivers, ...added] }, null, 2) + '\n';
}
