// One pass over a session file. The format, from nanobot's session/manager.py and agent/loop.py at
// each tag: a first line {"_type": "metadata", "created_at", "updated_at", "metadata",
// "last_consolidated" (0.1.4+), "key" (0.1.4.post2+)}, then one message per line as
// json.dumps wrote it: {"role", "content", "timestamp", ...}. Up to 0.1.4.post1 only the user's
// message and the final answer are kept, the answer with "tools_used": [names] from 0.1.3.post7
// on; from 0.1.4.post2 (_save_turn) every message of a turn is kept: assistant messages with
// "tool_calls": [{"id", "type": "function", "function": {"name", "arguments": "<JSON text>"}}],
// and "role": "tool" results with "tool_call_id", "name" and "content" (truncated by nanobot).
// main adds {"_type": "provider_state"} lines, which are opaque. Lines are written whole but not
// atomically up to 0.2.x, so a crash can cut the last one.
//
// Speed: most of a history's bytes are tool results, which only matter when a dangerous call
// follows them. A line's role is read from its first bytes; only metadata, assistant messages
// with tool calls and the results of the current turn (when a dangerous call needs them) are
// parsed. Every other line is checked to be one JSON object ({ ... }) but not parsed.
import { closeSync, fstatSync, readSync } from 'node:fs';
import type { ToolCall } from './calls.js';
import type { Analyzer, Collector, SenderSummary, SessionSummary } from './collect.js';
import { keyFromName, type HistoryFile } from './locate.js';
import { DANGEROUS, type Detector, type Hit, type Instance } from './rules.js';
import { senderOfChat } from './senders.js';
import { streamLines } from './lines.js';
import { showTime, timeMs } from './since.js';

export interface ScanContext {
  inst: Instance;
  det: Detector;
  col: Collector;
  analyzer: Analyzer;
  since?: number;
  /** --session KEY. */
  only?: string;
  /** A line (or a whole file) that was not read, and why. */
  skip(file: string, line: number | undefined, why: string): void;
  /** Session keys read from session files (the WebUI transcripts of others are read instead). */
  keys: Set<string>;
  /** Whether any session line held tool calls with arguments. */
  sawArguments: boolean;
  /** Files left out because nothing in them is newer than --since. */
  older: number;
}

const TOOL_KEY = Buffer.from('"tool');
const TIMESTAMP = Buffer.from('"timestamp"');
const TOOL_CALL_ID = Buffer.from('"tool_call_id"');
const CONTENT = Buffer.from('"content"');
const QUOTE = Buffer.from('"');
/** How json.dumps starts every message nanobot keeps: the role first. */
const ROLE_PREFIX = Buffer.from('{"role": "');
const TYPE_PREFIX = Buffer.from('{"_type": "');

/** The string value after a key found at `at` ("key": "value"), or undefined. */
function valueAfter(buf: Buffer, at: number, keyLength: number, end: number): string | undefined {
  let i = at + keyLength;
  while (i < end && (buf[i] === 32 || buf[i] === 58)) i++;
  if (buf[i] !== 34 || i + 1 >= end) return undefined;
  const close = find(buf, QUOTE, i + 1, end);
  if (close < 0 || buf[close - 1] === 92) return undefined;
  return buf.toString('utf8', i + 1, close);
}

function find(buf: Buffer, needle: Buffer, start: number, end: number, fromEnd = false): number {
  const part = buf.subarray(start, end);
  const at = fromEnd ? part.lastIndexOf(needle) : part.indexOf(needle);
  return at < 0 ? -1 : start + at;
}

function startsWith(buf: Buffer, start: number, end: number, prefix: Buffer): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

const ROLE = Buffer.from('"role"');
const TYPE = Buffer.from('"_type"');

/**
 * The role of a message line from its first bytes: u(ser), a(ssistant), t(ool), s(ystem),
 * m(etadata or another "_type" record), 0 when the first bytes do not say (then it is parsed).
 */
function sniff(buf: Buffer, start: number, end: number): number {
  if (startsWith(buf, start, end, ROLE_PREFIX)) return buf[start + ROLE_PREFIX.length] ?? 0;
  if (startsWith(buf, start, end, TYPE_PREFIX)) return 0x6d;
  // Other spacing (a compact writer): look in the first bytes.
  const head = Math.min(end, start + 48);
  const r = find(buf, ROLE, start, head);
  if (r >= 0) {
    let i = r + ROLE.length;
    while (i < end && (buf[i] === 32 || buf[i] === 58)) i++;
    return buf[i] === 34 ? (buf[i + 1] ?? 0) : 0;
  }
  return find(buf, TYPE, start, head) >= 0 ? 0x6d : 0;
}

