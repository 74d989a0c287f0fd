// The audit as one pure-ish pipeline: read -> parse -> effective model -> schema, content and host
// findings. It never prints; the CLI picks a reporter.
import { effectiveConfig, getIn, type Effective } from './config/model.js';
import type { ParsedConfig } from './config/parse.js';
import { readConfig } from './config/read.js';
import { secretsInEnv, secretsInTree, secretValuesOf } from './config/secrets.js';
import { assumedVersion, nanobotInfo, parseVersion, prepareTraits, type NanobotInfo, type VersionTraits } from './config/version.js';
import { dotted } from './config/pointer.js';
import { parseJsonInput, placeOf } from './config/json-input.js';
import { ConfigSyntaxError, UsageError, isHardenError } from './errors.js';
import { compareFindings, inProfile, makeFinding, type Finding, type Profile } from './findings.js';
import { contentFindings } from './rules/content.js';
import { overrideFindings, referenceFindings } from './rules/env-rules.js';
import type { EnvSource } from './host/env-sources.js';
import type { DeploymentContext } from './host/deployment.js';
import { BIND_RULES, type Runtime, type Whereabouts } from './host/where.js';
import { locate } from './rules/locate.js';
import { fromPointer } from './config/pointer.js';
import { prepareValidator, schemaFindings } from './rules/schema-rules.js';
import { loadFindings } from './rules/load-rules.js';

export interface AuditOptions {
  configs: string[];
  profile: Profile;
  /** Skip everything outside the file's content (modes, files beside it, version detection). */
  noHost: boolean;
  nanobotVersion?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** systemd units to read instead of looking for the ones that start nanobot. */
  units?: readonly string[];
  /** Compose files whose nanobot service's environment applies (--compose). */
  compose?: readonly string[];
  /** Where /proc is; tests point it at a fixture tree. */
  procRoot?: string;
  /** The root /.dockerenv is looked for under; tests point it at a temp dir. */
  hostRoot?: string;
  /** Where nanobot runs, when the owner says (fix --runtime); else harden looks for evidence. */
  runtime?: Runtime;
  /** A waiver file besides the .harden.json next to each config (--waivers). */
  waivers?: string;
  /** A saved JSON report: findings already in it do not count toward the exit code (--baseline). */
  baseline?: string;
  /** Today, for waiver expiry (tests fix it). */
  today?: string;
  /** A config that cannot be audited is an entry in `errors`, even when it is the only one (machine-readable reports). */
  collectErrors?: boolean;
  /** Machine-wide probe answers shared by the configs of one run (set by audit()). */
  session?: HostSession;
}

export interface HostSession {
  run: DeploymentContext['run'];
  cache: Map<string, Promise<unknown>>;
}

export interface FileAudit {
  file: string;
  parsed: ParsedConfig;
  bytes: Uint8Array;
  effective: Effective;
  findings: Finding[];
  /** Secret values in this file and in NANOBOT_* variables, for redaction; never printed. */
  secrets: string[];
  /** Where nanobot runs, from evidence about nanobot (absent under --no-host). */
  runs?: Whereabouts;
}

export interface AuditResult {
  profile: Profile;
  nanobot: NanobotInfo;
  files: FileAudit[];
  findings: Finding[];
  /** Configs that could not be audited (several configs: the others still are). */
  errors: { file: string; message: string }[];
  /** Every secret value seen, for the output redactor; never printed. */
  secrets: string[];
}

export async function resolveTraits(options: Pick<AuditOptions, 'nanobotVersion' | 'noHost' | 'env'>): Promise<VersionTraits> {
  if (options.nanobotVersion !== undefined) {
    const version = parseVersion(options.nanobotVersion);
    if (!version) throw new UsageError(`--nanobot-version ${JSON.stringify(options.nanobotVersion)} is not a nanobot version such as 0.3.0 or 0.1.4.post6`);
    return prepareTraits(version, 'flag');
  }
  if (options.noHost) return { ...(await prepareTraits(assumedVersion(), 'assumed')), assumedWhy: 'not-looked-up' };
  const { detectNanobotVersion, nanobotOnPath } = await import('./host/nanobot-version.js');
  const detected = await detectNanobotVersion(options.env);
  if (detected) return prepareTraits(detected, 'detected');
  const script = nanobotOnPath(options.env);
  return { ...(await prepareTraits(assumedVersion(), 'assumed')), assumedWhy: script ? 'unreadable' : 'not-found' };
}

