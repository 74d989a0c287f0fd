// `harden fix`: flags -> options -> the wizard (on a terminal) or the pipeline (--yes, --dry-run).
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { redactor } from '../config/secrets.js';
import { NotATerminalError, UsageError } from '../errors.js';
import { atOrAbove, RULES } from '../findings/index.js';
import type { Answers } from '../fix/plan.js';
import type { Runtime } from '../host/facts.js';
import { checkChannelNames, readAnswersFile, parseAssignments, type NamedChannels } from '../fix/answers.js';
import { own } from '../config/own.js';
import { auditOptions, collect, type AuditFlags } from './audit.js';
import { useColor, type Io } from '../io/process-io.js';

export interface FixFlags extends Omit<AuditFlags, 'format'> {
  format: 'text' | 'json';
  yes?: boolean;
  dryRun?: boolean;
  allowFrom: string[];
  groupAllowFrom: string[];
  answers?: string;
  acceptRisk: string[];
  quiet?: boolean;
  runtime: Runtime;
  keepBackups: string;
  secretsToEnv?: boolean | string;
}

export function addFixOptions(command: Command): Command {
  return (
    command
      .option('-y, --yes', 'apply the fixes without asking (for provisioning scripts)')
      .option('-n, --dry-run', 'show the diff and the mode changes; write nothing')
      .option('--allow-from <channel=ids>', 'accounts that may talk to the bot, e.g. telegram=123456789 (repeatable)', collect, [])
      .option('--group-allow-from <channel=ids>', 'channels where the bot may answer anyone, e.g. slack=C0123ABC (repeatable)', collect, [])
      .option('--answers <file>', 'JSON file with allowFrom and groupAllowFrom per channel')
      .option('--accept-risk <rule>', 'apply a change the lockout guard holds back for this rule (repeatable)', collect, [])
      .option('-q, --quiet', 'say what changed and what is left in a line each: no diff, no list of what was held back')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .addOption(
        new Option('--runtime <where>', 'where nanobot runs: in a container its binds must stay on 0.0.0.0')
          .choices(['auto', 'host', 'container'])
          .default('auto'),
      )
      .option('--keep-backups <n>', 'backups to keep per config', '5')
      // Not --env-file: Node 20 takes that flag from anywhere on the command line for itself.
      .option(
        '--secrets-to-env [file]',
        'move plaintext secrets to an env file (default: nanobot.env beside the config) and write ${NAME} references in their place',
      )
  );
}

function answersFrom(flags: FixFlags, notes: string[], named: NamedChannels): Answers {
  const answers: Answers = {};
  if (flags.answers) readAnswersFile(flags.answers, answers, notes, named);
  parseAssignments(flags.allowFrom, 'allowFrom', '--allow-from', answers, notes, named);
  parseAssignments(flags.groupAllowFrom, 'groupAllowFrom', '--group-allow-from', answers, notes, named);
  return answers;
}

/** --accept-risk names rules: one that does not exist would hold nothing back, silently. */
async function checkAcceptRisk(rules: readonly string[]): Promise<void> {
  const unknown = rules.find((rule) => own(RULES, rule) === undefined);
  if (unknown === undefined) return;
  const { didYouMean } = await import('../config/nearest.js');
  throw new UsageError(`--accept-risk ${JSON.stringify(unknown)}: no such rule${didYouMean(unknown, Object.keys(RULES)) || ' (docs/rules.md lists them)'}`);
}

export async function runFix(flags: FixFlags, io: Io): Promise<number> {
  const keep = Number(flags.keepBackups);
  if (!Number.isInteger(keep) || keep < 1) throw new UsageError('--keep-backups needs a whole number of at least 1');
  const dryRun = flags.dryRun === true;
  const interactive = !dryRun && flags.yes !== true;
  if (interactive && !io.stdinIsTTY) {
    throw new NotATerminalError(
      'harden fix asks questions, but standard input is not a terminal: pass --yes to apply the fixes without questions, or --dry-run to see them',
    );
  }
  const notes: string[] = [];
  const named: NamedChannels = new Map();
  const answers = answersFrom(flags, notes, named);
  await checkAcceptRisk(flags.acceptRisk);
  const common = await auditOptions(flags, io);
  await checkChannelNames(named, common.configs);
  const options = {
    ...common,
    dryRun,
    answers,
    acceptRisk: flags.acceptRisk,
    runtime: flags.runtime,
    keepBackups: keep,
    ...(flags.secretsToEnv !== undefined && flags.secretsToEnv !== false
      ? { secretsToEnv: typeof flags.secretsToEnv === 'string' ? resolve(io.cwd, flags.secretsToEnv) : '' }
      : {}),
  };
  const color = flags.format === 'text' && useColor(flags.color, io.env, io.stdout);
  if (interactive) {
    const { runWizard } = await import('../wizard/run.js');
    return runWizard(options, { io, color, failOn: flags.failOn });
  }
  const { fixAll } = await import('../fix/index.js');
  const { renderFixJson, renderFixText } = await import('../report/fix.js');
  const run = await fixAll({ ...options, collectErrors: flags.format === 'json' });
  const { results, compose, errors } = run;
  for (const note of notes) io.stderr.write(`harden: note: ${note}\n`);
  const reportOptions = { color, cwd: io.cwd, quiet: flags.quiet === true, failOn: flags.failOn };
  const output = flags.format === 'json' ? renderFixJson({ ...run, dryRun }, reportOptions) : renderFixText(results, reportOptions, compose, errors);
  const redact = redactor([...results.flatMap((r) => r.secrets), ...compose.flatMap((c) => c.secrets)]);
  io.stdout.write(redact(output));
  for (const e of errors) io.stderr.write(redact(`harden: ${e.message}\n`));
  const failing = [...results.flatMap((r) => r.remaining), ...compose.flatMap((c) => c.remaining)];
  return errors.length > 0 ? 2 : failing.some((f) => !f.waived && atOrAbove(f.severity, flags.failOn)) ? 1 : 0;
}
