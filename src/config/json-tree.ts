// Strict JSON into jsonc-parser's parse tree, quickly. jsonc-parser scans one character at a
// time, which at start-up runs in V8's interpreter: some 6 ms for an 18 kB config, the largest
// piece of a typical audit's own work. Here each token is one native regular-expression match.
//
// This is a fast path, not a second parser to trust: it builds a tree only for text that is
// strict JSON (RFC 8259, whitespace " \t\n\r", nesting below MAX_DEPTH), exactly the tree
// parseTree builds for it (a property test holds the two to the same nodes). For anything else
// it gives up and jsonc-parser parses the text, so every error message still comes from there.
import { parseTree, type Node, type ParseError } from 'jsonc-parser';

/** Strict options: comments and trailing commas are errors, as they are for nanobot's json.load. */
const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

// Python's json gives up near its recursion limit (1,000); deeper text goes to jsonc-parser.
const MAX_DEPTH = 900;

const WHITESPACE = /[ \t\n\r]*/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** A node while it is built; parseTree's nodes are plain objects written the same way. */
type Building = { -readonly [K in keyof Node]: Node[K] };

/** The end of the token `re` matches at `pos`, or -1. */
function tokenEnd(re: RegExp, text: string, pos: number): number {
  re.lastIndex = pos;
  return re.test(text) ? re.lastIndex : -1;
}

/**
 * The tree of strict JSON text; undefined for any text that is not (jsonc-parser says why). A
 * string of millions of characters makes it throw RangeError (use parseJsonTree).
 */
export function fastTree(text: string): Node | undefined {
  let pos = 0;
  const skip = (): void => {
    pos = tokenEnd(WHITESPACE, text, pos);
  };
  const stringValue = (start: number, end: number): string => {
    const inner = text.slice(start + 1, end - 1);
    return inner.includes('\\') ? (JSON.parse(text.slice(start, end)) as string) : inner;
  };
  const literal = (parent: Node | undefined, end: number, value: string | number | boolean | null): Node => {
    const node = { type: value === null ? 'null' : typeof value, offset: pos, length: end - pos, parent, value } as Node;
    pos = end;
    return node;
  };

  function value(parent: Node | undefined, depth: number): Node | undefined {
    const c = text.charCodeAt(pos);
    if (c === 0x7b) return container('object', 0x7d, parent, depth + 1, property);
    if (c === 0x5b) return container('array', 0x5d, parent, depth + 1, item);
    if (c === 0x22) {
      const end = tokenEnd(STRING, text, pos);
      return end < 0 ? undefined : literal(parent, end, stringValue(pos, end));
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const end = tokenEnd(NUMBER, text, pos);
      return end < 0 ? undefined : literal(parent, end, Number(text.slice(pos, end)));
    }
    if (text.startsWith('true', pos)) return literal(parent, pos + 4, true);
    if (text.startsWith('false', pos)) return literal(parent, pos + 5, false);
    if (text.startsWith('null', pos)) return literal(parent, pos + 4, null);
    return undefined;
  }

  /**
   * An object or an array: `element` reads one member into the node (false when it cannot), the
   * members are comma-separated, and `close` ends it.
   */
  function container(type: 'object' | 'array', close: number, parent: Node | undefined, depth: number, element: (node: Building, depth: number) => boolean): Node | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const node: Building = { type, offset: pos, length: -1, parent, children: [] };
    pos++;
    skip();
    if (text.charCodeAt(pos) !== close) {
      for (;;) {
        if (!element(node, depth)) return undefined;
        skip();
        const c = text.charCodeAt(pos);
        if (c === close) break;
        if (c !== 0x2c) return undefined;
        pos++;
        skip();
      }
    }
    pos++;
    node.length = pos - node.offset;
    return node;
  }

  /** "key": value, as a property node of the object. */
  function property(node: Building, depth: number): boolean {
    if (text.charCodeAt(pos) !== 0x22) return false;
    const keyEnd = tokenEnd(STRING, text, pos);
    if (keyEnd < 0) return false;
    const prop: Building = { type: 'property', offset: pos, length: -1, parent: node, children: [] };
    node.children!.push(prop);
    prop.children!.push({ type: 'string', value: stringValue(pos, keyEnd), offset: pos, length: keyEnd - pos, parent: prop });
    pos = keyEnd;
    skip();
    if (text.charCodeAt(pos) !== 0x3a) return false;
    prop.colonOffset = pos;
    pos++;
    skip();
    const child = value(prop, depth);
    if (!child) return false;
    prop.children!.push(child);
    prop.length = pos - prop.offset;
    return true;
  }

  function item(node: Building, depth: number): boolean {
    const child = value(node, depth);
    if (child) node.children!.push(child);
    return child !== undefined;
  }

  skip();
  const root = value(undefined, 0) as Building | undefined;
  if (!root) return undefined;
  skip();
  if (pos !== text.length) return undefined;
  // parseTree's root has no parent property at all.
  delete root.parent;
  return root;
}

/**
 * The parse tree of a strict-JSON text: the fast path when the text is plain strict JSON,
 * jsonc-parser otherwise (with its errors in `errors`).
 */
export function parseJsonTree(text: string, errors: ParseError[]): Node | undefined {
  let fast: Node | undefined;
  try {
    fast = fastTree(text);
  } catch {
    // A string of millions of characters exhausts the regular expression's backtrack stack
    // (RangeError): jsonc-parser, which scans without one, reads it as nanobot would.
  }
  return fast ?? parseTree(text, errors, STRICT);
}