/** What the release does with a file json.load itself rejects, in words for the error. */
function afterSyntaxError(error: ConfigSyntaxError, traits: VersionTraits): ConfigSyntaxError {
  const r = traits.release;
  const root = /^the top level is/.test(error.reason);
  const status = root ? (r.loader.probes['rootArray'] ?? 'crash') : r.loader.onInvalidJson;
  const v = `nanobot ${traits.version.text}`;
  const outcome =
    status === 'fallback'
      ? `${v} ignores the whole file and runs on its defaults (restrictToWorkspace off, gateway on ${traits.gatewayDefaultHost})`
      : status === 'crash'
        ? `${v} stops with a traceback`
        : `${v} refuses to start`;
  return new ConfigSyntaxError(error.file, error.line, error.column, `${error.reason.replace(/; nanobot would refuse this file$/, '')}: ${outcome}`);
}

export async function auditFile(file: string, options: AuditOptions, traits: VersionTraits): Promise<FileAudit> {
  let read: Awaited<ReturnType<typeof readConfig>>;
  try {
    read = await readConfig(file);
  } catch (error) {
    throw error instanceof ConfigSyntaxError ? afterSyntaxError(error, traits) : error;
  }
  return auditContent(file, read.parsed, read.bytes, options, traits);
}

/** nanobot does not start with this file: the first reason, as the one sentence harden exits 2 with. */
export function refusal(fa: FileAudit): ConfigSyntaxError | undefined {
  const stop = fa.findings.filter((f) => f.ruleId === 'nanobot-will-not-start');
  const first = stop[0];
  if (!first) return undefined;
  const more = stop.length > 1 ? ` (and ${stop.length - 1} more reason${stop.length === 2 ? '' : 's'}: harden fix --dry-run lists them)` : '';
  return new ConfigSyntaxError(fa.file, first.line ?? 1, first.column ?? 1, `${first.message}${more}`);
}

/** Audit text already read (the fix pipeline audits its result before writing it). */
export async function auditContent(file: string, parsed: ParsedConfig, bytes: Uint8Array, options: AuditOptions, traits: VersionTraits): Promise<FileAudit> {
  await prepareValidator(options.profile);
  const effective = effectiveConfig(parsed, { traits, env: options.env });
  const load = loadFindings(parsed, effective, traits);
  // A file nanobot does not start with has no effective settings to check: its reasons are the findings.
  const starts = effective.load.status === 'ok' || effective.load.status === 'fallback';
  const findings = starts ? [...load, ...schemaFindings(parsed, effective, options.profile, traits), ...contentFindings(parsed, effective, traits, options.profile)] : [...load, ...contentFindings(parsed, effective, traits, options.profile)];
  // One at a time: push(...list) passes each finding as an argument, and a config with 200,000
  // ${NAME} references makes as many.
  const add = (list: readonly Finding[]): void => {
    for (const f of list) findings.push(f);
  };
  // Values of variables harden read from units, compose and env files that hold credentials: the
  // redactor must know them too, whatever output they might reach.
  const sourceSecrets: string[] = [];
  let runs: Whereabouts | undefined;
  if (!options.noHost) {
    const { hostFindings } = await import('./host/checks.js');
    add(await hostFindings({ file, traits }));
    const sources = await envSources(file, options);
    // An env file a unit or compose service names but harden cannot read: its variables are unknown.
    for (const src of sources) {
      for (const path of src.unreadable) {
        findings.push(makeFinding({ ruleId: 'not-checked', file: src.file, args: { check: `the environment file ${path} (named by ${src.label})`, why: 'it cannot be read, so the variables it sets are unknown' }, source: { kind: 'host' } }, traits));
      }
    }
    const { commandRunner, deploymentFindings } = await import('./host/deployment.js');
    // One answer per question for this audit too (where.ts and the probes both read the process table).
    const cache = options.session?.cache ?? new Map<string, Promise<unknown>>();
    const run = options.session?.run ?? (await commandRunner(options.env['PATH']));
    add(
      await deploymentFindings({
        file,
        traits,
        config: effective.value,
        env: options.env,
        units: sources.filter((src) => src.kind === 'systemd').map((src) => src.file),
        procRoot: options.procRoot ?? '/proc',
        run,
        platform: process.platform,
        cache,
      }),
    );
    const { whereNanobotRuns } = await import('./host/where.js');
    runs = await whereNanobotRuns({
      file,
      runtime: options.runtime ?? 'auto',
      compose: options.compose ?? [],
      env: options.env,
      procRoot: options.procRoot ?? '/proc',
      hostRoot: options.hostRoot ?? '/',
      units: sources.filter((src) => src.kind === 'systemd').map((src) => src.file),
      cache,
      run,
    });
    add(overrideFindings(parsed, options.profile, traits, sources));
    const known = new Set([...Object.keys(options.env), ...sources.flatMap((src) => src.vars.map((v) => v.name))]);
    for (const s of secretValuesOf(sources.flatMap((src) => src.vars), parsed.text)) sourceSecrets.push(s);
    add(referenceFindings(parsed, traits, known));
  } else {
    add(referenceFindings(parsed, traits, undefined));
  }
  add(shadowedProcessEnv(parsed, effective, traits));
  const secrets = [...new Set([...secretsInTree(parsed.root, parsed.text), ...secretsInEnv(options.env), ...sourceSecrets])];
  const kept = findings.filter((f) => inProfile(f.ruleId, options.profile));
  return { file, parsed, bytes, effective, secrets, findings: (runs ? kept.map((f) => placed(f, runs)) : kept).sort(compareFindings), ...(runs ? { runs } : {}) };
}

