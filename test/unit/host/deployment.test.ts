// Deployment probes on real files: unit files, /proc-style fixture trees, a real listening
// socket and process on this machine, a workspace with things to review.
import { spawn } from 'node:child_process';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deploymentFindings } from '../../../src/host/deployment.js';
import type { DeploymentContext } from '../../../src/host/probe.js';
import { nanobotProcesses } from '../../../src/host/processes.js';
import { parseProcNet } from '../../../src/host/sockets.js';
import { parseVersion, traitsFor } from '../../../src/config/version.js';
import { tempDir } from '../../helpers/fixtures.js';

const traits = traitsFor(parseVersion('0.3.0')!, 'flag');

async function ctx(extra: Partial<DeploymentContext> = {}): Promise<DeploymentContext> {
  const dir = await tempDir();
  return { file: join(dir, 'config.json'), traits, config: {}, env: { HOME: dir }, units: [], procRoot: join(dir, 'proc'), platform: 'linux', ...extra };
}

const ids = (findings: { ruleId: string }[]) => findings.map((f) => f.ruleId);

describe('systemd units', () => {
  it('flags root, missing NoNewPrivileges, no sandbox and a shared /tmp, at their lines', async () => {
    const c = await ctx();
    const unit = join(c.file, '..', 'nanobot.service');
    await writeFile(unit, '[Unit]\nDescription=nanobot\n\n[Service]\nExecStart=/usr/bin/nanobot gateway\nRestart=always\n');
    const found = await deploymentFindings({ ...c, units: [unit] });
    expect(found.filter((f) => f.ruleId.startsWith('systemd-')).map((f) => `${f.ruleId}@${f.line}`)).toEqual([
      'systemd-user-root@5',
      'systemd-no-new-privileges@5',
      'systemd-sandbox@5',
      'systemd-private-tmp@5',
    ]);
  });

  it('a hardened unit passes, and a sandbox that hides the data directory is named', async () => {
    const c = await ctx();
    const data = join(c.file, '..');
    const good = join(data, 'good.service');
    await writeFile(
      good,
      `[Service]\nUser=nanobot\nExecStart=/usr/bin/nanobot gateway\nNoNewPrivileges=yes\nProtectSystem=strict\nProtectHome=read-only\nReadWritePaths=${data}\nPrivateTmp=yes\n`,
    );
    expect(ids((await deploymentFindings({ ...c, units: [good] })).filter((f) => f.ruleId.startsWith('systemd-')))).toEqual([]);
    const hides = join(data, 'hides.service');
    await writeFile(
      hides,
      '[Service]\nUser=nanobot\nExecStart=/usr/bin/nanobot gateway\nNoNewPrivileges=yes\nProtectSystem=strict\nProtectHome=read-only\nPrivateTmp=yes\n',
    );
    const sandbox = (await deploymentFindings({ ...c, units: [hides] })).find((f) => f.ruleId === 'systemd-sandbox');
    expect(sandbox?.message).toMatch(/without ReadWritePaths=.*nanobot cannot save sessions/);
  });

  it("reports systemd-analyze security's exposure score where systemd answers", async () => {
    const c = await ctx();
    const unit = join(c.file, '..', 'nanobot.service');
    await writeFile(unit, '[Service]\nExecStart=/usr/bin/nanobot gateway\n');
    const run = async (command: string) =>
      command === 'systemd-analyze'
        ? { code: 0, stdout: '  NAME  DESCRIPTION  EXPOSURE\n→ Overall exposure level for nanobot.service: 9.6 UNSAFE 😨\n' }
        : undefined;
    const found = (await deploymentFindings({ ...c, units: [unit], run })).filter((f) => f.ruleId === 'systemd-exposure');
    expect(found.map((f) => f.message)).toEqual(['systemd-analyze security rates nanobot.service 9.6 (UNSAFE)']);
    const down = async (command: string) => (command === 'systemd-analyze' ? { code: 0, stdout: '' } : undefined);
    const notHere = await deploymentFindings({ ...c, units: [unit], run: down });
    expect(notHere.map((f) => f.message)).toContain('systemd-analyze security not checked: systemd is not running here, or does not know the unit');
  });

  it('a user unit runs as its user: only NoNewPrivileges is checked', async () => {
    const c = await ctx();
    const dir = join(c.file, '..', '.config', 'systemd', 'user');
    await mkdir(dir, { recursive: true });
    const unit = join(dir, 'nanobot-gateway.service');
    await writeFile(unit, '[Service]\nExecStart=%h/.local/bin/nanobot gateway\nNoNewPrivileges=yes\n');
    expect(ids((await deploymentFindings({ ...c, units: [unit] })).filter((f) => f.ruleId.startsWith('systemd-')))).toEqual([]);
  });
});

