// The JSON reports' schemas, compiled for tests. The published schemas let a later version add
// fields (their stability promise); the tests compile them closed, so a field harden prints that
// the schema does not describe fails here before it reaches a user.
import { Ajv2020 } from 'ajv/dist/2020.js';
import reportSchema from '../../schemas/report.schema.json' with { type: 'json' };
import fixSchema from '../../schemas/fix-report.schema.json' with { type: 'json' };
import activitySchema from '../../schemas/activity-report.schema.json' with { type: 'json' };

/** A copy of the schema in which every object with listed properties allows no others. */
export function closed<T>(schema: T): T {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      // A condition (if/then/else) lists properties to test, not the object's only ones.
      if (k === 'if' || k === 'then' || k === 'else') out[k] = v;
      else out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, visit(s)])) : visit(v);
    }
    if (out['type'] === 'object' && out['properties'] && out['additionalProperties'] === undefined) out['additionalProperties'] = false;
    return out;
  };
  return visit(schema) as T;
}

const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addSchema(closed(reportSchema));
export const validateReport = ajv.getSchema(reportSchema.$id)!;
export const validateFixReport = ajv.compile(closed(fixSchema));
export const validateActivityReport = ajv.compile(closed(activitySchema));
