// The guide's "regular review of the workspace": links that lead out of it, new executables, new
// hidden files and everything changed since a date, each with the session that wrote it where
// the history says so. Nothing is read but names, modes and times; nothing is changed.
import { dirname, join, relative, resolve, sep } from 'node:path';
import { listDirEntries, lstatOf, readlinkOf, realpathOf } from '../io/read.js';
import type { Collector, Writer } from './collect.js';
import { shown } from './collect.js';
import { showTime } from './since.js';

/**
 * What nanobot itself keeps in the workspace (session/manager.py, agent/memory.py, cron/service.py,
 * utils/gitstore.py): not the agent's doing, so not listed. Paths relative to the workspace.
 */
const OWN =
  /^(?:sessions\/[^/]+\.jsonl(?:\.tmp)?|\.nanobot\/.*|memory\/(?:history\.jsonl|\.cursor|\.dream_cursor)|cron\/(?:jobs\.json|action\.jsonl)|\.gitignore)$/;
/** Directories not walked into: version control and dependency trees. */
const NOT_WALKED = new Set(['.git', 'node_modules', '.venv', '__pycache__']);
const MAX_ENTRIES = 200_000;
const MAX_DEPTH = 16;

export interface WorkspaceFile {
  path: string;
  kind: 'link-outside' | 'executable' | 'setuid' | 'hidden' | 'changed';
  /** Where a link leads. */
  target?: string;
  modified: string;
  writer?: Writer;
}

export interface WorkspaceReview {
  root: string;
  exists: boolean;
  since: string;
  entries: number;
  /** Entries past MAX_ENTRIES, not looked at. */
  truncated: boolean;
  changed: number;
  files: WorkspaceFile[];
}

const local = (ms: number): string => {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
};

export function reviewWorkspace(root: string, sinceMs: number, sinceLabel: string, col: Collector): WorkspaceReview {
  const real = realpathOf(root);
  const review: WorkspaceReview = { root, exists: real !== undefined, since: sinceLabel, entries: 0, truncated: false, changed: 0, files: [] };
  if (real === undefined) return review;
  const writerOf = (rel: string): Writer | undefined => col.writers.get(join(resolve(root), rel)) ?? col.writers.get(join(real, rel));
  const outside = (target: string): boolean => {
    const r = relative(real, target);
    return r === '..' || r.startsWith(`..${sep}`) || resolve(real, r) !== target;
  };
  const walk = (dir: string, depth: number): void => {
    if (depth > MAX_DEPTH || review.truncated) return;
    const entries = listDirEntries(dir);
    if (!entries) return;
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (++review.entries > MAX_ENTRIES) {
        review.truncated = true;
        return;
      }
      const path = join(dir, e.name);
      const rel = relative(real, path);
      const info = lstatOf(path);
      if (!info) continue;
      const writer = writerOf(rel);
      const base = { path: join(root, rel), modified: local(info.mtimeMs), ...(writer ? { writer } : {}) };
      if (info.isSymbolicLink()) {
        // A dangling link still says where it leads.
        const written = readlinkOf(path);
        const target = realpathOf(path) ?? (written === undefined ? undefined : resolve(dirname(path), written));
        if (target !== undefined && outside(target)) review.files.push({ ...base, kind: 'link-outside', target });
        continue;
      }
      if (info.isDirectory()) {
        if (!NOT_WALKED.has(e.name)) walk(path, depth + 1);
        continue;
      }
      if (!info.isFile() || info.mtimeMs < sinceMs || OWN.test(rel.split(sep).join('/'))) continue;
      review.changed++;
      const hidden = rel.split(sep).some((part) => part.startsWith('.'));
      if (info.mode & 0o6000) review.files.push({ ...base, kind: 'setuid' });
      else if (info.mode & 0o111) review.files.push({ ...base, kind: 'executable' });
      if (hidden) review.files.push({ ...base, kind: 'hidden' });
      if (!(info.mode & 0o6111) && !hidden && review.files.length < 5000) review.files.push({ ...base, kind: 'changed' });
    }
  };
  walk(real, 0);
  return review;
}

const by = (w: Writer | undefined): string =>
  w ? `; written by session ${w.session}${w.time ? ` at ${showTime(w.time)}` : ''} (${w.tool}, ${w.file}:${w.line})` : '';

/** The review's findings: one per link, new executable and new hidden file. The other changes are listed, not flagged. */
export function workspaceFindings(review: WorkspaceReview, col: Collector): void {
  for (const f of review.files) {
    const where = { file: f.path };
    const event = f.writer ? { session: f.writer.session, ...(f.writer.time ? { time: showTime(f.writer.time)! } : {}), tool: f.writer.tool } : undefined;
    const name = shown(f.path, 300);
    if (f.kind === 'link-outside')
      col.add(
        'activity-workspace-link-outside',
        { detail: `${name} is a link to ${shown(f.target ?? '?', 300)}, outside the workspace${by(f.writer)}` },
        where,
        event,
        undefined,
        'workspace-link',
        'host',
      );
    else if (f.kind === 'executable' || f.kind === 'setuid')
      col.add(
        'activity-workspace-executable',
        { detail: `${name} is ${f.kind === 'setuid' ? 'a setuid or setgid executable' : 'executable'}, changed ${f.modified}${by(f.writer)}` },
        where,
        event,
        undefined,
        'workspace-exec',
        'host',
      );
    else if (f.kind === 'hidden')
      col.add(
        'activity-workspace-hidden',
        { detail: `${name} is hidden, changed ${f.modified}${by(f.writer)}` },
        where,
        event,
        undefined,
        'workspace-hidden',
        'host',
      );
  }
}
