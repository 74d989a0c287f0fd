// Which nanobot release the audit reads the config as: --nanobot-version, else the one installed,
// else the newest harden knows (and why it was assumed).
import { assumedVersion, parseVersion, prepareTraits, type VersionTraits } from '../config/version.js';
import { UsageError } from '../errors.js';
import type { AuditOptions } from './types.js';

export async function resolveTraits(options: Pick<AuditOptions, 'nanobotVersion' | 'noHost' | 'env'>): Promise<VersionTraits> {
  if (options.nanobotVersion !== undefined) {
    const version = parseVersion(options.nanobotVersion);
    if (!version) throw new UsageError(`--nanobot-version ${JSON.stringify(options.nanobotVersion)} is not a nanobot version such as 0.3.0 or 0.1.4.post6`);
    return prepareTraits(version, 'flag');
  }
  if (options.noHost) return { ...(await prepareTraits(assumedVersion(), 'assumed')), assumedWhy: 'not-looked-up' };
  const { detectNanobotVersion, nanobotOnPath } = await import('../host/nanobot-version.js');
  const detected = await detectNanobotVersion(options.env);
  if (detected) return prepareTraits(detected, 'detected');
  const script = nanobotOnPath(options.env);
  return { ...(await prepareTraits(assumedVersion(), 'assumed')), assumedWhy: script ? 'unreadable' : 'not-found' };
}