/**
 * A finding about what nanobot listens on, read where nanobot runs: in a container 0.0.0.0 is what
 * it must listen on (the port is then published on 127.0.0.1, compose-ports-loopback), so the
 * finding is information, not a fix; elsewhere it says what it rests on.
 */
function placed(f: Finding, runs: Whereabouts): Finding {
  if (!BIND_RULES.has(f.ruleId)) return f;
  if (runs.where !== 'container') return { ...f, message: `${f.message} (where nanobot runs: ${runs.evidence})` };
  return {
    ...f,
    severity: 'info',
    fixable: false,
    message: `${f.message}; nanobot runs in a container (${runs.evidence}), where it must listen on 0.0.0.0: publish the port on 127.0.0.1 on the host instead (compose-ports-loopback)`,
  };
}

/**
 * Run `work` on each config. One config alone: its error is the answer (unless `collect`, for a
 * report that must come whatever happens: JSON, SARIF, JUnit). Among several, a config harden
 * cannot use is reported and the others still get their turn.
 */
export async function eachConfig<T>(configs: readonly string[], work: (file: string) => Promise<T>, collect = false): Promise<{ results: T[]; errors: { file: string; message: string }[] }> {
  const results: T[] = [];
  const errors: { file: string; message: string }[] = [];
  for (const file of configs) {
    try {
      results.push(await work(file));
    } catch (error) {
      if ((configs.length === 1 && !collect) || !isHardenError(error)) throw error;
      errors.push({ file, message: error.message });
    }
  }
  return { results, errors };
}

/** The identity of a finding across runs: not its line, which moves as the file is edited. */
export function baselineKey(f: Pick<Finding, 'ruleId' | 'file' | 'pointer'>): string {
  return `${f.ruleId}|${f.file}|${f.pointer ?? ''}`;
}

async function readBaseline(file: string): Promise<Set<string>> {
  const { readInputText } = await import('./io/read.js');
  const what = `--baseline ${file}`;
  const text = readInputText(file, what);
  return baselineKeys(parseJsonInput(text, what), text, what);
}

/** The keys of a saved report's findings; anything else in their place is one sentence. */
function baselineKeys(data: unknown, text: string, what: string): Set<string> {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const notReport = `${what}: not a JSON report of harden audit --format json`;
  if (!isObject(data)) throw new UsageError(`${notReport} (its top level is ${kindOf(data)}, not an object)`);
  const list = Object.hasOwn(data, 'findings') ? data['findings'] : undefined;
  if (!Array.isArray(list)) throw new UsageError(`${notReport} (it has no "findings" list)`);
  const keys = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const f: unknown = list[i];
    const ok = isObject(f) && typeof f['ruleId'] === 'string' && typeof f['file'] === 'string' && (f['pointer'] === undefined || typeof f['pointer'] === 'string');
    if (!ok) {
      const found = isObject(f) ? 'an object without them' : kindOf(f);
      throw new UsageError(`${what}:${placeOf(text, ['findings', i])}: findings[${i}] is not a finding of a harden report: expected an object with "ruleId" and "file" strings, found ${found}`);
    }
    keys.add(baselineKey(f as { ruleId: string; file: string; pointer?: string }));
  }
  return keys;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : typeof value;
}

