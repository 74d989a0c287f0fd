// The programmatic API: require('nanobot-harden') and import ... from 'nanobot-harden' (dist/index.js,
// typed by dist/index.d.ts). audit() and fix() return the objects `harden audit --format json` and
// `harden fix --yes --format json` print (schemas/report.schema.json, schemas/fix-report.schema.json),
// with secrets redacted as the CLI redacts them. Nothing here prints, prompts or calls process.exit.
// Input harden cannot use throws a HardenError (exitCode 2, as the CLI would exit); anything else
// thrown is a bug. The options are a small documented subset, mapped here onto the internal
// options (src/audit/types.ts, src/fix/index.ts), which may change without a new major version.
import { resolve } from 'node:path';
import type { AuditOptions as InternalAuditOptions } from './audit/index.js';
import type { Answers } from './fix/plan.js';
import { UsageError } from './errors.js';
import { TOOL } from './report/json.js';
import type { AuditReport, FixReport, Profile, Runtime, Severity } from './report/api-types.js';

export type {
  AuditReport,
  ComposeFixResult,
  FileError,
  Finding,
  FixReport,
  FixResult,
  NanobotInfo,
  Profile,
  Runtime,
  Severity,
  Skipped,
  Summary,
} from './report/api-types.js';
export { ConfigAccessError, ConfigSyntaxError, HardenError, LockedError, StaleFileError, UsageError, WriteError, isHardenError } from './errors.js';

/** What audit() and fix() both take. */
export interface CommonOptions {
  /**
   * The configs: files, directories (their config.json, or each instance's) or glob patterns, as
   * `--config` takes them. Relative paths are resolved against `cwd`; `~/` is the home directory.
   */
  configs: readonly string[];
  /** The hardened profile to check against (`--profile`); default `'baseline'`. */
  profile?: Profile;
  /** The severity at or above which a finding sets `failed` (`--fail-on`); default `'low'`. */
  failOn?: Severity;
  /** Check for this nanobot version instead of the installed one (`--nanobot-version`), e.g. `'0.3.0'`. */
  nanobotVersion?: string;
  /**
   * Skip every check outside the file's content: file modes, files beside it, systemd units,
   * processes, the installed nanobot's version (`--no-host`). Default `false`.
   */
  noHost?: boolean;
  /** The environment nanobot runs with (its NANOBOT_* overrides, HOME, PATH); default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths are resolved against; default `process.cwd()`. */
  cwd?: string;
  /** Compose files whose nanobot service's environment applies (`--compose`); fix() fixes them too. */
  compose?: readonly string[];
  /** A waiver file, besides the .harden.json next to each config (`--waivers`). */
  waivers?: string;
}

/** What audit() takes. */
export interface AuditOptions extends CommonOptions {
  /** A saved audit report: findings already in it are marked `known` and do not count (`--baseline`). */
  baseline?: string;
}

/** What fix() takes. fix() never asks: it is `harden fix --yes` (or `--dry-run`). */
export interface FixOptions extends CommonOptions {
  /** Work out the changes and report them, writing nothing (`--dry-run`). Default `false`. */
  dryRun?: boolean;
  /** Accounts that may talk to the bot, per channel (`--allow-from`): `{ telegram: ['123456789'] }`; `[]` means nobody. */
  allowFrom?: Readonly<Record<string, readonly string[]>>;
  /** Groups or channels where the bot may answer anyone, per channel (`--group-allow-from`): `{ slack: ['C0123ABC'] }`. */
  groupAllowFrom?: Readonly<Record<string, readonly string[]>>;
  /** Rules whose change the lockout guard would hold back, to apply anyway (`--accept-risk`). */
  acceptRisk?: readonly string[];
  /** Where nanobot runs (`--runtime`): in a container its binds stay on 0.0.0.0. Default `'auto'` (from evidence). */
  runtime?: Runtime;
  /** Backups kept per config (`--keep-backups`); default 5. */
  keepBackups?: number;
  /** Move plaintext secrets to an env file (`--secrets-to-env`): `true` for nanobot.env beside the config, or a path. */
  secretsToEnv?: boolean | string;
}

const PROFILES: readonly string[] = ['baseline', 'strict'];
const SEVERITIES: readonly string[] = ['critical', 'high', 'medium', 'low', 'info'];
const RUNTIMES: readonly string[] = ['auto', 'host', 'container'];

function oneOf<T extends string>(name: string, value: T | undefined, allowed: readonly string[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value)) throw new UsageError(`${name} ${JSON.stringify(value)}: expected one of ${allowed.join(', ')}`);
  return value;
}

function strings(name: string, value: readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const list: unknown = value;
  if (!Array.isArray(list) || !list.every((v): v is string => typeof v === 'string' && v !== '')) throw new UsageError(`${name}: expected a list of paths`);
  return [...list];
}

function optionalPath(name: string, value: string | undefined, cwd: string): { [key: string]: string } {
  if (value === undefined) return {};
  if (typeof value !== 'string' || value === '') throw new UsageError(`${name}: expected a path`);
  return { [name]: resolve(cwd, value) };
}

