// From a canonical path of the effective config back to the file: the pointer as the file spells
// it (or where the key belongs when the file lacks it), a line and column, and where the value
// came from.
import type { Effective, Origin } from '../config/model.js';
import type { JsonNode, ParsedConfig } from '../config/parse.js';
import { dotted, fromPointer, toPointer } from '../config/pointer.js';
import { positionAt } from '../config/position.js';
import type { Source } from '../findings/index.js';

export interface Location {
  pointer: string;
  line: number;
  column: number;
  source: Source;
  /** " (from NANOBOT_X)" and the like, for messages. */
  sourceText: string;
}

/** Position of a value: its property's key when it has one, else the value itself. */
export function nodePosition(parsed: ParsedConfig, node: JsonNode): { line: number; column: number } {
  const at = node.parent?.type === 'property' ? node.parent.offset : node.offset;
  return positionAt(parsed.lines, at);
}

function sourceOf(origin: Origin): Source {
  switch (origin.kind) {
    case 'file':
      return { kind: 'file', pointer: origin.pointer };
    case 'migrated':
      return { kind: 'migrated', pointer: origin.pointer };
    case 'inherited':
      return { kind: 'inherited', pointer: origin.pointer };
    case 'env':
      return { kind: 'env', name: origin.name };
    case 'default':
      return { kind: 'default' };
  }
}

export function sourceText(origin: Origin): string {
  switch (origin.kind) {
    case 'file':
      return '';
    case 'migrated':
      return ' (moved there by nanobot from tools.exec.restrictToWorkspace)';
    case 'inherited':
      return ` (inherited from ${dotted(fromPointer(origin.pointer))})`;
    case 'env':
      return ` (set by the environment variable ${origin.name})`;
    case 'default':
      return " (nanobot's default, as the file leaves it out)";
  }
}

export function locate(parsed: ParsedConfig, eff: Effective, path: readonly string[]): Location {
  const found = locateIn(parsed, eff, path);
  // A release that drops the file runs every setting on its default, the file's own included.
  if (eff.load.status === 'fallback' && found.source.kind === 'default') return { ...found, sourceText: " (nanobot's default: it runs without this file)" };
  return found;
}

function locateIn(parsed: ParsedConfig, eff: Effective, path: readonly string[]): Location {
  const exact = eff.origins.get(toPointer(path));
  // The nearest ancestor written in the file anchors pointer and position.
  for (let n = path.length; n >= 0; n--) {
    const origin = eff.origins.get(toPointer(path.slice(0, n)));
    if (!origin || (origin.kind !== 'file' && origin.kind !== 'migrated')) continue;
    const rest = path.slice(n);
    // An item of an array written in the file: its own node, through the array's children.
    let node = origin.node;
    let consumed = 0;
    while (node.type === 'array' && consumed < rest.length && /^\d+$/.test(rest[consumed]!)) {
      const child = node.children?.[Number(rest[consumed])];
      if (!child) break;
      node = child;
      consumed++;
    }
    const pointer = toPointer([...fromPointer(origin.pointer), ...rest]);
    const pos = nodePosition(parsed, node);
    const own = exact ?? origin;
    return { pointer, ...pos, source: sourceOf(own), sourceText: sourceText(own) };
  }
  const own = exact ?? ({ kind: 'default' } as const);
  return { pointer: toPointer(path), line: 1, column: 1, source: sourceOf(own), sourceText: sourceText(own) };
}
