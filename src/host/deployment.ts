// The deployment around the config: the systemd units that start nanobot, the processes running
// it, the sockets it listens on, the firewall, and the workspace. Each probe reads the system's
// own files or tools; when it cannot, it says "not checked" at info level instead of guessing.
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { redactArgs } from '../config/credentials.js';
import { getIn } from '../config/model.js';
import type { VersionTraits } from '../config/version.js';
import { makeFinding, type Finding, type Severity } from '../findings.js';
import { exists, listDir, lstatOf, readlinkOf, readProcFile, realpathOf } from '../io/read.js';
import { isUserUnit, lastValue, listValues, loadUnit, splitWords, unitSearchPath } from './unit-file.js';

export interface DeploymentContext {
  file: string;
  traits: VersionTraits;
  /** The effective config value. */
  config: Record<string, unknown>;
  env: Readonly<Record<string, string | undefined>>;
  /** Units named with --unit, else the ones found that start nanobot. */
  units: readonly string[];
  /** Where /proc is (tests point it at a fixture tree). */
  procRoot: string;
  /** Runs a command; undefined when it is missing or not permitted. */
  run?: (command: string, args: string[]) => Promise<{ code: number; stdout: string } | undefined>;
  platform: NodeJS.Platform;
  /** Machine-wide answers shared by every config of one run. */
  cache?: Map<string, Promise<unknown>>;
}

function once<T>(ctx: DeploymentContext, key: string, work: () => Promise<T>): Promise<T> {
  if (!ctx.cache) return work();
  let hit = ctx.cache.get(key) as Promise<T> | undefined;
  if (!hit) ctx.cache.set(key, (hit = work()));
  return hit;
}

type Probe = (ctx: DeploymentContext) => Promise<Finding[]>;

function finding(ctx: DeploymentContext, ruleId: string, args: Record<string, string | number>, where?: { file: string; line: number }, severity?: Severity): Finding {
  const f = makeFinding(
    {
      ruleId,
      file: where?.file ?? ctx.file,
      args,
      ...(where ? { line: where.line, column: 1 } : {}),
      source: { kind: 'host' as const },
    },
    ctx.traits,
  );
  return severity ? { ...f, severity } : f;
}

const notChecked = (ctx: DeploymentContext, check: string, why: string): Finding => finding(ctx, 'not-checked', { check, why });

// ---- systemd ----------------------------------------------------------------------------------

const yes = (v: string | undefined) => v !== undefined && /^(yes|true|on|1)$/i.test(v);

export async function unitFindings(ctx: DeploymentContext): Promise<Finding[]> {
  const out: Finding[] = [];
  const dataDir = dirname(ctx.file);
  for (const file of ctx.units) {
    const userUnit = isUserUnit(file);
    // The unit with its drop-ins, as systemd merges them: the last assignment of a setting wins.
    const unit = loadUnit(file, unitSearchPath(userUnit, ctx.env));
    if (!unit) continue;
    const last = (key: string) => lastValue(unit, key);
    const service = unit.lines.find((l) => l.section === 'Service')?.line ?? 1;
    const at = (key: string) => {
      const l = last(key);
      return { file: l?.file ?? file, line: l?.line ?? service };
    };
    const name = unit.name;
    if (!userUnit) {
      const user = last('User')?.value;
      if (!user || user === 'root' || user === '0') out.push(finding(ctx, 'systemd-user-root', { unit: name }, at('User')));
    }
    if (!yes(last('NoNewPrivileges')?.value)) out.push(finding(ctx, 'systemd-no-new-privileges', { unit: name }, at('NoNewPrivileges')));
    if (userUnit) continue;
    const detail: string[] = [];
    const protectSystem = last('ProtectSystem')?.value;
    if (!protectSystem || !/^(strict|full|yes|true)$/i.test(protectSystem)) detail.push('has no ProtectSystem=strict');
    const protectHome = last('ProtectHome')?.value;
    if (!protectHome || /^(no|false)$/i.test(protectHome)) detail.push('has no ProtectHome=read-only');
    // ReadWritePaths= is a list: an empty assignment resets it; `-` marks a path that may be missing.
    const rw = listValues(unit, 'ReadWritePaths').flatMap((l) => splitWords(l.value).words).map((p) => p.replace(/^[-+]+/, ''));
    const hides = (protectSystem && /^strict$/i.test(protectSystem)) || (protectHome && !/^(no|false)$/i.test(protectHome));
    if (hides && !rw.some((p) => dataDir === p || dataDir.startsWith(p.replace(/\/$/, '') + '/'))) {
      detail.push(`makes ${dataDir} read-only without ReadWritePaths=${dataDir}: nanobot cannot save sessions or pairing approvals`);
    }
    if (detail.length > 0) out.push(finding(ctx, 'systemd-sandbox', { unit: name, detail: detail.join('; ') }, at('ProtectSystem')));
    if (!yes(last('PrivateTmp')?.value)) out.push(finding(ctx, 'systemd-private-tmp', { unit: name }, at('PrivateTmp')));
  }
  if (ctx.units.length > 0 && ctx.run) out.push(...(await exposure(ctx)));
  return out;
}

