// Where a value of the effective config came from: the file (as written, migrated from an old
// layout, or inherited), a NANOBOT_* variable, or nanobot's default.
import type { JsonNode } from './parse.js';

export type Origin =
  | { kind: 'file'; pointer: string; node: JsonNode }
  | { kind: 'migrated'; pointer: string; node: JsonNode }
  | { kind: 'inherited'; pointer: string; node: JsonNode }
  | { kind: 'env'; name: string }
  | { kind: 'default' };
