// The environment of a harden process a test starts: the test's own, plus NODE_V8_COVERAGE when
// the run measures coverage, so that the built CLI's coverage counts too (test/global-setup.ts,
// scripts/coverage-provider.mjs).
import { inject } from 'vitest';

export function childEnv<T extends Record<string, string | undefined>>(env: T): T {
  const dir = inject('childCoverageDir');
  return dir ? { ...env, NODE_V8_COVERAGE: dir } : env;
}
