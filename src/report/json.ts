import pkg from '../../package.json' with { type: 'json' };
// The JSON report is a versioned contract: schemas/report.schema.json describes it.
import type { Finding } from '../findings/index.js';
import type { AuditReport } from './types.js';
import { evidence, remediation } from './evidence.js';

export const REPORT_SCHEMA_VERSION = 1;
// One version, package.json's: --version, every report and the SARIF driver say the same.
export const TOOL = { name: pkg.name, version: pkg.version } as const;

export function publicFinding(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ruleId: f.ruleId,
    severity: f.severity,
    title: f.title,
    message: f.message,
    file: f.file,
  };
  if (f.pointer !== undefined) out['pointer'] = f.pointer;
  if (f.line !== undefined) out['line'] = f.line;
  if (f.column !== undefined) out['column'] = f.column;
  out['fixable'] = f.fixable;
  out['source'] = f.source;
  out['evidence'] = evidence(f);
  const fix = remediation(f);
  if (fix) out['remediation'] = fix;
  if (f.waived) out['waived'] = f.waived;
  if (f.known) out['known'] = true;
  if (f.event) out['event'] = f.event;
  return out;
}

export function renderJson(report: AuditReport): string {
  return (
    JSON.stringify(
      {
        schemaVersion: REPORT_SCHEMA_VERSION,
        tool: TOOL,
        profile: report.profile,
        nanobot: report.nanobot,
        files: report.files,
        findings: report.findings.map(publicFinding),
        ...(report.runs ? { runs: report.runs } : {}),
        ...(report.errors && report.errors.length > 0 ? { errors: report.errors } : {}),
        summary: report.summary,
      },
      null,
      2,
    ) + '\n'
  );
}
