// The interactive `harden fix`: audit, ask, show the exact diff, confirm once, then let the fix
// pipeline write. Any cancel before the write leaves every byte as it was.
import { auditFile, resolveTraits } from '../audit/index.js';
import { redactor } from '../config/secrets.js';
import { atOrAbove, SEVERITIES, type Finding, type Severity } from '../findings/index.js';
import type { Skip } from '../fix/plan.js';
import { BIND_RULES, type Runtime } from '../host/where.js';
import { fixFile, type FixOptions, type FixResult } from '../fix/index.js';
import { configDiff } from '../report/diff.js';
import { styler } from '../report/style.js';
import { displayPath } from '../report/text.js';
import type { Io } from '../io/process-io.js';
import { decide, manualSteps, type Decisions } from './flow.js';
import { addWaivers, WAIVER_FILE } from '../findings/waivers.js';
import { dirname, join } from 'node:path';
import type { PromptAdapter } from './prompts.js';
import { handOver } from '../io/fd-stream.js';

export interface WizardContext {
  io: Io;
  color: boolean;
  failOn: Severity;
  /** Tests pass a scripted adapter; the CLI uses inquirer on the process's terminal. */
  prompts?: PromptAdapter;
}

const octal = (m: number) => m.toString(8).padStart(3, '0');

