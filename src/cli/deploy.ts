// `harden docker`, `harden systemd`, `harden incident`: text for this deployment's real paths.
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError, isHardenError } from '../errors.js';
import type { IncidentFacts } from '../deploy/print.js';
import { redactor } from '../config/secrets.js';
import { exists, findExecutable, statOf } from '../io/read.js';
import { configPaths } from './audit.js';
import type { Io } from '../io/process-io.js';

interface DeployFlags {
  config: string[];
  nanobotVersion?: string;
  format?: 'run' | 'compose';
}

export function addDeployOptions(command: Command): Command {
  return command
    .option('-c, --config <path>', "the config (default: nanobot's ~/.nanobot/config.json)", (v: string, p: string[]) => [...p, v], [])
    .option('--nanobot-version <version>', 'the nanobot version to assume');
}

/** The user nanobot should run as: the config's owner, unless that is root (then a user to create). */
async function runAs(path: string): Promise<{ user: string; owner: 'config' | 'root'; mode: number }> {
  const info = statSync(path);
  const { accountOf } = await import('../host/users.js');
  const name = accountOf(info.uid)?.name;
  return { user: info.uid !== 0 && name ? name : 'nanobot', owner: info.uid !== 0 && name ? 'config' : 'root', mode: info.mode & 0o777 };
}

async function facts(flags: DeployFlags, io: Io) {
  const files = configPaths(flags, io);
  if (files.length !== 1) throw new UsageError('give one --config');
  const file = files[0]!;
  const { auditFile, resolveTraits } = await import('../audit/index.js');
  const options = {
    configs: [file],
    profile: 'baseline' as const,
    noHost: true,
    env: io.env,
    ...(flags.nanobotVersion ? { nanobotVersion: flags.nanobotVersion } : {}),
  };
  const traits = await resolveTraits(options);
  const fa = await auditFile(file, options, traits);
  const { workspacePath } = await import('../host/workspace.js');
  const dataDir = dirname(file);
  const envFile = join(dataDir, 'nanobot.env');
  const bin = process.argv[1] ? resolve(process.argv[1]) : 'harden';
  const who = await runAs(file);
  const installed = findExecutable('nanobot', io.env['PATH']);
  return {
    fa,
    traits,
    facts: {
      config: file,
      dataDir,
      workspace: workspacePath({ config: fa.effective.value, env: io.env, file }),
      value: fa.effective.value,
      user: who.user,
      userIsOwner: who.owner === 'config',
      configMode: who.mode,
      harden: [process.execPath, bin],
      nanobot: installed ?? '/usr/local/bin/nanobot',
      nanobotFound: installed !== undefined,
      ...(exists(envFile) ? { envFile } : {}),
      version: traits.version.text,
    },
  };
}

export async function runDocker(flags: DeployFlags, io: Io): Promise<number> {
  const { dockerText, composeText } = await import('../deploy/docker.js');
  const { facts: f, fa } = await facts(flags, io);
  io.stdout.write(redactor(fa.secrets)(flags.format === 'compose' ? composeText(f) : dockerText(f)));
  return 0;
}

export async function runSystemd(flags: DeployFlags, io: Io): Promise<number> {
  const { systemdText } = await import('../deploy/print.js');
  const { facts: f, fa } = await facts(flags, io);
  io.stdout.write(redactor(fa.secrets)(systemdText(f)));
  return 0;
}

export async function runIncident(flags: DeployFlags, io: Io): Promise<number> {
  const { incidentText } = await import('../deploy/print.js');
  const { findUnits } = await import('../host/env-sources.js');
  const { commandRunner } = await import('../host/probe.js');
  const { nanobotProcesses } = await import('../host/processes.js');
  const { deploymentFindings } = await import('../host/deployment.js');
  const { facts: f, fa, traits } = await facts(flags, io);
  const units = (await findUnits(io.env['HOME'], f.config, [])).map((u) => u.file);
  const processes = nanobotProcesses('/proc') ?? [];
  const run = commandRunner(io.env['PATH']);
  const ps = await run?.('docker', ['ps', '--format', '{{.Names}}\t{{.Image}}\t{{.Command}}']).catch(() => undefined);
  const containers = (ps?.code === 0 ? ps.stdout.split('\n') : [])
    .filter((l) => /nanobot/i.test(l))
    .map((l) => l.split('\t')[0]!)
    .filter(Boolean);
  const review = await deploymentFindings({ file: f.config, traits, config: f.value, env: io.env, units: [], procRoot: '/nonexistent', platform: 'linux' });
  const recent = review.filter((x) => x.ruleId === 'workspace-review').map((x) => x.message);
  const { history, secrets } = await recentActivity(f.config, io, flags.nanobotVersion);
  const { RECENT_DAYS } = await import('../host/workspace.js');
  const workspaceExists = statOf(f.workspace)?.isDirectory() === true;
  io.stdout.write(
    redactor([...fa.secrets, ...secrets])(incidentText({ ...f, units, processes, containers, recent, history, workspaceExists, recentDays: RECENT_DAYS })),
  );
  return 0;
}

/** The guide's "check command history" step: the calls harden activity flags in the last 7 days. */
async function recentActivity(
  config: string,
  io: Io,
  nanobotVersion: string | undefined,
): Promise<{ history: NonNullable<IncidentFacts['history']>; secrets: string[] }> {
  const { review } = await import('./activity.js');
  const since = '7d';
  try {
    const { result, secrets } = await review(config, io, { since, ...(nanobotVersion ? { nanobotVersion } : {}) });
    const { SEVERITIES } = await import('../findings/index.js');
    const flagged = result.findings
      .filter((x) => x.severity !== 'info' && x.severity !== 'low')
      .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity))
      .slice(0, 30)
      .map(
        (x) =>
          `${x.severity}: ${x.event ? `${[x.event.session, x.event.time].filter(Boolean).join(' · ')}: ` : ''}${x.message} (${x.file}${x.line !== undefined ? `:${x.line}` : ''})`,
      );
    const more = result.findings.filter((x) => x.severity !== 'info' && x.severity !== 'low').length - flagged.length;
    if (more > 0) flagged.push(`and ${more} more`);
    return { history: { since: result.since ?? since, flagged, calls: result.calls }, secrets };
  } catch (error) {
    if (!isHardenError(error)) throw error;
    return { history: { since: '7 days ago', flagged: [], calls: 0, note: `not reviewed: ${error.message}` }, secrets: [] };
  }
}
