// The few errors a user can act on. Each carries its exit code and one sentence; the CLI prints
// `harden: <sentence>` and never a stack trace.

export abstract class HardenError extends Error {
  abstract readonly exitCode: number;
}

/** Bad flags or arguments. */
export class UsageError extends HardenError {
  readonly exitCode = 2;
}

/** The file cannot be found, is not a regular file, or cannot be read. */
export class ConfigAccessError extends HardenError {
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    sentence: string,
  ) {
    super(sentence);
  }
}

/** The file is not something nanobot would load: not strict JSON, or rejected by its schema. */
export class ConfigSyntaxError extends HardenError {
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
  }
}

export function isHardenError(error: unknown): error is HardenError {
  return error instanceof HardenError;
}

/** The file changed on disk between reading and writing it. */
export class StaleFileError extends HardenError {
  readonly exitCode = 2;
}

/** Another harden run holds the lock on this config. */
export class LockedError extends HardenError {
  readonly exitCode = 2;
}

/** Writing failed (read-only directory, full disk, ...); the original is untouched. */
export class WriteError extends HardenError {
  readonly exitCode = 2;
}

/** `harden fix` without a terminal and without --yes or --dry-run: there is no one to ask. */
export class NotATerminalError extends HardenError {
  readonly exitCode = 2;
}

/** Ctrl-C or Esc at a prompt; nothing was written. */
export class PromptCancelledError extends HardenError {
  readonly exitCode = 130;
}
