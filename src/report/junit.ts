// JUnit XML for CI systems that show test reports: one suite per config, one case per finding;
// findings at or above --fail-on fail, the others (and waived or known ones) are skipped.
import { atOrAbove, RULES, type Finding } from '../findings/index.js';
import type { AuditReport } from './types.js';
import { xml } from '../config/escape.js';

function testcase(f: Finding, report: AuditReport): { xml: string; failed: boolean; skipped: boolean } {
  const name = xml(`${f.ruleId} ${f.pointer ?? f.file}${f.line !== undefined ? `:${f.line}` : ''}`);
  const head = `    <testcase classname="${xml(f.ruleId)}" name="${name}">`;
  const counted = !f.waived && !f.known;
  if (counted && atOrAbove(f.severity, report.summary.failOn)) {
    const body = `${f.file}:${f.line ?? 1}:${f.column ?? 1}\n${f.message}\nfix: ${RULES[f.ruleId]?.fix.text ?? ''}`;
    return {
      xml: `${head}\n      <failure message="${xml(f.message)}" type="${f.severity}">${xml(body)}</failure>\n    </testcase>`,
      failed: true,
      skipped: false,
    };
  }
  const why = f.waived ? `waived until ${f.waived.expires}: ${f.waived.reason}` : f.known ? 'known: in the baseline' : `below --fail-on (${f.severity})`;
  return { xml: `${head}\n      <skipped message="${xml(why)}"/>\n    </testcase>`, failed: false, skipped: true };
}

export function renderJunit(report: AuditReport): string {
  const files = [...new Set([...report.files, ...report.findings.map((f) => f.file)])];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  let errors = 0;
  const suites = files.map((file) => {
    const cases = report.findings.filter((f) => f.file === file).map((f) => testcase(f, report));
    const rows = cases.length > 0 ? cases : [{ xml: `    <testcase classname="nanobot-harden" name="no findings"/>`, failed: false, skipped: false }];
    const n = { tests: rows.length, failures: rows.filter((c) => c.failed).length, skipped: rows.filter((c) => c.skipped).length };
    tests += n.tests;
    failures += n.failures;
    skipped += n.skipped;
    // The same score as every other format: each audited config's own.
    const score = report.summary.scores[file];
    const properties =
      score !== undefined && Object.hasOwn(report.summary.scores, file)
        ? `    <properties>\n      <property name="hardening-score" value="${score}"/>\n    </properties>\n`
        : '';
    return `  <testsuite name="${xml(file)}" tests="${n.tests}" failures="${n.failures}" skipped="${n.skipped}" errors="0">\n${properties}${rows.map((c) => c.xml).join('\n')}\n  </testsuite>`;
  });
  // A config harden could not use is an error, not a pass.
  for (const e of report.errors ?? []) {
    tests++;
    errors++;
    suites.push(
      `  <testsuite name="${xml(e.file)}" tests="1" failures="0" skipped="0" errors="1">\n    <testcase classname="nanobot-harden" name="audit">\n      <error message="${xml(e.message)}" type="unusable-input"/>\n    </testcase>\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="nanobot-harden" tests="${tests}" failures="${failures}" skipped="${skipped}" errors="${errors}">\n${suites.join('\n')}\n</testsuites>\n`;
}
