// Run the built CLI as a user would: a subprocess with a minimal environment.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { childEnv } from './child-env.js';
import { ROOT } from './fixtures.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `coverage: false` for a test of the code cache: a process that writes its coverage
 * (NODE_V8_COVERAGE) keeps no cache (bin/load.js).
 */
export function harden(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string; maxBuffer?: number; coverage?: false } = {},
): CliResult {
  const env = { PATH: '/usr/bin:/bin', NO_COLOR: '1', HOME: '/nonexistent', ...options.env };
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'harden.js'), ...args], {
    cwd: options.cwd ?? ROOT,
    env: options.coverage === false ? env : childEnv(env),
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 20_000,
    ...(options.maxBuffer !== undefined ? { maxBuffer: options.maxBuffer } : {}),
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
