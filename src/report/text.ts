// Human-readable report: grouped by severity, file:line:column first so terminals link it.
import { relative } from 'node:path';
import { SEVERITIES, type Finding, type Severity } from '../findings/index.js';
import { evidence, remediation } from './evidence.js';
import { styler, type StyleName } from './style.js';
import type { AuditReport, ReportOptions } from './types.js';
import type { NanobotInfo } from '../config/version.js';

const SEVERITY_STYLE: Record<Severity, StyleName> = { critical: 'magenta', high: 'red', medium: 'yellow', low: 'blue', info: 'gray' };

export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}

function where(f: Finding, cwd: string): string {
  const file = displayPath(f.file, cwd);
  return f.line !== undefined ? `${file}:${f.line}:${f.column ?? 1}` : file;
}

/** Which nanobot the findings assume and how harden learned it, in words (every text report). */
export function nanobotLine(info: NanobotInfo): string {
  const { version, source, release, outside } = info;
  // Which release's data is used, when that is not the version's own name.
  const data =
    outside === 'newer'
      ? `; newer than every release harden knows, checked as ${release}`
      : outside === 'older'
        ? `; older than every release harden knows, checked as ${release}`
        : release !== version
          ? `; checked as ${release}`
          : '';
  if (source !== 'assumed') return `nanobot ${version} (${source === 'flag' ? 'from --nanobot-version' : 'installed'}${data})`;
  const why =
    info.assumedWhy === 'not-looked-up'
      ? 'the installed version was not looked up under --no-host'
      : info.assumedWhy === 'unreadable'
        ? 'a nanobot is on PATH, but its version could not be read'
        : 'no nanobot on PATH';
  return `nanobot ${version} assumed (${why}; pass --nanobot-version to check another${data})`;
}

export function renderText(report: AuditReport, options: ReportOptions): string {
  const s = styler(options.color);
  const lines: string[] = [];
  lines.push(`${s('bold', 'harden audit')} · profile ${report.profile} · ${nanobotLine(report.nanobot)}`);
  for (const file of report.files) {
    lines.push(`  ${displayPath(file, options.cwd)}`);
    const runs = report.runs?.find((r) => r.file === file);
    if (runs)
      lines.push(
        `    nanobot runs ${runs.where === 'container' ? 'in a container' : runs.where === 'host' ? 'on this host' : 'where harden cannot tell'}: ${runs.evidence}`,
      );
  }
  // Several configs: findings grouped per config (a unit or compose file counts as its own).
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const key = report.files.length > 1 ? f.file : '';
    const group = groups.get(key);
    // Pushed, not copied: a copy per finding is quadratic, and a waiver file can add 200,000.
    if (group) group.push(f);
    else groups.set(key, [f]);
  }
  for (const [file, findings] of groups) {
    if (file) lines.push('', s('bold', `== ${displayPath(file, options.cwd)} (${findings.length} finding${findings.length === 1 ? '' : 's'})`));
    for (const severity of SEVERITIES) {
      const group = findings.filter((f) => f.severity === severity);
      if (group.length === 0) continue;
      lines.push('', s(SEVERITY_STYLE[severity], s('bold', `${severity.toUpperCase()} (${group.length})`)));
      for (const f of group) {
        const note = f.waived ? s('dim', `  (waived until ${f.waived.expires}: ${f.waived.reason})`) : f.known ? s('dim', '  (known: in the baseline)') : '';
        lines.push(`  ${where(f, options.cwd)}  ${s('dim', f.ruleId)}${note}`);
        lines.push(`    ${f.message}`);
        lines.push(`    ${s('dim', `evidence: ${evidence(f)}`)}`);
        const fix = remediation(f);
        if (fix) lines.push(`    ${s('cyan', fix.automatic ? 'fix:' : 'to do:')} ${fix.text}`);
      }
    }
  }
  const errors = report.errors ?? [];
  for (const e of errors) lines.push('', s('red', `not audited: ${e.message}`));
  lines.push('');
  const { summary } = report;
  const audited = Object.keys(summary.scores).length;
  const notAudited =
    errors.length > 0 ? `; ${errors.length} config${errors.length === 1 ? '' : 's'} could not be audited and ha${errors.length === 1 ? 's' : 've'} none` : '';
  if (summary.score === null) {
    lines.push(s('red', `No hardening score: no config could be audited.`));
  } else {
    const of = audited > 1 ? ` (mean of ${audited} configs; lowest ${Object.values(summary.scores).reduce((a, b) => Math.min(a, b))})` : '';
    lines.push(`Hardening score: ${summary.score}/100${of}${notAudited}.`);
  }
  if (summary.total === 0) {
    if (summary.score !== null)
      lines.push(
        s(
          'green',
          errors.length > 0
            ? `No findings at profile ${report.profile} in the ${audited === 1 ? 'config' : `${audited} configs`} audited.`
            : `No findings at profile ${report.profile}.`,
        ),
      );
  } else {
    const counts = SEVERITIES.filter((sev) => summary.bySeverity[sev] > 0).map((sev) => `${summary.bySeverity[sev]} ${sev}`);
    const set = [summary.waived > 0 ? `${summary.waived} waived` : '', summary.known > 0 ? `${summary.known} in the baseline` : ''].filter(Boolean);
    lines.push(
      `${summary.total} finding${summary.total === 1 ? '' : 's'}: ${counts.join(', ')}${set.length > 0 ? ` (${set.join(', ')}; those do not count)` : ''}.`,
    );
    if (summary.fixable > 0) lines.push(`${summary.fixable} can be fixed with \`harden fix\`; \`harden fix --dry-run\` shows the changes first.`);
  }
  return lines.join('\n') + '\n';
}
