// The SARIF reporter on real audit reports (the audit core on fixture files in temp dirs),
// validated against the SARIF 2.1.0 schema stored in test/fixtures/sarif.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { audit, resolveTraits } from '../../../src/audit/index.js';
import { makeFinding, RULES, SEVERITIES, type Profile, type Severity } from '../../../src/findings/index.js';
import { TOOL } from '../../../src/report/json.js';
import { INFORMATION_URI, renderSarif } from '../../../src/report/sarif.js';
import { summarize } from '../../../src/report/summary.js';
import type { AuditReport } from '../../../src/report/types.js';
import { copyFixture, FIXTURES } from '../../helpers/fixtures.js';

interface Region {
  startLine: number;
  startColumn: number;
}
interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: Region } }[];
  partialFingerprints: Record<string, string>;
  properties: { severity: Severity; pointer?: string; source: { kind: string } };
  suppressions?: { kind: string; justification: string }[];
  baselineState?: string;
}
interface Rule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  helpUri: string;
  defaultConfiguration: { level: string };
  properties: { 'security-severity': string; tags: string[] };
}
interface Sarif {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; informationUri: string; rules: Rule[] } };
    invocations: { executionSuccessful: boolean }[];
    results: Result[];
    properties: Record<string, unknown>;
  }[];
}

const LEVEL: Record<Severity, string> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '7.5', medium: '5.0', low: '3.0', info: '1.0' };

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

const sarifOf = (report: AuditReport): Sarif => JSON.parse(renderSarif(report)) as Sarif;
const run0 = (log: Sarif) => log.runs[0]!;

let validate: ValidateFunction;

