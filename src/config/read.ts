// Find and read config files. Reading is all this does; only src/io writes.
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigAccessError } from '../errors.js';
import { decodeConfig, parseConfig, type ParsedConfig } from './parse.js';
import { INPUT_LIMIT, readOpened } from '../io/read.js';

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
export function readConfig(file: string): ConfigFile {
  let bytes: Uint8Array;
  let fd: number | undefined;
  try {
    // Opened non-blocking and checked as opened (not by path first): a FIFO or a device swapped
    // in cannot block harden, and a file is read no further than its size (/proc/kmsg says 0).
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new ConfigAccessError(file, `${file} is a directory, not a config file`);
    if (!info.isFile()) throw new ConfigAccessError(file, `${file} is not a regular file`);
    if (info.size > INPUT_LIMIT)
      throw new ConfigAccessError(
        file,
        `${file} is ${Math.round(info.size / 1024 / 1024)} MiB, larger than the ${INPUT_LIMIT / 1024 / 1024} MiB harden reads; it is not a nanobot config`,
      );
    bytes = readOpened(fd, info.size);
  } catch (error) {
    if (error instanceof ConfigAccessError) throw error;
    throw new ConfigAccessError(file, accessSentence(file, error as NodeJS.ErrnoException));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const text = decodeConfig(file, bytes);
  return { file, bytes, parsed: parseConfig(file, text) };
}
