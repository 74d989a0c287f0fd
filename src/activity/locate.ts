// Where one nanobot instance keeps what its agent did, release by release (read from nanobot's
// source at each tag; the facts, not the code):
//
// - sessions, one JSONL file per conversation:
//   v0.1.3.post4-post7  ~/.nanobot/sessions/<key with ':' as '_'>.jsonl (session/manager.py: Path.home())
//   v0.1.4-v0.3.0       <workspace>/sessions/, and the old ~/.nanobot/sessions/ read as a fallback and
//                       moved on first load (session/manager.py _load / _resolve_session_path)
//   v0.3.0              file names are the key in unpadded base64url (_storage_key); the old names
//                       are still read
//   main (3852956)      <config dir>/sessions/<workspace id>/, the id in <workspace>/.nanobot/workspace-id
//                       and the workspace's path in <that dir>/.workspace (JsonlSessionStore); it moves
//                       <workspace>/sessions/*.jsonl there at start-up
// - <workspace>/memory/history.jsonl (v0.1.5+, agent/memory.py append_history): summaries
// - cron/action.jsonl beside cron/jobs.json (v0.1.5.post1+, cron/service.py _append_action); the
//   store is <config dir>/cron up to v0.2.x and <workspace>/cron from v0.3.0
// - <config dir>/webui/<key>.jsonl (v0.2.0+, WebUI transcripts; v0.2.2+ also <key>.segments/*.jsonl)
// - <config dir>/logs/*.log (gateway --background, v0.2.2+ gateway/runtime.py); before that nanobot
//   logs only to stderr, and ~/.nanobot/logs/ is where the hardening guide says to keep it
//
// Every directory below the instance's own (its config's directory, its workspace, the home) is
// opened without following a link, and every file is opened with O_NOFOLLOW and read only when it
// is a regular file: these directories belong to the account whose shell the agent drives.
import { closeSync, fstatSync, readSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Dir, why } from '../io/place.js';

export type SourceKind = 'session' | 'log' | 'memory' | 'cron' | 'webui';

export interface HistoryFile {
  kind: SourceKind;
  dir: Dir;
  name: string;
  /** The path for reports. */
  path: string;
  /** The directory's label in the report (sessions, legacy sessions, ...). */
  where: string;
}

export interface SourceDir {
  kind: SourceKind;
  label: string;
  path: string;
  files: number;
}

/** Something in the history directories harden did not read, and why. */
export interface Skipped {
  path: string;
  why: string;
}

export interface Located {
  files: HistoryFile[];
  dirs: SourceDir[];
  /** Places looked at that do not exist. */
  missing: string[];
  skipped: Skipped[];
  /** Session directories that exist (the run needs at least one, or a log). */
  sessionDirs: number;
  close(): void;
}

export interface Layout {
  dataDir: string;
  workspace: string;
  home: string;
}

const WORKSPACE_ID = /^[0-9a-f]{32}$/;

/** A directory opened from a trusted path, then its parts without following links. */
function openPath(root: string, parts: readonly string[], opened: Dir[]): Dir | string {
  let dir: Dir;
  try {
    dir = Dir.open(root);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : why(error);
  }
  opened.push(dir);
  for (const part of parts) {
    const info = dir.lstat(part);
    if (!info) return 'missing';
    if (info.isSymbolicLink()) return 'it is a symbolic link, which harden does not follow in a directory the agent can write';
    if (!info.isDirectory()) return 'it is not a directory';
    try {
      dir = dir.openDir(part);
    } catch (error) {
      return why(error);
    }
    opened.push(dir);
  }
  return dir;
}

/** The session namespace of main's JsonlSessionStore for this workspace, if there is one. */
function namespaceOf(layout: Layout, opened: Dir[]): string | undefined {
  const ws = openPath(layout.workspace, ['.nanobot'], opened);
  if (typeof ws !== 'string') {
    const info = ws.lstat('workspace-id');
    if (info?.isFile()) {
      const text = readSmall(ws, 'workspace-id')?.trim();
      if (text && WORKSPACE_ID.test(text)) return text;
    }
  }
  // The marker was removed: nanobot finds its namespace by the workspace path recorded in it.
  const root = openPath(layout.dataDir, ['sessions'], opened);
  if (typeof root === 'string') return undefined;
  const want = resolve(layout.workspace);
  for (const name of root.names()) {
    if (!WORKSPACE_ID.test(name) || !root.lstat(name)?.isDirectory()) continue;
    try {
      const sub = root.openDir(name);
      opened.push(sub);
      if (readSmall(sub, '.workspace')?.trim() === want) return name;
    } catch {
      // not ours to read
    }
  }
  return undefined;
}