beforeAll(async () => {
  const schema = JSON.parse(await readFile(join(FIXTURES, 'sarif', 'sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;
  // The stored schema declares JSON Schema draft-04 ("$schema": ".../draft-04/schema#", top-level "id").
  // ajv-draft-04 is not installed, so: drop those two keywords and compile with ajv's default
  // (draft-07) class. The schema uses no other keyword whose meaning differs between the drafts
  // (no boolean exclusiveMinimum/Maximum; every other "id" in it is a property name).
  expect(schema['$schema']).toBe('http://json-schema.org/draft-04/schema#');
  delete schema['$schema'];
  delete schema['id'];
  // strict: false for draft-04 leftovers ajv's strict mode objects to. unicodeRegExp: false because
  // one published pattern ("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$") has a stray ']' that only the
  // u flag rejects.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  // No ajv-formats here: the three formats the schema uses, checked for real rather than ignored.
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => URL.canParse(s, 'http://example.invalid/'));
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(s) && !Number.isNaN(Date.parse(s)));
  validate = ajv.compile(schema);
});

function expectValid(log: unknown): void {
  expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toBe(true);
}

describe('renderSarif', () => {
  it('is valid SARIF 2.1.0 for a real report, and the validator is not vacuous', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const report = await reportFor([file]);
    expect(report.findings.length).toBeGreaterThan(0);
    const text = renderSarif(report);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2) + '\n');
    const log = JSON.parse(text) as Sarif;
    expectValid(log);
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);

    // The same validator rejects what SARIF forbids: a level outside the enum, a result without message.
    const badLevel = structuredClone(log);
    run0(badLevel).results[0]!.level = 'critical';
    expect(validate(badLevel)).toBe(false);
    const noMessage = structuredClone(log) as unknown as { runs: { results: Record<string, unknown>[] }[] };
    delete noMessage.runs[0]!.results[0]!['message'];
    expect(validate(noMessage)).toBe(false);
  });

  it('is valid under the strict profile too, and for a report with no findings', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    expectValid(sarifOf(await reportFor([file], { profile: 'strict' })));
    const clean = await copyFixture('audit/guide-hardened.json');
    await writeFile(clean.file, JSON.stringify({ tools: { restrictToWorkspace: true, exec: { timeout: 30 } } }));
    const empty = await reportFor([clean.file]);
    expect(empty.findings).toEqual([]);
    const log = sarifOf(empty);
    expectValid(log);
    expect(run0(log).results).toEqual([]);
  });

  it('describes the tool, the run and every rule, sorted by id', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const report = await reportFor([file], { profile: 'strict' });
    const run = run0(sarifOf(report));
    expect(run.tool.driver.name).toBe('nanobot-harden');
    expect(run.tool.driver.version).toBe(TOOL.version);
    expect(run.tool.driver.informationUri).toBe(INFORMATION_URI);
    expect(INFORMATION_URI).toBe('https://github.com/nanobot-harden/nanobot-harden');
    expect(run.invocations).toEqual([{ executionSuccessful: true, toolExecutionNotifications: [] }]);
    expect(run.properties['profile']).toBe('strict');
    expect(run.properties['nanobot']).toEqual(report.nanobot);

    const ids = Object.keys(RULES).sort();
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(ids);
    for (const rule of run.tool.driver.rules) {
      const info = RULES[rule.id]!;
      expect(rule.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(rule.name.toLowerCase()).toBe(rule.id.replace(/-/g, ''));
      expect(rule.shortDescription.text).toBe(info.title);
      expect(rule.fullDescription.text).toBe(info.rationale);
      expect(rule.help.text.startsWith(`${info.rationale} Fix: ${info.fix.text}`)).toBe(true);
      expect(rule.helpUri).toBe(`${INFORMATION_URI}/blob/main/docs/rules.md#${rule.id}`);
      expect(rule.defaultConfiguration.level).toBe(LEVEL[info.severity]);
      expect(rule.properties['security-severity']).toBe(SECURITY_SEVERITY[info.severity]);
      expect(rule.properties.tags).toEqual(['security', info.profile]);
    }
    expect(run.tool.driver.rules.find((r) => r.id === 'restrict-to-workspace')!.name).toBe('RestrictToWorkspace');
    // Every helpUri anchor is a heading in docs/rules.md.
    const doc = await readFile(join(FIXTURES, '..', '..', 'docs', 'rules.md'), 'utf8');
    for (const id of ids) expect(doc, id).toMatch(new RegExp(`^#+ ${id}$`, 'm'));
  });

  it('maps every severity to its level, both for rules and for results', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const report = await reportFor([file]);
    const run = run0(sarifOf(report));
    const levels = new Set(SEVERITIES.map((s) => run.tool.driver.rules.find((r) => RULES[r.id]!.severity === s)?.defaultConfiguration.level));
    expect([...levels].sort()).toEqual(['error', 'note', 'warning']);
    expect(run.results).toHaveLength(report.findings.length);
    report.findings.forEach((f, i) => {
      const result = run.results[i]!;
      expect(result.ruleId).toBe(f.ruleId);
      expect(result.level).toBe(LEVEL[f.severity]);
      expect(result.properties.severity).toBe(f.severity);
      expect(result.message.text).toBe(f.message);
      expect(result.properties.source).toEqual(f.source);
      if (f.pointer !== undefined) expect(result.properties.pointer).toBe(f.pointer);
      else expect(result.properties).not.toHaveProperty('pointer');
    });
    // The fixture has high, medium and info findings: all three levels appear among the results.
    expect(new Set(run.results.map((r) => r.level))).toEqual(new Set(['error', 'warning', 'note']));
  });

  it('points every ruleIndex at the rule with the same id', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const run = run0(sarifOf(await reportFor([file], { profile: 'strict' })));
    expect(run.results.length).toBeGreaterThan(0);
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
  });

  it('locates a known finding on its line and column in the file:// URI of the temp file', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const run = run0(sarifOf(await reportFor([file])));
    const restrict = run.results.filter((r) => r.ruleId === 'restrict-to-workspace');
    expect(restrict).toHaveLength(1);
    const location = restrict[0]!.locations[0]!.physicalLocation;
    expect(location.region).toEqual({ startLine: 22, startColumn: 3 });
    expect(restrict[0]!.level).toBe('error');
    expect(restrict[0]!.properties.pointer).toBe('/tools/restrictToWorkspace');
    expect(location.artifactLocation.uri).toBe(pathToFileURL(file).href);
    for (const result of run.results) {
      expect(result.locations).toHaveLength(1);
      expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toBe(pathToFileURL(file).href);
      expect(result.locations[0]!.physicalLocation.artifactLocation.uri.startsWith('file:///')).toBe(true);
    }
    // The other findings on known lines.
    const duplicate = run.results.find((r) => r.ruleId === 'duplicate-key' && r.properties.pointer === '/gateway/host')!;
    expect(duplicate.locations[0]!.physicalLocation.region).toEqual({ startLine: 18, startColumn: 5 });
  });

  it('gives a host finding (no line) a region on line 1, and stays valid', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json', { mode: 0o644 });
    const report = await reportFor([file]);
    const traits = await resolveTraits({ nanobotVersion: '0.3.0', noHost: true, env: {} });
    const host = makeFinding({ ruleId: 'config-file-mode', file, args: { file, mode: '644' }, source: { kind: 'host' } }, traits);
    expect(host.line).toBeUndefined();
    const withHost: AuditReport = { ...report, findings: [host, ...report.findings], summary: summarize([host, ...report.findings], 'low', report.files) };
    const log = sarifOf(withHost);
    expectValid(log);
    const result = run0(log).results[0]!;
    expect(result.ruleId).toBe('config-file-mode');
    expect(result.locations[0]!.physicalLocation.region.startLine).toBe(1);
    expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toBe(pathToFileURL(file).href);
    expect(result.properties).not.toHaveProperty('pointer');
    expect(result.properties.source).toEqual({ kind: 'host' });
  });

  it('fingerprints are stable across runs and edits that move lines, and differ between findings', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const fingerprints = async () =>
      run0(sarifOf(await reportFor([file]))).results.map((r) => ({
        key: `${r.ruleId} ${r.properties.pointer ?? ''}`,
        line: r.locations[0]!.physicalLocation.region.startLine,
        fp: r.partialFingerprints['harden/v1']!,
      }));
    const first = await fingerprints();
    const second = await fingerprints();
    expect(second).toEqual(first);
    for (const { fp } of first) expect(fp).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(first.map((x) => x.fp)).size).toBe(first.length);

    // Two blank lines at the top move every finding down; the fingerprints stay.
    await writeFile(file, '\n\n' + (await readFile(file, 'utf8')));
    const moved = await fingerprints();
    expect(moved.map((x) => x.line)).toEqual(first.map((x) => x.line + 2));
    expect(moved.map((x) => [x.key, x.fp])).toEqual(first.map((x) => [x.key, x.fp]));

    // The same finding in another file is another fingerprint.
    const other = await copyFixture('audit/hand-edited-traps.json');
    const elsewhere = run0(sarifOf(await reportFor([other.file]))).results.map((r) => r.partialFingerprints['harden/v1']);
    for (const fp of elsewhere) expect(first.map((x) => x.fp)).not.toContain(fp);
  });

  it('is a pure function of the report', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const report = await reportFor([file]);
    const snapshot = structuredClone(report);
    expect(renderSarif(report)).toBe(renderSarif(report));
    expect(report).toEqual(snapshot);
  });

  it('marks waived findings as suppressed and known ones as unchanged, still valid', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const report = await reportFor([file]);
    const findings = report.findings.map((f, i) =>
      i === 0 ? { ...f, waived: { reason: 'lab machine', expires: '2099-01-01' } } : i === 1 ? { ...f, known: true } : f,
    );
    const log = sarifOf({ ...report, findings, summary: summarize(findings, 'low', report.files) });
    expectValid(log);
    const [waived, known, plain] = run0(log).results;
    expect(waived!.suppressions).toHaveLength(1);
    expect(waived!.suppressions![0]!.kind).toBe('external');
    expect(waived!.suppressions![0]!.justification).toContain('lab machine');
    expect(known!.baselineState).toBe('unchanged');
    expect(plain).not.toHaveProperty('suppressions');
    expect(plain).not.toHaveProperty('baselineState');
  });
});

