// The JUnit reporter on real audit reports (the audit core on fixture files in temp dirs):
// structural checks with regexes, no XML parser.
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { audit } from '../../../src/audit/index.js';
import { atOrAbove, RULES, type Finding, type Profile, type Severity } from '../../../src/findings/index.js';
import { renderJunit } from '../../../src/report/junit.js';
import { summarize } from '../../../src/report/summary.js';
import type { AuditReport } from '../../../src/report/types.js';
import { copyFixture } from '../../helpers/fixtures.js';

async function reportFor(files: string[], options: { failOn?: Severity; profile?: Profile } = {}): Promise<AuditReport> {
  const result = await audit({ configs: files, profile: options.profile ?? 'baseline', noHost: true, nanobotVersion: '0.3.0', env: {} });
  const names = result.files.map((f) => f.file);
  // Assembled the way src/cli/audit.ts does it.
  return {
    profile: result.profile,
    nanobot: result.nanobot,
    files: names,
    findings: result.findings,
    summary: summarize(result.findings, options.failOn ?? 'low', names),
    errors: result.errors,
  };
}

/** The same report with another --fail-on. */
const withFailOn = (report: AuditReport, failOn: Severity): AuditReport => ({ ...report, summary: summarize(report.findings, failOn, report.files) });

const count = (text: string, re: RegExp): number => (text.match(re) ?? []).length;

interface Counts {
  tests: number;
  failures: number;
  skipped: number;
}
function attrs(tag: string): Counts {
  const m = /tests="(\d+)" failures="(\d+)" skipped="(\d+)"/.exec(tag);
  expect(m, tag).not.toBeNull();
  return { tests: Number(m![1]), failures: Number(m![2]), skipped: Number(m![3]) };
}

/** Each <testsuite>: its name, its counts and the counts of what it holds. */
function suites(xml: string): { name: string; declared: Counts; actual: Counts }[] {
  return [...xml.matchAll(/<testsuite (name="([^"]*)"[^>]*)>([\s\S]*?)<\/testsuite>/g)].map((m) => ({
    name: m[2]!,
    declared: attrs(m[1]!),
    actual: { tests: count(m[3]!, /<testcase /g), failures: count(m[3]!, /<failure /g), skipped: count(m[3]!, /<skipped /g) },
  }));
}

function totals(xml: string): Counts {
  const head = /<testsuites [^>]*>/.exec(xml);
  expect(head).not.toBeNull();
  return attrs(head![0]);
}