/**
 * The timestamp of a message: nanobot adds it last ("timestamp": "2026-11-21T03:12:45.123456"}),
 * so the end of the line is looked at first.
 */
const STAMP_LENGTHS = [26, 19];

function timestampOf(buf: Buffer, start: number, end: number): string | undefined {
  for (const len of STAMP_LENGTHS) {
    const at = end - 2 - len - 15;
    if (at > start && buf[end - 2] === 34 && buf[at] === 34 && buf[at + 1] === 116 /* t */ && startsWith(buf, at, end, TIMESTAMP))
      return buf.toString('latin1', end - 2 - len, end - 2);
  }
  const t = find(buf, TIMESTAMP, start, end, true);
  return t >= 0 ? valueAfter(buf, t, TIMESTAMP.length, end) : undefined;
}

export interface Pending {
  call: ToolCall;
  hits: Hit[];
  line: number;
  time?: string;
  shown: string;
}

const TURN_RESULTS = 16;

/** A tool call as stored, its arguments not yet parsed (most calls repeat one already analysed). */
export interface StoredCall {
  name: string;
  id?: string;
  /** The arguments as nanobot stored them: a JSON text, or an object. */
  args: unknown;
}

export function parseArguments(raw: unknown): { args: Record<string, unknown> | undefined; raw?: string } {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) return { args: raw as Record<string, unknown> };
  if (typeof raw !== 'string') return { args: undefined };
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? { args: v as Record<string, unknown> } : { args: undefined, raw };
  } catch {
    return { args: undefined, raw };
  }
}

/** Tool calls of an assistant message, as nanobot stored them. */
export function storedCalls(message: Record<string, unknown>): StoredCall[] {
  const list = message['tool_calls'];
  if (!Array.isArray(list)) return [];
  const out: StoredCall[] = [];
  for (const tc of list) {
    if (tc === null || typeof tc !== 'object') continue;
    const fn = (tc as Record<string, unknown>)['function'];
    const f = fn !== null && typeof fn === 'object' ? (fn as Record<string, unknown>) : (tc as Record<string, unknown>);
    const name = f['name'];
    if (typeof name !== 'string' || name === '') continue;
    const id = (tc as Record<string, unknown>)['id'];
    out.push({ name, args: f['arguments'], ...(typeof id === 'string' ? { id } : {}) });
  }
  return out;
}

/** A stored call with its arguments parsed. */
export function toolCall(c: StoredCall): ToolCall {
  return { name: c.name, ...parseArguments(c.args), ...(c.id !== undefined ? { id: c.id } : {}) };
}

/** The text of a message's content: a string, or the text blocks of a list. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b) =>
      b !== null && typeof b === 'object' && typeof (b as Record<string, unknown>)['text'] === 'string'
        ? ((b as Record<string, unknown>)['text'] as string)
        : '',
    )
    .join('\n');
}

export function isErrorResult(text: string): boolean {
  return /^\s*(?:Error\b|\[?error\]?:)/i.test(text);
}

/** Report a call's findings once its result (or the next message) is known. */
export function emitCall(ctx: ScanContext, s: SessionSummary, file: string, p: Pending, outcome: 'ok' | 'error' | 'none' | 'log'): void {
  const suffix = {
    error: ' (the tool answered with an error)',
    ok: ' (it ran)',
    none: ' (no result was recorded)',
    log: ' (from the log, which keeps no results)',
  }[outcome];
  for (const h of p.hits) {
    ctx.col.add(
      h.ruleId,
      { call: p.shown, detail: h.detail, outcome: suffix },
      { file, line: p.line },
      {
        session: s.key,
        ...(p.time !== undefined ? { time: showTime(p.time)! } : {}),
        tool: p.call.name,
        call: p.shown,
        ...(p.call.id !== undefined ? { callId: p.call.id } : {}),
      },
      s,
    );
  }
}