/** `systemd-analyze security UNIT`: systemd's own 0-10 exposure score, where systemd runs. */
export function parseExposure(text: string): { score: string; level: string } | undefined {
  const m = /Overall exposure level for \S+:\s*([\d.]+)\s+(\S+)/.exec(text);
  return m ? { score: m[1]!, level: m[2]! } : undefined;
}

async function exposure(ctx: DeploymentContext): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const unit of ctx.units) {
    const name = unit.slice(unit.lastIndexOf('/') + 1);
    const user = /\/systemd\/user\//.test(unit);
    const r = await ctx.run!('systemd-analyze', [...(user ? ['--user'] : []), 'security', '--no-pager', name]);
    if (!r) return [notChecked(ctx, 'systemd-analyze security', 'systemd-analyze is not installed')];
    const parsed = parseExposure(r.stdout);
    if (!parsed) return [notChecked(ctx, 'systemd-analyze security', 'systemd is not running here, or does not know the unit')];
    out.push(finding(ctx, 'systemd-exposure', { unit: name, score: parsed.score, level: parsed.level }));
  }
  return out;
}

// ---- processes --------------------------------------------------------------------------------

/** A process's command for a message: credentials on its command line go before it is shortened. */
function shownCommand(args: readonly string[]): string {
  return redactArgs(args)
    .map((a) => a.slice(a.lastIndexOf('/') + 1))
    .join(' ')
    .slice(0, 60);
}

/** Running nanobot processes: a python running nanobot, or the nanobot console script. */
export async function nanobotProcesses(procRoot: string): Promise<{ pid: number; uid: number; command: string }[] | undefined> {
  const entries = listDir(procRoot);
  if (!entries) return undefined;
  const out: { pid: number; uid: number; command: string }[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const cmdline = readProcFile(join(procRoot, e, 'cmdline')) ?? '';
    const args = cmdline.split('\0').filter(Boolean);
    if (args.length === 0) continue;
    const isNanobot = args.slice(0, 3).some((a) => /(^|\/)nanobot$/.test(a)) || (args.some((a) => /python/.test(a)) && args.some((a) => /^nanobot(\.|$)/.test(a) || /\/nanobot$/.test(a)));
    if (!isNanobot || args.some((a) => /(^|\/)harden(\.js)?$/.test(a))) continue;
    const status = readProcFile(join(procRoot, e, 'status')) ?? '';
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
    if (Number.isNaN(uid)) continue;
    // From the nanobot script on (a shebang's interpreter says nothing), else the whole python line.
    const from = args.findIndex((a) => /(^|\/)nanobot$/.test(a));
    out.push({ pid: Number(e), uid, command: shownCommand(args.slice(Math.max(from, 0))) });
  }
  return out;
}

/** `ps -axo pid=,uid=,args=` (macOS and other systems without /proc) to the same shape. */
export function parsePs(text: string): { pid: number; uid: number; command: string }[] {
  const out: { pid: number; uid: number; command: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const args = m[3]!.split(/\s+/);
    const from = args.findIndex((a) => /(^|\/)nanobot$/.test(a));
    const python = args.some((a) => /python/.test(a)) && args.some((a) => /^nanobot(\.|$)/.test(a));
    if ((from < 0 && !python) || args.some((a) => /(^|\/)harden(\.js)?$/.test(a))) continue;
    out.push({ pid: Number(m[1]), uid: Number(m[2]), command: shownCommand(args.slice(Math.max(from, 0))) });
  }
  return out;
}

