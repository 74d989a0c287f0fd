// SARIF and JUnit from the built CLI, checked against the SARIF 2.1.0 schema and the JUnit shape.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { copyFixture, FIXTURES } from '../helpers/fixtures.js';
import { harden } from '../helpers/cli.js';

async function sarifValidator() {
  const schema = JSON.parse(await readFile(join(FIXTURES, 'sarif', 'sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;
  // The stored schema declares draft-04; its keywords validate the same under ajv's default draft.
  delete schema['$schema'];
  delete schema['id'];
  // unicodeRegExp off: one pattern in the published schema has a stray ']' that only the u flag rejects.
  return new Ajv({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false }).compile(schema);
}

interface Sarif {
  runs: {
    tool: { driver: { rules: { id: string; defaultConfiguration: { level: string } }[] } };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
      partialFingerprints: Record<string, string>;
    }[];
  }[];
}

describe('--format sarif', () => {
  it('is valid SARIF 2.1.0 with rules and results on the line', async () => {
    const validate = await sarifValidator();
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const r = harden(['audit', '-c', file, '--format', 'sarif', '--nanobot-version', '0.3.0', '--no-host']);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as Sarif;
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const run = log.runs[0]!;
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
    const restrict = run.results.find((x) => x.ruleId === 'restrict-to-workspace')!;
    expect(restrict.level).toBe('error');
    expect(restrict.locations[0]!.physicalLocation.region.startLine).toBe(22);
    expect(restrict.locations[0]!.physicalLocation.artifactLocation.uri).toBe(pathToFileURL(file).href);
    expect(run.tool.driver.rules.find((x) => x.id === 'exec-timeout')!.defaultConfiguration.level).toBe('warning');
    // Fingerprints survive a run and tell findings apart.
    const again = JSON.parse(harden(['audit', '-c', file, '--format', 'sarif', '--nanobot-version', '0.3.0', '--no-host']).stdout) as Sarif;
    expect(again.runs[0]!.results.map((x) => x.partialFingerprints['harden/v1'])).toEqual(run.results.map((x) => x.partialFingerprints['harden/v1']));
    expect(new Set(run.results.map((x) => x.partialFingerprints['harden/v1'])).size).toBe(run.results.length);
  });
});

describe('--format junit', () => {
  it('one suite per config; findings at or above --fail-on fail, the rest are skipped; XML escaped', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const hardened = await copyFixture('audit/guide-hardened.json');
    await writeFile(hardened.file, JSON.stringify({ tools: { restrictToWorkspace: true, exec: { timeout: 30 } } }));
    const r = harden(['audit', '-c', file, '-c', hardened.file, '--format', 'junit', '--fail-on', 'high', '--nanobot-version', '0.3.0', '--no-host']);
    expect(r.code).toBe(1);
    const xmlText = r.stdout;
    expect(xmlText.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="nanobot-harden" ')).toBe(true);
    const total = /<testsuites [^>]*tests="(\d+)" failures="(\d+)" skipped="(\d+)"/.exec(xmlText)!;
    const cases = (xmlText.match(/<testcase /g) ?? []).length;
    expect(Number(total[1])).toBe(cases);
    expect(Number(total[2])).toBe((xmlText.match(/<failure /g) ?? []).length);
    expect(Number(total[3])).toBe((xmlText.match(/<skipped /g) ?? []).length);
    expect(Number(total[2])).toBe(3); // the three high findings
    expect(xmlText).toContain(`<testsuite name="${hardened.file}" tests="1" failures="0" skipped="0" errors="0">`);
    expect(xmlText).toContain('<testcase classname="nanobot-harden" name="no findings"/>');
    // Messages with quotes are escaped.
    expect(xmlText).toMatch(/message="tools\.restrictToWorkspace is false \(nanobot&apos;s default/);
    expect(xmlText).not.toMatch(/message="[^"]*<[^"]*"/);
  });
});

describe('a config harden cannot use, among several', () => {
  it('is a failed part of the run in SARIF and an error case in JUnit', async () => {
    const { file } = await copyFixture('audit/guide-hardened.json');
    const broken = await copyFixture('audit/guide-hardened.json');
    await writeFile(broken.file, '{"tools": {},}');
    const sarif = harden(['audit', '-c', file, '-c', broken.file, '--format', 'sarif', '--nanobot-version', '0.3.0', '--no-host']);
    expect(sarif.code).toBe(2);
    const invocation = (
      JSON.parse(sarif.stdout) as { runs: { invocations: { executionSuccessful: boolean; toolExecutionNotifications: { message: { text: string } }[] }[] }[] }
    ).runs[0]!.invocations[0]!;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications[0]!.message.text).toMatch(/trailing comma/);
    const junit = harden(['audit', '-c', file, '-c', broken.file, '--format', 'junit', '--nanobot-version', '0.3.0', '--no-host']).stdout;
    expect(junit).toMatch(/<testsuites [^>]* errors="1">/);
    expect(junit).toMatch(/<error message="[^"]*trailing comma[^"]*" type="unusable-input"\/>/);
  });
});
