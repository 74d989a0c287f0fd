// Compose files: the guide's Docker flags checked at their lines, and fixed in place with their
// comments kept, so that the fixed file passes its own audit.
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeFindings, parseCompose, parsePort } from '../../../src/host/compose.js';
import { fixCompose } from '../../../src/fix/index.js';
import { parseVersion, traitsFor } from '../../../src/config/version.js';
import { FIXTURES, tempDir } from '../../helpers/fixtures.js';

const traits = traitsFor(parseVersion('0.3.0')!, 'flag');

async function fixture(): Promise<string> {
  const dir = await tempDir();
  const file = join(dir, 'docker-compose.yml');
  await copyFile(join(FIXTURES, 'compose', 'insecure.yml'), file);
  return file;
}

describe('parsePort', () => {
  it.each([
    ['8765', undefined, undefined, '8765'],
    ['18790:18790', undefined, '18790', '18790'],
    ['127.0.0.1:18790:18790', '127.0.0.1', '18790', '18790'],
    ['[::1]:8900:8900', '[::1]', '8900', '8900'],
    ['0.0.0.0:8765:8765/tcp', '0.0.0.0', '8765', '8765'],
  ])('%s', (entry, hostIp, published, target) => {
    const p = parsePort(entry)!;
    expect([p.hostIp, p.published, p.target]).toEqual([hostIp, published, target]);
  });
});

describe('compose audit', () => {
  it('finds each missing flag on the nanobot service only, at its line', async () => {
    const file = await fixture();
    const c = parseCompose(file, await readFile(file, 'utf8'));
    expect(c.services.map((s) => s.name)).toEqual(['nanobot']);
    const found = composeFindings(c, { traits, bwrap: false }).map((f) => `${f.ruleId}@${f.line}`);
    expect(found.sort()).toEqual(
      [
        'compose-read-only@3',
        'compose-no-new-privileges@3',
        'compose-cap-drop@3',
        'compose-tmpfs@3',
        'compose-ports-loopback@9',
        'compose-ports-loopback@9',
        'compose-privileged@12',
        'compose-docker-socket@6',
        'compose-config-ro@6',
      ].sort(),
    );
  });

  it('flags the host network', () => {
    const c = parseCompose('/c.yml', 'services:\n  nanobot:\n    image: nanobot\n    network_mode: host\n');
    expect(
      composeFindings(c, { traits, bwrap: false })
        .filter((f) => f.ruleId === 'compose-host-network')
        .map((f) => f.line),
    ).toEqual([4]);
  });

  it('names the price of the bwrap sandbox instead of flagging its grants', () => {
    const text =
      'services:\n  nanobot:\n    image: nanobot\n    cap_drop: [ALL]\n    cap_add: [CHOWN, SETUID, SETGID, SYS_ADMIN]\n    security_opt: ["no-new-privileges:true", "apparmor:unconfined", "seccomp:unconfined"]\n';
    const c = parseCompose('/c.yml', text);
    const withSandbox = composeFindings(c, { traits, bwrap: true }).map((f) => f.ruleId);
    expect(withSandbox).toContain('compose-bwrap-trade');
    expect(withSandbox).not.toContain('compose-cap-drop');
    const without = composeFindings(c, { traits, bwrap: false });
    expect(without.find((f) => f.ruleId === 'compose-cap-drop')?.message).toMatch(/adds SYS_ADMIN, which only the bwrap sandbox needs/);
  });
});

describe('harden fix --compose', () => {
  it('keeps comments and layout, adds back what the current image needs, and passes its own audit', async () => {
    const file = await fixture();
    const [result] = await fixCompose(file, { dryRun: false, keepBackups: 5 }, traits, false);
    const text = await readFile(file, 'utf8');
    // Only the lines the fix must change: the comments, their spacing and the other service stay.
    expect(text).toBe(
      [
        '# nanobot, as many people first run it',
        'services:',
        '  nanobot:',
        '    image: ghcr.io/hkuds/nanobot:latest  # the current image',
        '    command: gateway',
        '    volumes:',
        '      - ~/.nanobot:/home/nanobot/.nanobot',
        '      - /var/run/docker.sock:/var/run/docker.sock',
        '    ports:',
        '      - "127.0.0.1:18790:18790"   # health',
        '      - "127.0.0.1:8765:8765"     # WebUI',
        '    environment:',
        '      NANOBOT_GATEWAY__HOST: 0.0.0.0',
        '    read_only: true',
        '    security_opt:',
        '      - no-new-privileges:true',
        '    cap_drop:',
        '      - ALL',
        '    cap_add:',
        '      - CHOWN',
        '      - SETUID',
        '      - SETGID',
        '    tmpfs:',
        '      - /tmp:noexec,nosuid,size=100m',
        '  db:',
        '    image: postgres:16',
        '    ports:',
        '      - "5432:5432"',
        '',
      ].join('\n'),
    );
    expect(result!.backup).toMatch(/docker-compose\.yml\..*\.bak$/);
    // What is left is what harden does not change by itself.
    expect(result!.remaining.map((f) => f.ruleId).sort()).toEqual(['compose-config-ro', 'compose-docker-socket']);
    const [again] = await fixCompose(file, { dryRun: false, keepBackups: 5 }, traits, false);
    expect(again!.changed).toBe(false);
  });

  it('harden restore puts a compose file back too', async () => {
    const file = await fixture();
    const before = await readFile(file, 'utf8');
    await fixCompose(file, { dryRun: false, keepBackups: 5 }, traits, false);
    const { restore } = await import('../../../src/fix/restore.js');
    await restore(file, undefined, 5);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('--dry-run writes nothing', async () => {
    const file = await fixture();
    const before = await readFile(file, 'utf8');
    const [result] = await fixCompose(file, { dryRun: true, keepBackups: 5 }, traits, false);
    expect(result!.changed).toBe(true);
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});
