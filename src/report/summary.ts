import { atOrAbove, SEVERITIES, type Finding, type Severity } from '../findings.js';

export interface Summary {
  total: number;
  bySeverity: Record<Severity, number>;
  fixable: number;
  failOn: Severity;
  /** True when a finding is at or above failOn: the exit code is 1. */
  failed: boolean;
}

export function summarize(findings: readonly Finding[], failOn: Severity): Summary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) bySeverity[f.severity]++;
  return {
    total: findings.length,
    bySeverity,
    fixable: findings.filter((f) => f.fixable).length,
    failOn,
    failed: findings.some((f) => atOrAbove(f.severity, failOn)),
  };
}