const processRoot: Probe = async (ctx) => {
  let procs = ctx.platform === 'linux' ? await once(ctx, `procs:${ctx.procRoot}`, () => nanobotProcesses(ctx.procRoot)) : undefined;
  if (!procs && ctx.run) {
    const ps = await ctx.run('ps', ['-axo', 'pid=,uid=,args=']);
    if (ps?.code === 0) procs = parsePs(ps.stdout);
  }
  if (!procs) return [notChecked(ctx, 'running processes', ctx.platform === 'linux' ? `${ctx.procRoot} cannot be read` : `no /proc on ${ctx.platform} and ps did not answer`)];
  return procs.filter((p) => p.uid === 0).map((p) => finding(ctx, 'process-root', { pid: p.pid, command: p.command }));
};

// ---- sockets ----------------------------------------------------------------------------------

export interface Listener {
  address: string;
  port: number;
}

/** LISTEN sockets from /proc/net/tcp and tcp6. */
export function parseProcNet(text: string, v6: boolean): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== '0A') continue;
    const [hex, portHex] = f[1]!.split(':');
    if (!hex || !portHex) continue;
    const port = parseInt(portHex, 16);
    let address: string;
    if (!v6) {
      const b = hex.match(/../g)!.map((x) => parseInt(x, 16)).reverse();
      address = b.join('.');
    } else {
      const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
      const full = words.join('').match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
      address = full.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/^0::/, '::');
    }
    out.push({ address, port });
  }
  return out;
}

const wildcard = (address: string) => address === '0.0.0.0' || address === '::' || address === '0:0:0:0:0:0:0:0';

function ports(ctx: DeploymentContext): { port: number; what: string; severity: Severity }[] {
  const num = (path: string[], fallback: number) => {
    const v = getIn(ctx.config, path);
    return typeof v === 'number' ? v : fallback;
  };
  return [
    { port: num(['gateway', 'port'], 18790), what: 'gateway', severity: 'high' },
    { port: num(['api', 'port'], 8900), what: 'the API, which drives the agent', severity: 'critical' },
    { port: num(['channels', 'websocket', 'port'], 8765), what: 'the WebUI, which controls the agent', severity: 'critical' },
  ];
}

/** `lsof -nP -iTCP -sTCP:LISTEN` (macOS, where there is no /proc/net) to listeners. */
export function parseLsof(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /TCP\s+(\*|\[[^\]]+\]|[^\s:]+):(\d+)\s+\(LISTEN\)/.exec(line);
    if (!m) continue;
    const host = m[1]!;
    out.push({ address: host === '*' ? (/IPv6/.test(line) ? '::' : '0.0.0.0') : host.replace(/^\[|\]$/g, ''), port: Number(m[2]) });
  }
  return out;
}

async function listeners(ctx: DeploymentContext): Promise<Listener[] | string> {
  if (ctx.platform === 'linux') {
    const v4 = await once(ctx, `tcp:${ctx.procRoot}`, async () => readProcFile(join(ctx.procRoot, 'net', 'tcp')));
    const v6 = await once(ctx, `tcp6:${ctx.procRoot}`, async () => readProcFile(join(ctx.procRoot, 'net', 'tcp6')) ?? '');
    if (v4 !== undefined) return [...parseProcNet(v4, false), ...parseProcNet(v6 ?? '', true)];
  }
  const lsof = await ctx.run?.('lsof', ['-nP', '-iTCP', '-sTCP:LISTEN']);
  if (lsof && (lsof.code === 0 || lsof.stdout !== '')) return parseLsof(lsof.stdout);
  return ctx.platform === 'linux' ? `${join(ctx.procRoot, 'net', 'tcp')} cannot be read and lsof did not answer` : `no /proc/net on ${ctx.platform} and lsof did not answer`;
}

const sockets: Probe = async (ctx) => {
  const found = await listeners(ctx);
  if (typeof found === 'string') return [notChecked(ctx, 'listening sockets', found)];
  const listening = found;
  const out: Finding[] = [];
  for (const p of ports(ctx)) {
    const hit = listening.find((l) => l.port === p.port && wildcard(l.address));
    if (hit) out.push(finding(ctx, 'listener-wildcard', { port: p.port, what: p.what, address: hit.address }, undefined, p.severity));
  }
  return out;
};

