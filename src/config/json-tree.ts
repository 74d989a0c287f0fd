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

/**
 * The deepest nesting harden reads (the root object or array is level 1). Deeper text is refused
 * with one sentence before any recursive parser sees it: jsonc-parser, the effective model and
 * the walks over the tree all recurse once per level, and 100,000 levels overflow Node's stack.
 *
 * What nanobot does, measured with its own loader through the oracle (shared/nanobot-oracle) at
 * every release tag from v0.1.3.post4 to v0.3.0 and main, on CPython 3.11.7:
 * - json.load (the C scanner) raises RecursionError past 991 levels (992 and more fail; 100,000
 *   too). The scanner counts against sys.getrecursionlimit() (1,000) together with the Python
 *   frames below it, so `nanobot gateway`, called through typer and click, fails a little
 *   earlier still. Standalone, CPython 3.12.1 accepts 1,497 and 3.13.0 9,998 levels; nanobot
 *   supports 3.11 and later.
 * - No release catches RecursionError: load_config catches JSONDecodeError and ValueError (and
 *   pydantic's ValidationError from 0.2.1), so there is no "Using default configuration"
 *   fallback, even on 0.2.1 and older: nanobot stops with a traceback.
 * - Some sections break earlier: 0.1.3.post4/post5 convert keys recursively (crash past 498
 *   levels anywhere), and from 0.1.5 the ${VAR} pass walks the sections nanobot keeps (channel
 *   dicts, providers.*.extraBody) in Python: it refuses past 498 levels there (0.1.5: past 257).
 * 900 stays below json.load's limit on 3.11 with room for the frames nanobot's CLI adds (how
 * many depends on the caller), so harden reads nothing the loader crashes on under the oldest
 * Python nanobot supports, and every config a person writes (a dozen levels at most) is far
 * inside it. The price: the few levels between 900 and the loader's own limit on 3.11, and what
 * 3.12 and 3.13 would still load, are refused too.
 */
export const MAX_DEPTH = 900;

/** Nesting deeper than MAX_DEPTH: `offset` is the bracket that opens the level past it. */
export class JsonTooDeepError extends Error {
  constructor(readonly offset: number) {
    super(`JSON nested more than ${MAX_DEPTH} levels deep`);
  }
}

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
  function container(
    type: 'object' | 'array',
    close: number,
    parent: Node | undefined,
    depth: number,
    element: (node: Building, depth: number) => boolean,
  ): Node | undefined {
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
  // A Building, whose parent may be deleted (typescript-eslint takes the cast for a no-op).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  const root = value(undefined, 0) as Building | undefined;
  if (!root) return undefined;
  skip();
  if (pos !== text.length) return undefined;
  // parseTree's root has no parent property at all.
  delete root.parent;
  return root;
}

// What the depth scan stops at: a string, a comment or a bracket; then what ends a string, a line.
const STRUCTURE = /["/[\]{}]/g;
const IN_STRING = /["\\\n\r]/g;
const LINE_BREAK = /[\n\r]/g;

/**
 * The offset of the first bracket that opens a level deeper than `limit`, or -1. One pass
 * without recursion, for any text: it reads strings and comments as jsonc-parser's scanner does
 * (a string ends at its quote, a line break or the end; a backslash takes the next character
 * along), and counts a closing bracket only when it closes the innermost open bracket of its
 * kind, as jsonc-parser's error recovery skips the others. So it never counts fewer levels than
 * jsonc-parser would recurse into. Each step is one native regular-expression search.
 */
export function tooDeepAt(text: string, limit = MAX_DEPTH): number {
  // open[d] is the bracket that opened level d: 1 for an object, 2 for an array.
  const open = new Uint8Array(limit + 1);
  let depth = 0;
  let pos = 0;
  for (;;) {
    STRUCTURE.lastIndex = pos;
    const hit = STRUCTURE.exec(text);
    if (!hit) return -1;
    const at = hit.index;
    const c = text.charCodeAt(at);
    pos = at + 1;
    if (c === 0x22) {
      for (;;) {
        IN_STRING.lastIndex = pos;
        const end = IN_STRING.exec(text);
        if (!end) return -1;
        const e = text.charCodeAt(end.index);
        if (e === 0x5c) pos = end.index + 2;
        else {
          pos = e === 0x22 ? end.index + 1 : end.index;
          break;
        }
      }
    } else if (c === 0x2f) {
      const next = text.charCodeAt(pos);
      if (next === 0x2f) {
        LINE_BREAK.lastIndex = pos;
        if (!LINE_BREAK.exec(text)) return -1;
        pos = LINE_BREAK.lastIndex - 1;
      } else if (next === 0x2a) {
        const end = text.indexOf('*/', pos + 1);
        if (end < 0) return -1;
        pos = end + 2;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (depth === limit) return at;
      open[++depth] = c === 0x7b ? 1 : 2;
    } else if (depth > 0 && open[depth] === (c === 0x7d ? 1 : 2)) {
      depth--;
    }
  }
}

/**
 * The parse tree of a strict-JSON text: the fast path when the text is plain strict JSON,
 * jsonc-parser otherwise (with its errors in `errors`). Throws JsonTooDeepError for text nested
 * deeper than MAX_DEPTH, which no recursive parser is given.
 */
export function parseJsonTree(text: string, errors: ParseError[]): Node | undefined {
  let fast: Node | undefined;
  try {
    fast = fastTree(text);
  } catch {
    // A string of millions of characters exhausts the regular expression's backtrack stack
    // (RangeError): jsonc-parser, which scans without one, reads it as nanobot would.
  }
  // The fast path gives up past MAX_DEPTH itself, so a tree from it needs no depth scan.
  if (fast) return fast;
  const deep = tooDeepAt(text);
  if (deep >= 0) throw new JsonTooDeepError(deep);
  return parseTree(text, errors, STRICT);
}
