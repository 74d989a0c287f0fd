// One configured ajv (draft 2020-12, strict) for the hardened profiles. The x-harden keyword is
// declared with a meta-schema, so a malformed annotation fails when the profile compiles. The
// build compiles both profiles ahead of time (scripts/gen-validators.ts, ajv standalone code), so
// the bundled CLI never compiles a schema at run time; tests and `tsx` use this module directly.
import { Ajv2020, type Options, type ValidateFunction } from 'ajv/dist/2020.js';
import baseline from '../../schemas/baseline.schema.json' with { type: 'json' };
import strict from '../../schemas/strict.schema.json' with { type: 'json' };
import type { Profile } from '../findings/index.js';

export const X_HARDEN_META = {
  type: 'object',
  required: ['rule'],
  additionalProperties: false,
  properties: {
    rule: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
    reason: { type: 'string' },
    channel: { type: 'string' },
  },
} as const;

export interface XHarden {
  rule: string;
  reason?: string;
  channel?: string;
}

export const PROFILE_IDS: Record<Profile, string> = { baseline: baseline.$id, strict: strict.$id };

/** The ajv every profile is compiled with, at build time and in tests alike. */
export function createAjv(extra: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, ...extra });
  ajv.addKeyword({ keyword: 'x-harden', schemaType: 'object', metaSchema: X_HARDEN_META });
  ajv.addSchema(baseline);
  ajv.addSchema(strict);
  return ajv;
}

let ajv: Ajv2020 | undefined;
const compiled = new Map<Profile, ValidateFunction>();

/** Load a profile's validator ahead of use (the bundled build loads precompiled code here). */
export function prepareValidator(profile: Profile): Promise<void> {
  validatorFor(profile);
  return Promise.resolve();
}

export function validatorFor(profile: Profile): ValidateFunction {
  let validate = compiled.get(profile);
  if (!validate) {
    ajv ??= createAjv();
    validate = ajv.getSchema(PROFILE_IDS[profile]);
    if (!validate) throw new Error(`profile ${profile} did not compile`);
    compiled.set(profile, validate);
  }
  return validate;
}
