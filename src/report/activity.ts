// Reporters for `harden activity`: text for people, JSON (schemas/activity-report.schema.json) and
// SARIF (the audit's, through sarifLog). Pure: the result in, a string out; the CLI redacts.
import type { ActivityResult } from '../activity/index.js';
import type { Tally } from '../activity/collect.js';
import { RULES, SEVERITIES, type Severity } from '../findings/index.js';
import { REPORT_SCHEMA_VERSION, TOOL, publicFinding } from './json.js';
import { sarifLog } from './sarif.js';
import { styler, type StyleName } from './style.js';
import type { Summary } from './summary.js';
import { displayPath, nanobotLine } from './text.js';

export interface ActivityReportOptions {
  color: boolean;
  cwd: string;
  /** --session: every entry of the session's lists, not the first few. */
  full: boolean;
}

const SEVERITY_STYLE: Record<Severity, StyleName> = { critical: 'magenta', high: 'red', medium: 'yellow', low: 'blue', info: 'gray' };

const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

function pathEntry(text: string): { op: string; path: string } {
  const at = text.indexOf('\0');
  return { op: text.slice(0, at), path: text.slice(at + 1) };
}

function tallyJson(t: Tally, name: string): Record<string, unknown>[] {
  return t.list().map((e) => (name === 'path' ? { ...pathEntry(e.text), count: e.count } : { [name]: e.text, count: e.count }));
}

function toolsJson(t: Tally): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of t.list()) Object.defineProperty(out, e.text, { value: e.count, enumerable: true, writable: true, configurable: true });
  return out;
}

export function renderActivityJson(r: ActivityResult, summary: Summary): string {
  const { score: _score, scores: _scores, fixable: _fixable, known: _known, ...counts } = summary;
  return (
    JSON.stringify(
      {
        schemaVersion: REPORT_SCHEMA_VERSION,
        tool: TOOL,
        command: 'activity',
        config: r.config,
        workspace: r.workspace,
        nanobot: r.nanobot,
        since: r.since ?? null,
        sources: r.dirs,
        sessions: r.sessions.map((s) => ({
          key: s.key,
          files: s.files,
          messages: s.messages,
          ...(s.first !== undefined ? { first: s.first, last: s.last } : {}),
          tools: toolsJson(s.tools),
          toolsNamedOnly: toolsJson(s.named),
          exec: tallyJson(s.exec, 'command'),
          paths: tallyJson(s.paths, 'path'),
          hosts: tallyJson(s.hosts, 'host'),
          more: { exec: s.exec.more, paths: s.paths.more, hosts: s.hosts.more },
          unrecorded: s.unrecorded,
          findings: s.findings,
        })),
        overall: {
          messages: r.messages,
          calls: r.calls,
          tools: toolsJson(r.overall.tools),
          toolsNamedOnly: toolsJson(r.overall.named),
          exec: tallyJson(r.overall.exec, 'command'),
          paths: tallyJson(r.overall.paths, 'path'),
          hosts: tallyJson(r.overall.hosts, 'host'),
          more: { exec: r.overall.exec.more, paths: r.overall.paths.more, hosts: r.overall.hosts.more },
        },
        senders: r.senders.map((s) => ({
          channel: s.channel,
          sender: s.sender,
          messages: { session: s.session, log: s.log, refused: s.refused },
          ...(s.first !== undefined ? { first: s.first, last: s.last } : {}),
          allowed: s.allowed ?? null,
        })),
        memory: r.memory,
        cron: r.cron,
        logCalls: { read: r.logCallsRead, count: r.logCalls },
        workspaceReview: r.workspaceReview,
        skipped: r.skipped,
        olderFiles: r.older,
        findings: r.findings.map(publicFinding),
        omitted: r.omitted,
        summary: counts,
      },
      null,
      2,
    ) + '\n'
  );
}

/** `root`: what locations are relative to (the current directory, as for the audit); history files outside it keep their file URI. */
export function renderActivitySarif(r: ActivityResult, summary: Summary, root: string): string {
  return sarifLog(r.findings, [], { command: 'activity', nanobot: r.nanobot, since: r.since ?? null, config: r.config, failed: summary.failed }, root);
}

