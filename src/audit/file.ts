// One config through the audit: read -> parse -> effective model (as the release reads it) ->
// load, schema, content, host and environment findings. It never prints.
import { effectiveConfig, type Effective } from '../config/model.js';
import type { ParsedConfig } from '../config/parse.js';
import { readConfig } from '../config/read.js';
import { secretsInEnv, secretsInTree, secretValuesOf } from '../config/secrets.js';
import type { VersionTraits } from '../config/version.js';
import { dotted, fromPointer } from '../config/pointer.js';
import { ConfigSyntaxError } from '../errors.js';
import { compareFindings, inProfile, makeFinding, type Finding } from '../findings/index.js';
import { contentFindings } from '../rules/content.js';
import { overrideFindings, referenceFindings } from '../rules/env-rules.js';
import type { EnvSource } from '../host/env-sources.js';
import { BIND_RULES, type Whereabouts } from '../host/where.js';
import { locate } from '../rules/locate.js';
import { prepareValidator, schemaFindings } from '../rules/schema-rules.js';
import { loadFindings } from '../rules/load-rules.js';
import type { AuditOptions, FileAudit } from './types.js';

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
    read = readConfig(file);
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
  const findings = starts
    ? [...load, ...schemaFindings(parsed, effective, options.profile, traits), ...contentFindings(parsed, effective, traits, options.profile)]
    : [...load, ...contentFindings(parsed, effective, traits, options.profile)];
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
    const { hostFindings } = await import('../host/checks.js');
    add(hostFindings({ file, traits }));
    const sources = await envSources(file, options);
    // An env file a unit or compose service names but harden cannot read: its variables are unknown.
    for (const src of sources) {
      for (const path of src.unreadable) {
        findings.push(
          makeFinding(
            {
              ruleId: 'not-checked',
              file: src.file,
              args: { check: `the environment file ${path} (named by ${src.label})`, why: 'it cannot be read, so the variables it sets are unknown' },
              source: { kind: 'host' },
            },
            traits,
          ),
        );
      }
    }
    const { commandRunner } = await import('../host/probe.js');
    const { deploymentFindings } = await import('../host/deployment.js');
    // One answer per question for this audit too (where.ts and the probes both read the process table).
    const cache = options.session?.cache ?? new Map<string, Promise<unknown>>();
    const run = options.session?.run ?? commandRunner(options.env['PATH']);
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
    const { whereNanobotRuns } = await import('../host/where.js');
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
    for (const s of secretValuesOf(
      sources.flatMap((src) => src.vars),
      parsed.text,
    ))
      sourceSecrets.push(s);
    add(referenceFindings(parsed, traits, known));
  } else {
    add(referenceFindings(parsed, traits, undefined));
  }
  add(shadowedProcessEnv(parsed, effective, traits));
  const secrets = [...new Set([...secretsInTree(parsed.root, parsed.text), ...secretsInEnv(options.env), ...sourceSecrets])];
  const kept = findings.filter((f) => inProfile(f.ruleId, options.profile));
  return {
    file,
    parsed,
    bytes,
    effective,
    secrets,
    findings: (runs ? kept.map((f) => placed(f, runs)) : kept).sort(compareFindings),
    ...(runs ? { runs } : {}),
  };
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

async function envSources(file: string, options: AuditOptions): Promise<EnvSource[]> {
  const { besideConfig, findUnits } = await import('../host/env-sources.js');
  const sources: EnvSource[] = [...(await findUnits(options.env['HOME'], file, options.units ?? [], options.env, options.session?.cache))];
  if ((options.compose ?? []).length > 0) {
    const { readCompose } = await import('../host/compose-env.js');
    for (const s of readCompose(options.compose ?? [], options.env)) sources.push(s);
  }
  const beside = besideConfig(file);
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