describe('locations relative to a root (%SRCROOT%)', () => {
  const render = (report: AuditReport, root: string) =>
    JSON.parse(renderSarif(report, { cwd: '/', sarifRoot: root })) as Sarif & { runs: { originalUriBaseIds: Record<string, { uri: string }> }[] };

  it('are the same in two checkouts at different paths, fingerprints included, and stay valid SARIF', async () => {
    const a = await copyFixture('audit/hand-edited-traps.json');
    const b = await copyFixture('audit/hand-edited-traps.json');
    expect(a.dir).not.toBe(b.dir);
    const logA = render(await reportFor([a.file]), a.dir);
    const logB = render(await reportFor([b.file]), b.dir);
    expectValid(logA);
    const where = (log: Sarif) => log.runs[0]!.results.map((r) => [r.locations[0]!.physicalLocation.artifactLocation, r.partialFingerprints['harden/v1']]);
    expect(where(logA)).toEqual(where(logB));
    expect(logA.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation).toEqual({ uri: '.nanobot/config.json', uriBaseId: '%SRCROOT%' });
    expect(logA.runs[0]!.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: `${pathToFileURL(a.dir).href}/` } });
  });

  it('a file outside the root keeps its absolute file URI', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const log = render(await reportFor([file]), join(FIXTURES, 'audit'));
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation).toEqual({ uri: pathToFileURL(file).href });
  });
});
