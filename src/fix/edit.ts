// Minimal, format-preserving edits of a JSON file. Every patch becomes one edit located on a parse
// of the text (all on one parse when no two edits touch, else each on the text the one before it
// left), so edits never overlap and the last of duplicated keys is the one edited (jsonc-parser's
// modify() would edit the first, which nanobot ignores). Nothing is reformatted: a replaced value
// takes the place of the old one, and an inserted key copies the line ending and indentation of
// its neighbours.
import { applyEdits, type Edit } from 'jsonc-parser';
import { parseConfig, type JsonNode, type ParsedConfig } from '../config/parse.js';
import { fromPointer } from '../config/pointer.js';
import { positionAt } from '../config/position.js';

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

/**
 * The whitespace that starts the line holding `offset`. The line's start comes from the parse's
 * line table: looking back for it cost the length of the line, which in a file written on one
 * line is the whole file, once per edit.
 */
function lineIndent(text: string, lines: readonly number[], offset: number): string {
  const start = lines[positionAt(lines, offset).line - 1] ?? 0;
  let end = start;
  while (end < offset && (text.charCodeAt(end) === 0x20 || text.charCodeAt(end) === 0x09)) end++;
  return text.slice(start, end);
}

/** Whether only spaces and tabs stand before `offset` on its line (looked at backwards, so it stops at the first other character). */
function startsLine(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) return true;
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
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

/** An object's properties by key, in file order, and each property's place among its siblings. */
interface Siblings {
  byKey: Map<unknown, JsonNode[]>;
  index: Map<JsonNode, number>;
}

// Built once per object of a parse: a file with 20,000 copies of one key gets as many patches,
// and a scan of the siblings for each one made the fix quadratic.
const siblingsOf = new WeakMap<JsonNode, Siblings>();

function siblings(object: JsonNode): Siblings {
  let known = siblingsOf.get(object);
  if (!known) {
    known = { byKey: new Map(), index: new Map() };
    const props = object.children ?? [];
    for (let i = 0; i < props.length; i++) {
      const prop = props[i]!;
      known.index.set(prop, i);
      const key: unknown = prop.children?.[0]?.value;
      const same = known.byKey.get(key);
      if (same) same.push(prop);
      else known.byKey.set(key, [prop]);
    }
    siblingsOf.set(object, known);
  }
  return known;
}