/** The internal audit options, from the options audit() and fix() share. */
async function internalOptions(options: CommonOptions): Promise<InternalAuditOptions> {
  if (options === null || typeof options !== 'object') throw new UsageError('expected an options object with configs');
  const configs = strings('configs', options.configs);
  if (configs.length === 0) throw new UsageError('configs: name at least one config file');
  const { nanobotVersion } = options;
  if (nanobotVersion !== undefined && (typeof nanobotVersion !== 'string' || nanobotVersion === ''))
    throw new UsageError('nanobotVersion needs a version such as 0.3.0');
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const { resolveConfigPath } = await import('./config/read.js');
  const { expandConfigs } = await import('./config/locate.js');
  return {
    configs: expandConfigs([...new Set(configs.map((p) => resolveConfigPath(p, env, cwd)))]),
    profile: oneOf('profile', options.profile, PROFILES, 'baseline'),
    noHost: options.noHost === true,
    ...(nanobotVersion !== undefined ? { nanobotVersion } : {}),
    env,
    compose: strings('compose', options.compose).map((c) => resolve(cwd, c)),
    ...optionalPath('waivers', options.waivers, cwd),
  };
}

/**
 * Audit nanobot configs: what `harden audit --format json` reports. A config that cannot be
 * audited throws (ConfigAccessError, ConfigSyntaxError, ...) when it is the only one; among
 * several it is listed in `errors` and the others are still audited.
 */
export async function audit(options: AuditOptions): Promise<AuditReport> {
  const internal = await internalOptions(options);
  const failOn = oneOf('failOn', options.failOn, SEVERITIES, 'low');
  const { audit: run } = await import('./audit/index.js');
  const { summarize } = await import('./report/summary.js');
  const { renderJson } = await import('./report/json.js');
  const { redactor } = await import('./config/secrets.js');
  const result = await run({ ...internal, ...optionalPath('baseline', options.baseline, options.cwd ?? process.cwd()) });
  const output = renderJson({
    profile: result.profile,
    nanobot: result.nanobot,
    files: result.files.map((f) => f.file),
    findings: result.findings,
    summary: summarize(
      result.findings,
      failOn,
      result.files.map((f) => f.file),
    ),
    errors: result.errors,
    ...(internal.noHost ? {} : { runs: result.files.flatMap((f) => (f.runs ? [{ file: f.file, ...f.runs }] : [])) }),
  });
  // Redacted as text, as the CLI redacts what it prints: a secret is gone wherever the report quotes it.
  return JSON.parse(redactor(result.secrets)(output)) as AuditReport;
}

/**
 * Fix nanobot configs without asking: what `harden fix --yes --format json` (or, with dryRun,
 * `--dry-run`) reports. Each config is backed up before it is written (.harden/backups/ beside
 * it) and put back if the result is not what was planned. Errors as for audit().
 */
export async function fix(options: FixOptions): Promise<FixReport> {
  const internal = await internalOptions(options);
  const failOn = oneOf('failOn', options.failOn, SEVERITIES, 'low');
  const runtime = oneOf('runtime', options.runtime, RUNTIMES, 'auto');
  const keepBackups = options.keepBackups ?? 5;
  if (!Number.isInteger(keepBackups) || keepBackups < 1) throw new UsageError('keepBackups needs a whole number of at least 1');
  const { add, checkChannelNames } = await import('./fix/answers.js');
  const answers: Answers = {};
  const named = new Map<string, string>();
  for (const kind of ['allowFrom', 'groupAllowFrom'] as const) {
    const table = options[kind];
    if (table === undefined) continue;
    if (table === null || typeof table !== 'object' || Array.isArray(table)) throw new UsageError(`${kind} must map channel names to lists of IDs`);
    for (const [channel, ids] of Object.entries(table)) {
      if (!Array.isArray(ids)) throw new UsageError(`${kind}.${channel} must be a list of IDs`);
      // Notes (a username given where a numeric ID is safer) are the CLI's to print; the IDs are used as normalised.
      add(answers, kind, channel, ids, kind, [], named);
    }
  }
  const acceptRisk = strings('acceptRisk', options.acceptRisk);
  const { RULES } = await import('./findings/index.js');
  const unknown = acceptRisk.find((rule) => !Object.hasOwn(RULES, rule));
  if (unknown !== undefined) throw new UsageError(`acceptRisk ${JSON.stringify(unknown)}: no such rule (docs/rules.md lists them)`);
  await checkChannelNames(named, internal.configs);
  const { secretsToEnv } = options;
  if (secretsToEnv !== undefined && typeof secretsToEnv !== 'boolean' && (typeof secretsToEnv !== 'string' || secretsToEnv === ''))
    throw new UsageError('secretsToEnv: expected true or the path of an env file');
  const dryRun = options.dryRun === true;
  const { fixAll } = await import('./fix/index.js');
  const { renderFixJson } = await import('./report/fix.js');
  const { redactor } = await import('./config/secrets.js');
  const run = await fixAll({
    ...internal,
    dryRun,
    answers,
    acceptRisk,
    runtime,
    keepBackups,
    ...(secretsToEnv === true
      ? { secretsToEnv: '' }
      : typeof secretsToEnv === 'string'
        ? { secretsToEnv: resolve(options.cwd ?? process.cwd(), secretsToEnv) }
        : {}),
  });
  const output = renderFixJson({ ...run, dryRun }, { color: false, cwd: options.cwd ?? process.cwd(), quiet: false, failOn });
  const redact = redactor([...run.results.flatMap((r) => r.secrets), ...run.compose.flatMap((c) => c.secrets)]);
  return JSON.parse(redact(output)) as FixReport;
}

/** This package's version, as `harden --version` prints it. */
export const version: string = TOOL.version;