// ---- firewall ---------------------------------------------------------------------------------

const firewall: Probe = async (ctx) => {
  if (!ctx.run) return [];
  const gateway = ports(ctx)[0]!;
  const host = String(getIn(ctx.config, ['gateway', 'host']) ?? '');
  const exposed = !/^(127\.|localhost$|::1$|\[::1\]$)/.test(host);
  const ufw = await ctx.run('ufw', ['status']);
  if (ufw && ufw.code === 0) {
    const active = /Status:\s+active/i.test(ufw.stdout);
    const blocked = active && new RegExp(`^${gateway.port}(/tcp)?\\s+(DENY|REJECT)\\b`, 'mi').test(ufw.stdout);
    return blocked ? [] : [finding(ctx, 'firewall-open', { tool: active ? 'ufw' : 'ufw (inactive)', port: gateway.port, what: gateway.what, command: `sudo ufw deny ${gateway.port}/tcp` }, undefined, exposed ? 'medium' : 'low')];
  }
  const nft = await ctx.run('nft', ['list', 'ruleset']);
  if (nft && nft.code === 0) {
    const blocked = new RegExp(`dport\\s+(\\{[^}]*\\b${gateway.port}\\b[^}]*\\}|${gateway.port})\\b[^\\n]*(drop|reject)`).test(nft.stdout);
    return blocked ? [] : [finding(ctx, 'firewall-open', { tool: 'nftables', port: gateway.port, what: gateway.what, command: `sudo nft add rule inet filter input tcp dport ${gateway.port} drop` }, undefined, exposed ? 'medium' : 'low')];
  }
  return [notChecked(ctx, 'firewall', ufw || nft ? 'ufw and nft need root to list rules' : 'neither ufw nor nft is installed')];
};

// ---- workspace --------------------------------------------------------------------------------

export function workspacePath(ctx: Pick<DeploymentContext, 'config' | 'env' | 'file'>): string {
  const raw = getIn(ctx.config, ['agents', 'defaults', 'workspace']);
  const text = typeof raw === 'string' && raw !== '' ? raw : '~/.nanobot/workspace';
  const home = ctx.env['HOME'] || homedir();
  const expanded = text === '~' ? home : text.startsWith('~/') ? join(home, text.slice(2)) : text;
  return isAbsolute(expanded) ? expanded : resolve(dirname(ctx.file), expanded);
}

/** How far back the workspace review (and harden incident's workspace step) looks. */
export const RECENT_DAYS = 3;
const MAX_ENTRIES = 20_000;

const workspace: Probe = (ctx) => once(ctx, `workspace:${workspacePath(ctx)}`, () => reviewWorkspace(ctx));

async function reviewWorkspace(ctx: DeploymentContext): Promise<Finding[]> {
  const root = workspacePath(ctx);
  const realRoot = realpathOf(root);
  if (!realRoot) return [];
  const found = { executable: [] as string[], setuid: [] as string[], outside: [] as string[], recent: [] as string[] };
  const since = Date.now() - RECENT_DAYS * 86_400_000;
  let seen = 0;
  const walk = (dir: string, depth: number): void => {
    if (depth > 12 || seen > MAX_ENTRIES) return;
    for (const name of listDir(dir) ?? []) {
      if (++seen > MAX_ENTRIES) return;
      const path = join(dir, name);
      const info = lstatOf(path);
      if (!info) continue;
      const rel = relative(realRoot, path);
      if (info.isSymbolicLink()) {
        // A dangling link still says where it points.
        const resolved = realpathOf(path);
        const written = resolved === undefined ? readlinkOf(path) : undefined;
        const target = resolved ?? (written === undefined ? undefined : resolve(dirname(path), written));
        if (target !== undefined && relative(realRoot, target).startsWith('..')) found.outside.push(`${rel} -> ${target}`);
        continue;
      }
      if (info.isDirectory()) {
        if (name !== '.git' && name !== 'node_modules' && name !== '.venv') walk(path, depth + 1);
        continue;
      }
      if (!info.isFile()) continue;
      if (info.mode & 0o6000) found.setuid.push(rel);
      else if (info.mode & 0o111) found.executable.push(rel);
      if (info.mtimeMs >= since) found.recent.push(rel);
    }
  };
  walk(realRoot, 0);
  const out: Finding[] = [];
  const add = (list: string[], what: string) => {
    if (list.length > 0) out.push(finding(ctx, 'workspace-review', { count: list.length, what, dir: realRoot, examples: list.slice(0, 3).join(', ') + (list.length > 3 ? ', ...' : '') }));
  };
  add(found.setuid, 'setuid or setgid files');
  add(found.outside, 'links pointing outside the workspace');
  add(found.executable, 'executable files');
  add(found.recent, `files changed in the last ${RECENT_DAYS} days`);
  if (seen > MAX_ENTRIES) out.push(notChecked(ctx, `the rest of ${realRoot}`, `more than ${MAX_ENTRIES} entries`));
  return out;
}

