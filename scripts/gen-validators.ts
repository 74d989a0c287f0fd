// Build step: compile the hardened profiles with ajv's standalone code generation, so that the
// bundled CLI validates with plain functions and never compiles a schema at run time.
import { writeFileSync } from 'node:fs';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { createAjv, PROFILE_IDS } from '../src/rules/ajv.js';

const out = process.argv[2];
if (!out) throw new Error('usage: gen-validators OUT_FILE');
const ajv = createAjv({ code: { source: true, esm: true } });
// ajv's CommonJS module puts the function on `default`.
const standaloneCode = (standaloneModule as unknown as { default: (a: typeof ajv, refs: Record<string, string>) => string }).default;
const code = standaloneCode(ajv, { baseline: PROFILE_IDS.baseline, strict: PROFILE_IDS.strict });
writeFileSync(
  out,
  `${code}\n// Same interface as src/rules/ajv.ts.\nexport function validatorFor(profile) { return profile === 'strict' ? strict : baseline; }\n`,
);
