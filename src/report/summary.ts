import { atOrAbove, SEVERITIES, type Finding, type Severity } from '../findings/index.js';

// One definition of the summary for the CLI's reports and the API's types.
import type { Summary } from './api-types.js';
export type { Summary };

/** What one finding costs the score. Info costs nothing: it is not a weakness. */
export const SCORE_WEIGHTS: Record<Severity, number> = { critical: 25, high: 10, medium: 4, low: 1, info: 0 };

export function scoreOf(findings: readonly Finding[]): number {
  return Math.max(0, 100 - findings.reduce((n, f) => n + SCORE_WEIGHTS[f.severity], 0));
}

export function counts(f: Finding): boolean {
  return !f.waived && !f.known;
}

export function summarize(findings: readonly Finding[], failOn: Severity, files: readonly string[] = []): Summary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) bySeverity[f.severity]++;
  const counted = findings.filter(counts);
  const configs = new Set(files);
  // A finding about no config in particular (a compose file, the host) weighs on every config.
  const shared = counted.filter((f) => !configs.has(f.file));
  const scores = Object.fromEntries(files.map((file) => [file, scoreOf([...counted.filter((f) => f.file === file), ...shared])]));
  const values = Object.values(scores);
  return {
    total: findings.length,
    bySeverity,
    fixable: findings.filter((f) => f.fixable).length,
    waived: findings.filter((f) => f.waived).length,
    known: findings.filter((f) => f.known).length,
    failOn,
    failed: findings.some((f) => counts(f) && atOrAbove(f.severity, failOn)),
    score: values.length > 0 ? Math.round(values.reduce((a, b) => a + b, 0) / values.length) : null,
    scores,
  };
}
