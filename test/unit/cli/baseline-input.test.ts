// --baseline files of every wrong shape: each is one sentence (exit 2), never an internal error.
// main() in-process; the built CLI gets two of them in test/e2e/hostile-input.test.ts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { Io } from '../../../src/io/process-io.js';
import { writeConfig } from '../../helpers/fixtures.js';

const CLEAN = JSON.stringify({ tools: { restrictToWorkspace: true, exec: { timeout: 30 } } });

async function auditWithBaseline(text: string): Promise<{ code: number; stderr: string }> {
  const { dir, file } = await writeConfig(CLEAN);
  const baseline = join(dir, 'baseline.json');
  await writeFile(baseline, text);
  let stderr = '';
  const io: Io = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, stdinIsTTY: false, env: { HOME: dir }, cwd: dir };
  const code = await main(['audit', '--config', file, '--baseline', baseline, '--no-host', '--nanobot-version', '0.3.0'], io);
  return { code, stderr };
}

describe('--baseline of the wrong shape', () => {
  it.each([
    ['null', /not a JSON report of harden audit --format json \(its top level is null, not an object\)/],
    ['42', /\(its top level is a number, not an object\)/],
    ['"x"', /\(its top level is a string, not an object\)/],
    ['true', /\(its top level is a boolean, not an object\)/],
    ['[]', /\(its top level is an array, not an object\)/],
    ['{}', /\(it has no "findings" list\)/],
    ['{"findings": {}}', /\(it has no "findings" list\)/],
    ['{"findings": null, "findings": 3}', /\(it has no "findings" list\)/],
    ['{"__proto__": {"findings": []}}', /\(it has no "findings" list\)/],
    [
      '{\n  "findings": [null, 1, "x", {}]\n}',
      /baseline\.json:2:16: findings\[0\] is not a finding of a harden report: expected an object with "ruleId" and "file" strings, found null/,
    ],
    ['{"findings": [{"ruleId": "a", "file": "b"}, 1]}', /baseline\.json:1:45: findings\[1\] .* found a number/],
    ['{"findings": [{"ruleId": "a", "file": "b"}, {}]}', /findings\[1\] .* found an object without them/],
    ['{"findings": [{"ruleId": "a", "file": "b"}, ["x"]]}', /findings\[1\] .* found an array/],
    ['{"findings": [{"ruleId": "a", "file": "b", "pointer": 7}]}', /baseline\.json:1:15: findings\[0\]/],
    ['{"findings": [{"ruleId": 1, "file": "b"}]}', /findings\[0\]/],
    ['{"findings": [], "findings": [null]}', /baseline\.json:1:31: findings\[0\]/],
    ['{"findings": [', /baseline\.json:1:15 \(CloseBracketExpected\): not valid JSON/],
    ['', /baseline\.json:1:1 \(ValueExpected\): not valid JSON/],
    ['\ufeff{"findings": []}', /baseline\.json:1:1 \(InvalidSymbol\): not valid JSON/],
  ])('%s is one sentence', async (text, pattern) => {
    const r = await auditWithBaseline(text);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^harden: --baseline [^\n]+\n$/);
    expect(r.stderr).toMatch(pattern);
  });
});
