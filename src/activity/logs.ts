// nanobot's log, as loguru writes it to stderr (and `gateway --background` to logs/*.log).
// Up to 0.1.5.post3 loguru's default format: "2026-02-18 10:00:00.123 | INFO     |
// nanobot.agent.loop:_process_message:295 - <message>"; from 0.2.0 nanobot's own (cli/commands.py):
// "2026-02-18 10:00:00 | INFO  | <channel or -> | <message>". The lines read (agent/loop.py,
// agent/progress_hook.py, channels/base.py at each tag):
//   "Tool call: <name>(<arguments as JSON, cut at 200 characters>)"            0.1.3.post5 and later
//   "Processing message from <channel>:<sender_id>: <preview>"                  every release (0.1.3.post4: no preview)
//   "Access denied for sender <id> on channel <name>. ..." (0.2.0+: "Access denied for sender <id>.", the channel in the column)
// The sender id is the channel's (telegram "id|username", an e-mail address, a WhatsApp JID).
import { closeSync, fstatSync } from 'node:fs';
import type { HistoryFile } from './locate.js';
import { emitCall, type ScanContext } from './scan.js';
import { streamLines } from './lines.js';
import { timeMs } from './since.js';
import { senderOfChat } from './senders.js';

const LINE = /^(?:\u001b\[[0-9;]*m)*(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:\u001b\[[0-9;]*m)* \| (.*)$/;
const DEFAULT_FORMAT = /^[A-Z]+\s*\| [\w.]+:[\w<>]+:\d+ - (.*)$/;
const NANOBOT_FORMAT = /^[A-Z]+\s*\| (\S+)\s*\| (.*)$/;
const TOOL_CALL = /^Tool call: ([\w.-]+)\((.*)\)$/;
const PROCESSING = /^Processing message from ([\w-]+):(.+?)(?:: |$)/;
const DENIED = /^Access denied for sender (\S+?)(?: on channel ([\w-]+))?\.(?:\s|$)/;
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * The session a logged message belongs to: the private chat of its sender on the channels whose
 * private chats are named by the sender (the same key as the session file), else the sender
 * marked as seen in the log.
 */
function sessionOf(current: { channel: string; sender: string } | undefined): string {
  if (!current) return 'the log, before any message';
  const id = current.channel === 'telegram' ? current.sender.split('|')[0]! : current.sender;
  return senderOfChat(current.channel, id) !== undefined ? `${current.channel}:${id}` : `${current.channel} sender ${id} (log)`;
}

export interface LogOptions {
  /** Read tool calls from the log: the sessions keep no arguments (before 0.1.4.post2). */
  calls: boolean;
}

export function scanLog(file: HistoryFile, ctx: ScanContext, options: LogOptions): { calls: number } {
  let fd: number;
  try {
    fd = file.dir.openFile(file.name);
  } catch (error) {
    ctx.skip(file.path, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return { calls: 0 };
  }
  let calls = 0;
  try {
    if (!fstatSync(fd).isFile()) {
      ctx.skip(file.path, undefined, 'it is not a regular file');
      return { calls: 0 };
    }
    // The message each later tool call belongs to: the agent loop took one message at a time.
    let current: { channel: string; sender: string } | undefined;
    streamLines(fd, {
      line(buf, start, end, n) {
        // Only lines that start with a date are log records; the rest continue a traceback.
        if (end - start < 24 || (buf[start + 4] !== 45 /* - */ && buf[start] !== 27)) return;
        const m = LINE.exec(buf.toString('utf8', start, end));
        if (!m) return;
        const time = m[1]!;
        const rest = m[2]!.replace(ANSI, '');
        let channel: string | undefined;
        let message: string;
        const d = DEFAULT_FORMAT.exec(rest);
        if (d) message = d[1]!;
        else {
          const c = NANOBOT_FORMAT.exec(rest);
          if (!c) return;
          channel = c[1] === '-' ? undefined : c[1];
          message = c[2]!;
        }
        if (ctx.since !== undefined && timeMs(time) < ctx.since) return;
        const at = { file: file.path, line: n, time };
        const p = PROCESSING.exec(message);
        if (p) {
          current = { channel: p[1]!, sender: p[2]! };
          ctx.col.sender(p[1]!, p[2]!, 'log', at);
          // Messages of a session whose own file was read are counted there.
          const key = sessionOf(current);
          if (options.calls && !ctx.keys.has(key)) ctx.col.message(ctx.col.session(key, file.path), time);
          return;
        }
        const denied = DENIED.exec(message);
        if (denied) {
          const ch = denied[2] ?? channel;
          if (ch !== undefined) ctx.col.sender(ch, denied[1]!, 'refused', at);
          return;
        }
        const t = options.calls ? TOOL_CALL.exec(message) : null;
        if (!t) return;
        const session = sessionOf(current);
        if (ctx.only !== undefined && ctx.only !== session) return;
        calls++;
        let args: Record<string, unknown> | undefined;
        try {
          const v: unknown = JSON.parse(t[2]!);
          if (v !== null && typeof v === 'object' && !Array.isArray(v)) args = v as Record<string, unknown>;
        } catch {
          // cut at 200 characters: read what is there
        }
        const call = { name: t[1]!, args, ...(args === undefined ? { raw: t[2]! } : {}) };
        const a = ctx.analyzer.analyze(call, t[2]);
        const s = ctx.col.session(session, file.path);
        ctx.col.call(s, call.name, a, at);
        if (a.hits.length > 0) emitCall(ctx, s, file.path, { call, hits: a.hits, line: n, time, shown: a.shown }, 'log');
      },
      tooLong() {
        // a log record is never this long; nothing to read in it
      },
    });
  } finally {
    closeSync(fd);
  }
  return { calls };
}
