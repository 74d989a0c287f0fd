// Where nanobot runs, decided from evidence about nanobot, not about harden: a compose file or a
// running container that mounts this config's directory, a systemd unit that starts nanobot, a
// nanobot process on this host, or nanobot installed in the very container harden runs in. That
// a /.dockerenv is where harden runs says nothing about nanobot (a CI runner, a dev container).
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { exists, findExecutable, readProcFile } from '../io/read.js';
import type { DeploymentContext } from './probe.js';
import { textOf } from '../config/text.js';

export type Runtime = 'auto' | 'host' | 'container';

export interface Whereabouts {
  /** container: nanobot reads this config inside a container; host: on this host; unknown: nothing found. */
  where: 'container' | 'host' | 'unknown';
  /** The evidence that decided it, in words (or that nothing was found). */
  evidence: string;
}

export interface WhereInput {
  /** The config (absolute). */
  file: string;
  runtime: Runtime;
  /** Compose files named on the command line. */
  compose: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Where /proc is (tests: a fixture tree). */
  procRoot: string;
  /** The root harden looks for /.dockerenv under (tests: a temp dir). */
  hostRoot: string;
  /** Runs a command (docker); absent under --no-host or where commands are not run. */
  run?: DeploymentContext['run'];
  /** Units that start nanobot, already found by the audit. */
  units?: readonly string[];
  /** Machine-wide answers shared by the configs of one run (the process table). */
  cache?: Map<string, Promise<unknown>>;
}

/** Whether `dir` is the config's directory or one of its ancestors: mounting it exposes the config. */
function mountsConfig(source: string, config: string): boolean {
  const dir = dirname(config);
  const s = source.replace(/\/+$/, '');
  return s === config || s === dir || (s !== '' && dir.startsWith(`${s}/`));
}

/** Compose files to look at: those named, else the usual names beside the config and one level up. */
function composeCandidates(input: WhereInput): string[] {
  if (input.compose.length > 0) return [...input.compose];
  const dir = dirname(input.file);
  const names = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
  return [dir, dirname(dir)].flatMap((d) => names.map((n) => join(d, n))).filter((p) => exists(p));
}

/** A compose service that runs nanobot and mounts the config's directory. */
async function fromCompose(input: WhereInput): Promise<Whereabouts | undefined> {
  const files = composeCandidates(input);
  if (files.length === 0) return undefined;
  const { loadComposeProject } = await import('./compose.js');
  const projects = input.compose.length > 0 ? [input.compose] : files.map((f) => [f]);
  for (const list of projects) {
    let project;
    try {
      project = loadComposeProject(list, input.env);
    } catch {
      continue; // a compose file harden cannot read is reported by the audit of it, not here
    }
    for (const s of project.services) {
      const volumes = Array.isArray(s.value['volumes']) ? (s.value['volumes'] as unknown[]) : [];
      const items = s.items('volumes');
      for (const [i, v] of volumes.entries()) {
        const raw = typeof v === 'string' ? (v.split(':')[0] ?? '') : v && typeof v === 'object' ? textOf((v as Record<string, unknown>)['source'] ?? '') : '';
        if (raw === '') continue;
        const source = isAbsolute(raw) ? raw : resolve(project.directory, raw);
        if (!mountsConfig(source, input.file)) continue;
        const at = items[i] ?? s.at('volumes');
        return { where: 'container', evidence: `the compose service ${s.name} (${at.file}:${at.line}) mounts ${source}` };
      }
    }
  }
  return undefined;
}

interface Mounted {
  Name?: string;
  Mounts?: { Source?: string }[];
}

/** A running container that mounts the config's directory. */
async function fromContainers(input: WhereInput): Promise<Whereabouts | undefined> {
  if (!input.run || !findExecutable('docker', input.env['PATH'])) return undefined;
  const { DOCKER_PS, dockerDaemon } = await import('./containers.js');
  if (!dockerDaemon(input.env)) return undefined;
  const ps = await input.run('docker', DOCKER_PS).catch(() => undefined);
  if (!ps || ps.code !== 0) return undefined;
  const ids = ps.stdout
    .split('\n')
    .map((l) => l.split('\t')[0]!)
    .filter(Boolean);
  if (ids.length === 0) return undefined;
  const inspect = await input.run('docker', ['inspect', ...ids]).catch(() => undefined);
  if (!inspect || inspect.code !== 0) return undefined;
  let containers: Mounted[];
  try {
    containers = JSON.parse(inspect.stdout) as Mounted[];
  } catch {
    return undefined;
  }
  for (const c of containers) {
    const m = (c.Mounts ?? []).find((x) => x.Source !== undefined && mountsConfig(x.Source, input.file));
    if (m) return { where: 'container', evidence: `the running container ${(c.Name ?? '').replace(/^\//, '')} mounts ${m.Source}` };
  }
  return undefined;
}

