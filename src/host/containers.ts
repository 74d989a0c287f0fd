// Running containers of nanobot, read with `docker inspect`, held to the compose rules.
import { join } from 'node:path';
import type { Finding } from '../findings/index.js';
import { exists } from '../io/read.js';
import { finding, notChecked, once, type DeploymentContext, type Probe } from './probe.js';

interface Inspect {
  Name?: string;
  Config?: { Image?: string; User?: string };
  HostConfig?: {
    ReadonlyRootfs?: boolean;
    SecurityOpt?: string[] | null;
    CapDrop?: string[] | null;
    CapAdd?: string[] | null;
    Privileged?: boolean;
    NetworkMode?: string;
    PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    Tmpfs?: Record<string, string> | null;
  };
  Mounts?: { Source?: string; Destination?: string; RW?: boolean }[];
}

/** The same flags as a compose service, read from `docker inspect` of a running container. */
export function inspectFindings(ctx: DeploymentContext, containers: readonly Inspect[]): Finding[] {
  const out: Finding[] = [];
  for (const c of containers) {
    const name = (c.Name ?? '').replace(/^\//, '');
    const h = c.HostConfig ?? {};
    const args = { service: `container ${name}`, file: 'docker inspect' };
    const add = (ruleId: string, extra: Record<string, string> = {}) => out.push(finding(ctx, ruleId, { ...args, ...extra }));
    if (!h.ReadonlyRootfs) add('compose-read-only');
    if (!(h.SecurityOpt ?? []).some((o) => /^no-new-privileges(:true|=true)?$/.test(o))) add('compose-no-new-privileges');
    const extra = (h.CapAdd ?? []).map((x) => x.replace(/^CAP_/, '').toUpperCase()).filter((x) => !['CHOWN', 'SETUID', 'SETGID'].includes(x));
    if (!(h.CapDrop ?? []).some((x) => /^(CAP_)?ALL$/i.test(x)) || extra.length > 0)
      add('compose-cap-drop', { detail: extra.length ? ` (it adds ${extra.join(', ')})` : '' });
    if (!Object.entries(h.Tmpfs ?? {}).some(([p, o]) => p === '/tmp' && /noexec/.test(o) && /nosuid/.test(o))) add('compose-tmpfs');
    for (const [port, binds] of Object.entries(h.PortBindings ?? {})) {
      for (const b of binds ?? []) if (!/^(127\.|::1$)/.test(b.HostIp ?? '')) add('compose-ports-loopback', { port: b.HostPort || port });
    }
    if (h.Privileged) add('compose-privileged');
    if (h.NetworkMode === 'host') add('compose-host-network');
    for (const m of c.Mounts ?? []) if (/docker\.sock/.test(m.Source ?? '')) add('compose-docker-socket', { source: m.Source ?? '' });
  }
  return out;
}

/** Where a Docker daemon would answer; without one, `docker ps` is a slow way to learn nothing. */
export function dockerDaemon(env: DeploymentContext['env']): boolean {
  if (env['DOCKER_HOST']) return true;
  for (const socket of ['/var/run/docker.sock', '/run/docker.sock', join(env['HOME'] ?? '', '.docker', 'run', 'docker.sock')]) {
    if (exists(socket)) return true;
  }
  return false;
}

/** One `docker ps` a run: the container probe and where.ts ask the same (the runner keeps the answer). */
export const DOCKER_PS = ['ps', '--format', '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Names}}'];

export const containers: Probe = async (ctx) => {
  if (!ctx.run) return [];
  if (!(await once(ctx, 'docker-daemon', () => dockerDaemon(ctx.env)))) return [];
  const ps = await ctx.run('docker', DOCKER_PS);
  if (!ps) return [];
  if (ps.code !== 0) return [notChecked(ctx, 'running containers', 'the docker command is installed but the daemon does not answer')];
  const ids = ps.stdout
    .split('\n')
    .filter((l) => /nanobot/i.test(l))
    .map((l) => l.split('\t')[0]!)
    .filter(Boolean);
  if (ids.length === 0) return [];
  const inspect = await ctx.run('docker', ['inspect', ...ids]);
  if (!inspect || inspect.code !== 0) return [notChecked(ctx, 'running containers', 'docker inspect failed')];
  return inspectFindings(ctx, JSON.parse(inspect.stdout) as Inspect[]);
};