describe('/proc fixtures', () => {
  it('parses LISTEN sockets from /proc/net/tcp and tcp6', () => {
    const v4 =
      '  sl  local_address rem_address   st\n   0: 00000000:4976 00000000:0000 0A 0\n   1: 0100007F:223D 00000000:0000 0A 0\n   2: 0100007F:1F90 0100007F:9C40 01 0\n';
    expect(parseProcNet(v4, false)).toEqual([
      { address: '0.0.0.0', port: 18806 },
      { address: '127.0.0.1', port: 8765 },
    ]);
    const v6 =
      '  sl  local_address\n   0: 00000000000000000000000000000000:22C4 00000000000000000000000000000000:0000 0A 0\n   1: 00000000000000000000000001000000:22C4 00000000000000000000000000000000:0000 0A 0\n';
    expect(parseProcNet(v6, true)).toEqual([
      { address: '::', port: 8900 },
      { address: '::1', port: 8900 },
    ]);
  });

  it('finds nanobot processes and their user', async () => {
    const c = await ctx();
    for (const [pid, cmd, uid] of [
      ['101', ['/usr/bin/python3', '-m', 'nanobot', 'gateway'], 0],
      ['102', ['/home/bot/.local/bin/nanobot', 'gateway'], 1000],
      ['103', ['/usr/bin/node', 'harden', 'audit'], 0],
      ['104', ['bash'], 0],
    ] as const) {
      await mkdir(join(c.procRoot, pid), { recursive: true });
      await writeFile(join(c.procRoot, pid, 'cmdline'), cmd.join('\0') + '\0');
      await writeFile(join(c.procRoot, pid, 'status'), `Name:\tx\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
    }
    expect(nanobotProcesses(c.procRoot)!.map((p) => [p.pid, p.uid])).toEqual([
      [101, 0],
      [102, 1000],
    ]);
    const found = await deploymentFindings(c);
    expect(found.filter((f) => f.ruleId === 'process-root').map((f) => f.message)).toEqual(['process 101 (nanobot gateway) runs as root']);
  });

  it('says "not checked" where there is no /proc and no ps or lsof answers', async () => {
    const found = await deploymentFindings(await ctx({ platform: 'darwin' }));
    expect(found.filter((f) => f.ruleId === 'not-checked').map((f) => f.message)).toEqual([
      expect.stringMatching(/^running processes not checked: no \/proc on darwin and ps did not answer/),
      expect.stringMatching(/^listening sockets not checked: no \/proc\/net on darwin and lsof did not answer/),
    ]);
  });

  it('on macOS: processes from ps, sockets from lsof', async () => {
    const ps = '  101     0 /opt/homebrew/bin/python3 -m nanobot gateway\n  102   501 /usr/bin/node /x/bin/harden.js audit\n  103   501 -zsh\n';
    const lsof =
      'COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\nPython  101 root   7u  IPv4 0x1      0t0  TCP *:18790 (LISTEN)\nPython  101 root   8u  IPv6 0x2      0t0  TCP [::1]:8900 (LISTEN)\n';
    const run = async (command: string) => (command === 'ps' ? { code: 0, stdout: ps } : command === 'lsof' ? { code: 0, stdout: lsof } : undefined);
    const found = await deploymentFindings(await ctx({ platform: 'darwin', run }));
    expect(found.filter((f) => f.ruleId === 'process-root').map((f) => f.message)).toEqual(['process 101 (nanobot gateway) runs as root']);
    expect(found.filter((f) => f.ruleId === 'listener-wildcard').map((f) => f.message)).toEqual([
      'port 18790 (gateway) listens on 0.0.0.0, whatever the config says',
    ]);
  });
});

describe('on this machine, against the real /proc', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => cleanup.splice(0).forEach((f) => f()));

  it('a wildcard listener on a config port is critical for the WebUI port', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '0.0.0.0', () => r()));
    cleanup.push(() => server.close());
    const port = (server.address() as { port: number }).port;
    const c = await ctx({ procRoot: '/proc', config: { channels: { websocket: { port } } } });
    const found = (await deploymentFindings(c)).filter((f) => f.ruleId === 'listener-wildcard');
    expect(found.map((f) => [f.severity, f.message])).toEqual([
      ['critical', `port ${port} (the WebUI, which controls the agent) listens on 0.0.0.0, whatever the config says`],
    ]);
  });

  it.skipIf(process.getuid?.() !== 0)('a nanobot process running as root is found in the real process table', async () => {
    const dir = await tempDir();
    const fake = join(dir, 'nanobot');
    await writeFile(fake, '#!/bin/sh\nsleep 30\n');
    await chmod(fake, 0o755);
    const child = spawn(fake, ['gateway'], { stdio: 'ignore' });
    cleanup.push(() => child.kill());
    await new Promise((r) => setTimeout(r, 200));
    const found = (await deploymentFindings(await ctx({ procRoot: '/proc' }))).filter((f) => f.ruleId === 'process-root');
    expect(found.map((f) => f.message)).toContainEqual(expect.stringMatching(new RegExp(`^process ${child.pid} \\(nanobot gateway\\) runs as root$`)));
  });
});

describe('firewall', () => {
  it("names the rule to close the gateway port, from ufw's own status", async () => {
    const run = async (command: string) => (command === 'ufw' ? { code: 0, stdout: 'Status: active\n\nTo Action From\n22/tcp ALLOW Anywhere\n' } : undefined);
    const found = await deploymentFindings(await ctx({ run, config: { gateway: { host: '0.0.0.0', port: 18790 } } }));
    const fw = found.find((f) => f.ruleId === 'firewall-open');
    expect(fw?.severity).toBe('medium');
    expect(fw?.message).toBe('ufw does not block port 18790 (gateway); to close it: sudo ufw deny 18790/tcp');
    const blocked = async (command: string) => (command === 'ufw' ? { code: 0, stdout: 'Status: active\n18790/tcp DENY Anywhere\n' } : undefined);
    expect(ids(await deploymentFindings(await ctx({ run: blocked })))).not.toContain('firewall-open');
  });

  it('says "not checked" when there is no firewall tool', async () => {
    const found = await deploymentFindings(await ctx({ run: async () => undefined }));
    expect(found.find((f) => f.ruleId === 'not-checked' && /firewall/.test(f.message))?.message).toBe('firewall not checked: neither ufw nor nft is installed');
  });
});

describe('workspace review', () => {
  it('lists setuid files, links outside, executables and recent files, deleting nothing', async () => {
    const c = await ctx();
    const ws = join(c.file, '..', 'workspace');
    await mkdir(ws, { recursive: true });
    await writeFile(join(ws, 'run.sh'), '#!/bin/sh\n');
    await chmod(join(ws, 'run.sh'), 0o755);
    await writeFile(join(ws, 'suid'), 'x');
    await chmod(join(ws, 'suid'), 0o4755);
    await symlink('/etc/passwd', join(ws, 'passwd'));
    const found = (await deploymentFindings({ ...c, config: { agents: { defaults: { workspace: ws } } } })).filter((f) => f.ruleId === 'workspace-review');
    expect(found.map((f) => f.message.replace(ws, 'WS'))).toEqual([
      'setuid or setgid files in WS: suid'.replace('setuid', '1 setuid'),
      '1 links pointing outside the workspace in WS: passwd -> /etc/passwd',
      '1 executable files in WS: run.sh',
      '2 files changed in the last 3 days in WS: run.sh, suid',
    ]);
  });
});

describe('running containers (docker inspect)', () => {
  it('checks the same flags as a compose service', async () => {
    const inspect = [
      {
        Name: '/nanobot',
        HostConfig: {
          ReadonlyRootfs: false,
          SecurityOpt: null,
          CapDrop: null,
          CapAdd: ['NET_ADMIN'],
          Privileged: true,
          NetworkMode: 'bridge',
          PortBindings: { '18790/tcp': [{ HostIp: '', HostPort: '18790' }], '8765/tcp': [{ HostIp: '127.0.0.1', HostPort: '8765' }] },
        },
        Mounts: [{ Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock', RW: true }],
      },
    ];
    const run = async (command: string, args: string[]) =>
      command !== 'docker'
        ? undefined
        : args[0] === 'ps'
          ? { code: 0, stdout: 'abc123\tnanobot:latest\t"nanobot gateway"\tnanobot\n' }
          : { code: 0, stdout: JSON.stringify(inspect) };
    const found = (await deploymentFindings(await ctx({ run, env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' } }))).filter((f) => f.ruleId.startsWith('compose-'));
    expect(found.map((f) => f.ruleId).sort()).toEqual([
      'compose-cap-drop',
      'compose-docker-socket',
      'compose-no-new-privileges',
      'compose-ports-loopback',
      'compose-privileged',
      'compose-read-only',
      'compose-tmpfs',
    ]);
    expect(found.find((f) => f.ruleId === 'compose-ports-loopback')?.message).toBe('container nanobot in docker inspect publishes 18790 on all interfaces');
  });

  it('says "not checked" when the daemon does not answer', async () => {
    const run = async (command: string) => (command === 'docker' ? { code: 1, stdout: '' } : undefined);
    const found = await deploymentFindings(await ctx({ run, env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' } }));
    expect(found.map((f) => f.message)).toContain('running containers not checked: the docker command is installed but the daemon does not answer');
  });

  it('does not run docker at all where no daemon socket exists', async () => {
    let asked = false;
    const run = async (command: string) => {
      if (command === 'docker') asked = true;
      return undefined;
    };
    await deploymentFindings(await ctx({ run }));
    expect(asked).toBe(false);
  });
});
