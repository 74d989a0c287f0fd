// Minimal, format-preserving edits of a JSON file. Every patch becomes one edit located on a parse
// of the text (all on one parse when no two edits touch, else each on the text the one before it
// left), so edits never overlap and the last of duplicated keys is the one edited (jsonc-parser's
// modify() would edit the first, which nanobot ignores). Nothing is reformatted: a replaced value
// takes the place of the old one, and an inserted key copies the line ending and indentation of
// its neighbours.
import { applyEdits, type Edit } from 'jsonc-parser';
import { parseConfig, type JsonNode, type ParsedConfig } from '../config/parse.js';
import { fromPointer } from '../config/pointer.js';

export type Patch =
  | { op: 'set'; ruleId: string; pointer: string; before: unknown; after: unknown }
  /** Remove one copy of a key: `copy` counts same-named properties of its object in file order. */
  | { op: 'remove'; ruleId: string; pointer: string; before: unknown; copy: number };

export interface Style {
  eol: string;
  indent: string;
  /** Whether the file writes non-empty arrays on one line (hand-written) or one item a line (nanobot's own). */
  inlineArrays: boolean;
}

/** Line ending and indentation unit of a file, as its author wrote it. */
export function detectStyle(text: string): Style {
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const indented = /\n([ \t]+)["\]}{[]/.exec(text);
  const unit = indented?.[1] ?? '  ';
  const inline = (text.match(/\[[ \t]*[^\s\]][^\n\]]*\]/g) ?? []).length;
  const multi = (text.match(/\[[ \t]*\r?\n/g) ?? []).length;
  // The first indented line is one level deep: its whitespace is the unit.
  return { eol, indent: unit.startsWith('\t') ? '\t' : unit.length > 0 ? unit : '  ', inlineArrays: inline > multi };
}

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, offset))?.[0] ?? '';
}

function startsLine(text: string, offset: number): boolean {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*$/.test(text.slice(start, offset));
}

/** JSON text for a value, laid out in the file's style at a given depth. */
export function render(value: unknown, style: Style, indent: string, multiline: boolean): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (!multiline || style.inlineArrays) return `[${value.map((v) => render(v, style, indent, false)).join(', ')}]`;
    const inner = indent + style.indent;
    return `[${style.eol}${value.map((v) => inner + render(v, style, inner, true)).join(`,${style.eol}`)}${style.eol}${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    if (!multiline) return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${render(v, style, indent, false)}`).join(', ')}}`;
    const inner = indent + style.indent;
    return `{${style.eol}${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${render(v, style, inner, true)}`).join(`,${style.eol}`)}${style.eol}${indent}}`;
  }
  return JSON.stringify(value);
}

/** The last property named `key` (the copy json.load keeps). */
function lastProp(object: JsonNode, key: string): JsonNode | undefined {
  let found: JsonNode | undefined;
  for (const prop of object.children ?? []) if (prop.children?.[0]?.value === key) found = prop;
  return found;
}

interface Resolved {
  /** The value node at the full path, when present. */
  node?: JsonNode;
  /** The deepest object on the path, and the segments still missing below it. */
  parent: JsonNode;
  missing: string[];
}

function resolve(root: JsonNode, path: readonly string[]): Resolved {
  let cur = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    let next: JsonNode | undefined;
    if (cur.type === 'object') next = lastProp(cur, seg)?.children?.[1];
    else if (cur.type === 'array' && /^\d+$/.test(seg)) next = cur.children?.[Number(seg)];
    else throw new Error(`cannot reach ${path.join('/')}: ${path.slice(0, i).join('/') || 'the root'} is not an object`);
    if (!next) {
      if (cur.type !== 'object') throw new Error(`no item ${seg} in ${path.slice(0, i).join('/')}`);
      return { parent: cur, missing: path.slice(i) };
    }
    cur = next;
  }
  return { node: cur, parent: cur.parent?.parent ?? cur, missing: [] };
}

function nest(missing: readonly string[], value: unknown): unknown {
  return missing.slice(1).reduceRight<unknown>((acc, key) => ({ [key]: acc }), value);
}

