// SARIF 2.1.0, so code-scanning tools show findings on the line: one rule per rule id with its
// title, rationale and fix, one result per finding with its file URI, line and column.
import { createHash } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULES, type Finding, type Severity } from '../findings/index.js';
import { TOOL } from './json.js';
import type { AuditReport, ReportOptions } from './types.js';

export const INFORMATION_URI = 'https://github.com/nanobot-harden/nanobot-harden';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '7.5', medium: '5.0', low: '3.0', info: '1.0' };

const pascal = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/** The base code scanning resolves relative locations against, as its convention names it. */
export const URI_BASE_ID = '%SRCROOT%';

/**
 * Where a file is, for SARIF: relative to the root (with uriBaseId) when it is inside it, so that
 * locations and fingerprints are the same whatever directory the checkout is in; an absolute file
 * URI otherwise (a config in /etc, outside the repository).
 */
export function artifactLocation(file: string, root: string): { uri: string; uriBaseId?: string } {
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return { uri: pathToFileURL(file).href };
  return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: URI_BASE_ID };
}

/**
 * Stable across edits of the file and across checkouts: the rule, the setting and the file as
 * located, not the line. An activity finding adds its session and tool call, which stay the same
 * as the history grows.
 */
export function fingerprint(f: Finding, root = '/'): string {
  const event = f.event ? `\0${f.event.session}\0${f.event.callId ?? f.event.time ?? f.line ?? ''}` : '';
  return createHash('sha256')
    .update(`${f.ruleId}\0${f.pointer ?? ''}\0${artifactLocation(f.file, root).uri}${event}`)
    .digest('hex')
    .slice(0, 32);
}

export function renderSarif(report: AuditReport, options: Pick<ReportOptions, 'cwd' | 'sarifRoot'> = { cwd: process.cwd() }): string {
  return sarifLog(
    report.findings,
    report.errors ?? [],
    { profile: report.profile, nanobot: report.nanobot, score: report.summary.score, ...(report.runs ? { runs: report.runs } : {}) },
    options.sarifRoot ?? options.cwd,
  );
}

/** The SARIF log of any run's findings (the audit's, the activity review's), with the run's own properties. */
export function sarifLog(
  findings: readonly Finding[],
  errors: readonly { file: string; message: string }[],
  properties: Record<string, unknown>,
  root: string,
): string {
  const ids = Object.keys(RULES).sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  const rules = ids.map((id) => {
    const r = RULES[id]!;
    return {
      id,
      name: pascal(id),
      shortDescription: { text: r.title },
      fullDescription: { text: r.rationale },
      help: { text: `${r.rationale} Fix: ${r.fix.text}.` },
      helpUri: `${INFORMATION_URI}/blob/main/docs/rules.md#${id}`,
      defaultConfiguration: { level: LEVEL[r.severity] },
      properties: { 'security-severity': SECURITY_SEVERITY[r.severity], tags: ['security', r.profile] },
    };
  });
  const results = findings.map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: index.get(f.ruleId) ?? 0,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(f.file, root), region: { startLine: f.line ?? 1, startColumn: f.column ?? 1 } } }],
    partialFingerprints: { 'harden/v1': fingerprint(f, root) },
    ...(f.waived ? { suppressions: [{ kind: 'external', justification: `${f.waived.reason} (until ${f.waived.expires})` }] } : {}),
    ...(f.known ? { baselineState: 'unchanged' } : {}),
    properties: { severity: f.severity, ...(f.pointer !== undefined ? { pointer: f.pointer } : {}), source: f.source, ...(f.event ? { event: f.event } : {}) },
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL.name, version: TOOL.version, informationUri: INFORMATION_URI, rules } },
        // Where %SRCROOT% was on this run; a viewer that knows its own checkout uses that instead.
        originalUriBaseIds: { [URI_BASE_ID]: { uri: pathToFileURL(root.endsWith(sep) ? root : root + sep).href } },
        invocations: [
          {
            // A config harden could not read or parse is a failed part of the run, said as such.
            executionSuccessful: errors.length === 0,
            toolExecutionNotifications: errors.map((e) => ({
              level: 'error',
              message: { text: e.message },
              locations: [{ physicalLocation: { artifactLocation: artifactLocation(e.file, root) } }],
            })),
          },
        ],
        results,
        properties,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
