// A finding is data: what rule, how bad, where, and the words for it. Shared by the schema rules,
// the content rules and the host checks; reporters turn it into text, JSON or SARIF.
import rulesJson from '../../schemas/rules.json' with { type: 'json' };
import activityRulesJson from '../../schemas/activity-rules.json' with { type: 'json' };
import { atLeast, type VersionTraits } from '../config/version.js';
import { table } from '../config/own.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** True when `s` is at least as bad as `threshold`. */
export function atOrAbove(s: Severity, threshold: Severity): boolean {
  return severityRank(s) <= severityRank(threshold);
}

export type FixKind = 'set' | 'ask' | 'manual' | 'chmod';

export interface RuleInfo {
  /** 'activity': a rule of the activity review (harden activity), in neither audit profile. */
  profile: 'baseline' | 'strict' | 'activity';
  severity: Severity;
  title: string;
  message: string;
  rationale: string;
  fix: { kind: FixKind; value?: unknown; text: string };
  /**
   * Other words or severity for some nanobot versions: `before` a version, or `when` the release's
   * facts (VersionTraits fields) have the values given.
   */
  versions?: { before?: string; when?: Record<string, string | boolean>; severity: Severity; message?: string }[];
  /** Rules this one makes redundant when both fire on the same setting. */
  supersedes?: string[];
}

/**
 * Every rule by id, the audit's and the activity review's in one table (waivers and reports read
 * both); without a prototype, since waivers, --accept-risk and baselines name rule ids.
 */
export const RULES = table({ ...rulesJson, ...activityRulesJson } as unknown as Record<string, RuleInfo>);

export type Profile = 'baseline' | 'strict';
export const PROFILES: readonly Profile[] = ['baseline', 'strict'];

export function inProfile(ruleId: string, profile: Profile): boolean {
  const rule = RULES[ruleId];
  return rule !== undefined && rule.profile !== 'activity' && (profile === 'strict' || rule.profile === 'baseline');
}

export interface Source {
  /** 'history': a line of nanobot's session histories or logs (harden activity). */
  kind: 'file' | 'env' | 'default' | 'migrated' | 'inherited' | 'host' | 'history';
  /** The variable, for env. */
  name?: string;
  /** Where the variable is set (a unit, compose or env file), when harden read it from a file. */
  file?: string;
  line?: number;
  /** Where in the file the value was written, for file, migrated and inherited. */
  pointer?: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  title: string;
  message: string;
  file: string;
  /** RFC 6901 pointer to the key as the file spells it, or where it belongs when absent. */
  pointer?: string;
  line?: number;
  column?: number;
  fixable: boolean;
  source: Source;
  /** Canonical (camelCase) path of the effective setting; internal, for planning fixes. */
  path?: string[];
  /** For env-override: the rule the variable breaks (its fix pins the value in the file). */
  weakens?: string;
  /** Accepted on purpose (a waiver); does not count toward the exit code. */
  waived?: { reason: string; expires: string };
  /** In the --baseline report: known, does not count toward the exit code. */
  known?: boolean;
  /** For the activity review: the conversation and the tool call a finding is about. */
  event?: ActivityEvent;
}

/** Where in nanobot's history an activity finding comes from; every text already redacted. */
export interface ActivityEvent {
  /** The session key (channel:chat_id), or where a log line came from. */
  session: string;
  /** The time nanobot wrote for it, as written (local time). */
  time?: string;
  /** The tool, and the call as shown (redacted, shortened). */
  tool?: string;
  call?: string;
  /** The tool call's id in the history, when it has one. */
  callId?: string;
}

export interface FindingInput {
  ruleId: string;
  file: string;
  args: Record<string, string | number>;
  pointer?: string;
  line?: number;
  column?: number;
  source: Source;
  path?: string[];
}

function matchesWhen(traits: VersionTraits, when: Record<string, string | boolean>): boolean {
  return Object.entries(when).every(([k, v]) => (traits as unknown as Record<string, unknown>)[k] === v);
}

function fill(template: string, args: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(args, name) ? String(args[name]) : whole));
}

/** Build a finding from a rule id and already-redacted arguments, for this nanobot version. */
export function makeFinding(input: FindingInput, traits: VersionTraits): Finding {
  const rule = RULES[input.ruleId];
  if (!rule) throw new Error(`unknown rule ${input.ruleId}`);
  const override = rule.versions?.find((v) =>
    v.before !== undefined ? !atLeast(traits.version, v.before) : v.when !== undefined && matchesWhen(traits, v.when),
  );
  const severity = override?.severity ?? rule.severity;
  const template = override?.message ?? rule.message;
  const args = { version: traits.version.text, source: '', ...input.args };
  const finding: Finding = {
    ruleId: input.ruleId,
    severity,
    title: rule.title,
    message: fill(template, args),
    file: input.file,
    fixable: rule.fix.kind === 'set' || rule.fix.kind === 'chmod' || rule.fix.kind === 'ask',
    source: input.source,
  };
  if (input.pointer !== undefined) finding.pointer = input.pointer;
  if (input.line !== undefined) finding.line = input.line;
  if (input.column !== undefined) finding.column = input.column;
  if (input.path !== undefined) finding.path = input.path;
  return finding;
}

/** Code-unit order: stable across machines and locales, and far cheaper than localeCompare. */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.file, b.file) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.pointer ?? '', b.pointer ?? '')
  );
}

/** A stable key for one finding, to carry a person's choice from the preview to the write. */
export function findingKey(f: Pick<Finding, 'ruleId' | 'pointer' | 'line' | 'column' | 'file'>): string {
  return `${f.ruleId}|${f.pointer ?? f.file}|${f.line ?? 0}:${f.column ?? 0}`;
}
