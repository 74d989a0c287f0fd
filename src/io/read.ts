// Small reads on the audit's path: config-side files (units, env files, waivers, webui state)
// and /proc entries. Synchronous on purpose: each is a local file read in microseconds, while an
// await per file (one thread-pool round trip each) made a host audit spend tens of milliseconds
// reading its 60-odd /proc entries one after another. Writes never come here (io/files.ts).
import { accessSync, readdirSync, readFileSync } from 'node:fs';

/** The file's text, or undefined when it is missing or cannot be read. */
export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
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
