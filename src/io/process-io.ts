// What the CLI needs of the outside world, passed in so tests can run main() in-process.
import { fdStream, isatty } from './fd-stream.js';

export interface Io {
  stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stdinIsTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export function processIo(): Io {
  return {
    stdout: fdStream(1, () => process.stdout),
    stderr: fdStream(2, () => process.stderr),
    // Asked only by the commands that need to know; not process.stdin.isTTY, which makes a stream.
    get stdinIsTTY() {
      return isatty(0);
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * Colour: --color/--no-color, then NO_COLOR (any value), FORCE_COLOR, then whether the output is a
 * terminal (asked last: the answer loads Node's tty module).
 */
export function useColor(flag: boolean | undefined, env: Io['env'], out: Io['stdout']): boolean {
  if (flag !== undefined) return flag;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined) return env['FORCE_COLOR'] !== '0' && env['FORCE_COLOR'] !== 'false';
  return env['TERM'] !== 'dumb' && out.isTTY === true;
}
