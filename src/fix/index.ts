// The fix pipeline for one config: audit -> plan -> edit in memory -> (dry run: stop) -> lock,
// backup, atomic write, chmod -> re-read and re-audit -> put the backup back if the result does
// not parse or a patched finding is still there. Nothing is written on any error before the
// backup exists, and the original is restored on any error after it.
import { auditContent, auditFile, eachConfig, refusal, resolveTraits, type AuditOptions, type FileAudit } from '../audit/index.js';
import type { JsonNode, ParsedConfig } from '../config/parse.js';
import { nanobotInfo, type NanobotInfo, type VersionTraits } from '../config/version.js';
import { ConfigSyntaxError, StaleFileError, WriteError, isHardenError } from '../errors.js';
import { parseConfig } from '../config/parse.js';
import type { Target } from '../io/place.js';
import { secretsInTree } from '../config/secrets.js';
import { compareFindings, findingKey, type Finding } from '../findings/index.js';
import { patchParsed, type Patch } from './edit.js';
import { orderPatches, plan, type Answers, type ModeChange, type Plan, type Skip } from './plan.js';
import { planSecrets } from './secrets-to-env.js';
import { appendEnv, parseEnvFile } from '../config/envfile.js';
import { dirname, join } from 'node:path';
import { getNodeValue } from 'jsonc-parser';
import { hostFacts, type Runtime } from '../host/facts.js';

export interface FixOptions extends AuditOptions {
  dryRun: boolean;
  answers: Answers;
  acceptRisk: readonly string[];
  runtime: Runtime;
  /** Backups kept per config. */
  keepBackups: number;
  /** Only these findings (findingKey), as the wizard's user chose; all when absent. */
  only?: ReadonlySet<string>;
  /** Move plaintext secrets to this env file (--secrets-to-env); a path, or '' for the default beside the config. */
  secretsToEnv?: string;
}

export interface EnvFileChange {
  path: string;
  /** Names added (values never leave the file). */
  added: string[];
  created: boolean;
}

export interface FixResult {
  file: string;
  dryRun: boolean;
  changed: boolean;
  backup?: string;
  applied: Patch[];
  modes: ModeChange[];
  skipped: Skip[];
  remaining: Finding[];
  envFile?: EnvFileChange;
  warnings: string[];
  /** Why a change was made that no finding names. */
  notes: string[];
  before: string;
  after: string;
  /** The parse trees of `before` and `after`, so that the diff is redacted without parsing again. */
  roots: { before: JsonNode; after: JsonNode };
  /** Every secret seen, for the redactor; never printed. */
  secrets: string[];
  nanobot: NanobotInfo;
}

type Prepared = {
  plan: Plan;
  applied: Patch[];
  after: string;
  afterParsed: ParsedConfig;
  skipped: Skip[];
  env: PreparedEnv | undefined;
  waive: (findings: Finding[]) => Finding[];
};

/**
 * Plan the fixes of one audited file and apply the patches to its text in memory. A file nanobot
 * does not run as written (it refuses it, drops it, or leaves a channel out) is fixed in two
 * passes: first what makes nanobot read it, then, audited again as nanobot now reads it, the rest.
 */
