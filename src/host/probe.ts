// What every deployment probe shares: the context (one config, its release, the machine), a cache
// of machine-wide answers, findings in the probes' shape, and the command runner.
import { delimiter } from 'node:path';
import type { VersionTraits } from '../config/version.js';
import { makeFinding, type Finding, type Severity } from '../findings/index.js';
import { findExecutable } from '../io/read.js';

export interface DeploymentContext {
  file: string;
  traits: VersionTraits;
  /** The effective config value. */
  config: Record<string, unknown>;
  env: Readonly<Record<string, string | undefined>>;
  /** Units named with --unit, else the ones found that start nanobot. */
  units: readonly string[];
  /** Where /proc is (tests point it at a fixture tree). */
  procRoot: string;
  /** Runs a command; undefined when it is missing or not permitted. */
  run?: (command: string, args: string[]) => Promise<{ code: number; stdout: string } | undefined>;
  platform: NodeJS.Platform;
  /** Machine-wide answers shared by every config of one run. */
  cache?: Map<string, Promise<unknown>>;
}

/** One answer per question per run (the cache is shared by the configs of a run); a throw is a rejection. */
export function once<T>(ctx: DeploymentContext, key: string, work: () => T | Promise<T>): Promise<T> {
  const ask = () => new Promise<T>((resolve) => resolve(work()));
  if (!ctx.cache) return ask();
  let hit = ctx.cache.get(key) as Promise<T> | undefined;
  if (!hit) ctx.cache.set(key, (hit = ask()));
  return hit;
}

export type Probe = (ctx: DeploymentContext) => Promise<Finding[]>;

export function finding(
  ctx: DeploymentContext,
  ruleId: string,
  args: Record<string, string | number>,
  where?: { file: string; line: number },
  severity?: Severity,
): Finding {
  const f = makeFinding(
    {
      ruleId,
      file: where?.file ?? ctx.file,
      args,
      ...(where ? { line: where.line, column: 1 } : {}),
      source: { kind: 'host' as const },
    },
    ctx.traits,
  );
  return severity ? { ...f, severity } : f;
}

export const notChecked = (ctx: DeploymentContext, check: string, why: string): Finding => finding(ctx, 'not-checked', { check, why });

/** A command runner on execa (loaded only when a probe runs one); undefined when it is not installed. */
export function commandRunner(pathVar: string | undefined): DeploymentContext['run'] {
  // One answer per command line per run: a fleet of 1,000 configs asks ufw once, not 1,000 times.
  const seen = new Map<string, Promise<{ code: number; stdout: string } | undefined>>();
  const run: NonNullable<DeploymentContext['run']> = async (command, args) => {
    // ufw and nft live in sbin, which a user's PATH may leave out.
    const found = findExecutable(command, [pathVar ?? ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(delimiter), '/usr/sbin', '/sbin'].join(delimiter));
    if (!found) return undefined;
    const { execa } = await import('execa');
    const r = await execa(found, args, { reject: false, timeout: 5000, stdin: 'ignore', env: { LC_ALL: 'C' } });
    return { code: typeof r.exitCode === 'number' ? r.exitCode : 1, stdout: String(r.stdout) };
  };
  return (command, args) => {
    const key = [command, ...args].join('\0');
    let answer = seen.get(key);
    if (!answer) seen.set(key, (answer = run(command, args)));
    return answer;
  };
}