describe('renderJunit', () => {
  it('has the header, one suite per config, and counts that match the cases', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const report = await reportFor([file]);
    const xml = renderJunit(report);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="nanobot-harden" ')).toBe(true);
    expect(xml.endsWith('</testsuites>\n')).toBe(true);
    const all = suites(xml);
    expect(all.map((s) => s.name)).toEqual([file]);
    for (const s of all) expect(s.declared).toEqual(s.actual);
    expect(totals(xml)).toEqual({ tests: count(xml, /<testcase /g), failures: count(xml, /<failure /g), skipped: count(xml, /<skipped /g) });
    expect(totals(xml).tests).toBe(report.findings.length);
    // Every case is a finding: classname is the rule id, the name carries pointer and line.
    for (const f of report.findings) expect(xml).toContain(`<testcase classname="${f.ruleId}" name="${f.ruleId} ${f.pointer ?? f.file}:${f.line}">`);
  });

  it('fails findings at or above --fail-on and skips the rest', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const report = await reportFor([file]);
    // The fixture: three high, five medium, one low (a WhatsApp list whose only entry never matches), one info.
    expect(report.findings.map((f) => f.severity).sort()).toEqual(['high', 'high', 'high', 'info', 'low', 'medium', 'medium', 'medium', 'medium', 'medium']);
    const expected: Record<Severity, [number, number]> = { critical: [0, 10], high: [3, 7], medium: [8, 2], low: [9, 1], info: [10, 0] };
    for (const [failOn, [failures, skipped]] of Object.entries(expected) as [Severity, [number, number]][]) {
      const xml = renderJunit(withFailOn(report, failOn));
      expect(totals(xml), failOn).toEqual({ tests: 10, failures, skipped });
      expect(failures).toBe(report.findings.filter((f) => atOrAbove(f.severity, failOn)).length);
      for (const s of suites(xml)) expect(s.declared).toEqual(s.actual);
    }

    // At --fail-on high: every failure is a high finding, every skip names the severity it was below with.
    const xml = renderJunit(withFailOn(report, 'high'));
    expect([...xml.matchAll(/<failure [^>]*type="([a-z]+)"/g)].map((m) => m[1])).toEqual(['high', 'high', 'high']);
    expect([...xml.matchAll(/<skipped message="([^"]*)"\/>/g)].map((m) => m[1]).sort()).toEqual([
      'below --fail-on (info)',
      'below --fail-on (low)',
      'below --fail-on (medium)',
      'below --fail-on (medium)',
      'below --fail-on (medium)',
      'below --fail-on (medium)',
      'below --fail-on (medium)',
    ]);
  });

  it('puts place, message and fix in the failure body', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const report = await reportFor([file], { failOn: 'high' });
    const restrict = report.findings.find((f) => f.ruleId === 'restrict-to-workspace')!;
    expect([restrict.line, restrict.column]).toEqual([22, 3]);
    const xml = renderJunit(report);
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
    const body = `${file}:22:3\n${restrict.message}\nfix: ${RULES['restrict-to-workspace']!.fix.text}`;
    expect(xml).toContain(
      `<testcase classname="restrict-to-workspace" name="restrict-to-workspace /tools/restrictToWorkspace:22">\n      <failure message="${esc(restrict.message)}" type="high">${esc(body)}</failure>\n    </testcase>`,
    );
  });

  it('escapes XML special characters and drops characters XML 1.0 cannot hold', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const report = await reportFor([file], { failOn: 'info' });
    const findings: Finding[] = report.findings.map((f) => ({ ...f, message: `before <&"'> after\u0001\u0008\uFFFF end` }));
    const xml = renderJunit({ ...report, findings, summary: summarize(findings, 'info', report.files) });
    const escaped = 'before &lt;&amp;&quot;&apos;&gt; after end';
    expect(count(xml, new RegExp(`<failure message="${escaped}" type=`, 'g'))).toBe(findings.length);
    expect(count(xml, new RegExp(`\n${escaped}\nfix: `, 'g'))).toBe(findings.length);
    expect(xml).not.toContain(`<&"'>`);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
    // Outside tags and entities, no raw '<', '&' or quote survives in attribute values.
    for (const m of xml.matchAll(/="([^"]*)"/g)) expect(m[1]!, m[1]).not.toMatch(/[<>']|&(?!(amp|lt|gt|quot|apos);)/);
    // Skipped cases escape too.
    const below = renderJunit({ ...report, findings, summary: summarize(findings, 'critical', report.files) });
    expect(below).not.toContain(`<&"'>`);
    expect(count(below, /<skipped /g)).toBe(findings.length);
  });

  it('escapes a suite name with special characters', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const report = await reportFor([file]);
    const odd = `${file}&<"x'>`;
    const findings = report.findings.map((f) => ({ ...f, file: odd }));
    const xml = renderJunit({ ...report, files: [odd], findings, summary: summarize(findings, 'low', [odd]) });
    expect(suites(xml).map((s) => s.name)).toEqual([`${file}&amp;&lt;&quot;x&apos;&gt;`]);
  });

  it('gives a config without findings one passing testcase', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const clean = await copyFixture('audit/guide-hardened.json');
    await writeFile(clean.file, JSON.stringify({ tools: { restrictToWorkspace: true, exec: { timeout: 30 } } }));
    const report = await reportFor([file, clean.file], { failOn: 'high' });
    expect(report.findings.filter((f) => f.file === clean.file)).toEqual([]);
    const xml = renderJunit(report);
    const all = suites(xml);
    expect(all.map((s) => s.name).sort()).toEqual([file, clean.file].sort());
    const passing = all.find((s) => s.name === clean.file)!;
    expect(passing.declared).toEqual({ tests: 1, failures: 0, skipped: 0 });
    expect(passing.actual).toEqual({ tests: 1, failures: 0, skipped: 0 });
    expect(xml).toMatch(
      new RegExp(
        `<testsuite name="${clean.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"[^>]*>\\n\\s*<properties>\\n\\s*<property name="hardening-score" value="100"/>\\n\\s*</properties>\\n\\s*<testcase [^>]*name="no findings"/>\\n\\s*</testsuite>`,
      ),
    );
    expect(totals(xml)).toEqual({ tests: 11, failures: 3, skipped: 7 });

    // Only clean configs: still one case each, nothing failed.
    const onlyClean = renderJunit(await reportFor([clean.file]));
    expect(totals(onlyClean)).toEqual({ tests: 1, failures: 0, skipped: 0 });
    expect(count(onlyClean, /name="no findings"/g)).toBe(1);
  });

  it('skips waived and known findings even at or above --fail-on, as the exit code does', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const report = await reportFor([file]);
    const findings = report.findings.map((f) =>
      f.ruleId === 'restrict-to-workspace'
        ? { ...f, waived: { reason: 'lab', expires: '2099-01-01' } }
        : f.ruleId === 'dm-policy-open'
          ? { ...f, known: true }
          : f,
    );
    const xml = renderJunit({ ...report, findings, summary: summarize(findings, 'high', report.files) });
    expect(totals(xml)).toEqual({ tests: 10, failures: 1, skipped: 9 });
    expect(xml).toContain('<skipped message="waived until 2099-01-01: lab"/>');
    expect(xml).toContain('<skipped message="known: in the baseline"/>');
  });
});