function describePreview(r: FixResult, cwd: string, color: boolean): string {
  const s = styler(color);
  const lines: string[] = [];
  const diff = configDiff(displayPath(r.file, cwd), r.before, r.after, s, r.roots);
  if (diff) lines.push(diff.trimEnd());
  for (const m of r.modes) lines.push(`mode of ${displayPath(m.path, cwd)}: ${octal(m.from)} -> ${octal(m.to)}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

/**
 * The last word on a config: every finding still open, worst first, with why it was left (a
 * question skipped, a change held back, a step by hand), and what that means for the exit code.
 */
export function stillOpen(left: readonly Finding[], skipped: readonly Skip[], failOn: Severity): string {
  const open = left.filter((f) => !f.waived);
  if (open.length === 0) return '\nNothing is left open: harden fix exits 0.';
  const sorted = [...open].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  const lines = [`\nStill open (${open.length}):`];
  for (const f of sorted) {
    const why = skipped.find((k) => k.ruleId === f.ruleId && (k.pointer === undefined || k.pointer === f.pointer));
    lines.push(
      `  ${f.severity.toUpperCase()} ${f.ruleId}${f.line !== undefined ? ` (line ${f.line})` : ''}: ${f.message}${why ? `\n    left because: ${why.message}` : ''}`,
    );
  }
  const failing = open.filter((f) => atOrAbove(f.severity, failOn)).length;
  lines.push(
    failing > 0
      ? `harden fix exits 1: ${failing} of them ${failing === 1 ? 'is' : 'are'} at or above --fail-on ${failOn}.`
      : `harden fix exits 0: none of them is at or above --fail-on ${failOn}.`,
  );
  return lines.join('\n');
}

/** Append the new waivers to .harden.json beside the config (written atomically, like a config). */
async function recordWaivers(config: string, waivers: Decisions['waivers'], say: (t: string) => void): Promise<void> {
  const io = await import('../io/files.js');
  const path = join(dirname(config), WAIVER_FILE);
  const c = io.target(config);
  io.closeTarget(c);
  const t = io.target(path, { owner: { uid: c.uid, gid: c.gid }, mayBeMissing: true, what: `the waiver file ${path}` });
  try {
    const read = io.readTarget(t);
    const existing = read ? new TextDecoder().decode(read.bytes) : undefined;
    io.atomicWrite(t, addWaivers(existing, waivers), existing === undefined ? 0o600 : t.mode, read?.bytes ?? undefined);
  } finally {
    io.closeTarget(t);
  }
  say(`Recorded ${waivers.length} waiver${waivers.length === 1 ? '' : 's'} in ${path}.`);
}

export async function runWizard(options: FixOptions, ctx: WizardContext): Promise<number> {
  const { io } = ctx;
  let prompts = ctx.prompts;
  if (!prompts) {
    // The prompt library writes to process.stdout: the run must let that stream drain at the end.
    handOver();
    prompts = new (await import('./inquirer.js')).InquirerAdapter(process.stdin, process.stdout, (t) => io.stdout.write(t));
  }
  const traits = await resolveTraits(options);
  let failed = false;
  for (const file of options.configs) {
    const fa = await auditFile(file, options, traits);
    const redact = redactor(fa.secrets);
    const say = (text: string) => prompts.say(redact(text));
    // Every word shown goes through the redactor, questions included.
    const safe: PromptAdapter = {
      say,
      select: (message, choices, def) =>
        prompts.select(
          redact(message),
          choices.map((c) => ({ ...c, name: redact(c.name) })),
          def,
        ),
      confirm: (message, def) => prompts.confirm(redact(message), def),
      input: (message, opts) => prompts.input(redact(message), opts),
    };
    if (fa.findings.length === 0) {
      say(`${displayPath(file, io.cwd)}: no findings at profile ${options.profile}; nothing to do.`);
      continue;
    }
    // Where nanobot runs decides what its binds must be; when no evidence says, the owner knows.
    let runtime = options.runtime;
    if (runtime === 'auto' && fa.runs?.where === 'unknown' && fa.findings.some((f) => BIND_RULES.has(f.ruleId))) {
      say(`\nWhere nanobot runs: ${fa.runs.evidence}.`);
      runtime = await safe.select<Runtime>('Where does nanobot run with this config?', [
        { value: 'host', name: 'On this host: it should listen on 127.0.0.1' },
        { value: 'container', name: 'In a container: it listens on 0.0.0.0 inside, and the port is published on 127.0.0.1' },
      ]);
    }
    const d = await decide(fa, safe, io.cwd, traits, options.env);
    let run: FixOptions = {
      ...options,
      runtime,
      configs: [file],
      dryRun: true,
      answers: d.answers,
      acceptRisk: d.acceptRisk,
      only: d.only,
      ...(d.secretsToEnv ? { secretsToEnv: options.secretsToEnv ?? '' } : {}),
    };
    let preview = await fixFile(file, run, traits);
    for (const held of preview.skipped.filter((k) => k.why === 'lockout')) {
      // One of the fixes chosen above, held back by the lockout guard: its own question, with why.
      if (
        await safe.confirm(
          `One of the fixes you chose (${held.ruleId}) is held back: ${held.message.replace(/[;.] [Pp]ass --accept-risk .*$/, '')}. Apply it anyway?`,
          false,
        )
      ) {
        d.acceptRisk.push(held.ruleId);
      }
    }
    if (d.acceptRisk.length > 0) {
      run = { ...run, acceptRisk: d.acceptRisk };
      preview = await fixFile(file, run, traits);
    }
    const manual = manualSteps(fa.findings);
    if (d.waivers.length > 0) {
      say(
        `\n${d.waivers.length} waiver${d.waivers.length === 1 ? '' : 's'} will be recorded in ${displayPath(join(dirname(file), WAIVER_FILE), io.cwd)}: ${d.waivers.map((w) => `${w.ruleId} until ${w.expires}`).join(', ')}`,
      );
    }
    if (!preview.changed) {
      say('Nothing to change with these answers.');
      if (d.waivers.length > 0 && (await safe.confirm('Record the waivers?', true))) await recordWaivers(file, d.waivers, say);
    } else {
      say(`\nThe changes to ${displayPath(file, io.cwd)}:\n${describePreview(preview, io.cwd, ctx.color)}`);
      if (preview.envFile) say(`env file ${displayPath(preview.envFile.path, io.cwd)} (mode 600) gets: ${preview.envFile.added.join(', ')}`);
      if (await safe.confirm(`Write these changes? A backup is made first.`, true)) {
        const result = await fixFile(file, { ...run, dryRun: false }, traits);
        if (d.waivers.length > 0) await recordWaivers(file, d.waivers, say);
        say(`\nWrote ${displayPath(file, io.cwd)}.`);
        if (result.backup) say(`Backup: ${result.backup}\nUndo with: harden restore --config ${file}`);
        if (result.envFile) {
          const e = result.envFile.path;
          say(
            `Secrets are in ${e}: load it before restarting nanobot, with EnvironmentFile=${e} (systemd), --env-file ${e} (docker run), env_file: (compose), or \`set -a; . ${e}; set +a\` in the shell that starts it.`,
          );
        }
        say('Restart nanobot (the gateway, and `nanobot serve` if you use it) so that it reads the new settings.');
        preview = result;
      } else {
        say('Nothing was written.');
      }
    }
    const left = preview.remaining;
    if (manual.length > 0) say(`\nTo do by hand:\n${manual.map((m) => `  - ${m}`).join('\n')}`);
    say(
      '\nAlso outside this file: check NANOBOT_* variables in systemd units and compose files (harden audit names any that weaken a setting),\n' +
        "run nanobot in Docker with the guide's security flags as a non-root user, and close the gateway port in your firewall.",
    );
    say(stillOpen(left, preview.skipped, ctx.failOn));
    if (left.some((f) => !f.waived && atOrAbove(f.severity, ctx.failOn))) failed = true;
  }
  return failed ? 1 : 0;
}
