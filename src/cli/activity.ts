// `harden activity`: the config read as the audit reads it -> the instance's histories and
// workspace -> findings and a listing -> reporter -> exit code.
import { basename, dirname, resolve } from 'node:path';
import { homedir } from 'node:os';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { SEVERITIES, type Severity } from '../findings/index.js';
import { configPaths } from './audit.js';
import { useColor, type Io } from '../io/process-io.js';
import type { ActivityOptions, ActivityResult } from '../activity/index.js';

export const ACTIVITY_FORMATS = ['text', 'json', 'sarif'] as const;

export interface ActivityFlags {
  config: string[];
  since?: string;
  session?: string;
  format: (typeof ACTIVITY_FORMATS)[number];
  failOn: Severity;
  nanobotVersion?: string;
  waivers?: string;
  color?: boolean;
}

export function addActivityOptions(command: Command): Command {
  return command
    .option('-c, --config <path>', "the instance's config (default: nanobot's ~/.nanobot/config.json)", (v: string, p: string[]) => [...p, v], [])
    .option('--since <when>', 'only what happened since a date (2026-11-20, 2026-11-20T08:00) or for a duration back from now (7d, 12h, 30m)')
    .option('--session <key>', 'one session only (channel:chat_id), with everything it did listed')
    .addOption(new Option('--format <format>', 'output format').choices(ACTIVITY_FORMATS).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(SEVERITIES).default('low'))
    .option('--nanobot-version <version>', 'read the history as this nanobot version wrote it instead of the installed one')
    .option('--waivers <file>', 'waiver file, besides the .harden.json next to the config')
    .option('--color', 'force colour output')
    .option('--no-color', 'no colour output');
}

export interface Reviewed {
  result: ActivityResult;
  /** Every secret harden knows of (the config's, NANOBOT_* variables'), for the redactor. */
  secrets: string[];
}

/** Read the config as the audit does, then review the instance's activity. */
export async function review(file: string, io: Io, options: { since?: string; session?: string; nanobotVersion?: string; now?: number }): Promise<Reviewed> {
  const { resolveTraits } = await import('../audit/index.js');
  const { readConfig } = await import('../config/read.js');
  const { effectiveConfig, getIn, isObject } = await import('../config/model.js');
  const { isPlaintextSecret, isSecretPath, secretsInEnv, secretsInTree } = await import('../config/secrets.js');
  const { dotted } = await import('../config/pointer.js');
  const { workspacePath } = await import('../host/workspace.js');
  const { parseSince } = await import('../activity/since.js');
  const { activity } = await import('../activity/index.js');
  const traits = await resolveTraits({
    noHost: false,
    env: io.env,
    ...(options.nanobotVersion !== undefined ? { nanobotVersion: options.nanobotVersion } : {}),
  });
  const { parsed } = readConfig(file);
  const value = effectiveConfig(parsed, { traits, env: io.env }).value;
  const fields: { field: string; value: string }[] = [];
  const visit = (v: unknown, path: string[]): void => {
    if (isObject(v)) for (const [k, x] of Object.entries(v)) visit(x, [...path, k]);
    else if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, String(i)]));
    else if (typeof v === 'string' && isSecretPath(path) && isPlaintextSecret(v)) fields.push({ field: dotted(path), value: v });
  };
  visit(value, []);
  const dataDir = dirname(file);
  // nanobot's ~ is its own user's home: the parent of ~/.nanobot when the config is there.
  const home = basename(dataDir) === '.nanobot' ? dirname(dataDir) : io.env['HOME'] || homedir();
  const restrict = traits.restrictInExecOnly
    ? getIn(value, ['tools', 'exec', 'restrictToWorkspace']) === true
    : getIn(value, ['tools', 'restrictToWorkspace']) === true;
  const opts: ActivityOptions = {
    config: file,
    value,
    traits,
    workspace: workspacePath({ config: value, env: { ...io.env, HOME: home }, file }),
    dataDir,
    home,
    restrict,
    secrets: fields,
    ...(options.since !== undefined ? { since: parseSince(options.since, options.now) } : {}),
    ...(options.session !== undefined ? { session: options.session } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  };
  const result = activity(opts);
  const secrets = [...new Set([...fields.map((f) => f.value), ...secretsInTree(parsed.root, parsed.text), ...secretsInEnv(io.env)])];
  return { result, secrets };
}

export async function runActivity(flags: ActivityFlags, io: Io): Promise<number> {
  if (flags.nanobotVersion === '') throw new UsageError('--nanobot-version needs a version such as 0.3.0');
  if (flags.session === '') throw new UsageError('--session needs a session key such as telegram:123456789');
  const files = configPaths(flags, io);
  if (files.length !== 1) throw new UsageError('harden activity reviews one instance: give one --config');
  const { result, secrets } = await review(files[0]!, io, {
    ...(flags.since !== undefined ? { since: flags.since } : {}),
    ...(flags.session !== undefined ? { session: flags.session } : {}),
    ...(flags.nanobotVersion !== undefined ? { nanobotVersion: flags.nanobotVersion } : {}),
  });
  const { applyWaivers, loadWaivers, today, forPipeline } = await import('../findings/waivers.js');
  const waivers = forPipeline(loadWaivers(files, flags.waivers ? resolve(io.cwd, flags.waivers) : undefined), 'activity');
  if (waivers.length > 0) {
    const { traitsFor, parseVersion } = await import('../config/version.js');
    result.findings = applyWaivers(result.findings, waivers, today(), traitsFor(parseVersion(result.nanobot.version)!, result.nanobot.source));
  }
  const { summarize } = await import('../report/summary.js');
  const summary = summarize(result.findings, flags.failOn, []);
  const report = await import('../report/activity.js');
  const { redactor } = await import('../config/secrets.js');
  const output =
    flags.format === 'json'
      ? report.renderActivityJson(result, summary)
      : flags.format === 'sarif'
        ? report.renderActivitySarif(result, summary, io.cwd)
        : report.renderActivityText(result, summary, { color: useColor(flags.color, io.env, io.stdout), cwd: io.cwd, full: flags.session !== undefined });
  io.stdout.write(redactor(secrets)(output));
  return summary.failed ? 1 : 0;
}