/** A command runner on execa (loaded only when a probe runs one); undefined when it is not installed. */
export async function commandRunner(pathVar: string | undefined): Promise<DeploymentContext['run']> {
  // One answer per command line per run: a fleet of 1,000 configs asks ufw once, not 1,000 times.
  const seen = new Map<string, Promise<{ code: number; stdout: string } | undefined>>();
  const run: NonNullable<DeploymentContext['run']> = async (command, args) => {
    // ufw and nft live in sbin, which a user's PATH may leave out.
    const dirs = new Set((pathVar ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin']));
    let found: string | undefined;
    for (const d of dirs) {
      if (!d) continue;
      if (exists(join(d, command))) {
        found = join(d, command);
        break;
      }
    }
    if (!found) return undefined;
    const { execa } = await import('execa');
    const r = await execa(found, args, { reject: false, timeout: 5000, stdin: 'ignore', env: { LC_ALL: 'C' } });
    return { code: typeof r.exitCode === 'number' ? r.exitCode : 1, stdout: String(r.stdout) };
  };
  return (command, args) => {
    const key = [command, ...args].join('\0');
    let answer = seen.get(key);
    if (!answer) seen.set(key, (answer = run(command, args)));
    return answer;
  };
}

// ---- running containers -------------------------------------------------------------------------

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
    if (!(h.CapDrop ?? []).some((x) => /^(CAP_)?ALL$/i.test(x)) || extra.length > 0) add('compose-cap-drop', { detail: extra.length ? ` (it adds ${extra.join(', ')})` : '' });
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
export async function dockerDaemon(env: DeploymentContext['env']): Promise<boolean> {
  if (env['DOCKER_HOST']) return true;
  for (const socket of ['/var/run/docker.sock', '/run/docker.sock', join(env['HOME'] ?? '', '.docker', 'run', 'docker.sock')]) {
    if (exists(socket)) return true;
  }
  return false;
}

/** One `docker ps` a run: the container probe and where.ts ask the same (the runner keeps the answer). */
export const DOCKER_PS = ['ps', '--format', '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Names}}'];

const containers: Probe = async (ctx) => {
  if (!ctx.run) return [];
  if (!(await once(ctx, 'docker-daemon', () => dockerDaemon(ctx.env)))) return [];
  const ps = await ctx.run('docker', DOCKER_PS);
  if (!ps) return [];
  if (ps.code !== 0) return [notChecked(ctx, 'running containers', 'the docker command is installed but the daemon does not answer')];
  const ids = ps.stdout.split('\n').filter((l) => /nanobot/i.test(l)).map((l) => l.split('\t')[0]!).filter(Boolean);
  if (ids.length === 0) return [];
  const inspect = await ctx.run('docker', ['inspect', ...ids]);
  if (!inspect || inspect.code !== 0) return [notChecked(ctx, 'running containers', 'docker inspect failed')];
  return inspectFindings(ctx, JSON.parse(inspect.stdout) as Inspect[]);
};

export const PROBES: readonly Probe[] = [unitFindings, processRoot, sockets, firewall, workspace, containers];

export async function deploymentFindings(ctx: DeploymentContext): Promise<Finding[]> {
  const results = await Promise.all(PROBES.map((p) => p(ctx).catch((e: unknown) => [notChecked(ctx, 'a deployment check', e instanceof Error ? e.message : String(e))])));
  return results.flat();
}
