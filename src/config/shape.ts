// How nanobot reads the keys of each object in a config, from the release's own schema: a model's
// fields take their alias or their name (pydantic; the first present wins), a map's keys are names
// kept as written (MCP servers, env variables, headers), a free-form channel section is read by
// that channel's own model. 0.1.3.x converted every key to snake_case in its loader before the
// model saw it (camel_to_snake, nanobot/config/loader.py), so there the later spelling wins.
import type { ReleaseFacts, SchemaNode } from './release.js';
import { deref } from './pydantic.js';

export type Shape =
  | { kind: 'model'; node: SchemaNode; defs: Record<string, SchemaNode>; camelOnly?: boolean }
  | { kind: 'map'; item: Shape }
  | { kind: 'list'; item: Shape }
  | { kind: 'channels' }
  | { kind: 'any' };

export interface KeyInfo {
  /** The field (camelCase) or, for a key that fills none, the key as nanobot holds it. */
  key: string;
  /** 0 for the name pydantic looks up first; higher ranks lose to lower ones; -1 fills nothing. */
  rank: number;
  spelling: 'camel' | 'snake' | 'other';
}

const ANY: Shape = { kind: 'any' };

/** Python's camel_to_snake of 0.1.3.x's loader: an underscore before every capital but the first. */
export function pyCamelToSnake(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    const upper = c !== c.toLowerCase() && c === c.toUpperCase();
    if (upper && i > 0) out += '_';
    out += upper ? c.toLowerCase() : c;
  }
  return out;
}

const CAMEL = /^[a-z][a-zA-Z0-9]*$/;
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;

function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Keys of something no model reads (an unknown section): camelCase and snake_case taken as the same field, as a model would. */
export function guessKey(key: string): KeyInfo {
  if (CAMEL.test(key)) return { key, rank: 0, spelling: 'camel' };
  if (SNAKE.test(key)) return { key: snakeToCamel(key), rank: 1, spelling: 'snake' };
  return { key, rank: -1, spelling: 'other' };
}

/** The shape a property's schema gives its value (a model, a map, a list, or a plain value). */
export function shapeOf(node: SchemaNode | undefined, defs: Record<string, SchemaNode>): Shape {
  if (!node) return ANY;
  const n = deref(node, defs);
  if (n.anyOf || n.oneOf) {
    // Optional[Model] and the like: the first member that holds structure.
    for (const m of n.anyOf ?? n.oneOf ?? []) {
      const s = shapeOf(m, defs);
      if (s.kind !== 'any') return s;
    }
    return ANY;
  }
  if (n.properties || n['x-model']) return { kind: 'model', node: n, defs };
  const t = Array.isArray(n.type) ? n.type : n.type ? [n.type] : [];
  if (t.includes('array')) return { kind: 'list', item: n.items ? shapeOf(n.items, defs) : ANY };
  if (t.includes('object')) return { kind: 'map', item: typeof n.additionalProperties === 'object' ? shapeOf(n.additionalProperties, defs) : ANY };
  return ANY;
}

/** Reads keys and child shapes for one release. */
export class Shapes {
  readonly root: Shape;
  private readonly channelShapes = new Map<string, Shape>();

  constructor(readonly release: ReleaseFacts) {
    this.root = { kind: 'model', node: release.schema.root, defs: release.schema.defs };
  }

  /** The model a free-form channel section is read by, or any for a name the release does not know. */
  channel(name: string): Shape {
    let s = this.channelShapes.get(name);
    if (!s) {
      const facts = Object.hasOwn(this.release.channels.list, name) ? this.release.channels.list[name] : undefined;
      // Feishu from 0.3.0 merges nanobot's camelCase defaults over each section before its model
      // reads it (merge_missing_defaults in channels/feishu/instances.py): a snake_case key always
      // meets a camelCase one, which wins.
      s = facts ? { kind: 'model', node: facts.schema.root, defs: facts.schema.defs, camelOnly: facts.multiInstance } : ANY;
      this.channelShapes.set(name, s);
    }
    return s;
  }

  /** What key `raw` fills in an object of this shape. */
  key(shape: Shape, raw: string, fromEnv = false): KeyInfo {
    // 0.1.3.x converts the file's keys, not those of a section given whole in a NANOBOT_* variable.
    const k = this.release.convertKeys && !fromEnv ? pyCamelToSnake(raw) : raw;
    switch (shape.kind) {
      case 'model': {
        const prop = propOf(shape.node, k);
        if (prop === undefined) {
          // Unknown to the model: under an extra="allow" model (channels, providers) it is kept as written.
          return shape.node['x-extra'] === 'allow' || this.release.convertKeys ? { key: k, rank: -1, spelling: 'other' } : guessUnknown(k);
        }
        if (shape.camelOnly && k !== prop) return { key: prop, rank: -1, spelling: 'snake' };
        if (this.release.convertKeys) return { key: prop, rank: 0, spelling: raw === prop ? 'camel' : 'snake' };
        const order = shape.node['x-order']?.[prop];
        const rank = order ? order.indexOf(k) : 0;
        return { key: prop, rank, spelling: k === prop ? 'camel' : 'snake' };
      }
      case 'channels':
        return { key: k, rank: 0, spelling: 'camel' };
      case 'map':
      case 'list':
        return { key: k, rank: 0, spelling: 'camel' };
      case 'any':
        return this.release.convertKeys ? { key: k, rank: 0, spelling: 'camel' } : guessKey(k);
    }
  }

