// Which config files a run covers: --config takes files, directories (nanobot's multi-instance
// layouts: a config.json in the directory, or one in each of its subdirectories) and globs
// (*, ?, ** and [..], expanded here so that quoted patterns work the same in every shell).
import { join, resolve, sep } from 'node:path';
import { ConfigAccessError } from '../errors.js';
import { listDir, listDirEntries, statOf } from '../io/read.js';

const MAGIC = /[*?[]/;

function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    // A class such as [z-a] matches nothing in a shell either: "no config file matches" follows.
    return /(?!)/;
  }
}

function isDir(path: string): boolean {
  return statOf(path)?.isDirectory() === true;
}

const isFile = (path: string): boolean => statOf(path)?.isFile() === true;

/** Expand a glob pattern (absolute) into existing paths, sorted. */
export function expandGlob(pattern: string): string[] {
  const parts = pattern.split(sep);
  let current = [parts[0] === '' ? sep : parts[0]!];
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    const next: string[] = [];
    for (const base of current) {
      if (part === '**') {
        // Zero or more directories.
        const stack = [base];
        while (stack.length > 0) {
          const dir = stack.pop()!;
          next.push(dir);
          for (const e of listDirEntries(dir) ?? []) if (e.isDirectory() && !e.name.startsWith('.')) stack.push(join(dir, e.name));
        }
      } else if (MAGIC.test(part)) {
        const re = segmentRegex(part);
        for (const name of listDir(base) ?? []) if (re.test(name) && (part.startsWith('.') || !name.startsWith('.'))) next.push(join(base, name));
      } else next.push(join(base, part));
    }
    current = next;
  }
  const out: string[] = [];
  for (const p of current) if (statOf(p)) out.push(p);
  return [...new Set(out)].sort();
}

/** A directory: its config.json, else the config.json of each subdirectory (one per instance). */
function fromDirectory(dir: string): string[] {
  const own = join(dir, 'config.json');
  if (isFile(own)) return [own];
  const out: string[] = [];
  for (const e of listDirEntries(dir) ?? []) {
    const candidate = join(dir, e.name, 'config.json');
    if (e.isDirectory() && isFile(candidate)) out.push(candidate);
  }
  return out.sort();
}

/** Every config a list of --config values names; a pattern or directory that names none is an error. */
export function expandConfigs(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    const abs = resolve(value);
    if (MAGIC.test(value)) {
      const hits = expandGlob(abs);
      const files: string[] = [];
      // Pushed one by one: push(...list) takes each item as an argument, and a glob or a
      // directory can name more files than a call has room for.
      for (const h of hits) {
        if (!isDir(h)) files.push(h);
        else for (const f of fromDirectory(h)) files.push(f);
      }
      if (files.length === 0) throw new ConfigAccessError(value, `no config file matches ${value}`);
      for (const f of files) out.push(f);
    } else if (isDir(abs)) {
      const files = fromDirectory(abs);
      if (files.length === 0) throw new ConfigAccessError(value, `no config file in the directory ${abs} (harden looks for config.json in it and in each of its subdirectories)`);
      for (const f of files) out.push(f);
    } else out.push(abs);
  }
  return [...new Set(out)];
}
