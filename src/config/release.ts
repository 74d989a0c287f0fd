// What one nanobot release accepts, rejects and means, as harden reads it at run time: a compact
// form of schemas/nanobot/<release>.json (scripts/nanobot/extract.py, generated from nanobot's own
// source at each release tag). The build turns every release file into one of these, each in its
// own lazily loaded chunk (scripts/build.mjs), so a run parses only the release it checks; tests
// and `tsx` compact the committed files on first use (release-data.ts).

export type { SchemaNode } from './schema-node.js';
import { isDeepStrictEqual } from 'node:util';
import type { SchemaNode } from './schema-node.js';

export interface ModelSchema {
  root: SchemaNode;
  defs: Record<string, SchemaNode>;
}

export type LoadStatus = 'ok' | 'fallback' | 'refuse' | 'crash';

export interface ChannelFacts {
  schema: ModelSchema;
  defaultEnabled: boolean;
  /** Where the channel's own is_allowed overrides the base class's, or null. */
  ownIsAllowed: string | null;
  /** The channel's is_allowed lets everyone in whatever its top-level allowFrom says (Slack, Mattermost). */
  ignoresAllowFrom: boolean;
  /** Runs one bot per entry of instances[] (Feishu from 0.3.0). */
  multiInstance: boolean;
  source: string | null;
}

export interface ReleaseFacts {
  name: string;
  version: string;
  tag: string | null;
  date: string;
  /** 0.1.3.x: the loader turns every key into snake_case itself (camel_to_snake), the later key winning. */
  convertKeys: boolean;
  /** Config's schema, with camelCase properties in every release. */
  schema: ModelSchema;
  /** Top-level keys: canonical name -> the keys that fill it (root extra=forbid: anything else is fatal). */
  topLevel: Record<string, string[]>;
  /** Where Config is defined (for messages). */
  configSource: string | null;
  channels: {
    /** Channel models are fields of ChannelsConfig (<= 0.1.4.post4): one bad value makes the whole file invalid. */
    typed: boolean;
    /** Non-channel keys of `channels` (sendProgress, ...). */
    settings: string[];
    /** The channels the release knows, in the order its manager builds them. */
    names: string[];
    list: Record<string, ChannelFacts>;
    /** A free-form section starts when its raw `enabled` is truthy ("false" starts it). */
    enabledByTruthiness: boolean;
    managerSource: string | null;
    registrySource: string | null;
  };
  loader: {
    source: string | null;
    onInvalidJson: LoadStatus;
    onInvalidSchema: LoadStatus;
    onUnknownTopLevelKey: LoadStatus;
    /** Where the loader falls back to defaults or raises, for messages. */
    fallbackSource: string | null;
    raiseSource: string | null;
    /** _migrate_config, or null (0.1.3.post4 has none). */
    migrate: string | null;
    /** Statuses of the release's own probes (loader.probes in the release file). */
    probes: Record<string, LoadStatus>;
  };
  env: {
    caseSensitive: boolean;
    camelSegmentAccepted: boolean;
    complexValuesJsonDecoded: boolean;
    channelValuesJsonDecoded: boolean;
    /** 0.1.5-0.3.0 build Config() from the environment alone before reading the file. */
    readBeforeFile: boolean;
    invalidValueStopsEvenWhenFileSetsKey: boolean;
    appliesWhenFileInvalid: boolean;
    source: string | null;
  };
  allowFrom: {
    empty: 'allow-all' | 'deny' | 'pairing';
    star: 'allow-all' | 'literal';
    pairing: boolean;
    gatewayExitsOnEmpty: boolean;
    gatewayExitsOnOmitted: boolean;
    isAllowedSource: string | null;
    startupCheck: string | null;
  };
  interpolation: {
    supported: boolean;
    pattern: string | null;
    source: string | null;
    unsetVariable: LoadStatus;
  };
  /** Facts that live in code, not in a model: id -> source lines (empty: not in this release). */
  code: Record<string, string[]>;
}

type Json = Record<string, unknown>;

import { defaultOf, modelDefaults } from './pydantic.js';
import { textOf } from './text.js';

const derivedDefaults = new WeakMap<ModelSchema, Record<string, unknown>>();

/** A model's defaults (Config's are the file nanobot writes for a fresh install): a fresh copy each time. */
export function defaultsOf(schema: ModelSchema): Record<string, unknown> {
  let d = derivedDefaults.get(schema);
  if (!d) derivedDefaults.set(schema, (d = modelDefaults(schema.root, { defs: schema.defs })));
  return structuredClone(d);
}