export async function prepare(fa: FileAudit, options: FixOptions, traits: VersionTraits, planOverride?: (p: Plan) => Plan, depth = 0): Promise<Prepared> {
  const causes = fa.findings.filter((f) => LOAD_RULES.has(f.ruleId) && (!options.only || options.only.has(findingKey(f))));
  if (causes.length > 0 && depth === 0) {
    const host = await hostFacts(fa.file, options.runtime, !options.noHost, fa.runs);
    const first = plan({
      parsed: fa.parsed,
      effective: fa.effective,
      findings: causes,
      traits,
      answers: options.answers,
      acceptRisk: new Set(options.acceptRisk),
      host,
    });
    const skipped: Skip[] = [...first.skipped];
    const conflicts = new Set<Patch>();
    const result = patchParsed(fa.parsed, first.patches, (patch) => {
      conflicts.add(patch);
      skipped.push({
        ruleId: patch.ruleId,
        pointer: patch.pointer,
        why: 'conflict',
        message: `${patch.pointer}: the file's structure there does not allow this change; fix it by hand`,
      });
    });
    if (result.text !== fa.parsed.text) {
      const now = await auditContent(fa.file, result, new TextEncoder().encode(result.text), { ...options, noHost: true }, traits);
      // The checks outside the file (modes, units) are the original audit's.
      const next: FileAudit = { ...now, findings: [...now.findings, ...fa.findings.filter((f) => f.source.kind === 'host')].sort(compareFindings) };
      // A choice of findings (the wizard's) carries over by rule and place: lines may have moved.
      const chosen = options.only
        ? new Set(fa.findings.filter((f) => options.only!.has(findingKey(f))).map((f) => `${f.ruleId}|${f.pointer ?? ''}`))
        : undefined;
      const only = chosen ? { only: new Set(next.findings.filter((f) => chosen.has(`${f.ruleId}|${f.pointer ?? ''}`)).map(findingKey)) } : {};
      const rest = await prepare(next, { ...options, ...only }, traits, planOverride, depth + 1);
      const applied = first.patches.filter((x) => !conflicts.has(x));
      return {
        ...rest,
        plan: { ...rest.plan, patches: [...applied, ...rest.plan.patches], addressed: [...first.addressed, ...rest.plan.addressed] },
        applied: [...applied, ...rest.applied],
        skipped: [...skipped.filter((k) => !rest.skipped.some((r) => r.ruleId === k.ruleId && r.pointer === k.pointer)), ...rest.skipped],
      };
    }
  }
  return prepareOnce(fa, options, traits, planOverride);
}

async function prepareOnce(fa: FileAudit, options: FixOptions, traits: VersionTraits, planOverride?: (p: Plan) => Plan): Promise<Prepared> {
  const host = await hostFacts(fa.file, options.runtime, !options.noHost, fa.runs);
  // A waived finding is a risk accepted on purpose: the fix leaves it alone.
  const { applyWaivers, loadWaivers, markWaived, today } = await import('../findings/waivers.js');
  const waivers = loadWaivers([fa.file], options.waivers);
  const day = options.today ?? today();
  const open = (waivers.length > 0 ? applyWaivers(fa.findings, waivers, day, traits) : fa.findings).filter((f) => !f.waived && !f.ruleId.startsWith('waiver-'));
  // What is left after the fix is marked the same way, so an accepted risk does not fail the run.
  const waive = (findings: Finding[]) => (waivers.length > 0 ? markWaived(findings, waivers, day) : findings);
  let p = plan({
    parsed: fa.parsed,
    effective: fa.effective,
    findings: options.only ? open.filter((f) => options.only!.has(findingKey(f))) : open,
    traits,
    answers: options.answers,
    acceptRisk: new Set(options.acceptRisk),
    host,
  });
  if (planOverride) p = planOverride(p);
  const skipped = [...p.skipped];
  const applied: Patch[] = [];
  let patches = p.patches;
  let env: PreparedEnv | undefined;
  if (options.secretsToEnv !== undefined) {
    const path = options.secretsToEnv || defaultEnvFile(fa.file);
    // Never /dev/null, /dev/stdout or a FIFO: only a regular file (or none yet) is read and replaced.
    const { readOptionalInput } = await import('../io/read.js');
    const existingText = readOptionalInput(path, `the env file ${path}`)?.toString('utf8');
    // A name any reader of the file sees is taken (systemd ignores `export A=1`, Compose reads it).
    const existing = new Map([...parseEnvFile(existingText ?? '', 'compose'), ...parseEnvFile(existingText ?? '', 'systemd')].map((e) => [e.name, e.value]));
    const sp = planSecrets({ parsed: fa.parsed, effective: fa.effective, traits, existing, env: options.env });
    for (const s of sp.skipped) skipped.push(s);
    const seen = new Set<string>();
    patches = orderPatches(
      [...p.patches, ...sp.patches].filter((x) => {
        const key = `${x.op}|${x.pointer}|${x.op === 'remove' ? x.copy : ''}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }),
    );
    env = {
      path,
      before: existingText,
      after: appendEnv(existingText ?? '', sp.vars, `added by harden fix --secrets-to-env on ${new Date().toISOString().slice(0, 10)}`),
      added: sp.vars.map((v) => v.name),
      moved: sp.patches.filter((x) => x.before !== null).map((x) => String(x.before)),
      warnings: sp.vars.length > 0 ? sp.warnings : [],
    };
  }
  const conflicts = new Set<Patch>();
  const result = patchParsed(fa.parsed, patches, (patch) => {
    conflicts.add(patch);
    skipped.push({
      ruleId: patch.ruleId,
      pointer: patch.pointer,
      why: 'conflict',
      message: `${patch.pointer}: the file's structure there does not allow this change; fix it by hand`,
    });
  });
  // One at a time: a file with 100,000 duplicated keys makes as many patches, too many to spread.
  for (const patch of patches) if (!conflicts.has(patch)) applied.push(patch);
  return { plan: p, applied, after: result.text, afterParsed: result, skipped, env, waive };
}

