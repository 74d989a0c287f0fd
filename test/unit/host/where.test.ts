// Where nanobot runs, from evidence about nanobot: never from where harden itself runs.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { whereNanobotRuns, type WhereInput } from '../../../src/host/where.js';
import { tempDir } from '../../helpers/fixtures.js';

async function setUp(): Promise<{ dir: string; file: string; input: (extra?: Partial<WhereInput>) => WhereInput }> {
  const dir = await tempDir();
  const file = join(dir, 'bot', '.nanobot', 'config.json');
  await mkdir(join(dir, 'bot', '.nanobot'), { recursive: true });
  await writeFile(file, '{}');
  await mkdir(join(dir, 'proc'));
  await mkdir(join(dir, 'root'));
  const input = (extra: Partial<WhereInput> = {}): WhereInput => ({
    file,
    runtime: 'auto',
    compose: [],
    env: { PATH: join(dir, 'bin') },
    procRoot: join(dir, 'proc'),
    hostRoot: join(dir, 'root'),
    ...extra,
  });
  return { dir, file, input };
}

describe('where nanobot runs', () => {
  it('a /.dockerenv where harden runs, and no nanobot there, is no evidence: the guide applies, and it says nothing was found', async () => {
    const { dir, input } = await setUp();
    await writeFile(join(dir, 'root', '.dockerenv'), '');
    expect(await whereNanobotRuns(input())).toEqual({
      where: 'unknown',
      evidence: expect.stringMatching(
        /^no compose file, container, unit or process of nanobot was found for this config, so the guide applies: 127\.0\.0\.1$/,
      ) as unknown,
    });
  });

  it('nanobot installed in the same container harden runs in is', async () => {
    const { dir, input } = await setUp();
    await writeFile(join(dir, 'root', '.dockerenv'), '');
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin', 'nanobot'), '#!/bin/sh\n');
    await chmod(join(dir, 'bin', 'nanobot'), 0o755);
    const found = await whereNanobotRuns(input());
    expect(found.where).toBe('container');
    expect(found.evidence).toMatch(/nanobot \(.*\/bin\/nanobot\) is installed in the container harden runs in \(.*\.dockerenv\)/);
  });

  it('a compose file beside the config whose service mounts its directory', async () => {
    const { dir, input } = await setUp();
    await writeFile(
      join(dir, 'bot', 'compose.yml'),
      'services:\n  bot:\n    image: ghcr.io/hkuds/nanobot\n    volumes:\n      - ./.nanobot:/home/nanobot/.nanobot\n',
    );
    const found = await whereNanobotRuns(input());
    expect(found).toEqual({
      where: 'container',
      evidence: `the compose service bot (${join(dir, 'bot', 'compose.yml')}:5) mounts ${join(dir, 'bot', '.nanobot')}`,
    });
  });

  it('a compose file that mounts another directory is no evidence', async () => {
    const { dir, input } = await setUp();
    await writeFile(join(dir, 'bot', 'compose.yml'), 'services:\n  bot:\n    image: nanobot\n    volumes:\n      - /srv/other:/home/nanobot/.nanobot\n');
    expect((await whereNanobotRuns(input())).where).toBe('unknown');
  });

  it('a systemd unit that starts it: on this host, or in a container when it runs docker', async () => {
    const { dir, input } = await setUp();
    const unit = join(dir, 'nanobot.service');
    await writeFile(unit, '[Service]\nExecStart=/usr/local/bin/nanobot gateway\n');
    expect(await whereNanobotRuns(input({ units: [unit] }))).toEqual({ where: 'host', evidence: `the systemd unit ${unit} starts it` });
    await writeFile(unit, '[Service]\nExecStart=/usr/bin/docker run --rm nanobot gateway\n');
    expect((await whereNanobotRuns(input({ units: [unit] }))).where).toBe('container');
  });

  it('a nanobot process: on this host, or in a container by its cgroup', async () => {
    const { dir, input } = await setUp();
    const pid = join(dir, 'proc', '4242');
    await mkdir(pid);
    await writeFile(join(pid, 'cmdline'), ['/usr/bin/python3', '/usr/local/bin/nanobot', 'gateway'].join('\0') + '\0');
    await writeFile(join(pid, 'status'), 'Name:\tnanobot\nUid:\t1000\t1000\t1000\t1000\n');
    await writeFile(join(pid, 'cgroup'), '0::/user.slice/user-1000.slice\n');
    expect(await whereNanobotRuns(input())).toEqual({ where: 'host', evidence: 'a nanobot process (pid 4242) runs on this host' });
    await writeFile(join(pid, 'cgroup'), '0::/system.slice/docker-0123abcd.scope\n');
    expect(await whereNanobotRuns(input())).toEqual({ where: 'container', evidence: 'a nanobot process (pid 4242) runs in a container' });
  });

  it('--runtime decides over any evidence', async () => {
    const { dir, input } = await setUp();
    await writeFile(join(dir, 'bot', 'compose.yml'), 'services:\n  bot:\n    image: nanobot\n    volumes:\n      - ./.nanobot:/home/nanobot/.nanobot\n');
    expect(await whereNanobotRuns(input({ runtime: 'host' }))).toEqual({ where: 'host', evidence: '--runtime host' });
  });
});