  /** The shape of the value under canonical key `key` of an object of this shape. */
  child(shape: Shape, key: string, parentPath: readonly string[]): Shape {
    switch (shape.kind) {
      case 'model': {
        const p = shape.node.properties?.[key];
        if (p) {
          // ChannelsConfig of a free-form release: its extra keys are channel sections.
          return shapeOf(p, shape.defs);
        }
        if (parentPath.length === 1 && parentPath[0] === 'channels' && !this.release.channels.typed) return this.channel(key);
        if (parentPath.length === 1 && parentPath[0] === 'providers' && shape.node['x-extra'] === 'allow') {
          const custom = shape.defs['ProviderConfig'];
          return custom ? { kind: 'model', node: custom, defs: shape.defs } : ANY;
        }
        // Feishu's instances[] (0.3.0+): each entry is read as a Feishu section of its own.
        if (key === 'instances' && parentPath.length === 2 && parentPath[0] === 'channels' && parentPath[1] === 'feishu' && shape.camelOnly) {
          return { kind: 'list', item: shape };
        }
        return ANY;
      }
      case 'map':
      case 'list':
        return shape.item;
      default:
        return ANY;
    }
  }

  /** The shape at a canonical path from the root. */
  at(path: readonly string[]): Shape {
    let s = this.root;
    for (let i = 0; i < path.length; i++) s = this.child(s, path[i]!, path.slice(0, i));
    return s;
  }
}

/** The property a key fills in a model: its own name (unless the field takes only other names), or a listed spelling. */
export function propOf(node: SchemaNode, k: string): string | undefined {
  const props = node.properties;
  if (props && Object.hasOwn(props, k)) {
    const order = node['x-order']?.[k];
    if (!order || order.includes(k)) return k;
  }
  const names = node['x-names'];
  return names && Object.hasOwn(names, k) ? names[k] : undefined;
}

/** Every key a model accepts: its properties' own names and the listed spellings. */
export function namesOf(node: SchemaNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of Object.keys(node.properties ?? {})) if (propOf(node, p) === p) out[p] = p;
  for (const [n, p] of Object.entries(node['x-names'] ?? {})) out[n] = p;
  return out;
}

/** An unknown key of an extra="ignore" model: nanobot drops it; harden keeps its guessed field for typo checks. */
function guessUnknown(k: string): KeyInfo {
  const g = guessKey(k);
  return { key: g.key, rank: -1, spelling: g.spelling === 'snake' ? 'snake' : 'other' };
}

const cache = new WeakMap<ReleaseFacts, Shapes>();

export function shapesOf(release: ReleaseFacts): Shapes {
  let s = cache.get(release);
  if (!s) cache.set(release, (s = new Shapes(release)));
  return s;
}

/** The schema node of the value at a canonical path (a channel's section is read by the channel's model), or undefined. */
export function schemaAt(release: ReleaseFacts, path: readonly string[]): { node: SchemaNode; defs: Record<string, SchemaNode> } | undefined {
  let node: SchemaNode = release.schema.root;
  let defs = release.schema.defs;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    let n = deref(node, defs);
    if (n.anyOf)
      n = n.anyOf.map((m) => deref(m, defs)).find((m) => m.properties || m.items || m.additionalProperties || m.type === 'object' || m.type === 'array') ?? n;
    if (i === 1 && path[0] === 'channels' && !release.channels.typed && !n.properties?.[seg]) {
      const facts = Object.hasOwn(release.channels.list, seg) ? release.channels.list[seg] : undefined;
      if (!facts) return undefined;
      node = facts.schema.root;
      defs = facts.schema.defs;
      continue;
    }
    if (i === 2 && path[0] === 'channels' && seg === 'instances' && release.channels.list[path[1]!]?.multiInstance) {
      // instances[N] is read as a section of the channel itself.
      node = { type: 'array', items: node };
      continue;
    }
    if (n.properties) {
      const p = n.properties[seg];
      if (!p) return undefined;
      node = p;
    } else if (n.items) node = n.items;
    else if (typeof n.additionalProperties === 'object') node = n.additionalProperties;
    else return undefined;
  }
  return { node: deref(node, defs), defs };
}