const DROP = new Set(['title', 'description', 'examples', '$comment', 'format', 'readOnly', 'writeOnly', 'deprecated', 'discriminator']);

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

interface ModelInfo {
  extra?: string;
  aliasGenerator?: string | null;
  populateByName?: boolean;
  acceptedNames?: Record<string, string[]>;
  validators?: { name: string }[];
  defaults?: Json;
}

/**
 * One schema node, compacted: no titles or descriptions, and each model annotated with the keys
 * that fill its fields. In 0.1.3.x (snake_case fields, no aliases; the loader converts keys) the
 * properties are renamed to camelCase so that every release speaks of the same paths.
 */
function compactNode(node: unknown, models: Record<string, ModelInfo>, modelName: string | undefined, snakeFields: boolean, fallback: ModelInfo): SchemaNode {
  if (!isObject(node)) return node as SchemaNode;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROP.has(k)) continue;
    if (k === 'properties' && isObject(v)) {
      const props: Json = {};
      for (const [p, s] of Object.entries(v)) props[snakeFields ? snakeToCamel(p) : p] = compactNode(s, models, undefined, snakeFields, fallback);
      out[k] = props;
    } else if (k === 'required' && Array.isArray(v)) {
      out[k] = snakeFields ? v.map((p) => snakeToCamel(String(p))) : v;
    } else if (k === '$ref' && typeof v === 'string') {
      out[k] = v.replace('#/$defs/', '');
    } else if (k === 'default') {
      out[k] = snakeFields ? camelizeKeys(v) : v;
    } else if (Array.isArray(v)) {
      out[k] = v.map((x) => compactNode(x, models, undefined, snakeFields, fallback));
    } else if (isObject(v) && k !== 'const' && k !== 'enum') {
      out[k] = compactNode(v, models, undefined, snakeFields, fallback);
    } else {
      out[k] = v;
    }
  }
  if (modelName && isObject(node['properties'])) {
    const info = models[modelName] ?? fallback;
    out['x-model'] = modelName;
    out['x-extra'] = info.extra ?? (node['additionalProperties'] === true ? 'allow' : node['additionalProperties'] === false ? 'forbid' : 'ignore');
    const names: Record<string, string> = {};
    const order: Record<string, string[]> = {};
    for (const raw of Object.keys(node['properties'])) {
      const prop = snakeFields ? snakeToCamel(raw) : raw;
      // The accepted keys of a field, in pydantic's lookup order: its alias, then its name.
      const odd = Object.values(info.acceptedNames ?? {}).find((list) => list.includes(raw));
      const field = snakeFields ? raw : camelToSnake(raw);
      const list = odd ?? (info.aliasGenerator ? [...new Set([raw, field])] : info.populateByName ? [...new Set([raw, field])] : [raw]);
      // The property's own name is implied (shape.ts): only the other spellings are listed.
      for (const n of list) if (n !== prop) names[n] ??= prop;
      if (list.length > 1 || list[0] !== prop) order[prop] = list;
    }
    if (Object.keys(names).length > 0) out['x-names'] = names;
    if (Object.keys(order).length > 0) out['x-order'] = order;
    if (info.validators?.length) out['x-validators'] = info.validators.map((v) => v.name);
    // The model's own defaults; compactSchema keeps only those its schema does not already imply.
    if (info.defaults) out['x-defaults'] = snakeFields ? camelizeKeys(info.defaults) : info.defaults;
  }
  return out;
}

/**
 * Keep of each model's defaults only what its schema does not imply (a default_factory that builds
 * a non-empty list, or a sub-model with other than its own defaults): pydantic.ts derives the rest
 * the same way at run time. Most of a release's defaults are implied, and this halves its facts.
 */
function pruneDefaults(defs: Record<string, SchemaNode>, root: SchemaNode): void {
  const nodes = [root, ...Object.values(defs)];
  // Deepest first is not needed: derivation never reads x-defaults of the node being pruned.
  for (const node of nodes) {
    const full = node['x-defaults'];
    if (!full) continue;
    delete node['x-defaults'];
    const keep: Json = {};
    for (const [prop, value] of Object.entries(full)) {
      const derived = defaultOf(node, prop, { defs, fresh: true });
      if (!derived || !isDeepStrictEqual(derived.value, value)) keep[prop] = value;
    }
    if (Object.keys(keep).length > 0) node['x-defaults'] = keep;
  }
  // Schema `default`s a kept x-default overrides are dead weight.
  for (const node of nodes) {
    for (const prop of Object.keys(node['x-defaults'] ?? {})) {
      const p = node.properties?.[prop];
      if (p && Object.hasOwn(p, 'default')) delete p.default;
    }
  }
}

