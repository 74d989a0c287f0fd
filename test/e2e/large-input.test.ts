// Large input to the built CLI: a waiver file with 200,000 entries, a config with 20,000 copies of
// a key. Each works, within the helper's 20-second limit: no stack overflow, no quadratic hang.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harden } from '../helpers/cli.js';
import { writeConfig } from '../helpers/fixtures.js';

const COMMON = ['--no-host', '--nanobot-version', '0.3.0'];
const CLEAN =
  JSON.stringify(
    { tools: { restrictToWorkspace: true, exec: { timeout: 30 } }, channels: { telegram: { enabled: true, allowFrom: ['123456789'] } } },
    null,
    2,
  ) + '\n';

describe('a waiver file with 200,000 entries', () => {
  const waivers = JSON.stringify({
    waivers: Array.from({ length: 200_000 }, (_, i) => ({
      ruleId: 'gateway-host-loopback',
      pointer: `/gateway/x${i}`,
      reason: 'load test',
      expires: '2999-01-01',
    })),
  });

  it('is read: each unused waiver is reported, whether given with --waivers or beside the config', async () => {
    const { dir, file } = await writeConfig(CLEAN);
    const path = join(dir, 'waivers.json');
    await writeFile(path, waivers);
    // 200,000 findings of text: more than the helper's default buffer holds.
    const r = harden(['audit', '--config', file, '--waivers', path, '--fail-on', 'high', ...COMMON], { maxBuffer: 256 * 1024 * 1024 });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^200000 findings: 200000 info\.$/m);
    await writeFile(join(dir, '.nanobot', '.harden.json'), waivers);
    const fix = harden(['fix', '--dry-run', '--config', file, '--format', 'json', '--fail-on', 'high', ...COMMON]);
    expect([fix.code, fix.stderr]).toEqual([0, '']);
    expect((JSON.parse(fix.stdout) as { results: { changed: boolean }[] }).results[0]!.changed).toBe(false);
  });
});

describe('thousands of copies of one key', () => {
  it('20,000 copies of two keys are fixed in one run, leaving one of each', async () => {
    const n = 20_000;
    const text = `{\n  "tools": {\n${Array.from({ length: n }, () => '    "restrictToWorkspace": false').join(',\n')}\n  },\n  "gateway": {\n${Array.from({ length: n }, (_, i) => `    "host": "0.0.0.${i % 250}"`).join(',\n')}\n  }\n}\n`;
    const { file } = await writeConfig(text);
    const r = harden(['fix', '--yes', '--quiet', '--config', file, '--runtime', 'host', ...COMMON]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(await readFile(file, 'utf8')).toBe('{\n  "tools": {\n    "restrictToWorkspace": true\n  },\n  "gateway": {\n    "host": "127.0.0.1"\n  }\n}\n');
  });
});
