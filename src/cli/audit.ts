// `harden audit`: flags -> options -> audit -> reporter -> exit code.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { defaultConfigPath, resolveConfigPath } from '../config/read.js';
import { redactor } from '../config/secrets.js';
import { UsageError } from '../errors.js';
import { PROFILES, SEVERITIES, type Profile, type Severity } from '../findings/index.js';
import { reporter, type Format } from '../report/index.js';
import type { AuditOptions } from '../audit/index.js';
import { useColor, type Io } from '../io/process-io.js';

export interface AuditFlags {
  config: string[];
  profile: Profile;
  format: Format;
  failOn: Severity;
  host: boolean;
  nanobotVersion?: string;
  color?: boolean;
  unit: string[];
  compose: string[];
  waivers?: string;
  baseline?: string;
  sarifRoot?: string;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Options shared by audit and fix. */
export function addCommonOptions(command: Command): Command {
  return command
    .option('-c, --config <path>', "config file to check (repeatable; default: nanobot's ~/.nanobot/config.json)", collect, [])
    .addOption(new Option('--profile <name>', 'hardened profile to check against').choices(PROFILES).default('baseline'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(SEVERITIES).default('low'))
    .option('--no-host', "skip every check outside the file's content (file modes, files beside it, version detection)")
    .option('--nanobot-version <version>', 'check for this nanobot version instead of the installed one')
    .option('--unit <file>', 'systemd unit whose environment applies (repeatable; default: the units that start nanobot)', collect, [])
    .option('--compose <file>', 'compose file whose nanobot service environment applies (repeatable)', collect, [])
    .option('--waivers <file>', 'waiver file, besides the .harden.json next to each config')
    .option('--color', 'force colour output')
    .option('--no-color', 'no colour output');
}

export function configPaths(flags: { config: string[] }, io: Io): string[] {
  const given = flags.config.length > 0 ? flags.config : [defaultConfigPath(io.env)];
  return [...new Set(given.map((p) => resolveConfigPath(p, io.env, io.cwd)))];
}

/** configPaths with directories and globs expanded (nanobot's multi-instance layouts). */
export async function expandedConfigPaths(flags: { config: string[] }, io: Io): Promise<string[]> {
  const { expandConfigs } = await import('../config/locate.js');
  return expandConfigs(configPaths(flags, io));
}

/** The options audit and fix share, from their shared flags. */
export async function auditOptions(flags: Omit<AuditFlags, 'format' | 'baseline'>, io: Io): Promise<AuditOptions> {
  return {
    configs: await expandedConfigPaths(flags, io),
    profile: flags.profile,
    noHost: !flags.host,
    ...(flags.nanobotVersion !== undefined ? { nanobotVersion: flags.nanobotVersion } : {}),
    env: io.env,
    units: flags.unit.map((u) => resolve(io.cwd, u)),
    compose: flags.compose.map((c) => resolve(io.cwd, c)),
    ...(flags.waivers ? { waivers: resolve(io.cwd, flags.waivers) } : {}),
  };
}

export async function runAudit(flags: AuditFlags, io: Io): Promise<number> {
  if (flags.nanobotVersion === '') throw new UsageError('--nanobot-version needs a version such as 0.3.0');
  const { audit } = await import('../audit/index.js');
  const { summarize } = await import('../report/summary.js');
  const render = await reporter(flags.format);
  const result = await audit({
    ...(await auditOptions(flags, io)),
    // A report for a machine comes whatever happens: a config that cannot be read is in its errors.
    collectErrors: flags.format !== 'text',
    ...(flags.baseline ? { baseline: resolve(io.cwd, flags.baseline) } : {}),
  });
  const summary = summarize(
    result.findings,
    flags.failOn,
    result.files.map((f) => f.file),
  );
  const color = flags.format === 'text' && useColor(flags.color, io.env, io.stdout);
  const output = render(
    {
      profile: result.profile,
      nanobot: result.nanobot,
      files: result.files.map((f) => f.file),
      findings: result.findings,
      summary,
      errors: result.errors,
      ...(flags.host ? { runs: result.files.flatMap((f) => (f.runs ? [{ file: f.file, ...f.runs }] : [])) } : {}),
    },
    { color, cwd: io.cwd, ...(flags.sarifRoot !== undefined ? { sarifRoot: resolve(io.cwd, flags.sarifRoot) } : {}) },
  );
  const redact = redactor(result.secrets);
  io.stdout.write(redact(output));
  for (const e of result.errors) io.stderr.write(redact(`harden: ${e.message}\n`));
  return result.errors.length > 0 ? 2 : summary.failed ? 1 : 0;
}
