// The deployment around the config: the systemd units that start nanobot, the processes running
// it, the sockets it listens on, the firewall, the workspace and running containers. Each probe
// reads the system's own files or tools; when it cannot, it says "not checked" at info level
// instead of guessing.
import type { Finding } from '../findings/index.js';
import { containers } from './containers.js';
import { processRoot } from './processes.js';
import { notChecked, type DeploymentContext, type Probe } from './probe.js';
import { firewall, sockets } from './sockets.js';
import { unitFindings } from './units.js';
import { workspace } from './workspace.js';

export const PROBES: readonly Probe[] = [unitFindings, processRoot, sockets, firewall, workspace, containers];

export async function deploymentFindings(ctx: DeploymentContext): Promise<Finding[]> {
  const results = await Promise.all(
    PROBES.map((p) => p(ctx).catch((e: unknown) => [notChecked(ctx, 'a deployment check', e instanceof Error ? e.message : String(e))])),
  );
  return results.flat();
}
