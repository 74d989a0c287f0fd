// The activity rules: the patterns of schemas/activity-patterns.json compiled for one instance,
// and the few checks that are code (a path outside the workspace, a config secret in a call).
import patterns from '../../schemas/activity-patterns.json' with { type: 'json' };
import { join, sep } from 'node:path';
import { argument, callFacts, mcpServer, type CallFacts, type Place, type ToolCall } from './calls.js';

export interface Instance extends Place {
  config: string;
  dataDir: string;
  /** tools.restrictToWorkspace as nanobot uses it (the old tools.exec place on 0.1.3.post4). */
  restrict: boolean;
  /** 0.1.3.post4 guarded only exec. */
  restrictExecOnly: boolean;
  /** The config's secrets, with the field each came from (never printed). */
  secrets: readonly { field: string; value: string }[];
}

export interface Hit {
  ruleId: string;
  detail: string;
}

interface Pattern {
  re: RegExp;
  what: string;
}

interface RuleData {
  command?: { re: string; what: string }[];
  read?: { re: string; what: string }[];
  write?: { re: string; what: string }[];
  tool?: { name: string; args: Record<string, unknown>; what: string }[];
  markers?: { re: string; what: string }[];
  secrets?: { tools: string[]; mcp: boolean; commandNeeds: string; what: string };
}

const DATA = patterns.rules as unknown as Record<string, RuleData>;

/** Rule ids in the order their findings are listed for one call. */
export const CALL_RULES = [
  'activity-download-run',
  'activity-credential-read',
  'activity-exfiltration',
  'activity-config-write',
  'activity-persistence',
  'activity-privilege',
  'activity-package-install',
] as const;

/** Rules a call can raise that make a preceding injection marker worth reporting. */
export const DANGEROUS = new Set<string>([...CALL_RULES.filter((r) => r !== 'activity-package-install'), 'activity-outside-workspace']);

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Paths the agent's commands may name without leaving anything (nanobot's own list of devices). */
const BENIGN = new Set(['/dev/null', '/dev/zero', '/dev/random', '/dev/urandom', '/dev/stdin', '/dev/stdout', '/dev/stderr', '/dev/tty', '/dev/full']);

/** The most of a command the patterns are tried on (their worst case grows with the square of it). */
export const RULE_TEXT = 8192;

/**
 * A command as the patterns see it: words longer than 256 characters (pasted data, base64) cut to
 * their first 64, and of what is still longer than RULE_TEXT the first and last half. Commands that
 * long are reported as such, so padding cannot hide a call from the rules unseen.
 */
export function ruleText(command: string): { text: string; partial: boolean } {
  const text = command.length > 256 ? command.replace(/\S{257,}/g, (w) => `${w.slice(0, 64)}…`) : command;
  if (text.length <= RULE_TEXT) return { text, partial: false };
  return { text: `${text.slice(0, RULE_TEXT / 2)} … ${text.slice(-RULE_TEXT / 2)}`, partial: true };
}

export const inside = (dir: string, path: string): boolean => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

export interface Detector {
  /** The rules a call raises, with what matched; empty for a harmless call. */
  check(call: ToolCall, facts?: CallFacts): Hit[];
  /** The first prompt-injection marker in a tool result, described. */
  marker(text: string): string | undefined;
}

