// One definition of the hardening score, for every finding harden reports, the same in text,
// JSON, SARIF and JUnit: waived and baseline findings never count, compose findings do, and a
// config that could not be audited has no score. Run through main() on real files.
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { Io } from '../../../src/io/process-io.js';
import { copyFixture, FIXTURES, tempDir } from '../../helpers/fixtures.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    stdinIsTTY: false,
    env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' },
    cwd: '/',
  };
  const code = await main([...args, '--nanobot-version', '0.3.0', '--no-host', '--no-color'], io);
  return { code, out: out.join(''), err: err.join('') };
}

/** The score each format states, for the same run. */
async function scores(args: string[]): Promise<{ text: string | undefined; json: number | null; sarif: unknown; junit: string[] }> {
  const text = /Hardening score: (\d+)\/100/.exec((await run(['audit', ...args])).out)?.[1];
  const json = (JSON.parse((await run(['audit', ...args, '--format', 'json'])).out) as { summary: { score: number | null } }).summary.score;
  const sarif = (JSON.parse((await run(['audit', ...args, '--format', 'sarif'])).out) as { runs: { properties: { score: unknown } }[] }).runs[0]!.properties
    .score;
  const junit = [...(await run(['audit', ...args, '--format', 'junit'])).out.matchAll(/name="hardening-score" value="(\d+)"/g)].map((m) => m[1]!);
  return { text, json, sarif, junit };
}

describe('the hardening score', () => {
  it('counts the findings of a compose file given with --compose, in every format', async () => {
    const { dir, file } = await copyFixture('audit/guide-hardened-ids.json');
    const compose = join(dir, 'compose.yml');
    await copyFile(join(FIXTURES, 'compose', 'insecure.yml'), compose);
    const alone = await scores(['-c', file]);
    const withCompose = await scores(['-c', file, '--compose', compose]);
    expect(alone.json).toBe(100);
    expect(withCompose.json).toBeLessThan(100);
    for (const s of [alone, withCompose]) expect([s.text, s.sarif, s.junit]).toEqual([String(s.json), s.json, [String(s.json)]]);
  });

  it('does not count a waived finding, nor one in the baseline, though they stay in the report', async () => {
    const { dir, file } = await copyFixture('audit/guide-hardened-ids.json');
    await writeFile(file, '{"gateway": {"host": "0.0.0.0"}, "tools": {"restrictToWorkspace": true, "exec": {"timeout": 30}}}');
    const before = (await scores(['-c', file])).json!;
    expect(before).toBeLessThan(100);
    await writeFile(
      join(dir, '.nanobot', '.harden.json'),
      JSON.stringify({ waivers: [{ ruleId: 'gateway-host-loopback', reason: 'behind a VPN', expires: '2999-01-01' }] }),
    );
    const waived = await scores(['-c', file]);
    expect([waived.json, waived.text, waived.sarif, waived.junit]).toEqual([100, '100', 100, ['100']]);
    const text = (await run(['audit', '-c', file])).out;
    expect(text).toMatch(/1 waived; those do not count/);
  });

  it('has no score for a config that could not be audited, and says so', async () => {
    const dir = await tempDir();
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"tools": ');
    const clean = join(dir, 'clean.json');
    await writeFile(clean, '{"tools": {"restrictToWorkspace": true, "exec": {"timeout": 30}}, "gateway": {"host": "127.0.0.1"}}');
    const both = await run(['audit', '-c', clean, '-c', broken]);
    expect(both.code).toBe(2);
    expect(both.out).toMatch(/Hardening score: 100\/100; 1 config could not be audited and has none\./);
    expect(both.out).toMatch(/No findings at profile baseline in the config audited\./);
    const json = JSON.parse((await run(['audit', '-c', clean, '-c', broken, '--format', 'json'])).out) as {
      summary: { score: number; scores: Record<string, number> };
    };
    expect(Object.keys(json.summary.scores)).toEqual([clean]);
    const alone = await run(['audit', '-c', broken, '--format', 'json']);
    expect(alone.code).toBe(2);
    expect((JSON.parse(alone.out) as { summary: { score: unknown } }).summary.score).toBeNull();
    expect((await run(['audit', '-c', broken, '-c', join(dir, 'also-missing.json')])).out).toMatch(/No hardening score: no config could be audited\./);
  });
});
