import { atOrAbove, SEVERITIES, type Finding, type Severity } from '../findings.js';

export interface Summary {
  total: number;
  bySeverity: Record<Severity, number>;
  fixable: number;
  /** Accepted by a waiver, or already in the --baseline report: they do not count. */
  waived: number;
  known: number;
  failOn: Severity;
  /** True when a counted finding is at or above failOn: the exit code is 1. */
  failed: boolean;
  /** 0-100, weighted by severity: the mean of the configs' scores, so a fleet can be ranked. */
  score: number;
  scores: Record<string, number>;
}

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
  const scores = Object.fromEntries(files.map((file) => [file, scoreOf(findings.filter((f) => f.file === file))]));
  const values = Object.values(scores);
  return {
    total: findings.length,
    bySeverity,
    fixable: findings.filter((f) => f.fixable).length,
    waived: findings.filter((f) => f.waived).length,
    known: findings.filter((f) => f.known).length,
    failOn,
    failed: findings.some((f) => counts(f) && atOrAbove(f.severity, failOn)),
    score: values.length > 0 ? Math.round(values.reduce((a, b) => a + b, 0) / values.length) : scoreOf(findings),
    scores,
  };
}
