// The JSON Schema nodes of nanobot's models in schemas/nanobot/ (generated from pydantic).
/** A JSON Schema node of the subset pydantic's model_json_schema() writes, titles and descriptions left out. */
export interface SchemaNode {
  type?: string | string[];
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  prefixItems?: SchemaNode[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  /** A pydantic model: its class name (the $defs key). */
  'x-model'?: string;
  /** Input key -> property, for every key that fills a field (aliases, snake_case names, AliasChoices), in pydantic's lookup order per field. */
  'x-names'?: Record<string, string>;
  /** The order in which a field's accepted names are looked up (first present wins): property -> names. */
  'x-order'?: Record<string, string[]>;
  /** extra= of the model: 'ignore' drops unknown keys, 'allow' keeps them, 'forbid' rejects them. */
  'x-extra'?: 'ignore' | 'allow' | 'forbid';
  /** The model built with no arguments (absent when a field is required). */
  'x-defaults'?: Record<string, unknown>;
  /** Validators a JSON Schema cannot express, by name (model/validators.ts emulates the known ones). */
  'x-validators'?: string[];
}