/** A systemd unit that starts nanobot: in a container when its ExecStart runs docker or podman. */
async function fromUnits(input: WhereInput): Promise<Whereabouts | undefined> {
  const file = (input.units ?? [])[0];
  if (!file) return undefined;
  const { lastValue, loadUnit } = await import('./unit-file.js');
  const unit = loadUnit(file, []);
  const execStart = unit ? (lastValue(unit, 'ExecStart')?.value ?? '') : '';
  const containerized = /(^|\/|\s)(docker|podman)(\s+compose)?\s+(run|start|up)\b/.test(execStart);
  return { where: containerized ? 'container' : 'host', evidence: `the systemd unit ${file} starts it${containerized ? ' in a container' : ''}` };
}

/** A nanobot process: on this host, or in a container when its cgroup says so. */
async function fromProcesses(input: WhereInput): Promise<Whereabouts | undefined> {
  const { nanobotProcesses } = await import('./processes.js');
  // The same key as the process-root probe's (deployment.ts): one read of the process table.
  const key = `procs:${input.procRoot}`;
  // Shared with the process probe (src/host/processes.ts), which asks through once().
  let answer = input.cache?.get(key) as Promise<ReturnType<typeof nanobotProcesses>> | undefined;
  if (!answer) {
    answer = new Promise((resolve) => resolve(nanobotProcesses(input.procRoot)));
    input.cache?.set(key, answer);
  }
  const found = (await answer) ?? [];
  const p = found[0];
  if (!p) return undefined;
  const cgroup = readProcFile(join(input.procRoot, String(p.pid), 'cgroup')) ?? '';
  const contained = /docker|containerd|libpod|kubepods|lxc/.test(cgroup);
  return { where: contained ? 'container' : 'host', evidence: `a nanobot process (pid ${p.pid}) runs ${contained ? 'in a container' : 'on this host'}` };
}

/** harden itself runs in a container, and nanobot is installed in that same container. */
function fromThisContainer(input: WhereInput): Whereabouts | undefined {
  const marker = ['.dockerenv', 'run/.containerenv'].map((m) => join(input.hostRoot, m)).find((m) => exists(m));
  if (!marker) return undefined;
  const nanobot = findExecutable('nanobot', input.env['PATH']);
  return nanobot ? { where: 'container', evidence: `nanobot (${nanobot}) is installed in the container harden runs in (${marker})` } : undefined;
}

/** What --runtime host|container says. */
export function runtimeFlag(runtime: 'host' | 'container'): Whereabouts {
  return { where: runtime, evidence: `--runtime ${runtime}` };
}

/** Under --no-host nothing is looked at. */
export const NOT_LOOKED: Whereabouts = { where: 'unknown', evidence: 'not looked for under --no-host, so the guide applies: 127.0.0.1' };

/** The rules about what nanobot listens on: where it runs decides what they mean. */
export const BIND_RULES: ReadonlySet<string> = new Set([
  'gateway-host-loopback',
  'api-host-loopback',
  'api-exposed-without-key',
  'websocket-host-loopback',
  'websocket-exposed-without-secret',
  'msteams-host-loopback',
  'telegram-webhook-listen',
]);

/** Where nanobot reads this config, and why harden thinks so. */
export async function whereNanobotRuns(input: WhereInput): Promise<Whereabouts> {
  if (input.runtime !== 'auto') return runtimeFlag(input.runtime);
  for (const probe of [fromCompose, fromContainers, fromUnits, fromProcesses, fromThisContainer]) {
    const found = await probe(input);
    if (found) return found;
  }
  return { where: 'unknown', evidence: 'no compose file, container, unit or process of nanobot was found for this config, so the guide applies: 127.0.0.1' };
}
