// Run the audit core on text, in memory except for the file it writes to a temp dir.
import { audit, type AuditResult } from '../../src/audit/index.js';
import type { FixOptions } from '../../src/fix/index.js';
import type { Profile } from '../../src/findings/index.js';
import { writeConfig } from './fixtures.js';

export interface RunOptions {
  profile?: Profile;
  version?: string;
  env?: Record<string, string>;
  host?: boolean;
}

export async function auditText(text: string, options: RunOptions = {}): Promise<AuditResult> {
  const { file } = await writeConfig(text);
  return audit({
    configs: [file],
    profile: options.profile ?? 'baseline',
    noHost: !options.host,
    ...(options.version === 'assumed' ? {} : { nanobotVersion: options.version ?? '0.3.0' }),
    env: options.env ?? {},
  });
}

export async function ruleIds(text: string, options: RunOptions = {}): Promise<string[]> {
  return (await auditText(text, options)).findings.map((f) => f.ruleId);
}

export const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';

/** Fix options for in-process runs: host checks on, nanobot 0.3.0, not in a container. */
export function fixOptions(file: string, extra: Partial<FixOptions> = {}): FixOptions {
  return {
    configs: [file],
    profile: 'baseline',
    noHost: false,
    nanobotVersion: '0.3.0',
    env: {},
    dryRun: false,
    answers: {},
    acceptRisk: [],
    runtime: 'host',
    keepBackups: 5,
    ...extra,
  };
}
