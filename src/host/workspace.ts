// The workspace: what the agent left there (executables, setuid files, links out, recent changes).
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { getIn } from '../config/model.js';
import type { Finding } from '../findings/index.js';
import { listDir, lstatOf, readlinkOf, realpathOf } from '../io/read.js';
import { finding, notChecked, once, type DeploymentContext, type Probe } from './probe.js';

export function workspacePath(ctx: Pick<DeploymentContext, 'config' | 'env' | 'file'>): string {
  const raw = getIn(ctx.config, ['agents', 'defaults', 'workspace']);
  const text = typeof raw === 'string' && raw !== '' ? raw : '~/.nanobot/workspace';
  const home = ctx.env['HOME'] || homedir();
  const expanded = text === '~' ? home : text.startsWith('~/') ? join(home, text.slice(2)) : text;
  return isAbsolute(expanded) ? expanded : resolve(dirname(ctx.file), expanded);
}

/** How far back the workspace review (and harden incident's workspace step) looks. */
export const RECENT_DAYS = 3;
const MAX_ENTRIES = 20_000;

export const workspace: Probe = (ctx) => once(ctx, `workspace:${workspacePath(ctx)}`, () => reviewWorkspace(ctx));

function reviewWorkspace(ctx: DeploymentContext): Finding[] {
  const root = workspacePath(ctx);
  const realRoot = realpathOf(root);
  if (!realRoot) return [];
  const found = { executable: [] as string[], setuid: [] as string[], outside: [] as string[], recent: [] as string[] };
  const since = Date.now() - RECENT_DAYS * 86_400_000;
  let seen = 0;
  const walk = (dir: string, depth: number): void => {
    if (depth > 12 || seen > MAX_ENTRIES) return;
    for (const name of listDir(dir) ?? []) {
      if (++seen > MAX_ENTRIES) return;
      const path = join(dir, name);
      const info = lstatOf(path);
      if (!info) continue;
      const rel = relative(realRoot, path);
      if (info.isSymbolicLink()) {
        // A dangling link still says where it points.
        const resolved = realpathOf(path);
        const written = resolved === undefined ? readlinkOf(path) : undefined;
        const target = resolved ?? (written === undefined ? undefined : resolve(dirname(path), written));
        if (target !== undefined && relative(realRoot, target).startsWith('..')) found.outside.push(`${rel} -> ${target}`);
        continue;
      }
      if (info.isDirectory()) {
        if (name !== '.git' && name !== 'node_modules' && name !== '.venv') walk(path, depth + 1);
        continue;
      }
      if (!info.isFile()) continue;
      if (info.mode & 0o6000) found.setuid.push(rel);
      else if (info.mode & 0o111) found.executable.push(rel);
      if (info.mtimeMs >= since) found.recent.push(rel);
    }
  };
  walk(realRoot, 0);
  const out: Finding[] = [];
  const add = (list: string[], what: string) => {
    if (list.length > 0)
      out.push(
        finding(ctx, 'workspace-review', { count: list.length, what, dir: realRoot, examples: list.slice(0, 3).join(', ') + (list.length > 3 ? ', ...' : '') }),
      );
  };
  add(found.setuid, 'setuid or setgid files');
  add(found.outside, 'links pointing outside the workspace');
  add(found.executable, 'executable files');
  add(found.recent, `files changed in the last ${RECENT_DAYS} days`);
  if (seen > MAX_ENTRIES) out.push(notChecked(ctx, `the rest of ${realRoot}`, `more than ${MAX_ENTRIES} entries`));
  return out;
}
