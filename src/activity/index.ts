// The activity review: nanobot's histories and workspace -> findings and a listing of what the
// agent did. It never prints; the CLI picks a reporter. The config is read by the caller (the
// same reading as the audit's) and handed over as plain facts.
import { join } from 'node:path';
import { atLeast, nanobotInfo, type NanobotInfo, type VersionTraits } from '../config/version.js';
import { ConfigAccessError } from '../errors.js';
import { compareFindings, type Finding } from '../findings/index.js';
import { Dir } from '../io/place.js';
import { Analyzer, Collector, type SenderSummary, type SessionSummary } from './collect.js';
import { locate, readSmall, type Located, type SourceDir } from './locate.js';
import { scanLog } from './logs.js';
import { scanCron, scanMemory, scanTranscript, type CronChange, type MemorySummary } from './others.js';
import { detector, type Instance } from './rules.js';
import { scanSession, type ScanContext } from './scan.js';
import { allowLists, isAllowed } from './senders.js';
import { formatLocal, showTime } from './since.js';
import { reviewWorkspace, workspaceFindings, type WorkspaceReview } from './workspace.js';

export interface ActivityOptions {
  config: string;
  /** The effective config (as the audit's model makes it). */
  value: Record<string, unknown>;
  traits: VersionTraits;
  workspace: string;
  dataDir: string;
  /** nanobot's home (~ in the agent's paths). */
  home: string;
  restrict: boolean;
  /** The config's secret values with their fields: never printed, looked for in calls. */
  secrets: readonly { field: string; value: string }[];
  since?: { ms: number; label: string };
  session?: string;
  /** Distinct commands, paths and hosts kept per session (more with --session). */
  perSession?: number;
  now?: number;
}

export interface SkippedLine {
  file: string;
  line?: number;
  why: string;
}

export interface ActivityResult {
  config: string;
  workspace: string;
  nanobot: NanobotInfo;
  since?: string;
  dirs: SourceDir[];
  missing: string[];
  sessions: SessionSummary[];
  overall: Collector['overall'];
  calls: number;
  messages: number;
  senders: (SenderSummary & { allowed: boolean | undefined })[];
  memory: MemorySummary[];
  cron: CronChange[];
  logCalls: number;
  /** Whether tool calls were taken from the logs (the sessions keep no arguments). */
  logCallsRead: boolean;
  skipped: SkippedLine[];
  /** Session files left out because nothing in them is newer than --since. */
  older: number;
  workspaceReview: WorkspaceReview;
  findings: Finding[];
  omitted: Record<string, number>;
}

const DEFAULT_REVIEW_DAYS = 7;

function instanceOf(o: ActivityOptions): Instance {
  const servers = new Map<string, { url?: string; command?: string }>();
  const mcp = (o.value['tools'] as Record<string, unknown> | undefined)?.['mcpServers'];
  if (mcp !== null && typeof mcp === 'object') {
    for (const [name, v] of Object.entries(mcp as Record<string, unknown>)) {
      const s = (v ?? {}) as Record<string, unknown>;
      servers.set(name, { ...(typeof s['url'] === 'string' ? { url: s['url'] } : {}), ...(typeof s['command'] === 'string' ? { command: s['command'] } : {}) });
    }
  }
  return {
    config: o.config,
    dataDir: o.dataDir,
    workspace: o.workspace,
    home: o.home,
    mcp: servers,
    relativeToWorkspace: atLeast(o.traits.version, '0.1.4.post1'),
    restrict: o.restrict,
    restrictExecOnly: o.traits.restrictInExecOnly,
    secrets: o.secrets,
  };
}

function pairingOf(dataDir: string): Record<string, unknown> | undefined {
  let dir: Dir | undefined;
  try {
    dir = Dir.open(dataDir);
    const text = readSmall(dir, 'pairing.json', 16 << 20);
    const v: unknown = text === undefined ? undefined : JSON.parse(text);
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  } finally {
    dir?.close();
  }
}

function noHistory(o: ActivityOptions, found: Located): never {
  const places = [...new Set(found.missing.filter((p) => /sessions|logs/.test(p)))];
  throw new ConfigAccessError(
    o.config,
    `no nanobot history for ${o.config}: none of ${places.join(', ')} exists (nanobot has not run with this config, or its workspace is elsewhere: agents.defaults.workspace)`,
  );
}

