// Build step: compile the hardened profiles with ajv's standalone code generation, so that the
// bundled CLI validates with plain functions and never compiles a schema at run time. Each
// profile is its own module, loaded only when asked for: a baseline audit does not parse the
// strict profile's code (which carries a copy of baseline's).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { createAjv, PROFILE_IDS } from '../src/rules/ajv.js';

const out = process.argv[2];
if (!out) throw new Error('usage: gen-validators OUT_FILE');
// ajv's CommonJS module puts the function on `default`.
const standaloneCode = (standaloneModule as unknown as { default: (a: ReturnType<typeof createAjv>, refs: Record<string, string>) => string }).default;
for (const profile of ['baseline', 'strict'] as const) {
  const ajv = createAjv({ code: { source: true, esm: true } });
  writeFileSync(join(dirname(out), `validators-${profile}.gen.mjs`), standaloneCode(ajv, { validate: PROFILE_IDS[profile] }));
}
writeFileSync(
  out,
  `// Same interface as src/rules/ajv.ts.
const loaded = {};
export async function prepareValidator(profile) {
  loaded[profile] ??= profile === 'strict' ? (await import('./validators-strict.gen.mjs')).validate : (await import('./validators-baseline.gen.mjs')).validate;
}
export function validatorFor(profile) {
  const validate = loaded[profile];
  if (!validate) throw new Error('validator for ' + profile + ' was not prepared');
  return validate;
}
`,
);
