// --since DATE|DURATION, and the times nanobot writes. nanobot stamps messages with
// datetime.now().isoformat() (local time, no zone: "2026-11-21T03:12:45.123456"), its logs with
// loguru's "2026-11-21 03:12:45.123" (or without the milliseconds from 0.2.0), history.jsonl with
// "2026-11-21 03:12". All are read as local time, as nanobot wrote them.
import { UsageError } from '../errors.js';

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?$/;

/** Milliseconds since the epoch, or NaN when the text is not a time nanobot writes. */
export function timeMs(text: string): number {
  const m = LOCAL.exec(text);
  if (m) {
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
    return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms).getTime();
  }
  // A time with a zone (an aware datetime's isoformat).
  return /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** --since: a date or time (local), or a duration back from now (7d, 12h, 1d12h, 30m, 2w). */
export function parseSince(text: string, now = Date.now()): { ms: number; label: string } {
  const t = text.trim();
  if (/^(\d+[smhdw])+$/.test(t)) {
    let ms = 0;
    for (const m of t.matchAll(/(\d+)([smhdw])/g)) ms += Number(m[1]) * UNITS[m[2]!]!;
    return { ms: now - ms, label: `${formatLocal(now - ms)} (${t} ago)` };
  }
  const ms = timeMs(t);
  if (Number.isNaN(ms))
    throw new UsageError(`--since ${JSON.stringify(text)} is neither a date (2026-11-20, 2026-11-20T08:00) nor a duration (7d, 12h, 30m, 2w)`);
  if (ms > now) throw new UsageError(`--since ${text} is in the future`);
  return { ms, label: formatLocal(ms) };
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Local time as nanobot's logs show it, to the minute. */
export function formatLocal(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** A time from the history for a report: to the second, in one shape whatever the source wrote. */
export function showTime(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)/.exec(text);
  return m ? `${m[1]} ${m[2]}` : text.slice(0, 32);
}
