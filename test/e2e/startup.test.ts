// Start-up speed, held by a test rather than by memory: an audit must not load the Node modules
// whose cost the README's speed work took out (child processes, streams' readline, sockets,
// terminals, fs/promises). Measured on the built CLI with a preload that records what loaded.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFixture, FIXTURES, ROOT, tempDir } from '../helpers/fixtures.js';

const AVOIDED = ['child_process', 'readline', 'net', 'tty', 'fs/promises'];

async function loadedBy(args: string[]): Promise<string[]> {
  const out = join(await tempDir(), 'modules.txt');
  const r = spawnSync(process.execPath, ['-r', join(FIXTURES, 'startup', 'record-modules.cjs'), join(ROOT, 'bin', 'harden.js'), ...args], {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent', NO_COLOR: '1', HARDEN_TEST_MODULES: out },
  });
  expect([r.status === 0 || r.status === 1, r.stderr]).toEqual([true, '']);
  return (await readFile(out, 'utf8')).split('\n').filter(Boolean);
}

describe('an audit loads only what it needs', () => {
  it.each([
    ['a content-only audit', ['--no-host', '--nanobot-version', '0.3.0']],
    ['a host audit, the installed nanobot looked for', []],
    ['a JSON report', ['--format', 'json', '--nanobot-version', '0.3.0']],
  ])('%s loads none of child_process, readline, net, tty, fs/promises', async (_name, extra) => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const loaded = await loadedBy(['audit', '-c', file, ...extra]);
    // The recorder itself works: the audit's own modules are in the list.
    expect(loaded).toContain('fs');
    expect(loaded.filter((m) => AVOIDED.includes(m))).toEqual([]);
  });
});

describe('a fix plans without starting a process where nothing is shared', () => {
  it('fix --dry-run of a config at 600 in a directory at 700 asks no tool (getent, getfacl): no child_process, readline, net or tty', async () => {
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const loaded = await loadedBy(['fix', '--dry-run', '-c', file, '--runtime', 'host', '--nanobot-version', '0.3.0']);
    expect(loaded).toContain('fs');
    expect(loaded.filter((m) => ['child_process', 'readline', 'net', 'tty'].includes(m))).toEqual([]);
  });
});
