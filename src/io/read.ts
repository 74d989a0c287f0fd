// Small reads on the audit's path: config-side files (units, env files, waivers, webui state)
// and /proc entries. Synchronous on purpose: each is a local file read in microseconds, while an
// await per file (one thread-pool round trip each) made a host audit spend tens of milliseconds
// reading its 60-odd /proc entries one after another. Writes never come here (io/files.ts).
import {
  accessSync,
  closeSync,
  existsSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  statSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { ConfigAccessError } from '../errors.js';

/** The most harden reads of any one input file: far above any real config, report or waiver file. */
export const INPUT_LIMIT = 64 * 1024 * 1024;

/**
 * Read at most the size fstat gave: a regular file that reports 0 bytes and then produces data
 * without end (/proc/kmsg, which also blocks) is read as empty instead of hanging harden.
 */
export function readOpened(fd: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  while (at < size) {
    const n = readSync(fd, out, at, size - at, at);
    if (n === 0) break;
    at += n;
  }
  return at === size ? out : out.subarray(0, at);
}

function whyNot(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return error.message;
  }
}

/**
 * A file the user names (--answers, --baseline, --waivers, --compose, an env file): opened
 * non-blocking so that a FIFO cannot hang harden, accepted only when what was opened is a regular
 * file, and read no further than its size (at most INPUT_LIMIT). Every failure is one sentence
 * that starts with `what`, for instance "--answers answers.json".
 */
export function readInput(path: string, what: string): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new ConfigAccessError(path, `${what}: it is a directory, not a file`);
    if (!info.isFile()) throw new ConfigAccessError(path, `${what}: not a regular file (a FIFO, device or socket is never read)`);
    if (info.size > INPUT_LIMIT)
      throw new ConfigAccessError(
        path,
        `${what}: the file is ${Math.round(info.size / 1024 / 1024)} MiB, larger than the ${INPUT_LIMIT / 1024 / 1024} MiB harden reads`,
      );
    return readOpened(fd, info.size);
  } catch (error) {
    if (error instanceof ConfigAccessError) throw error;
    throw new ConfigAccessError(path, `${what}: ${whyNot(error as NodeJS.ErrnoException)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** readInput, or undefined when there is no such file (one harden may create). */
export function readOptionalInput(path: string, what: string): Buffer | undefined {
  if (!existsSync(path) && lstatOf(path) === undefined) return undefined;
  return readInput(path, what);
}

/** readInput as UTF-8 text. */
export function readInputText(path: string, what: string): string {
  return readInput(path, what).toString('utf8');
}

/**
 * The file's text, or undefined when it is missing, cannot be read, or is not a regular file: a
 * unit's EnvironmentFile= naming a FIFO or /dev/zero must not hang the audit (opened non-blocking,
 * then refused on its type), nor /proc/kmsg (read no further than its size, which is 0).
 */
export function readText(path: string): string | undefined {
  // Most files harden looks for beside a config are not there; a failed open costs an exception.
  if (!existsSync(path)) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > INPUT_LIMIT) return undefined;
    return readOpened(fd, info.size).toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A file the kernel produces under /proc, read in one call (Node's path-and-UTF-8 fast path: a
 * process table is some 60 of them, and the descriptor-by-descriptor checks above doubled its
 * cost). Never for a path a config, unit or user names: those go through readText.
 */
export function readProcFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The directory's entry names, or undefined when it is missing or cannot be read. */
export function listDir(path: string): string[] | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return readdirSync(path);
  } catch {
    return undefined;
  }
}

/** The directory's entries with their types, or undefined when it is missing or cannot be read. */
export function listDirEntries(path: string): Dirent[] | undefined {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch {
    return undefined;
  }
}

/** The path's status, following symbolic links; undefined when it cannot be had. */
export function statOf(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** The path's own status (a symbolic link as itself); undefined when it cannot be had. */
export function lstatOf(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** The path with every symbolic link resolved; undefined when it cannot be. */
export function realpathOf(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** A symbolic link's target as written; undefined when the path is not a readable link. */
export function readlinkOf(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** Whether the path exists (and is visible to this user). existsSync makes no exception object for a miss. */
export function exists(path: string): boolean {
  return existsSync(path);
}

/**
 * The first executable file named `command` in a PATH (split on the platform's delimiter), as
 * the shell would run it; undefined when there is none.
 */
export function findExecutable(command: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