/** The last property named `key` (the copy json.load keeps). */
function lastProp(object: JsonNode, key: string): JsonNode | undefined {
  const same = siblings(object).byKey.get(key);
  return same?.[same.length - 1];
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

function setEdit(text: string, lines: readonly number[], root: JsonNode, path: readonly string[], value: unknown, style: Style): Edit {
  const r = resolve(root, path);
  if (r.node) {
    const oldText = text.slice(r.node.offset, r.node.offset + r.node.length);
    const indent = lineIndent(text, lines, r.node.parent?.offset ?? r.node.offset);
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
    const indent = startsLine(text, last.offset)
      ? lineIndent(text, lines, last.offset)
      : lineIndent(text, lines, first.offset) || lineIndent(text, lines, object.offset) + style.indent;
    return { offset: end, length: 0, content: `,${style.eol}${indent}${JSON.stringify(key)}: ${render(inserted, style, indent, true)}` };
  }
  // An empty object: open it onto lines of its own, unless it sits inside a one-line object.
  const outer = object.parent?.parent;
  const inline = outer !== undefined && !text.slice(outer.offset, outer.offset + outer.length).includes('\n');
  if (inline) return { offset: object.offset, length: object.length, content: `{${JSON.stringify(key)}: ${render(inserted, style, '', false)}}` };
  const base = lineIndent(text, lines, object.parent?.offset ?? object.offset);
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
  const known = siblings(object);
  const prop = known.byKey.get(key)?.[copy];
  if (!prop) throw new Error(`no copy ${copy} of ${path.join('/')}`);
  const i = known.index.get(prop)!;
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
function editFor(text: string, lines: readonly number[], root: JsonNode, patch: Patch, style: Style): Edit {
  const path = fromPointer(patch.pointer);
  return patch.op === 'set' ? setEdit(text, lines, root, path, patch.after, style) : removeEdit(root, path, patch.copy);
}

/**
 * Apply patches; each must leave strict JSON behind. A patch that cannot apply throws, or, given
 * onConflict, is reported there and skipped.
 *
 * The edits of consecutive patches are computed on one parse and applied together as long as no
 * two of them touch the same place; a property test holds that to the same bytes as applying them
 * one by one. The patch whose edit would touch an earlier one starts the next run, on the parse
 * the run before it left. A patch that fails, or a run whose result does not parse, goes one by one.
 */
export function applyPatches(file: string, text: string, patches: readonly Patch[], onConflict?: (patch: Patch) => void): string {
  return patchParsed(parseConfig(file, text), patches, onConflict).text;
}

/** applyPatches on a parse already at hand; returns the parse of the result (its strict-JSON check). */
export function patchParsed(parsed: ParsedConfig, patches: readonly Patch[], onConflict?: (patch: Patch) => void): ParsedConfig {
  const style = detectStyle(parsed.text);
  let current = parsed;
  let start = 0;
  while (start < patches.length) {
    const run = firstRun(current, patches, start, style);
    if (run.count > 1) {
      const next = tryParse(current.file, applySorted(current.text, run.edits));
      if (next) {
        current = next;
        start += run.count;
        continue;
      }
    }
    // One patch alone (a failure is reported or thrown there), or a run that did not parse.
    const alone = patches.slice(start, start + Math.max(1, run.count));
    current = oneByOne(current, alone, style, onConflict);
    start += alone.length;
  }
  return current;
}

/**
 * Edits in offset order that touch nowhere, applied in one join. jsonc-parser's applyEdits cuts
 * the text once per edit, which for thousands of edits copies the whole text thousands of times.
 */
function applySorted(text: string, edits: readonly Edit[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const e of edits) {
    parts.push(text.slice(at, e.offset), e.content);
    at = e.offset + e.length;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

function tryParse(file: string, text: string): ParsedConfig | undefined {
  try {
    return parseConfig(file, text);
  } catch {
    return undefined;
  }
}

/**
 * The longest run of patches from `start` whose edits, all computed on this parse, pairwise
 * neither overlap nor start at one place, with those edits in offset order. The edits are looked
 * at in windows that double while the run fills them, so a short run costs little however many
 * patches follow.
 */
function firstRun(parsed: ParsedConfig, patches: readonly Patch[], start: number, style: Style): { count: number; edits: Edit[] } {
  const edits: Edit[] = [];
  let failed = false;
  for (let window = 64; ; window *= 2) {
    const end = Math.min(patches.length, start + window);
    while (!failed && start + edits.length < end) {
      try {
        edits.push(editFor(parsed.text, parsed.lines, parsed.root, patches[start + edits.length]!, style));
      } catch {
        failed = true; // this patch goes alone, and says why
      }
    }
    const count = untouched(edits);
    if (count < edits.length || failed || end === patches.length) return { count, edits: edits.slice(0, count).sort((a, b) => a.offset - b.offset) };
  }
}

/**
 * How many of the edits, from the first, touch no earlier one. Linear after one sort: the edits
 * go into a list in offset order and come out latest first, so each one's neighbours in the list
 * are its nearest among the edits before it; while those touch nowhere, only the neighbours can
 * touch it.
 */
function untouched(edits: readonly Edit[]): number {
  const n = edits.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => edits[a]!.offset - edits[b]!.offset || a - b);
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  const at = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    at[order[k]!] = k;
    prev[k] = k - 1;
    next[k] = k + 1 < n ? k + 1 : -1;
  }
  const touches = (a: Edit, b: Edit): boolean =>
    a.offset === b.offset || (a.offset < b.offset ? a.offset + a.length > b.offset : b.offset + b.length > a.offset);
  let count = n;
  for (let i = n - 1; i > 0; i--) {
    const k = at[i]!;
    const p = prev[k]!;
    const q = next[k]!;
    if ((p >= 0 && touches(edits[order[p]!]!, edits[i]!)) || (q >= 0 && touches(edits[i]!, edits[order[q]!]!))) count = i;
    if (p >= 0) next[p] = q;
    if (q >= 0) prev[q] = p;
  }
  return count;
}

/** Each patch on the parse the one before it left (that parse is also the check that it is strict JSON). */
export function oneByOne(parsed: ParsedConfig, patches: readonly Patch[], style: Style, onConflict?: (patch: Patch) => void): ParsedConfig {
  let current = parsed;
  for (const patch of patches) {
    try {
      current = parseConfig(current.file, applyEdits(current.text, [editFor(current.text, current.lines, current.root, patch, style)]));
    } catch (error) {
      if (!onConflict) throw error;
      onConflict(patch);
    }
  }
  return current;
}