function markKnown(findings: readonly Finding[], known: ReadonlySet<string>): Finding[] {
  return findings.map((f) => (known.has(baselineKey(f)) ? { ...f, known: true } : f));
}

async function envSources(file: string, options: AuditOptions): Promise<EnvSource[]> {
  const { besideConfig, findUnits } = await import('./host/env-sources.js');
  const sources: EnvSource[] = [...(await findUnits(options.env['HOME'], file, options.units ?? [], options.env, options.session?.cache))];
  if ((options.compose ?? []).length > 0) {
    const { readCompose } = await import('./host/compose-env.js');
    for (const s of await readCompose(options.compose ?? [], options.env)) sources.push(s);
  }
  const beside = await besideConfig(file);
  if (beside) sources.push(beside);
  return sources;
}

/** NANOBOT_* variables of this process that the file's own keys make pointless. */
function shadowedProcessEnv(parsed: ParsedConfig, eff: Effective, traits: VersionTraits): Finding[] {
  return eff.env
    .filter((s) => !s.effective)
    .map((s) => {
      const loc = locate(parsed, eff, s.path);
      return makeFinding(
        {
          ruleId: 'env-override-shadowed',
          file: parsed.file,
          args: { name: s.name, where: "this shell's environment", path: dotted(fromPointer(loc.pointer)) },
          pointer: loc.pointer,
          line: loc.line,
          column: loc.column,
          source: { kind: 'env', name: s.name },
          path: s.path,
        },
        traits,
      );
    });
}

export async function audit(options: AuditOptions): Promise<AuditResult> {
  const traits = await resolveTraits(options);
  // One set of machine-wide answers (process table, sockets, firewall, containers) for every config.
  const session: HostSession | undefined = options.noHost || options.configs.length < 2 ? undefined : { run: await (await import('./host/deployment.js')).commandRunner(options.env['PATH']), cache: new Map() };
  const withSession = session ? { ...options, session } : options;
  const { results: files, errors } = await eachConfig(
    options.configs,
    async (file) => {
      const fa = await auditFile(file, withSession, traits);
      const refused = refusal(fa);
      if (refused) throw refused;
      return fa;
    },
    options.collectErrors,
  );
  const secrets = new Set<string>(files.flatMap((f) => f.secrets));
  const composeFindingsList: Finding[] = [];
  if ((options.compose ?? []).length > 0) {
    const { loadComposeProject, composeFindings } = await import('./host/compose.js');
    const { composeSecrets } = await import('./host/compose-secrets.js');
    const bwrap = files.some((f) => getIn(f.effective.value, ['tools', 'exec', 'sandbox']) === 'bwrap');
    // The files named with --compose are one project, merged in order, as docker compose -f reads them.
    const project = loadComposeProject(options.compose ?? [], options.env);
    for (const f of project.files) for (const s of composeSecrets(f.text)) secrets.add(s);
    for (const f of composeFindings(project, { traits, bwrap })) if (inProfile(f.ruleId, options.profile)) composeFindingsList.push(f);
    for (const p of project.problems) {
      composeFindingsList.push(makeFinding({ ruleId: 'not-checked', file: p.file, line: p.line, column: 1, args: { check: `the compose value at ${p.file}:${p.line}`, why: `docker compose refuses it (${p.message})` }, source: { kind: 'host' } }, traits));
    }
  }
  // A machine-wide "not checked" (no firewall tool, no /proc) is said once, not once per config.
  const said = new Set<string>();
  const once = (f: Finding) => f.ruleId !== 'not-checked' || (!said.has(f.message) && said.add(f.message) !== undefined);
  let findings = [...files.flatMap((f) => f.findings).filter(once), ...composeFindingsList.sort(compareFindings)];
  const { applyWaivers, forPipeline, loadWaivers, today } = await import('./waivers.js');
  const waivers = forPipeline(await loadWaivers(files.map((f) => f.file), options.waivers), 'audit');
  if (waivers.length > 0) findings = applyWaivers(findings, waivers, options.today ?? today(), traits).filter((f) => inProfile(f.ruleId, options.profile));
  if (options.baseline) findings = markKnown(findings, await readBaseline(options.baseline));
  return {
    profile: options.profile,
    nanobot: nanobotInfo(traits),
    files,
    findings,
    errors,
    secrets: [...secrets],
  };
}