interface PreparedEnv {
  path: string;
  /** The env file's text before, undefined when it does not exist. */
  before: string | undefined;
  after: string;
  added: string[];
  /** Secret values moved out of the config: none may remain in it. */
  moved: string[];
  warnings: string[];
}

/** nanobot.env beside the config: private like it, and where a systemd unit or compose file can point. */
export function defaultEnvFile(config: string): string {
  return join(dirname(config), 'nanobot.env');
}

const LOAD_RULES = new Set(['nanobot-will-not-start', 'nanobot-runs-on-defaults', 'channel-not-started']);

/** The strings under the values the load rules' patches replace or remove. */
function rejectedValues(fa: FileAudit, applied: readonly Patch[]): string[] {
  const out: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string' && v.trim() !== '') out.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) collect(x);
  };
  for (const patch of applied) {
    if (!LOAD_RULES.has(patch.ruleId)) continue;
    if (patch.op === 'set') collect(patch.before);
    else collect(valueAtPointer(fa.parsed.root, patch.pointer));
  }
  return out;
}

function valueAtPointer(root: JsonNode, pointer: string): unknown {
  let node: JsonNode | undefined = root;
  for (const seg of pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (node?.type === 'object') node = [...(node.children ?? [])].reverse().find((p) => p.children?.[0]?.value === seg)?.children?.[1];
    else if (node?.type === 'array') node = node.children?.[Number(seg)];
    else return undefined;
  }
  return node ? getNodeValue(node) : undefined;
}

/**
 * A file nanobot would still refuse, run on its defaults instead of, or whose gateway would exit at
 * start: the sentence fix stops with (exit 2), naming nanobot's reason. harden never reports
 * success on such a file.
 */
export function stillUnloadable(fa: FileAudit, wrote: boolean): ConfigSyntaxError | undefined {
  const refused = refusal(fa);
  const dropped = fa.findings.find((f) => f.ruleId === 'nanobot-runs-on-defaults');
  const why = refused
    ? { line: refused.line, column: refused.column, reason: refused.reason }
    : dropped
      ? { line: dropped.line ?? 1, column: dropped.column ?? 1, reason: dropped.message }
      : undefined;
  if (!why) return undefined;
  return new ConfigSyntaxError(
    fa.file,
    why.line,
    why.column,
    `${why.reason}; harden fix cannot correct that by itself${wrote ? '' : ', so nothing was written'}`,
  );
}

/** Findings left once the new text is in place (host findings answered by a mode change drop out). */
function remainingAfter(fa: FileAudit, content: FileAudit, modes: readonly ModeChange[]): Finding[] {
  const chmodded = new Set(modes.map((m) => m.ruleId));
  const host = fa.findings.filter((f) => f.source.kind === 'host' && !chmodded.has(f.ruleId));
  return [...content.findings, ...host].sort(compareFindings);
}

function stillThere(addressed: readonly Finding[], now: readonly Finding[]): Finding | undefined {
  return addressed.find((a) => now.some((f) => f.ruleId === a.ruleId && f.pointer === a.pointer && f.source.kind !== 'host'));
}

