import { describe, expect, it } from 'vitest';
import { parseSince, timeMs } from '../../../src/activity/since.js';
import { UsageError } from '../../../src/errors.js';

describe('--since and nanobot times', () => {
  const now = new Date(2026, 10, 25, 12, 0, 0).getTime();
  it('durations back from now, dates and times in local time', () => {
    expect(parseSince('7d', now).ms).toBe(now - 7 * 86_400_000);
    expect(parseSince('1d12h', now).ms).toBe(now - 36 * 3_600_000);
    expect(parseSince('2026-11-20', now).ms).toBe(new Date(2026, 10, 20).getTime());
    expect(parseSince('2026-11-20T08:30', now).ms).toBe(new Date(2026, 10, 20, 8, 30).getTime());
  });
  it('anything else, or the future, is one sentence (exit 2)', () => {
    expect(() => parseSince('last week', now)).toThrow(UsageError);
    expect(() => parseSince('2027-01-01', now)).toThrow(/in the future/);
  });
  it('reads isoformat(), loguru and history.jsonl times', () => {
    const at = new Date(2026, 10, 21, 3, 12, 45, 123).getTime();
    expect(timeMs('2026-11-21T03:12:45.123456')).toBe(at);
    expect(timeMs('2026-11-21 03:12:45.123')).toBe(at);
    expect(timeMs('2026-11-21 03:12')).toBe(new Date(2026, 10, 21, 3, 12).getTime());
    expect(timeMs('2026-11-21T03:12:45+00:00')).toBe(Date.UTC(2026, 10, 21, 3, 12, 45));
    expect(timeMs('yesterday')).toBeNaN();
  });
});