/** 0.1.3.x dumps: snake_case keys of models become camelCase (the on-disk spelling). */
function camelizeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelizeKeys);
  if (!isObject(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) out[snakeToCamel(k)] = camelizeKeys(x);
  return out;
}

function compactSchema(schema: unknown, models: Record<string, ModelInfo>, rootModel: string, snakeFields: boolean, fallback: ModelInfo): ModelSchema {
  const s = isObject(schema) ? schema : {};
  const defs: Record<string, SchemaNode> = {};
  for (const [name, def] of Object.entries(isObject(s['$defs']) ? s['$defs'] : {})) defs[name] = compactNode(def, models, name, snakeFields, fallback);
  const { $defs: _, ...rest } = s;
  const root = compactNode(rest, models, rootModel, snakeFields, fallback);
  pruneDefaults(defs, root);
  return { root, defs };
}

function src(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return null;
}

function status(v: unknown, fallback: LoadStatus): LoadStatus {
  return v === 'ok' || v === 'fallback' || v === 'refuse' || v === 'crash' ? v : fallback;
}

/** schemas/nanobot/<release>.json (format 1) -> the compact facts harden runs on. */
export function compactRelease(full: Json): ReleaseFacts {
  const keys = (full['keys'] ?? {}) as Json;
  const convertKeys = keys['loaderConvertsCamelToSnake'] === true;
  const models = (full['models'] ?? {}) as Record<string, ModelInfo>;
  const root = (full['root'] ?? {}) as Json;
  const channels = (full['channels'] ?? {}) as Json;
  const loader = (full['loader'] ?? {}) as Json;
  const env = (full['env'] ?? {}) as Json;
  const allow = (full['allowFrom'] ?? {}) as Json;
  const interp = (full['interpolation'] ?? {}) as Json;
  const code = (full['code'] ?? {}) as Record<string, { hits?: string[] }>;
  const rootModel = typeof root['model'] === 'string' ? root['model'] : 'Config';
  // Config() as save_config writes it: the root's defaults (the same as its model's, when extract.py gave them).
  const withRoot =
    isObject(full['defaults']) && !models[rootModel]?.defaults
      ? { ...models, [rootModel]: { ...(models[rootModel] ?? {}), defaults: full['defaults'] } }
      : models;
  const schema = compactSchema(full['schema'], withRoot, rootModel, convertKeys, {});
  const topLevel: Record<string, string[]> = {};
  for (const [key, info] of Object.entries((root['topLevelKeys'] ?? {}) as Record<string, { acceptedNames?: string[] }>))
    topLevel[key] = info.acceptedNames ?? [key];
  // The root is a pydantic-settings BaseSettings (no alias generator): exactly its accepted names.
  const rootNames: Record<string, string> = {};
  for (const [key, names] of Object.entries(topLevel)) for (const n of names) rootNames[n] ??= key;
  schema.root['x-names'] = rootNames;
  schema.root['x-extra'] = 'forbid';

  const list: Record<string, ChannelFacts> = {};
  const emptyProbe = (((allow['channels'] as Json | undefined)?.['empty'] as Json | undefined)?.['isAllowed'] ?? {}) as Record<string, Record<string, boolean>>;
  for (const [name, c] of Object.entries((channels['list'] ?? {}) as Record<string, Json>)) {
    const info: ModelInfo = {
      extra: c['extra'] as string,
      aliasGenerator: c['aliasGenerator'] as string | null,
      populateByName: c['populateByName'] as boolean,
      ...(c['acceptedNames'] ? { acceptedNames: c['acceptedNames'] as Record<string, string[]> } : {}),
      ...(c['validators'] ? { validators: c['validators'] as { name: string }[] } : {}),
      ...(isObject(c['defaults']) ? { defaults: c['defaults'] } : {}),
    };
    const modelName = typeof c['model'] === 'string' ? c['model'] : name;
    // Models nested in a channel's (its dm and group policies) share its key rules, not its defaults.
    const nested: ModelInfo = { extra: 'ignore', aliasGenerator: info.aliasGenerator ?? null, populateByName: info.populateByName ?? false };
    const chSchema = compactSchema(c['schema'], { ...models, [modelName]: info }, modelName, convertKeys, nested);
    const probe = emptyProbe[name];
    list[name] = {
      schema: chSchema,
      defaultEnabled: c['defaultEnabled'] === true,
      ownIsAllowed: typeof c['isAllowed'] === 'string' && c['isAllowed'] !== 'base' ? c['isAllowed'] : null,
      // An empty list that lets both probe senders in: the channel's own check ignores the list.
      ignoresAllowFrom:
        probe !== undefined && Object.values(probe).length > 0 && Object.values(probe).every((v) => v === true) && allow['empty'] !== 'allow-all',
      multiInstance: c['multiInstance'] === true,
      source: typeof c['source'] === 'string' ? c['source'] : null,
    };
  }
  const registry = (channels['registry'] ?? {}) as Json;
  const probes: Record<string, LoadStatus> = {};
  for (const [k, v] of Object.entries((loader['probes'] ?? {}) as Record<string, { status?: string }>)) probes[k] = status(v.status, 'ok');
  const codeFacts: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(code)) codeFacts[k] = (v.hits ?? []).slice(0, 3);
  return {
    name: String(full['name']),
    version: String(full['version']),
    tag: typeof full['tag'] === 'string' ? full['tag'] : null,
    date: textOf(full['date'] ?? ''),
    convertKeys,
    schema,
    topLevel,
    configSource: src(root['source']),
    channels: {
      typed: channels['typedSections'] === true,
      settings: ((channels['settings'] ?? []) as string[]).map((s) => (convertKeys ? snakeToCamel(s) : s)),
      // The order each manager builds channels in: a typed manager's own list, a registry's sorted names.
      names: channels['typedSections'] === true ? ((registry['names'] ?? []) as string[]) : [...((registry['names'] ?? []) as string[])].sort(),
      list,
      enabledByTruthiness: channels['enabledStringFalseStarts'] === true,
      managerSource: src(channels['manager']),
      registrySource: src(registry['source']),
    },
    loader: {
      source: src(loader['source']),
      onInvalidJson: status(loader['onInvalidJson'], 'refuse'),
      onInvalidSchema: status(loader['onInvalidSchema'], 'refuse'),
      onUnknownTopLevelKey: status(loader['onUnknownTopLevelKey'], 'refuse'),
      fallbackSource: src(loader['fallbackToDefaults']) ?? src(loader['caught']),
      raiseSource: src(loader['raises']),
      migrate: src(loader['migrate']),
      probes,
    },
    env: {
      caseSensitive: env['caseSensitive'] === true,
      camelSegmentAccepted: env['camelSegmentAccepted'] === true,
      complexValuesJsonDecoded: env['complexValuesJsonDecoded'] !== false,
      channelValuesJsonDecoded: env['channelValuesJsonDecoded'] === true,
      readBeforeFile: env['readBeforeFile'] === true,
      invalidValueStopsEvenWhenFileSetsKey: env['invalidValueStopsEvenWhenFileSetsKey'] === true,
      appliesWhenFileInvalid: env['appliesWhenFileInvalid'] === true,
      source: src(env['settingsSource']),
    },
    allowFrom: {
      empty: (allow['empty'] as ReleaseFacts['allowFrom']['empty']) ?? 'pairing',
      star: (allow['star'] as ReleaseFacts['allowFrom']['star']) ?? 'allow-all',
      pairing: allow['pairing'] === true,
      gatewayExitsOnEmpty: allow['gatewayExitsOnEmpty'] === true,
      gatewayExitsOnOmitted: allow['gatewayExitsOnOmitted'] === true,
      isAllowedSource: src(allow['isAllowed']),
      startupCheck: src(allow['startupCheckExits']) ?? src(allow['startupCheck']),
    },
    interpolation: {
      supported: interp['supported'] === true,
      pattern: typeof interp['pattern'] === 'string' ? interp['pattern'] : null,
      source: src(interp['source']),
      unsetVariable: status(interp['unsetVariable'], 'ok'),
    },
    code: codeFacts,
  };
}

/** A release of the index (schemas/nanobot/index.json), oldest first. */
export interface ReleaseEntry {
  name: string;
  version: string;
  tag: string | null;
  date: string;
}