function setEdit(text: string, root: JsonNode, path: readonly string[], value: unknown, style: Style): Edit {
  const r = resolve(root, path);
  if (r.node) {
    const oldText = text.slice(r.node.offset, r.node.offset + r.node.length);
    const indent = lineIndent(text, r.node.parent?.offset ?? r.node.offset);
    const own = { ...style, inlineArrays: !oldText.includes('\n') };
    return { offset: r.node.offset, length: r.node.length, content: render(value, own, indent, oldText.includes('\n')) };
  }
  const key = r.missing[0]!;
  const inserted = nest(r.missing, value);
  const object = r.parent;
  const objectText = text.slice(object.offset, object.offset + object.length);
  const children = object.children ?? [];
  const last = children[children.length - 1];
  if (last) {
    const end = last.offset + last.length;
    if (!objectText.includes('\n')) {
      return { offset: end, length: 0, content: `, ${JSON.stringify(key)}: ${render(inserted, style, '', false)}` };
    }
    const first = children[0]!;
    const indent = startsLine(text, last.offset) ? lineIndent(text, last.offset) : lineIndent(text, first.offset) || lineIndent(text, object.offset) + style.indent;
    return { offset: end, length: 0, content: `,${style.eol}${indent}${JSON.stringify(key)}: ${render(inserted, style, indent, true)}` };
  }
  // An empty object: open it onto lines of its own, unless it sits inside a one-line object.
  const outer = object.parent?.parent;
  const inline = outer !== undefined && !text.slice(outer.offset, outer.offset + outer.length).includes('\n');
  if (inline) return { offset: object.offset, length: object.length, content: `{${JSON.stringify(key)}: ${render(inserted, style, '', false)}}` };
  const base = lineIndent(text, object.parent?.offset ?? object.offset);
  const indent = base + style.indent;
  return {
    offset: object.offset,
    length: object.length,
    content: `{${style.eol}${indent}${JSON.stringify(key)}: ${render(inserted, style, indent, true)}${style.eol}${base}}`,
  };
}

function removeEdit(root: JsonNode, path: readonly string[], copy: number): Edit {
  const r = resolve(root, path.slice(0, -1));
  const object = r.node ?? (path.length === 1 ? root : undefined);
  if (!object || object.type !== 'object') throw new Error(`no object at ${path.slice(0, -1).join('/')}`);
  const key = path[path.length - 1];
  const props = object.children ?? [];
  const same = props.filter((p) => p.children?.[0]?.value === key);
  const prop = same[copy];
  if (!prop) throw new Error(`no copy ${copy} of ${path.join('/')}`);
  const i = props.indexOf(prop);
  const prev = props[i - 1];
  const next = props[i + 1];
  if (prev) {
    // Take the comma before it and the whitespace that led to it.
    const end = prop.offset + prop.length;
    return { offset: prev.offset + prev.length, length: end - (prev.offset + prev.length), content: '' };
  }
  if (next) return { offset: prop.offset, length: next.offset - prop.offset, content: '' };
  return { offset: object.offset, length: object.length, content: '{}' };
}

/** The edit one patch makes to text whose parse is root. Throws when the file's shape does not allow it. */
function editFor(text: string, root: JsonNode, patch: Patch, style: Style): Edit {
  const path = fromPointer(patch.pointer);
  return patch.op === 'set' ? setEdit(text, root, path, patch.after, style) : removeEdit(root, path, patch.copy);
}

/**
 * Apply patches; each must leave strict JSON behind. A patch that cannot apply throws, or, given
 * onConflict, is reported there and skipped.
 *
 * The edits of all patches are first computed on one parse and applied together; a property test
 * holds that to the same bytes as applying them one by one. When any two edits touch the same
 * place, or anything fails, the patches go one by one instead.
 */
export function applyPatches(file: string, text: string, patches: readonly Patch[], onConflict?: (patch: Patch) => void): string {
  return patchParsed(parseConfig(file, text), patches, onConflict).text;
}

/** applyPatches on a parse already at hand; returns the parse of the result (its strict-JSON check). */
export function patchParsed(parsed: ParsedConfig, patches: readonly Patch[], onConflict?: (patch: Patch) => void): ParsedConfig {
  const style = detectStyle(parsed.text);
  return (patches.length > 1 ? inOnePass(parsed, patches, style) : undefined) ?? oneByOne(parsed, patches, style, onConflict);
}

function inOnePass(parsed: ParsedConfig, patches: readonly Patch[], style: Style): ParsedConfig | undefined {
  const { file, text, root } = parsed;
  let edits: Edit[];
  try {
    edits = patches.map((patch) => editFor(text, root, patch, style)).sort((a, b) => a.offset - b.offset);
  } catch {
    return undefined;
  }
  for (let i = 1; i < edits.length; i++) {
    const before = edits[i - 1]!;
    if (before.offset + before.length > edits[i]!.offset || before.offset === edits[i]!.offset) return undefined;
  }
  try {
    return parseConfig(file, applyEdits(text, edits));
  } catch {
    return undefined;
  }
}

/** Each patch on the parse the one before it left (that parse is also the check that it is strict JSON). */
export function oneByOne(parsed: ParsedConfig, patches: readonly Patch[], style: Style, onConflict?: (patch: Patch) => void): ParsedConfig {
  let current = parsed;
  for (const patch of patches) {
    try {
      current = parseConfig(current.file, applyEdits(current.text, [editFor(current.text, current.root, patch, style)]));
    } catch (error) {
      if (!onConflict) throw error;
      onConflict(patch);
    }
  }
  return current;
}
