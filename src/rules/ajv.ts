// One configured ajv (draft 2020-12, strict) for the hardened profiles. The x-harden keyword is
// declared with a meta-schema, so a malformed annotation fails when the profile compiles.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import baseline from '../../schemas/baseline.schema.json' with { type: 'json' };
import strict from '../../schemas/strict.schema.json' with { type: 'json' };
import type { Profile } from '../findings.js';

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

let ajv: Ajv2020 | undefined;
const compiled = new Map<Profile, ValidateFunction>();

function instance(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    ajv.addKeyword({ keyword: 'x-harden', schemaType: 'object', metaSchema: X_HARDEN_META });
    ajv.addSchema(baseline);
    ajv.addSchema(strict);
  }
  return ajv;
}

export function validatorFor(profile: Profile): ValidateFunction {
  let validate = compiled.get(profile);
  if (!validate) {
    const id = profile === 'strict' ? strict.$id : baseline.$id;
    validate = instance().getSchema(id);
    if (!validate) throw new Error(`profile ${profile} did not compile`);
    compiled.set(profile, validate);
  }
  return validate;
}
