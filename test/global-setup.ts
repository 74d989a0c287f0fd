// e2e tests run the built CLI; build it once per test run so they never test a stale bundle.
// With coverage on (`vitest run --coverage`, as `npm test` runs it), dist/ is the coverage build
// (unminified, with source maps) and every harden process the tests start writes its V8 coverage
// to coverage/children/ (test/helpers/child-env.ts), which scripts/coverage-provider.mjs reads.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The directory for NODE_V8_COVERAGE of the built CLI, or '' when coverage is off. */
    childCoverageDir: string;
  }
}

export default function setup(project: TestProject): void {
  const coverage = project.config.coverage.enabled;
  execFileSync(process.execPath, ['scripts/build.mjs', ...(coverage ? ['--coverage'] : [])], { stdio: 'inherit' });
  const dir = join(project.config.root, 'coverage', 'children');
  rmSync(dir, { recursive: true, force: true });
  if (coverage) mkdirSync(dir, { recursive: true });
  project.provide('childCoverageDir', coverage ? dir : '');
}
