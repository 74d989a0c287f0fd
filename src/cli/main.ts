// The command line. main() returns an exit code and never calls process.exit; bin/harden.js is
// the only place that touches the process.
import { Command, CommanderError, Option } from 'commander';
import { isHardenError } from '../errors.js';
import { FORMATS } from '../report/index.js';
import { addCommonOptions, runAudit, type AuditFlags } from './audit.js';
import { processIo, type Io } from './io.js';

export const VERSION = '0.1.0';

function program(io: Io, run: (task: () => Promise<number>) => void): Command {
  const cli = new Command('harden')
    .description('Audit and harden a nanobot config: the hardening guide as a command-line tool.')
    .version(VERSION, '-V, --version')
    .option('--debug', 'show stack traces of internal errors')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showSuggestionAfterError(true);

  const audit = addCommonOptions(
    cli
      .command('audit')
      .description('Report where a nanobot deployment falls short of the hardened profile, reading the config as nanobot does.')
      .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text')),
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
  return cli;
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let task: (() => Promise<number>) | undefined;
  const debug = argv.includes('--debug');
  try {
    await program(io, (t) => {
      task = t;
    }).parseAsync(argv, { from: 'user' });
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
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`harden: internal error: ${message} (please report this; --debug shows details)\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 2;
  }
}