export function activity(o: ActivityOptions): ActivityResult {
  const inst = instanceOf(o);
  const det = detector(inst);
  const col = new Collector(o.traits, o.perSession ?? (o.session !== undefined ? 1000 : 100));
  const found = locate({ dataDir: o.dataDir, workspace: o.workspace, home: o.home });
  try {
    const logs = found.files.filter((f) => f.kind === 'log');
    // Nothing there at all is unusable input; a directory there but not read is reported below.
    if (found.sessionDirs === 0 && logs.length === 0 && found.skipped.length === 0) noHistory(o, found);
    const skipped: SkippedLine[] = found.skipped.map((s) => ({ file: s.path, why: s.why }));
    const ctx: ScanContext = {
      inst,
      det,
      col,
      analyzer: new Analyzer(inst, det),
      ...(o.since !== undefined ? { since: o.since.ms } : {}),
      ...(o.session !== undefined ? { only: o.session } : {}),
      skip: (file, line, why) => {
        if (skipped.length < 10_000) skipped.push({ file, ...(line !== undefined ? { line } : {}), why });
      },
      keys: new Set(),
      sawArguments: false,
      older: 0,
    };
    for (const f of found.files) if (f.kind === 'session') scanSession(f, ctx);
    for (const f of found.files) if (f.kind === 'webui') scanTranscript(f, ctx);
    const memory = found.files.filter((f) => f.kind === 'memory').map((f) => scanMemory(f, ctx));
    const cron: CronChange[] = [];
    for (const f of found.files) if (f.kind === 'cron') scanCron(f, ctx, cron);
    // Before 0.1.4.post2 the sessions keep no arguments, and the log is the only record of them.
    const logCallsRead = !atLeast(o.traits.version, '0.1.4.post2') || !ctx.sawArguments;
    let logCalls = 0;
    for (const f of logs) logCalls += scanLog(f, ctx, { calls: logCallsRead }).calls;

    col.finish();
    const sessions = [...col.sessions.values()];
    const unrecorded = sessions.filter((s) => s.unrecorded > 0);
    // Only when no log made up for it: then the arguments cannot be reviewed at all.
    if (unrecorded.length > 0 && logCalls === 0) {
      const uses = unrecorded.reduce((n, s) => n + s.unrecorded, 0);
      col.add(
        'activity-args-not-recorded',
        {
          detail: `${uses} tool use${uses === 1 ? '' : 's'} in ${unrecorded.length} session${unrecorded.length === 1 ? '' : 's'} ${uses === 1 ? 'is' : 'are'} recorded by name only (nanobot up to 0.1.4.post1 keeps no arguments), and no log in ${join(o.dataDir, 'logs')} holds the calls`,
        },
        { file: unrecorded[0]!.files[0]! },
        undefined,
      );
    }

    // Lines and files not read, one finding per file.
    const perFile = new Map<string, SkippedLine[]>();
    for (const s of skipped) perFile.set(s.file, [...(perFile.get(s.file) ?? []), s]);
    for (const [file, list] of perFile) {
      const lines = list.filter((s) => s.line !== undefined);
      const detail =
        lines.length === 0
          ? `${file} was not read: ${list[0]!.why}`
          : `${lines.length} line${lines.length === 1 ? '' : 's'} of ${file} skipped: ${lines
              .slice(0, 5)
              .map((s) => `line ${s.line} (${s.why})`)
              .join(', ')}${lines.length > 5 ? ', ...' : ''}`;
      col.add('activity-history-skipped', { detail }, { file, ...(lines[0]?.line !== undefined ? { line: lines[0].line } : {}) }, undefined, undefined, file);
    }

    // Senders the current allow lists do not name.
    const allow = allowLists(o.value, o.traits, pairingOf(o.dataDir));
    const senders = [...col.senders.values()]
      .filter((s) => o.session === undefined || o.session === `${s.channel}:${s.sender.split('|')[0]}`)
      .map((s) => {
        const list = allow.get(s.channel);
        return { ...s, allowed: list === undefined ? undefined : isAllowed(list, s.channel, s.sender) };
      });
    for (const s of senders) {
      if (s.allowed !== false || s.session + s.log === 0) continue;
      const n = Math.max(s.session, s.log);
      const when =
        s.first === undefined
          ? ''
          : showTime(s.first) === showTime(s.last)
            ? ` at ${showTime(s.first)}`
            : ` between ${showTime(s.first)} and ${showTime(s.last)}`;
      col.add(
        'activity-unknown-sender',
        {
          detail: `${s.channel} sender ${s.sender} sent ${n} message${n === 1 ? '' : 's'} nanobot answered${when}; ${allow.get(s.channel)!.where} does not name them now, nor does pairing.json`,
        },
        s.at,
        { session: `${s.channel}:${s.sender.split('|')[0]}` },
        undefined,
        `${s.channel}\0${s.sender}`,
      );
    }

    const now = o.now ?? Date.now();
    const reviewSince = o.since ?? {
      ms: now - DEFAULT_REVIEW_DAYS * 86_400_000,
      label: `${formatLocal(now - DEFAULT_REVIEW_DAYS * 86_400_000)} (the last ${DEFAULT_REVIEW_DAYS} days)`,
    };
    const workspaceReview = reviewWorkspace(o.workspace, reviewSince.ms, reviewSince.label, col);
    if (o.session === undefined) workspaceFindings(workspaceReview, col);

    return {
      config: o.config,
      workspace: o.workspace,
      nanobot: nanobotInfo(o.traits),
      ...(o.since !== undefined ? { since: o.since.label } : {}),
      dirs: found.dirs,
      missing: found.missing,
      sessions: sessions.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      overall: col.overall,
      calls: col.calls,
      messages: col.messages,
      senders: senders.sort((a, b) => (a.channel + a.sender < b.channel + b.sender ? -1 : 1)),
      memory,
      cron,
      logCalls,
      logCallsRead,
      skipped,
      older: ctx.older,
      workspaceReview,
      findings: col.findings.sort(compareFindings),
      omitted: Object.fromEntries(col.omitted),
    };
  } finally {
    found.close();
  }
}