export function detector(inst: Instance): Detector {
  const tokens: Record<string, string> = { config: inst.config, dataDir: inst.dataDir, workspace: inst.workspace, home: inst.home };
  const compile = (list: readonly { re: string; what: string }[] | undefined, flags = ''): Pattern[] =>
    (list ?? []).map((p) => ({
      re: new RegExp(
        p.re.replace(/\{(config|dataDir|workspace|home)\}/g, (_, t: string) => escape(tokens[t]!)),
        flags,
      ),
      what: p.what,
    }));
  const rules = CALL_RULES.map((id) => ({
    id,
    command: compile(DATA[id]?.command),
    read: compile(DATA[id]?.read),
    write: compile(DATA[id]?.write),
    tool: DATA[id]?.tool ?? [],
  }));
  const markers = compile(DATA['activity-prompt-injection']?.markers, 'iu');
  const exfil = DATA['activity-exfiltration']!.secrets!;
  const needs = new RegExp(exfil.commandNeeds);
  const secrets = inst.secrets.filter((s) => s.value.length >= 8);
  const media = join(inst.dataDir, 'media');

  const first = (list: readonly Pattern[], text: string): Pattern | undefined => list.find((p) => p.re.test(text));

  return {
    check(call, given) {
      const facts = given ?? callFacts(call, inst);
      const hits: Hit[] = [];
      const command = facts.command !== undefined ? ruleText(facts.command) : undefined;
      if (command?.partial)
        hits.push({
          ruleId: 'activity-command-too-long',
          detail: `the command is ${Math.round(facts.command!.length / 1024)} KB long; the rules saw its first and last ${RULE_TEXT / 2048} KB`,
        });
      for (const rule of rules) {
        let detail: string | undefined;
        if (command !== undefined) {
          const p = first(rule.command, command.text);
          if (p) detail = p.what;
        }
        if (detail === undefined) {
          for (const t of facts.touches) {
            if (t.abs === undefined) continue;
            // A file a command writes is not also one it reads for these rules.
            const p = t.op === 'write' ? first(rule.write, t.abs) : first(rule.read, t.abs);
            if (p) {
              detail = `${t.op === 'write' ? 'writes' : t.op === 'named' ? 'names' : t.op === 'list' ? 'lists' : 'reads'} ${t.written}, ${p.what}`;
              break;
            }
          }
        }
        if (detail === undefined) {
          for (const t of rule.tool) {
            if (t.name === call.name && Object.entries(t.args).every(([k, v]) => call.args?.[k] === v)) {
              const key = argument(call, 'key');
              detail = `${t.what}${key !== undefined ? ` (${key})` : ''}`;
              break;
            }
          }
        }
        if (rule.id === 'activity-exfiltration' && detail === undefined && secrets.length > 0) {
          const reaches = exfil.tools.includes(call.name) || (exfil.mcp && mcpServer(call.name, inst.mcp.keys()) !== undefined);
          if (reaches && (command === undefined || needs.test(command.text))) {
            const text = call.raw ?? JSON.stringify(call.args ?? {});
            const hit = secrets.find((s) => text.includes(s.value) || text.includes(JSON.stringify(s.value).slice(1, -1)));
            if (hit) detail = exfil.what.replace('{field}', hit.field);
          }
        }
        if (detail !== undefined) hits.push({ ruleId: rule.id, detail });
      }
      if (inst.restrict && (!inst.restrictExecOnly || call.name === 'exec')) {
        const out = facts.touches.filter(
          (t) => t.abs !== undefined && !BENIGN.has(t.abs) && !t.abs.startsWith('/dev/fd/') && !inside(inst.workspace, t.abs) && !inside(media, t.abs),
        );
        if (out.length > 0) {
          const what = out[0]!;
          hits.push({
            ruleId: 'activity-outside-workspace',
            detail: `${what.written} is outside the workspace ${inst.workspace}${out.length > 1 ? ` (and ${out.length - 1} more path${out.length > 2 ? 's' : ''})` : ''}`,
          });
        }
      }
      return hits;
    },
    marker(text) {
      return first(markers, text)?.what;
    },
  };
}

/** The examples of every rule, as the data gives them (for the tests and the docs). */
export function examples(): Record<string, { flag: unknown[]; pass: unknown[] } | undefined> {
  const out: Record<string, { flag: unknown[]; pass: unknown[] } | undefined> = {};
  for (const [id, data] of Object.entries(patterns.rules)) out[id] = (data as { examples?: { flag: unknown[]; pass: unknown[] } }).examples;
  return out;
}

/** Examples in words, for the rules that are code rather than patterns (tested on real files). */
export function described(): Record<string, { flag: string[]; pass: string[] } | undefined> {
  const out: Record<string, { flag: string[]; pass: string[] } | undefined> = {};
  for (const [id, data] of Object.entries(patterns.rules)) out[id] = (data as { described?: { flag: string[]; pass: string[] } }).described;
  return out;
}

export const EXAMPLE_CONTEXT = patterns.exampleContext;
