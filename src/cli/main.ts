// The command line. main() returns an exit code and never calls process.exit; bin/harden.js is
// the only place that touches the process.
import { Command, CommanderError, Help, Option } from 'commander';
import { isHardenError } from '../errors.js';
import { FORMATS } from '../report/index.js';
import { TOOL } from '../report/json.js';
import { addCommonOptions, runAudit, type AuditFlags } from './audit.js';
import { addFixOptions, runFix, type FixFlags } from './fix.js';
import { addRestoreOptions, runRestore } from './restore.js';
import { addDeployOptions, runDocker, runIncident, runSystemd } from './deploy.js';
import { addActivityOptions, runActivity, type ActivityFlags } from './activity.js';
import { processIo, type Io } from '../io/process-io.js';
export { outputWritten } from '../io/fd-stream.js';

/** Commands that need no other command to run: a run of one builds only that one. */
const ALONE = new Set(['audit', 'fix', 'restore', 'docker', 'systemd', 'incident', 'activity']);

/** The command line `argv` needs: one command when it names one (and asks for no help), else all. */
export function commandFor(argv: readonly string[]): string | undefined {
  return ALONE.has(argv[0] ?? '') && !argv.some((a) => a === '-h' || a === '--help') ? argv[0] : undefined;
}

/**
 * The commander program. With `only`, just that command is defined (with its options, help and
 * action exactly as in the whole program): building all seven took 1.5 ms of every start.
 */