export async function fixFile(file: string, options: FixOptions, traits: VersionTraits, planOverride?: (p: Plan) => Plan): Promise<FixResult> {
  const fa = await auditFile(file, options, traits);
  const { plan: p, applied, after, afterParsed, skipped, env, waive } = await prepare(fa, options, traits, planOverride);
  const before = fa.parsed.text;
  const envChanged = env !== undefined && env.after !== (env.before ?? '');
  const changed = after !== before || p.modes.length > 0 || envChanged;
  // A value nanobot rejected, replaced or removed here, is shown in the diff as it was: it may be
  // anything (a token pasted into the wrong field), so it is redacted like a secret.
  const secrets = [...fa.secrets, ...rejectedValues(fa, applied)];
  const envFile = env && envChanged ? { path: env.path, added: env.added, created: env.before === undefined } : undefined;
  // What nanobot makes of the result, before anything is written.
  const afterAudit = await auditContent(fa.file, afterParsed, new TextEncoder().encode(afterParsed.text), { ...options, noHost: true }, traits);
  const unloadable = stillUnloadable(afterAudit, false);
  if (unloadable) throw unloadable;
  const base = {
    file,
    dryRun: options.dryRun,
    applied,
    modes: p.modes,
    skipped,
    before,
    after,
    roots: { before: fa.parsed.root, after: afterParsed.root },
    secrets,
    warnings: env?.warnings ?? [],
    notes: p.notes,
    ...(envFile ? { envFile } : {}),
    nanobot: nanobotInfo(traits),
  };
  if (options.dryRun || !changed) {
    const remaining = waive(remainingAfter(fa, afterAudit, p.modes));
    // Nothing to write, but a crashed run's temp file (a whole copy of the config) goes anyway.
    const notes = options.dryRun ? [] : await removeLeftovers(file);
    return { ...base, warnings: [...base.warnings, ...notes], changed, remaining };
  }

  // The writer (locks, backups, atomic writes) is loaded only when something is written.
  const io = await import('../io/files.js');
  const { backupCheck } = await import('./restore.js');
  const usable = await backupCheck(file);
  const t = io.target(file);
  const envTarget = env && envChanged ? openEnvTarget(io, env, t) : undefined;
  try {
    return await io.withLock(t, async (l) => {
      io.assertUnchanged(t, fa.bytes);
      if (env && envTarget) assertEnvUnchanged(io, envTarget, env);
      const backup = io.createBackup(l, fa.bytes);
      const fileMode = p.modes.find((m) => m.path === t.real)?.to ?? t.mode;
      const originalMode = t.mode;
      const warnings = [...base.warnings, ...l.notes];
      if (t.nlink > 1) {
        warnings.push(
          `${file} has ${t.nlink - 1} other name${t.nlink === 2 ? '' : 's'} (hard links): harden replaced this one, and the others keep the old contents and mode${env ? ', secrets included' : ''}; find them with: find / -xdev -samefile ${t.real}`,
        );
      }
      let replaced = false;
      let verified: FileAudit;
      try {
        // The env file first: the config must never name a variable that is nowhere to be found.
        if (env && envTarget) io.atomicWrite(envTarget, env.after, 0o600, env.before === undefined ? undefined : Buffer.from(env.before, 'utf8'));
        if (after !== before) {
          const written = io.atomicWrite(t, after, fileMode, fa.bytes);
          replaced = true;
          if (written.lateWrite) {
            // Another program wrote the old file while harden replaced it: its version wins.
            io.atomicWrite(t, written.lateWrite, originalMode);
            replaced = false;
            throw new StaleFileError(
              `another program wrote ${file} while harden was replacing it; its version is kept and harden's changes were not applied. Run harden again`,
            );
          }
        }
        for (const m of p.modes) io.setMode(t, m.path, m.to);
        const now = io.readTarget(t);
        if (!now || (after !== before && now.info.ino !== t.ino) || new TextDecoder().decode(now.bytes) !== after) {
          // Someone else wrote it after harden did: that write is theirs to keep, not to undo.
          replaced = false;
          throw new StaleFileError(
            `${file} was changed by another program right after harden wrote it; that version is left in place and harden's changes are not verified. Run harden again`,
          );
        }
        verified = await auditContent(file, parseConfig(file, after), now.bytes, options, traits);
        const unusable = stillUnloadable(verified, true);
        if (unusable) throw new WriteError(unusable.reason);
        const left = stillThere(p.addressed, verified.findings);
        if (left) throw new WriteError(`the fix did not take effect: ${left.ruleId} is still reported at ${left.pointer ?? file}`);
        // The config itself, not everything harden knows: the env file now holds these values.
        if (env) {
          const left = secretsInTree(verified.parsed.root);
          if (env.moved.some((secret) => left.includes(secret))) throw new WriteError('a secret was still in the file after moving it');
        }
      } catch (error) {
        const why = isHardenError(error) ? error.message : error instanceof Error ? error.message : String(error);
        // The original goes back; if even that fails, say so rather than claim it is back.
        let restored = true;
        if (replaced) {
          try {
            io.atomicWrite(t, fa.bytes, originalMode);
          } catch {
            restored = false;
          }
        }
        if (!restored) throw new WriteError(`${why}; putting ${file} back failed too: run harden restore --config ${file} (backup: ${backup})`);
        if (env && envTarget) {
          try {
            if (env.before === undefined) io.removeTarget(envTarget);
            else io.atomicWrite(envTarget, env.before, envTarget.mode);
          } catch {
            // the env file only gained names; the config no longer uses them
          }
        }
        for (const m of p.modes) {
          try {
            io.setMode(t, m.path, m.from);
          } catch {
            // as good as it gets
          }
        }
        if (error instanceof StaleFileError) throw new StaleFileError(`${why} (backup of what harden read: ${backup})`);
        throw new WriteError(`${why}; ${file} is as it was before (backup: ${backup})`);
      }
      try {
        io.appendJournal(l, {
          time: new Date().toISOString(),
          action: 'fix',
          file: t.real,
          rules: [...new Set([...applied.map((a) => a.ruleId), ...p.modes.map((m) => m.ruleId)])].sort(),
          backup,
          sha256Before: io.sha256(fa.bytes),
          sha256After: io.sha256(after),
          modes: p.modes.map((m) => ({ path: m.path, from: m.from.toString(8), to: m.to.toString(8) })),
        });
      } catch (error) {
        warnings.push(isHardenError(error) ? error.message : `the journal was not written: ${String(error)}`);
      }
      io.pruneBackups(t, options.keepBackups, usable, l.backups());
      return { ...base, warnings, changed: true, backup, remaining: waive(verified.findings) };
    });
  } finally {
    io.closeTarget(t);
    io.closeTarget(envTarget);
  }
}

