// Checks outside the file's content: its mode, its directory's mode, and the files beside it that
// change who may talk to the bot (pairing approvals) or what the agent may touch (WebUI access
// mode). Each is a small function returning findings; `--no-host` skips them all.
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { VersionTraits } from '../config/version.js';
import { makeFinding, type Finding } from '../findings/index.js';
import { readText } from '../io/read.js';

export interface HostContext {
  /** The config file as given (a symlink is followed for its mode). */
  file: string;
  traits: VersionTraits;
}

type HostCheck = (ctx: HostContext) => Finding[];

const octal = (mode: number): string => (mode & 0o777).toString(8).padStart(3, '0');

const host = (ruleId: string, ctx: HostContext, args: Record<string, string | number>): Finding =>
  makeFinding({ ruleId, file: ctx.file, args, source: { kind: 'host' } }, ctx.traits);

const configFileMode: HostCheck = (ctx) => {
  const info = statSync(ctx.file);
  return (info.mode & 0o077) !== 0 ? [host('config-file-mode', ctx, { file: ctx.file, mode: octal(info.mode) })] : [];
};

const configDirMode: HostCheck = (ctx) => {
  const dir = dirname(ctx.file);
  const info = statSync(dir);
  return (info.mode & 0o077) !== 0 ? [host('config-dir-mode', ctx, { file: dir, mode: octal(info.mode) })] : [];
};

function readJson(path: string): unknown {
  try {
    const text = readText(path);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

const pairingApprovals: HostCheck = (ctx) => {
  const path = join(dirname(ctx.file), 'pairing.json');
  const data = readJson(path) as { approved?: Record<string, unknown> } | undefined;
  const approved = data?.approved;
  if (!approved || typeof approved !== 'object') return [];
  const channels = Object.entries(approved).filter(([, ids]) => Array.isArray(ids) && ids.length > 0);
  const count = channels.reduce((n, [, ids]) => n + (ids as unknown[]).length, 0);
  return count > 0 ? [host('pairing-approvals', ctx, { file: path, count, channels: channels.map(([c]) => c).join(', ') })] : [];
};

const webuiFullAccess: HostCheck = (ctx) => {
  const path = join(dirname(ctx.file), 'webui', 'workspace-state.json');
  const data = readJson(path) as { default_access_mode?: unknown } | undefined;
  return data?.default_access_mode === 'full' ? [host('webui-full-access', ctx, { file: path })] : [];
};

/** Every host check, in report order. */
export const HOST_CHECKS: readonly HostCheck[] = [configFileMode, configDirMode, pairingApprovals, webuiFullAccess];

/** Every host check's findings; a check that fails (the file went away) finds nothing. */
export function hostFindings(ctx: HostContext): Finding[] {
  if (process.platform === 'win32') return [];
  return HOST_CHECKS.flatMap((check) => {
    try {
      return check(ctx);
    } catch {
      return [];
    }
  });
}