export function scanSession(file: HistoryFile, ctx: ScanContext): void {
  let fd: number;
  try {
    fd = file.dir.openFile(file.name);
  } catch (error) {
    ctx.skip(
      file.path,
      undefined,
      (error as NodeJS.ErrnoException).code === 'ELOOP' ? 'it became a symbolic link' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return ctx.skip(file.path, undefined, 'it is not a regular file');
    if (ctx.since !== undefined && info.mtimeMs < ctx.since) {
      ctx.older++;
      return;
    }
    scanOpened(fd, file, ctx);
  } finally {
    closeSync(fd);
  }
}

function scanOpened(fd: number, file: HistoryFile, ctx: ScanContext): void {
  const { col, det, analyzer } = ctx;
  let key = keyFromName(file.name);
  let s: SessionSummary | undefined;
  let sender: SenderSummary | undefined | null = null;
  let seenFirst = false;
  const pending = new Map<string, Pending>();
  const anonymous: Pending[] = [];
  // The tool results of the current turn, newest last: file offset, length and line of each.
  const ringOffset = new Float64Array(TURN_RESULTS);
  const ringLength = new Float64Array(TURN_RESULTS);
  const ringLine = new Float64Array(TURN_RESULTS);
  let ringStart = 0;
  let ringSize = 0;
  const reported = new Set<number>();
  let scratch = Buffer.allocUnsafe(0);
  const since = ctx.since;

  const summary = (): SessionSummary => (s ??= col.session(key, file.path));
  const inWindow = (time: string | undefined): boolean => since === undefined || time === undefined || !(timeMs(time) < since);
  const flush = (): void => {
    if (pending.size === 0 && anonymous.length === 0) return;
    for (const p of [...pending.values(), ...anonymous]) emitCall(ctx, summary(), file.path, p, 'none');
    pending.clear();
    anonymous.length = 0;
  };

  const resultAt = (i: number): { text: string; name?: string; line: number } | undefined => {
    const slot = (ringStart + i) % TURN_RESULTS;
    const length = ringLength[slot]!;
    if (scratch.length < length) scratch = Buffer.allocUnsafe(Math.max(length, 64 * 1024));
    const n = readSync(fd, scratch, 0, length, ringOffset[slot]!);
    try {
      const m = JSON.parse(scratch.toString('utf8', 0, n)) as Record<string, unknown>;
      return { text: contentText(m['content']), line: ringLine[slot]!, ...(typeof m['name'] === 'string' ? { name: m['name'] } : {}) };
    } catch {
      return undefined;
    }
  };

  /** A dangerous call: did a result earlier in this turn carry instructions? */
  const injection = (p: Pending): void => {
    const dangerous = p.hits.filter((h) => DANGEROUS.has(h.ruleId));
    if (dangerous.length === 0) return;
    for (let i = 0; i < ringSize; i++) {
      const got = resultAt(i);
      if (got === undefined || reported.has(got.line)) continue;
      const marker = det.marker(got.text);
      if (marker === undefined) continue;
      reported.add(got.line);
      const sess = summary();
      col.add(
        'activity-prompt-injection',
        {
          detail: `the ${got.name ?? 'tool'} result at line ${got.line} holds ${marker}, and the call after it at line ${p.line}, ${p.shown}, ${dangerous[0]!.detail}`,
        },
        { file: file.path, line: got.line },
        {
          session: sess.key,
          ...(p.time !== undefined ? { time: showTime(p.time)! } : {}),
          tool: p.call.name,
          call: p.shown,
          ...(p.call.id !== undefined ? { callId: p.call.id } : {}),
        },
        sess,
      );
      return;
    }
  };

  const assistant = (m: Record<string, unknown>, n: number): void => {
    flush();
    const time = typeof m['timestamp'] === 'string' ? m['timestamp'] : undefined;
    if (!inWindow(time)) return;
    const sess = summary();
    col.message(sess, time);
    const calls = storedCalls(m);
    if (calls.length > 0) ctx.sawArguments = true;
    const at = { file: file.path, line: n, ...(time !== undefined ? { time } : {}) };
    for (const stored of calls) {
      const call = toolCall(stored);
      const a = analyzer.analyze(call, typeof stored.args === 'string' ? stored.args : undefined);
      col.call(sess, call.name, a, at);
      if (a.hits.length === 0) continue;
      const p: Pending = { call, hits: a.hits, line: n, shown: a.shown, ...(time !== undefined ? { time } : {}) };
      injection(p);
      if (call.id !== undefined) pending.set(call.id, p);
      else anonymous.push(p);
    }
    const used = m['tools_used'];
    if (Array.isArray(used)) {
      for (const name of used) {
        if (typeof name !== 'string') continue;
        sess.named.add(name);
        sess.unrecorded++;
      }
    }
  };

  const user = (time: string | undefined, n: number): void => {
    flush();
    ringSize = 0;
    if (!inWindow(time)) return;
    col.message(summary(), time);
    if (sender === null) {
      // Whether this session's user is a sender the allow lists can name: worked out once a file.
      const colon = key.indexOf(':');
      const id = colon > 0 ? senderOfChat(key.slice(0, colon), key.slice(colon + 1)) : undefined;
      sender = id !== undefined ? col.senderOf(key.slice(0, colon), id, { file: file.path, line: n }) : undefined;
    }
    if (sender) col.count(sender, 'session', time);
  };

  const parse = (buf: Buffer, start: number, end: number, n: number, last: boolean): Record<string, unknown> | undefined => {
    try {
      const v: unknown = JSON.parse(buf.toString('utf8', start, end));
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
      ctx.skip(file.path, n, 'not a JSON object');
    } catch {
      ctx.skip(file.path, n, last ? 'the last line is cut off' : 'not valid JSON');
    }
    return undefined;
  };

  streamLines(fd, {
    line(buf: Buffer, start0: number, end0: number, n: number, offset: number, last: boolean): void {
      if (seenFirst && ctx.only !== undefined && key !== ctx.only) return;
      let start = start0;
      let end = end0;
      while (start < end && (buf[start] === 32 || buf[start] === 9 || buf[start] === 13)) start++;
      while (end > start && (buf[end - 1] === 32 || buf[end - 1] === 9 || buf[end - 1] === 13)) end--;
      if (start === end) return;
      if (buf[start] !== 123 || buf[end - 1] !== 125) {
        ctx.skip(file.path, n, last ? 'the last line is cut off' : 'not a JSON object');
        return;
      }
      const role = sniff(buf, start, end);
      if (role === 0x74) {
        // tool result: remembered for this turn; its outcome if a flagged call waits for it
        const slot = (ringStart + ringSize) % TURN_RESULTS;
        ringOffset[slot] = offset + (start - start0);
        ringLength[slot] = end - start;
        ringLine[slot] = n;
        if (ringSize < TURN_RESULTS) ringSize++;
        else ringStart = (ringStart + 1) % TURN_RESULTS;
        if (pending.size > 0) {
          const at = find(buf, TOOL_CALL_ID, start, Math.min(end, start + 400));
          const id = at >= 0 ? valueAfter(buf, at, TOOL_CALL_ID.length, end) : undefined;
          const p = id !== undefined ? pending.get(id) : undefined;
          if (p) {
            pending.delete(id!);
            const c = find(buf, CONTENT, start, end);
            const text =
              c >= 0 ? (valueAfter(buf, c, CONTENT.length, Math.min(end, c + 200)) ?? buf.toString('utf8', c + CONTENT.length, Math.min(end, c + 64))) : '';
            emitCall(ctx, summary(), file.path, p, isErrorResult(text.replace(/^[\s:"]+/, '')) ? 'error' : 'ok');
          }
        }
        seenFirst = true;
        return;
      }
      if (role === 0x75) {
        seenFirst = true;
        user(timestampOf(buf, start, end), n);
        return;
      }
      if (role === 0x6d) {
        // metadata (the key of the session) or main's opaque provider state
        const m = parse(buf, start, end, n, last);
        if (m && m['_type'] === 'metadata' && !seenFirst && typeof m['key'] === 'string' && m['key'] !== '') key = m['key'];
        seenFirst = true;
        return;
      }
      seenFirst = true;
      // "tool_calls" and "tools_used" are the only keys of an assistant message that start so.
      if (role === 0x61 && find(buf, TOOL_KEY, start, end) < 0) {
        // an answer without tool calls
        flush();
        const time = timestampOf(buf, start, end);
        if (inWindow(time)) col.message(summary(), time);
        return;
      }
      if (role === 0x73) return; // a system message
      const m = parse(buf, start, end, n, last);
      if (!m) return;
      const r = m['role'];
      if (r === 'assistant') assistant(m, n);
      else if (r === 'user') user(typeof m['timestamp'] === 'string' ? m['timestamp'] : undefined, n);
    },
    tooLong(n: number): void {
      ctx.skip(file.path, n, 'the line is longer than 64 MiB');
    },
  });
  flush();
  if (ctx.only === undefined || key === ctx.only) ctx.keys.add(key);
}