/** ", from A to B", to the minute, or ", at A" when that is the same minute. */
function span(first: string, last: string): string {
  const a = first.replace('T', ' ').slice(0, 16);
  const b = last.replace('T', ' ').slice(0, 16);
  return a === b ? `, at ${a}` : `, ${a} to ${b}`;
}

function list(t: Tally, limit: number, show: (text: string) => string): string {
  const all = t.list();
  const shown = all.slice(0, limit).map((e) => `${show(e.text)}${e.count > 1 ? ` ×${e.count}` : ''}`);
  const rest = all.length - shown.length + t.more;
  return shown.join(' · ') + (rest > 0 ? ` · and ${rest} more` : '');
}

const showPath = (text: string): string => {
  const { op, path } = pathEntry(text);
  return `${op} ${path}`;
};

export function renderActivityText(r: ActivityResult, summary: Summary, o: ActivityReportOptions): string {
  const s = styler(o.color);
  const out: string[] = [];
  const limit = o.full ? Infinity : 5;
  out.push(`${s('bold', 'harden activity')} · ${nanobotLine(r.nanobot)} · ${r.since !== undefined ? `since ${r.since}` : 'all of the history'}`);
  out.push(`  config ${displayPath(r.config, o.cwd)} · workspace ${displayPath(r.workspace, o.cwd)}`);
  const read = r.dirs.filter((d) => d.files > 0).map((d) => `${d.label} ${displayPath(d.path, o.cwd)} (${plural(d.files, 'file')})`);
  out.push(`  read: ${read.length > 0 ? read.join(' · ') : 'no history files'}`);
  if (r.logCallsRead && r.logCalls > 0) {
    const why = r.sessions.some((x) => x.unrecorded > 0) ? 'the sessions keep tool names only' : 'no session read holds tool calls';
    out.push(`  tool calls: ${plural(r.logCalls, 'call')} read from the log, which cuts their arguments at 200 characters (${why})`);
  }
  if (r.older > 0) out.push(`  ${plural(r.older, 'session file')} with nothing newer than --since left out`);

  const active = r.sessions.filter((x) => x.messages > 0 || x.tools.total > 0 || x.named.total > 0);
  out.push('', s('bold', `Sessions (${active.length} with activity; ${plural(r.messages, 'message')}, ${plural(r.calls, 'tool call')})`));
  for (const x of active) {
    const when = x.first === undefined ? '' : span(x.first, x.last!);
    out.push(`  ${s('bold', x.key)}  ${plural(x.messages, 'message')}${when}${x.findings > 0 ? s('red', `, ${plural(x.findings, 'finding')}`) : ''}`);
    if (x.tools.total > 0) out.push(`    tools: ${list(x.tools, Infinity, (t) => t)}`);
    if (x.named.total > 0) out.push(`    tools named by the history, without arguments: ${list(x.named, Infinity, (t) => t)}`);
    if (x.exec.total > 0) out.push(`    exec:  ${list(x.exec, limit, (t) => `\`${t}\``)}`);
    if (x.paths.total > 0) out.push(`    files: ${list(x.paths, limit, showPath)}`);
    if (x.hosts.total > 0) out.push(`    hosts: ${list(x.hosts, limit, (t) => t)}`);
  }
  if (!o.full && active.some((x) => x.exec.counts.size + x.exec.more > limit || x.paths.counts.size + x.paths.more > limit))
    out.push(s('dim', '  (--session KEY lists everything one session did)'));

  if (r.calls > 0 && active.length > 1) {
    out.push('', s('bold', 'Over all'));
    out.push(`  tools: ${list(r.overall.tools, Infinity, (t) => t)}`);
    if (r.overall.hosts.total > 0) out.push(`  hosts: ${list(r.overall.hosts, o.full ? Infinity : 20, (t) => t)}`);
  }

  if (r.senders.length > 0) {
    out.push('', s('bold', 'Senders'));
    for (const x of r.senders) {
      const counts = [
        x.session > 0 ? `${plural(x.session, 'message')} in its session` : '',
        x.log > 0 ? `${plural(x.log, 'message')} in the log` : '',
        x.refused > 0 ? `${x.refused} refused` : '',
      ]
        .filter(Boolean)
        .join(', ');
      const state = x.allowed === false ? s('red', 'not in the allow list') : x.allowed === true ? 'allowed' : 'no allow list for this channel';
      out.push(`  ${x.channel} ${x.sender}: ${counts}${x.first !== undefined ? span(x.first, x.last!) : ''} · ${state}`);
    }
  }
  if (r.cron.length > 0) {
    out.push('', s('bold', 'Cron changes (cron/action.jsonl)'));
    for (const c of r.cron) out.push(`  ${c.action} ${c.job} (${c.schedule})${c.message ? `: ${c.message}` : ''}`);
  }
  const ws = r.workspaceReview;
  if (ws.exists && r.workspaceReview.changed > 0) {
    const changed = ws.files.filter((f) => f.kind !== 'link-outside' && f.kind !== 'hidden');
    out.push('', s('bold', `Workspace: ${plural(ws.changed, 'file')} changed since ${ws.since}`));
    for (const f of changed.slice(0, o.full ? undefined : 20)) {
      const w = f.writer ? ` · written by ${f.writer.session} (${f.writer.tool}, ${displayPath(f.writer.file, o.cwd)}:${f.writer.line})` : '';
      out.push(`  ${displayPath(f.path, ws.root)}  ${f.modified}${f.kind === 'changed' ? '' : ` · ${f.kind}`}${w}`);
    }
    if (!o.full && changed.length > 20) out.push(`  and ${changed.length - 20} more (--format json lists them)`);
  }
  if (ws.truncated) out.push(s('dim', `  (the workspace has more than 200,000 entries; the rest was not looked at)`));
  for (const m of r.memory)
    if (m.entries > 0)
      out.push('', `${displayPath(m.file, o.cwd)}: ${plural(m.entries, 'entry')}${m.raw > 0 ? ` (${m.raw} raw)` : ''}, summaries without tool arguments`);

  out.push('', s('bold', 'Findings'));
  for (const severity of SEVERITIES) {
    const group = r.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push('', s(SEVERITY_STYLE[severity], s('bold', `${severity.toUpperCase()} (${group.length})`)));
    for (const f of group) {
      const where = f.line !== undefined ? `${displayPath(f.file, o.cwd)}:${f.line}:${f.column ?? 1}` : displayPath(f.file, o.cwd);
      out.push(`  ${where}  ${s('dim', f.ruleId)}${f.waived ? s('dim', `  (waived until ${f.waived.expires}: ${f.waived.reason})`) : ''}`);
      if (f.event) out.push(`    ${s('cyan', [f.event.session, f.event.time].filter(Boolean).join(' · '))}`);
      out.push(`    ${f.message}`);
      const fix = RULES[f.ruleId]?.fix;
      if (fix) out.push(`    ${s('cyan', 'to do:')} ${fix.text}`);
    }
  }
  out.push('');
  const omitted = Object.entries(r.omitted);
  if (summary.total === 0) out.push(s('green', r.calls > 0 || r.messages > 0 ? 'Nothing the rules look for.' : 'No activity in the history read.'));
  else {
    const counts = SEVERITIES.filter((sev) => summary.bySeverity[sev] > 0).map((sev) => `${summary.bySeverity[sev]} ${sev}`);
    out.push(`${plural(summary.total, 'finding')}: ${counts.join(', ')}${summary.waived > 0 ? ` (${summary.waived} waived; those do not count)` : ''}.`);
  }
  if (omitted.length > 0)
    out.push(`Not listed (past 20 per rule and session, or 5,000 in all), but counted: ${omitted.map(([id, n]) => `${id} ×${n}`).join(', ')}.`);
  return out.join('\n') + '\n';
}
