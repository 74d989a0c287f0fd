// The rest of what nanobot keeps: memory/history.jsonl, cron's action.jsonl and the WebUI
// transcripts. Each is JSONL and read line by line like a session.
//
// - history.jsonl (0.1.5+, agent/memory.py append_history): {"cursor", "timestamp": "YYYY-MM-DD
//   HH:MM", "content", "session_key"?}; the content is a summary the model wrote, or "[RAW] n
//   messages" with the messages as text when summarising failed. No tool arguments: counted only.
// - action.jsonl (0.1.5.post1+, cron/service.py _append_action): {"action": "add"|"del"|"update",
//   "params": <the job: id, name, schedule {kind, at_ms, every_ms, expr, tz}, payload {message, ...},
//   created_at_ms, updated_at_ms>}; nanobot empties it when it merges it into jobs.json.
// - WebUI transcripts (0.2.0+, webui_transcript.py / webui/transcript.py): what the WebUI was
//   sent, one event a line ({"event": "user" | "message" | "delta" | ...}); "message" events carry
//   "tool_events": [{"phase": "start"|"end"|"error", "call_id", "name", "arguments", "result"}].
//   The same turns are in the websocket session's own file, so a transcript is read only when
//   that session file is gone.
import { closeSync, fstatSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ToolCall } from './calls.js';
import { shown } from './collect.js';
import type { HistoryFile } from './locate.js';
import { emitCall, isErrorResult, type Pending, type ScanContext } from './scan.js';
import { streamLines, trimmed } from './lines.js';
import { timeMs } from './since.js';
import { textOf } from '../config/text.js';

export interface MemorySummary {
  file: string;
  entries: number;
  /** Entries that are raw dumps of messages ("[RAW]"). */
  raw: number;
  first?: string;
  last?: string;
}

export interface CronChange {
  file: string;
  line: number;
  action: string;
  job: string;
  schedule: string;
  message: string;
  time?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Each JSON object line of a history file, parsed; bad lines are reported as skipped. */
function eachObject(file: HistoryFile, ctx: ScanContext, visit: (o: Record<string, unknown>, line: number) => void): void {
  let fd: number;
  try {
    fd = file.dir.openFile(file.name);
  } catch (error) {
    ctx.skip(file.path, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return ctx.skip(file.path, undefined, 'it is not a regular file');
    if (ctx.since !== undefined && info.mtimeMs < ctx.since) return;
    streamLines(fd, {
      line(buf, s0, e0, n, _offset, last) {
        const [s, e] = trimmed(buf, s0, e0);
        if (s === e) return;
        try {
          const v: unknown = JSON.parse(buf.toString('utf8', s, e));
          if (isObject(v)) visit(v, n);
          else ctx.skip(file.path, n, 'not a JSON object');
        } catch {
          ctx.skip(file.path, n, last ? 'the last line is cut off' : 'not valid JSON');
        }
      },
      tooLong(n) {
        ctx.skip(file.path, n, 'the line is longer than 64 MiB');
      },
    });
  } finally {
    closeSync(fd);
  }
}

const inWindow = (ctx: ScanContext, time: string | undefined): boolean => ctx.since === undefined || time === undefined || !(timeMs(time) < ctx.since);

export function scanMemory(file: HistoryFile, ctx: ScanContext): MemorySummary {
  const out: MemorySummary = { file: file.path, entries: 0, raw: 0 };
  eachObject(file, ctx, (o) => {
    const time = typeof o['timestamp'] === 'string' ? o['timestamp'] : undefined;
    if (!inWindow(ctx, time)) return;
    out.entries++;
    if (typeof o['content'] === 'string' && o['content'].startsWith('[RAW]')) out.raw++;
    if (time !== undefined) {
      if (out.first === undefined || time < out.first) out.first = time;
      if (out.last === undefined || time > out.last) out.last = time;
    }
  });
  return out;
}

const localTime = (ms: unknown): string | undefined => {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
};

function scheduleText(s: unknown): string {
  if (!isObject(s)) return '?';
  const get = (camel: string, snake: string) => s[camel] ?? s[snake];
  if (s['kind'] === 'cron') return `cron ${textOf(s['expr'] ?? '?')}${s['tz'] ? ` (${textOf(s['tz'])})` : ''}`;
  if (s['kind'] === 'every') return `every ${Math.round(Number(get('everyMs', 'every_ms')) / 1000)} s`;
  if (s['kind'] === 'at') return `at ${localTime(get('atMs', 'at_ms'))?.replace('T', ' ') ?? '?'}`;
  return textOf(s['kind'] ?? '?');
}

export function scanCron(file: HistoryFile, ctx: ScanContext, out: CronChange[]): void {
  eachObject(file, ctx, (o, line) => {
    const params = isObject(o['params']) ? o['params'] : {};
    const time = localTime(params['updated_at_ms'] ?? params['updatedAtMs'] ?? params['created_at_ms'] ?? params['createdAtMs']);
    if (!inWindow(ctx, time) || out.length >= 200) return;
    const payload = isObject(params['payload']) ? params['payload'] : {};
    out.push({
      file: file.path,
      line,
      action: textOf(o['action'] ?? '?'),
      job: shown(textOf(params['name'] ?? params['id'] ?? params['job_id'] ?? '?'), 80),
      schedule: shown(scheduleText(params['schedule']), 80),
      message: shown(typeof payload['message'] === 'string' ? payload['message'] : '', 160),
      ...(time !== undefined ? { time } : {}),
    });
  });
}

/** The session key of a transcript: its file stem (or its segments directory) is safe_key(key). */
function transcriptKey(file: HistoryFile): string {
  const stem = file.path.includes('.segments/') ? basename(dirname(file.path), '.segments') : basename(file.name, '.jsonl');
  return stem.startsWith('websocket_') ? `websocket:${stem.slice('websocket_'.length)}` : stem;
}

export function scanTranscript(file: HistoryFile, ctx: ScanContext): boolean {
  const key = transcriptKey(file);
  if (ctx.keys.has(key) || (ctx.only !== undefined && ctx.only !== key)) return false;
  const s = ctx.col.session(key, file.path);
  const pending = new Map<string, Pending>();
  eachObject(file, ctx, (o, line) => {
    const event = o['event'];
    if (event === 'user') return ctx.col.message(s, undefined);
    if (event !== 'message' || !Array.isArray(o['tool_events'])) return;
    for (const ev of o['tool_events']) {
      if (!isObject(ev) || typeof ev['name'] !== 'string') continue;
      const id = typeof ev['call_id'] === 'string' ? ev['call_id'] : undefined;
      if (ev['phase'] === 'start') {
        const call: ToolCall = { name: ev['name'], args: isObject(ev['arguments']) ? ev['arguments'] : undefined, ...(id !== undefined ? { id } : {}) };
        const a = ctx.analyzer.analyze(call);
        ctx.col.call(s, call.name, a, { file: file.path, line });
        if (a.hits.length === 0) continue;
        const p: Pending = { call, hits: a.hits, line, shown: a.shown };
        if (id !== undefined) pending.set(id, p);
        else emitCall(ctx, s, file.path, p, 'none');
      } else if (id !== undefined && pending.has(id)) {
        const p = pending.get(id)!;
        pending.delete(id);
        const failed = ev['phase'] === 'error' || (typeof ev['result'] === 'string' && isErrorResult(ev['result']));
        emitCall(ctx, s, file.path, p, failed ? 'error' : 'ok');
      }
    }
  });
  for (const p of pending.values()) emitCall(ctx, s, file.path, p, 'none');
  return true;
}
