// What a run learns, kept small: counts and capped lists per session and over all, the findings
// (a few per rule and session, the rest counted), who wrote which file, and who sent messages.
// Everything here holds text already redacted by shape; the CLI's redactor adds the known secrets.
import { redactShapes } from '../config/credentials.js';
import { makeFinding, type Finding } from '../findings/index.js';
import type { VersionTraits } from '../config/version.js';
import { argument, callFacts, type CallFacts, type Place, type ToolCall } from './calls.js';
import type { Detector, Hit } from './rules.js';

export class Tally {
  readonly counts = new Map<string, number>();
  /** Distinct entries not kept once the cap was reached, and their uses. */
  more = 0;
  constructor(readonly cap: number) {}
  add(text: string, n = 1): void {
    const had = this.counts.get(text);
    if (had !== undefined) this.counts.set(text, had + n);
    else if (this.counts.size < this.cap) this.counts.set(text, n);
    else this.more += n;
  }
  get total(): number {
    let n = this.more;
    for (const c of this.counts.values()) n += c;
    return n;
  }
  /** Most used first, then in code-unit order. */
  list(): { text: string; count: number }[] {
    return [...this.counts].map(([text, count]) => ({ text, count })).sort((a, b) => b.count - a.count || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  }
}

export interface SessionSummary {
  key: string;
  files: string[];
  messages: number;
  first?: string;
  last?: string;
  tools: Tally;
  exec: Tally;
  /** "op\0path". */
  paths: Tally;
  hosts: Tally;
  /** Tools the history names without their arguments (tools_used, 0.1.3.post7-0.1.4.post1). */
  named: Tally;
  unrecorded: number;
  findings: number;
}

export interface SenderSummary {
  channel: string;
  sender: string;
  /** Messages nanobot answered, by where harden saw them. */
  session: number;
  log: number;
  /** Messages nanobot refused (an "Access denied" log line). */
  refused: number;
  first?: string;
  last?: string;
  /** Where it was first seen. */
  at: { file: string; line: number };
}

export interface Writer {
  session: string;
  file: string;
  line: number;
  time?: string;
  tool: string;
}

export const SHOW = 160;

/** A value for a report: credential shapes redacted first, then shortened. */
export function shown(text: string, max = SHOW): string {
  // Redacted before it is shortened, so no credential is cut in half; what lies far past the cut is
  // not shown, so not looked at (a command can be hundreds of KB).
  const r = redactShapes((text.length > max + 1024 ? text.slice(0, max + 1024) : text).replace(/[\u0000-\u001f\u007f]+/g, ' '));
  return r.length > max ? `${r.slice(0, max - 1)}…` : r;
}

/** A tool call in one line: its name and what it was asked (command, path, URL, key). */
export function showCall(call: ToolCall, facts: CallFacts): string {
  if (facts.command !== undefined) return `${call.name} \`${shown(facts.command)}\``;
  const edits = call.args?.['edits'];
  const firstEdit = Array.isArray(edits) && edits.length > 0 ? (edits[0] as Record<string, unknown> | null)?.['path'] : undefined;
  const what = argument(call, 'path', 'file_path', 'notebook_path', 'url', 'query') ?? (typeof firstEdit === 'string' ? firstEdit : undefined);
  if (what !== undefined) return `${call.name} ${shown(what)}`;
  const action = argument(call, 'action');
  if (action !== undefined) return `${call.name} ${shown([action, argument(call, 'key', 'name', 'job_id')].filter(Boolean).join(' '), 80)}`;
  return call.name;
}

/** A call as the listing and the rules see it, worked out once per distinct call. */
export interface Analysis {
  facts: CallFacts;
  hits: Hit[];
  /** The call in one line, redacted. */
  shown: string;
  /** The command as listed, redacted. */
  exec?: string;
  /** "op\0path" as listed. */
  paths: string[];
  hosts: string[];
  /** Absolute paths it writes, for the workspace review. */
  writes: string[];
}

/**
 * Analyses calls, remembering the last many: sessions repeat the same commands (ls, git status, a
 * file read twice), and parsing a command, trying the rules and redacting it are most of a call's cost.
 */
export class Analyzer {
  private memo = new Map<string, Analysis>();
  constructor(
    private readonly place: Place,
    private readonly det: Detector,
  ) {}
  analyze(call: ToolCall, rawArgs?: string): Analysis {
    const key = rawArgs !== undefined ? `${call.name}\0${rawArgs}` : undefined;
    const hit = key !== undefined ? this.memo.get(key) : undefined;
    if (hit) return hit;
    const facts = callFacts(call, this.place);
    const a: Analysis = {
      facts,
      hits: this.det.check(call, facts),
      shown: showCall(call, facts),
      paths: [...new Set(facts.touches.map((t) => `${t.op}\0${shown(t.abs ?? t.written, 300)}`))],
      hosts: [...new Set(facts.hosts.map((h) => shown(h, 200)))],
      writes: facts.touches.filter((t) => t.op === 'write' && t.abs !== undefined).map((t) => t.abs!),
    };
    if (facts.command !== undefined) a.exec = shown(facts.command);
    if (key !== undefined) {
      // Small on purpose: repeated calls are found in it, and a history of unique ones would only fill it.
      if (this.memo.size >= 4096) this.memo.clear();
      this.memo.set(key, a);
    }
    return a;
  }
}

const FINDINGS_PER_RULE_AND_SESSION = 20;
const FINDINGS_IN_ALL = 5000;

export class Collector {
  readonly sessions = new Map<string, SessionSummary>();
  readonly overall = { tools: new Tally(1000), named: new Tally(1000), exec: new Tally(1000), paths: new Tally(1000), hosts: new Tally(1000) };
  readonly findings: Finding[] = [];
  /** Findings not listed (past the caps), per rule. */
  readonly omitted = new Map<string, number>();
  readonly writers = new Map<string, Writer>();
  readonly senders = new Map<string, SenderSummary>();
  private readonly perKey = new Map<string, number>();
  calls = 0;
  messages = 0;