type Io = typeof import('../io/files.js');

/** Remove what an interrupted harden left beside the config (under the lock, as a write does). */
async function removeLeftovers(file: string): Promise<string[]> {
  const io = await import('../io/files.js');
  if (!io.leftoversBeside(file)) return [];
  const t = io.target(file);
  try {
    return await io.withLock(t, (l) => l.notes);
  } finally {
    io.closeTarget(t);
  }
}

/** The env file --secrets-to-env writes: a regular file or nothing yet, private like the config. */
function openEnvTarget(io: Io, env: PreparedEnv, config: Target): Target {
  return io.target(env.path, { owner: { uid: config.uid, gid: config.gid }, mayBeMissing: true, what: `the env file ${env.path}` });
}

function assertEnvUnchanged(io: Io, t: Target, env: PreparedEnv): void {
  const now = io.readTarget(t);
  const text = now ? new TextDecoder().decode(now.bytes) : undefined;
  if (text !== env.before) throw new StaleFileError(`the env file ${env.path} changed on disk since harden read it; nothing was written. Run harden again`);
}

export async function fix(options: FixOptions): Promise<FixResult[]> {
  return (await fixAll(options)).results;
}

/** Every config, then every compose file given with --compose. */
export async function fixAll(
  options: FixOptions,
): Promise<{ results: FixResult[]; compose: ComposeFixResult[]; errors: { file: string; message: string }[]; nanobot: FixResult['nanobot'] }> {
  const traits = await resolveTraits(options);
  // Each config on its own: one that fails is left as it was, and the others go on.
  const { results, errors } = await eachConfig(options.configs, (file) => fixFile(file, options, traits), options.collectErrors);
  const bwrap = results.some((r) => /"sandbox"\s*:\s*"bwrap"/.test(r.after));
  // The files named with --compose are one project, merged in order, as docker compose -f reads
  // them: fixed together, and a project that cannot be fixed is one error.
  const composeFiles = options.compose ?? [];
  const compose: ComposeFixResult[] = [];
  const composeErrors: { file: string; message: string }[] = [];
  if (composeFiles.length > 0) {
    const project = await eachConfig(
      [composeFiles.join(', ')],
      () => fixCompose(composeFiles, options, traits, bwrap),
      options.collectErrors || options.configs.length > 0,
    );
    for (const r of project.results) for (const c of r) compose.push(c);
    for (const e of project.errors) composeErrors.push(e);
  }
  return { results, compose, errors: [...errors, ...composeErrors], nanobot: nanobotInfo(traits) };
}

export interface ComposeFixResult {
  file: string;
  dryRun: boolean;
  changed: boolean;
  backup?: string;
  applied: string[];
  skipped: Skip[];
  remaining: Finding[];
  before: string;
  after: string;
  /** The two texts with their secrets replaced, for the diff. */
  shown: { before: string; after: string };
  /** Every secret in the compose file, for the redactor; never printed. */
  secrets: string[];
}