export function program(io: Io, run: (task: () => Promise<number>) => void, only?: string): Command {
  const wanted = (name: string): boolean => only === undefined || only === name;
  const cli = new Command('harden')
    .description('Audit and harden a nanobot config: the hardening guide as a command-line tool.')
    .version(TOOL.version, '-V, --version')
    .option('--debug', 'show stack traces of internal errors')
    .exitOverride()
    .configureHelp({
      // A repeatable option starts as []; "(default: [])" tells a reader nothing (and -c says its own default).
      optionDescription(option) {
        const text = Help.prototype.optionDescription.call(this, option);
        return Array.isArray(option.defaultValue) && option.defaultValue.length === 0 ? text.replace(/ \(default: \[\]\)$/, '') : text;
      },
    })
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showSuggestionAfterError(true);

  if (wanted('audit')) {
    const audit = addCommonOptions(
      cli
        .command('audit')
        .description('Report where a nanobot deployment falls short of the hardened profile, reading the config as nanobot does.')
        .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
        .option('--baseline <report>', 'a saved JSON report: fail only on findings that are not in it')
        .option('--sarif-root <dir>', 'SARIF: the directory locations are relative to (%SRCROOT%; default: the current directory)'),
    );
    audit
      .addHelpText(
        'after',
        `
Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 unusable input.

Examples:
  $ harden audit                                  # ~/.nanobot/config.json
  $ harden audit --config /srv/bot/config.json --profile strict
  $ harden audit --format json --fail-on high     # for CI
  $ harden audit --nanobot-version 0.1.4 --no-host`,
      )
      .action((flags: AuditFlags) => run(() => runAudit(flags, io)));
  }

  if (wanted('fix')) {
    addFixOptions(
      addCommonOptions(cli.command('fix').description('Fix what the audit finds: a wizard on a terminal, --yes for scripts, --dry-run to preview.')),
    )
      .addHelpText(
        'after',
        `
Backups go to .harden/backups/ beside the config (mode 600, the last 5 kept); undo with harden restore.
Exit codes: 0 nothing at or above --fail-on remains, 1 something does, 2 unusable input (nothing written).

Examples:
  $ harden fix                                          # the wizard
  $ harden fix --dry-run                                # the diff only
  $ harden fix --yes --allow-from telegram=123456789    # unattended
  $ harden fix --yes --answers answers.json --format json --quiet`,
      )
      .action((flags: FixFlags) => run(() => runFix(flags, io)));
  }

  if (wanted('restore')) {
    addRestoreOptions(cli.command('restore').description('List the backups harden fix made, put one back, or delete them.'))
      .addHelpText(
        'after',
        `
Examples:
  $ harden restore --list
  $ harden restore                  # put the newest backup back
  $ harden restore 2 --config /srv/bot/config.json
  $ harden restore --prune          # delete the backups (they hold old secrets)`,
      )
      .action((backup: string | undefined, flags: Parameters<typeof runRestore>[1]) => run(() => runRestore(backup, flags, io)));
  }

  if (wanted('docker')) {
    addDeployOptions(cli.command('docker').description("Print a hardened docker run script, or compose service, for this config's paths."))
      .addOption(
        new Option('--format <format>', 'run: a shell script that starts the container; compose: the same as a compose file')
          .choices(['run', 'compose'])
          .default('run'),
      )
      .addHelpText(
        'after',
        '\nExamples:\n  $ harden docker --config ~/.nanobot/config.json > nanobot-run.sh && sh nanobot-run.sh\n  $ harden docker --format compose > compose.yml',
      )
      .action((flags: Parameters<typeof runDocker>[0]) => run(() => runDocker(flags, io)));
  }
  if (wanted('systemd')) {
    addDeployOptions(cli.command('systemd').description('Print a hardened systemd unit that refuses to start nanobot on an insecure config.'))
      .addHelpText('after', '\nExample:\n  $ harden systemd | sudo tee /etc/systemd/system/nanobot.service')
      .action((flags: Parameters<typeof runSystemd>[0]) => run(() => runSystemd(flags, io)));
  }
  if (wanted('incident')) {
    addDeployOptions(cli.command('incident').description("The hardening guide's incident-response steps for this deployment: stop, rotate, review."))
      .addHelpText('after', '\nExample:\n  $ harden incident --config /srv/bot/config.json')
      .action((flags: Parameters<typeof runIncident>[0]) => run(() => runIncident(flags, io)));
  }

  if (wanted('activity')) {
    addActivityOptions(
      cli
        .command('activity')
        .description("What the agent did, from nanobot's session histories and logs, and what of it was dangerous; and what changed in the workspace."),
    )
      .addHelpText(
        'after',
        `
Reads the config's instance: its sessions, memory/history.jsonl, cron/action.jsonl, WebUI transcripts
and logs/, where the installed nanobot release keeps them; it only reads.
Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 unusable input.

Examples:
  $ harden activity                                   # all of ~/.nanobot's history
  $ harden activity --since 7d --fail-on high
  $ harden activity --session telegram:123456789      # everything one conversation did
  $ harden activity --format sarif > activity.sarif`,
      )
      .action((flags: ActivityFlags) => run(() => runActivity(flags, io)));
  }

  if (wanted('completion')) {
    cli
      .command('completion')
      .description('Print shell completion for bash, zsh or fish.')
      .argument('<shell>', 'bash, zsh or fish')
      .addHelpText('after', '\nExamples:\n  $ source <(harden completion bash)\n  $ harden completion fish > ~/.config/fish/completions/harden.fish')
      .action((shell: string) =>
        run(async () => {
          const { completion } = await import('./completion.js');
          io.stdout.write(completion(cli, shell));
          return 0;
        }),
      );
  }
  return cli;
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let task: (() => Promise<number>) | undefined;
  const debug = argv.includes('--debug');
  try {
    await program(
      io,
      (t) => {
        task = t;
      },
      commandFor(argv),
    ).parseAsync(argv, { from: 'user' });
    return task ? await task() : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version exit 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isHardenError(error)) {
      io.stderr.write(`harden: ${error.message}\n`);
      return error.exitCode;
    }
    // A bug's message can carry what it was working on (a value from the config, a secret): it is
    // shown only when asked for, with the stack.
    const kind = error instanceof Error ? error.name : typeof error;
    io.stderr.write(`harden: internal error (${kind}); please report this. Run again with --debug to see what it was (the details may quote your config)\n`);
    if (debug) io.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}
