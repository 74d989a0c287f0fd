// Find and read config files. Reading is all this does; only src/io writes.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigAccessError } from '../errors.js';
import { decodeConfig, parseConfig, type ParsedConfig } from './parse.js';

/** nanobot's default: ~/.nanobot/config.json, with $HOME deciding as Path.home() does. */
export function defaultConfigPath(env: Readonly<Record<string, string | undefined>>): string {
  return join(env['HOME'] || homedir(), '.nanobot', 'config.json');
}

/** --config paths as nanobot resolves them (expanduser, then absolute). */
export function resolveConfigPath(path: string, env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const home = env['HOME'] || homedir();
  const expanded = path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
  return resolve(cwd, expanded);
}

function accessSentence(file: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return `no config file at ${file}`;
    case 'EACCES':
    case 'EPERM':
      return `cannot read ${file}: permission denied (run harden as the user nanobot runs as, or with sudo)`;
    case 'EISDIR':
      return `${file} is a directory, not a config file`;
    case 'ENOTDIR':
      return `no config file at ${file}: a part of the path is not a directory`;
    case 'ELOOP':
      return `cannot read ${file}: too many levels of symbolic links`;
    default:
      return `cannot read ${file}: ${error.message}`;
  }
}

export interface ConfigFile {
  file: string;
  bytes: Uint8Array;
  parsed: ParsedConfig;
}

/**
 * Read and strictly parse one config; every failure is one sentence (ConfigAccessError/SyntaxError).
 * The read is synchronous: a config is a small local file, and a fleet audit reads them one by one.
 */
export async function readConfig(file: string): Promise<ConfigFile> {
  let bytes: Uint8Array;
  try {
    const info = statSync(file);
    if (info.isDirectory()) throw new ConfigAccessError(file, `${file} is a directory, not a config file`);
    // A FIFO or a device is refused before it is opened: reading one could block forever.
    if (!info.isFile()) throw new ConfigAccessError(file, `${file} is not a regular file`);
    bytes = readFileSync(file);
  } catch (error) {
    if (error instanceof ConfigAccessError) throw error;
    throw new ConfigAccessError(file, accessSentence(file, error as NodeJS.ErrnoException));
  }
  const text = decodeConfig(file, bytes);
  return { file, bytes, parsed: parseConfig(file, text) };
}