/** A small regular file in `dir`, never through a link; undefined when it is anything else. */
export function readSmall(dir: Dir, name: string, max = 4096): string | undefined {
  let fd: number | undefined;
  try {
    fd = dir.openFile(name);
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > max) return undefined;
    const buf = Buffer.alloc(info.size);
    return buf.subarray(0, readSync(fd, buf, 0, info.size, 0)).toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Every history file of the instance, by kind. */
export function locate(layout: Layout): Located {
  const opened: Dir[] = [];
  const files: HistoryFile[] = [];
  const dirs: SourceDir[] = [];
  const missing: string[] = [];
  const skipped: Skipped[] = [];
  const seen = new Set<string>();
  let sessionDirs = 0;

  const add = (
    kind: SourceKind,
    label: string,
    root: string,
    parts: readonly string[],
    accept: (name: string) => boolean,
    nested?: (name: string) => boolean,
  ): void => {
    const path = join(root, ...parts);
    if (seen.has(path)) return;
    seen.add(path);
    const dir = openPath(root, parts, opened);
    if (dir === 'missing') {
      missing.push(path);
      return;
    }
    if (typeof dir === 'string') {
      skipped.push({ path, why: dir });
      return;
    }
    if (kind === 'session') sessionDirs++;
    let count = 0;
    let names: string[];
    try {
      names = dir.names().sort();
    } catch (error) {
      skipped.push({ path, why: why(error) });
      return;
    }
    for (const name of names) {
      // nanobot's own temp files while it saves (.<name>.<hex>.tmp, <name>.jsonl.tmp) are not history.
      if (name.startsWith('.')) continue;
      const info = dir.lstat(name);
      if (!info) continue;
      if (nested && info.isDirectory() && nested(name)) {
        add(kind, label, root, [...parts, name], accept);
        continue;
      }
      if (!accept(name)) continue;
      if (info.isSymbolicLink()) {
        skipped.push({ path: join(path, name), why: 'it is a symbolic link, which harden does not follow in a directory the agent can write' });
        continue;
      }
      if (!info.isFile()) {
        skipped.push({ path: join(path, name), why: 'it is not a regular file' });
        continue;
      }
      files.push({ kind, dir, name, path: join(path, name), where: label });
      count++;
    }
    dirs.push({ kind, label, path, files: count });
  };

  const jsonl = (name: string) => name.endsWith('.jsonl');
  const nanobotDir = join(layout.home, '.nanobot');
  const id = namespaceOf(layout, opened);
  if (id) add('session', 'sessions', layout.dataDir, ['sessions', id], jsonl);
  add('session', id ? 'sessions not yet moved from the workspace' : 'sessions', layout.workspace, ['sessions'], jsonl);
  add('session', 'legacy sessions (~/.nanobot/sessions)', nanobotDir, ['sessions'], jsonl);
  if (resolve(layout.dataDir) !== resolve(nanobotDir)) add('session', 'legacy sessions', layout.dataDir, ['sessions'], jsonl);
  add('memory', 'memory', layout.workspace, ['memory'], (n) => n === 'history.jsonl');
  add('cron', 'cron', layout.workspace, ['cron'], (n) => n === 'action.jsonl');
  add('cron', 'cron', layout.dataDir, ['cron'], (n) => n === 'action.jsonl');
  add('webui', 'WebUI transcripts', layout.dataDir, ['webui'], jsonl, (n) => n.endsWith('.segments'));
  add('log', 'logs', layout.dataDir, ['logs'], (n) => /\.log(\.\d+)?$/.test(n) || /\.err$/.test(n));
  add('log', 'logs', nanobotDir, ['logs'], (n) => /\.log(\.\d+)?$/.test(n));

  return {
    files,
    dirs,
    missing,
    skipped,
    sessionDirs,
    close: () => {
      for (const d of opened) d.close();
    },
  };
}

/** The session key a file name stands for, when its first line does not say. */
export function keyFromName(name: string): string {
  const stem = basename(name, '.jsonl');
  // v0.3.0+: unpadded base64url of the key, which always holds a ':'.
  if (/^[A-Za-z0-9_-]+$/.test(stem) && stem.length % 4 !== 1) {
    const decoded = Buffer.from(stem, 'base64url').toString('utf8');
    if (decoded.includes(':') && !decoded.includes('\uFFFD') && Buffer.from(decoded, 'utf8').toString('base64url') === stem) return decoded;
  }
  // Up to v0.2.2: safe_filename(key.replace(':', '_')), so the first '_' was the ':'.
  const at = stem.indexOf('_');
  return at > 0 ? `${stem.slice(0, at)}:${stem.slice(at + 1)}` : stem;
}
