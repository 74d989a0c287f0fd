// JSON files the user hands harden besides the config (--answers, --baseline): parsed with
// JSON.parse, which never recurses (V8's parser is iterative), and on any problem one sentence
// with the line and column, never the text itself (such a file may hold anything).
import { printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { UsageError } from '../errors.js';
import { JsonTooDeepError, MAX_DEPTH, parseJsonTree, tooDeepAt } from './json-tree.js';
import { lineStarts, positionAt } from './position.js';

/** The value of a JSON input file; `what` names it in every sentence ("--answers answers.json"). */
export function parseJsonInput(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    // Node's own message quotes the text around the error: give the place instead.
    value = undefined;
  }
  if (value !== undefined) {
    // Parsed without recursion, but whatever reads the value may recurse: deep text is refused
    // here as it is in a config, at the bracket that goes too deep.
    if (!deeperThan(value, MAX_DEPTH)) return value;
    throw new UsageError(`${what}:${place(text, Math.max(0, tooDeepAt(text)))}: nested more than ${MAX_DEPTH} levels deep, which harden does not read`);
  }
  const errors: ParseError[] = [];
  try {
    parseJsonTree(text, errors);
  } catch (error) {
    if (!(error instanceof JsonTooDeepError)) throw error;
    throw new UsageError(`${what}:${place(text, error.offset)}: nested more than ${MAX_DEPTH} levels deep, which harden does not read`);
  }
  const first = errors[0];
  throw new UsageError(`${what}:${first ? `${place(text, first.offset)} (${printParseErrorCode(first.error)})` : '1:1'}: not valid JSON`);
}

/** Whether a parsed value nests deeper than `limit` (the outermost object or array is level 1); no recursion. */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [v, depth] = top;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

function place(text: string, offset: number): string {
  const pos = positionAt(lineStarts(text), offset);
  return `${pos.line}:${pos.column}`;
}

/**
 * "line:column" of the value at `path` in a JSON text already known to parse (for a sentence
 * about that value); "1:1" when it cannot be found. Only on the way to an error: it parses again.
 */
export function placeOf(text: string, path: readonly (string | number)[]): string {
  let node: Node | undefined;
  try {
    node = parseJsonTree(text, []);
  } catch {
    return '1:1';
  }
  for (const segment of path) {
    if (!node) break;
    if (node.type === 'array' && typeof segment === 'number') node = node.children?.[segment];
    else if (node.type === 'object') {
      // JSON.parse keeps the last of duplicated keys: so does this.
      let found: Node | undefined;
      for (const prop of node.children ?? []) if (prop.children?.[0]?.value === segment) found = prop.children[1];
      node = found;
    } else node = undefined;
  }
  return node ? place(text, node.offset) : '1:1';
}
