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

/** Something harden itself got wrong; only --debug shows the stack. */
export class InternalError extends HardenError {
  readonly exitCode = 2;
}

export function isHardenError(error: unknown): error is HardenError {
  return error instanceof HardenError;
}
