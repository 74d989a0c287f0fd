// Small reads on the audit's path: config-side files (units, env files, waivers, webui state)
// and /proc entries. Synchronous on purpose: each is a local file read in microseconds, while an
// await per file (one thread-pool round trip each) made a host audit spend tens of milliseconds
// reading its 60-odd /proc entries one after another. Writes never come here (io/files.ts).
import { accessSync, closeSync, constants, fstatSync, openSync, readdirSync, readFileSync } from 'node:fs';

/**
 * The file's text, or undefined when it is missing, cannot be read, or is not a regular file: a
 * unit's EnvironmentFile= naming a FIFO or /dev/zero must not hang the audit (opened non-blocking,
 * then refused on its type).
 */
export function readText(path: string): string | undefined {
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

/** The directory's entry names, or undefined when it is missing or cannot be read. */
export function listDir(path: string): string[] | undefined {
  try {
    return readdirSync(path);
  } catch {
    return undefined;
  }
}

/** Whether the path exists (and is visible to this user). */
export function exists(path: string): boolean {
  try {
    accessSync(path);
    return true;
  } catch {
    return false;
  }
}