  constructor(
    readonly traits: VersionTraits,
    private readonly perSession: number,
  ) {}

  session(key: string, file: string): SessionSummary {
    let s = this.sessions.get(key);
    if (!s) {
      const cap = this.perSession;
      s = {
        key,
        files: [],
        messages: 0,
        tools: new Tally(200),
        exec: new Tally(cap),
        paths: new Tally(cap),
        hosts: new Tally(cap),
        named: new Tally(200),
        unrecorded: 0,
        findings: 0,
      };
      this.sessions.set(key, s);
    }
    if (!s.files.includes(file)) s.files.push(file);
    return s;
  }

  message(s: SessionSummary, time: string | undefined): void {
    s.messages++;
    this.messages++;
    if (time !== undefined) {
      if (s.first === undefined || time < s.first) s.first = time;
      if (s.last === undefined || time > s.last) s.last = time;
    }
  }

  /** Count a call and what it touched. */
  call(s: SessionSummary, name: string, a: Analysis, at: { file: string; line: number; time?: string }): void {
    this.calls++;
    s.tools.add(name);
    if (a.exec !== undefined) s.exec.add(a.exec);
    for (const p of a.paths) s.paths.add(p);
    for (const w of a.writes) {
      if (this.writers.size < 100_000 || this.writers.has(w))
        this.writers.set(w, { session: s.key, file: at.file, line: at.line, tool: name, ...(at.time !== undefined ? { time: at.time } : {}) });
    }
    for (const h of a.hosts) s.hosts.add(h);
  }

  /** The lists over all sessions, from theirs (once, at the end: cheaper than counting every call twice). */
  finish(): void {
    for (const s of this.sessions.values()) {
      for (const k of ['tools', 'named', 'exec', 'paths', 'hosts'] as const) {
        for (const [text, n] of s[k].counts) this.overall[k].add(text, n);
        this.overall[k].more += s[k].more;
      }
    }
  }

  /** A finding, unless this rule has said enough about this session already. */
  /** `host`: a finding about the workspace as it is on disk, not about a line of the history. */
  add(
    ruleId: string,
    args: Record<string, string>,
    where: { file: string; line?: number },
    event: Finding['event'],
    s?: SessionSummary,
    capKey?: string,
    seen: 'history' | 'host' = 'history',
  ): void {
    const key = `${ruleId}\0${capKey ?? event?.session ?? where.file}`;
    const n = (this.perKey.get(key) ?? 0) + 1;
    this.perKey.set(key, n);
    if (s) s.findings++;
    if (n > FINDINGS_PER_RULE_AND_SESSION || this.findings.length >= FINDINGS_IN_ALL) {
      this.omitted.set(ruleId, (this.omitted.get(ruleId) ?? 0) + 1);
      return;
    }
    const f = makeFinding(
      { ruleId, file: where.file, args, ...(where.line !== undefined ? { line: where.line, column: 1 } : {}), source: { kind: seen } },
      this.traits,
    );
    if (event) f.event = event;
    this.findings.push(f);
  }

  /** The summary of one sender (Telegram's "id|username" and its id alone are one sender). */
  senderOf(channel: string, sender: string, at: { file: string; line: number }): SenderSummary | undefined {
    const key = `${channel}\0${channel === 'telegram' ? sender.split('|')[0] : sender}`;
    let s = this.senders.get(key);
    if (!s) {
      if (this.senders.size >= 100_000) return undefined;
      s = { channel, sender, session: 0, log: 0, refused: 0, at: { file: at.file, line: at.line } };
      this.senders.set(key, s);
    }
    if (sender.length > s.sender.length) s.sender = sender;
    return s;
  }

  count(s: SenderSummary, kind: 'session' | 'log' | 'refused', time: string | undefined): void {
    s[kind]++;
    if (time !== undefined) {
      if (s.first === undefined || time < s.first) s.first = time;
      if (s.last === undefined || time > s.last) s.last = time;
    }
  }

  sender(channel: string, sender: string, kind: 'session' | 'log' | 'refused', at: { file: string; line: number; time?: string }): void {
    const s = this.senderOf(channel, sender, at);
    if (s) this.count(s, kind, at.time);
  }
}