/**
 * Fix the nanobot service of a compose project (the files of one `docker compose -f ... -f ...`):
 * each file that changes gets the same lock, backup, atomic write and read-back as a config. The
 * result is audited before anything is written; a file that fails to write puts back the ones
 * written before it.
 */
export async function fixCompose(
  files: string | readonly string[],
  options: Pick<FixOptions, 'dryRun' | 'keepBackups'> & { env?: Readonly<Record<string, string | undefined>> },
  traits: VersionTraits,
  bwrap: boolean,
): Promise<ComposeFixResult[]> {
  const list = typeof files === 'string' ? [files] : [...files];
  const env = options.env ?? {};
  const { loadComposeProject, composeFindings } = await import('../host/compose.js');
  const { fixComposeProject, sameServices } = await import('./compose.js');
  const { readText } = await import('../io/read.js');
  const project = loadComposeProject(list, env);
  const { composeSecrets, redactComposeText } = await import('../host/compose-secrets.js');
  const findings = composeFindings(project, { traits, bwrap });
  const edit = fixComposeProject(project, findings, bwrap);
  const dotenv = list[0] ? readText(join(dirname(list[0]), '.env')) : undefined;
  const after = sameServices(
    project,
    edit.files.map((f) => ({ file: f.file, text: f.after })),
    env,
    dotenv,
  );
  if (!after) throw new WriteError(`harden could not edit ${list.join(', ')} safely; nothing was written`);
  const remaining = composeFindings(after, { traits, bwrap });
  const left = remaining.find((f) => edit.applied.includes(f.ruleId));
  if (left) throw new WriteError(`the fix of ${left.file} would not take effect (${left.ruleId} is still reported); nothing was written`);
  const results: ComposeFixResult[] = edit.files.map((f) => {
    const changed = f.after !== f.before;
    return {
      file: f.file,
      dryRun: options.dryRun,
      changed,
      applied: [...f.rules],
      skipped: edit.skipped.filter((x) => x.file === f.file).map(({ file: _file, ...skip }) => skip),
      remaining: remaining.filter((x) => x.file === f.file),
      before: f.before,
      after: f.after,
      shown: changed ? { before: redactComposeText(f.before), after: redactComposeText(f.after) } : { before: '', after: '' },
      secrets: [...new Set([...composeSecrets(f.before), ...composeSecrets(f.after)])],
    };
  });
  const changed = results.filter((r) => r.changed);
  if (options.dryRun || changed.length === 0) return results;
  const io = await import('../io/files.js');
  const { backupCheck } = await import('./restore.js');
  // Each file is written under its lock, and the next one inside it: when a later file fails,
  // every earlier one is put back while its lock is still held.
  const step = async (i: number): Promise<void> => {
    const r = changed[i];
    if (!r) return;
    const usable = await backupCheck(r.file);
    const bytes = new TextEncoder().encode(r.before);
    const t = io.target(r.file);
    try {
      await io.withLock(t, async (l) => {
        io.assertUnchanged(t, bytes);
        r.backup = io.createBackup(l, bytes);
        const mode = t.mode;
        const result = io.atomicWrite(t, r.after, mode, bytes);
        if (result.lateWrite) {
          io.atomicWrite(t, result.lateWrite, mode);
          throw new StaleFileError(
            `another program wrote ${r.file} while harden was replacing it; its version is kept and harden's changes were not applied (backup of what harden read: ${r.backup}). Run harden again`,
          );
        }
        const now = io.readTarget(t);
        if (!now || new TextDecoder().decode(now.bytes) !== r.after) {
          throw new StaleFileError(
            `${r.file} was changed by another program right after harden wrote it; that version is left in place (backup of what harden read: ${r.backup}). Run harden again`,
          );
        }
        try {
          await step(i + 1);
        } catch (error) {
          try {
            io.atomicWrite(t, bytes, mode);
          } catch {
            throw new WriteError(
              `${error instanceof Error ? error.message : String(error)}; putting ${r.file} back failed too: run harden restore --config ${r.file} (backup: ${r.backup})`,
            );
          }
          throw error;
        }
        io.pruneBackups(t, options.keepBackups, usable, l.backups());
      });
    } finally {
      io.closeTarget(t);
    }
  };
  await step(0);
  return results;
}
