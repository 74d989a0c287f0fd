// Small reads on the audit's path: config-side files (units, env files, waivers, webui state)
// and /proc entries. Synchronous on purpose: each is a local file read in microseconds, while an
// await per file (one thread-pool round trip each) made a host audit spend tens of milliseconds
// reading its 60-odd /proc entries one after another. Writes never come here (io/files.ts).
import { closeSync, existsSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';

/**
 * The file's text, or undefined when it is missing, cannot be read, or is not a regular file: a
 * unit's EnvironmentFile= naming a FIFO or /dev/zero must not hang the audit (opened non-blocking,
 * then refused on its type).
 */
export function readText(path: string): string | undefined {
  // Most files harden looks for beside a config are not there; a failed open costs an exception.
  if (!existsSync(path)) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return undefined;
    return readFileSync(fd, 'utf8');
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
