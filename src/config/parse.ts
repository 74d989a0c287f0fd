// Parse a config the way nanobot's loader does: Python's json.load on a UTF-8 file. Anything it
// would refuse (a BOM, a comment, a trailing comma, a non-object root) is fatal here too, with the
// line and column, because nanobot would not start (or, up to 0.2.1, would silently run with
// defaults, which is worse).
import { printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { JsonTooDeepError, MAX_DEPTH, parseJsonTree } from './json-tree.js';
import { ConfigSyntaxError } from '../errors.js';
import { lineStarts, positionAt } from './position.js';

export type JsonNode = Node;

export interface ParsedConfig {
  file: string;
  text: string;
  root: JsonNode;
  lines: number[];
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decode bytes as strict UTF-8 (Python opens the file with encoding="utf-8"). */
export function decodeConfig(file: string, bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    const pos = positionAt(lineStarts(before), before.length);
    throw new ConfigSyntaxError(file, pos.line, pos.column, 'the file is not valid UTF-8, so nanobot cannot read it');
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (linear scan). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}

function describe(error: ParseError, text: string): string {
  const code = printParseErrorCode(error.error);
  const rest = text.slice(error.offset).trimStart();
  const before = text.slice(0, error.offset).trimEnd();
  if (code === 'InvalidCommentToken') return 'a comment, which strict JSON (and so nanobot) does not allow';
  if ((code === 'PropertyNameExpected' || code === 'ValueExpected') && before.endsWith(',') && /^[}\]]/.test(rest)) {
    return 'a trailing comma, which strict JSON (and so nanobot) does not allow';
  }
  if (code === 'InvalidCharacter') return 'a control character inside a string, which strict JSON does not allow';
  if (code === 'ValueExpected' && text.trim() === '') return 'the file is empty, and nanobot needs a JSON object';
  if (code === 'EndOfFileExpected' || (code === 'InvalidSymbol' && error.offset > 0)) {
    return 'unexpected text after the JSON value';
  }
  const words: Record<string, string> = {
    InvalidSymbol: 'an unexpected character',
    InvalidNumberFormat: 'a malformed number',
    PropertyNameExpected: 'a property name was expected',
    ValueExpected: 'a value was expected',
    ColonExpected: 'a colon was expected',
    CommaExpected: 'a comma was expected',
    CloseBraceExpected: 'a closing brace was expected',
    CloseBracketExpected: 'a closing bracket was expected',
    UnexpectedEndOfComment: 'an unterminated comment',
    UnexpectedEndOfString: 'an unterminated string',
    UnexpectedEndOfNumber: 'an unterminated number',
    InvalidUnicode: 'an invalid unicode escape',
    InvalidEscapeCharacter: 'an invalid escape sequence',
  };
  return `${words[code] ?? code}; nanobot would refuse this file`;
}

// Python's json.load reads NaN, Infinity and -Infinity as numbers (nanobot then takes NaN for a
// float and refuses either for an integer). jsonc-parser knows none of them: each is swapped for a
// number of the same length (0e0, 1e999999, -1e999999: offsets stay), and NaN's nodes get NaN back.
const STRING_OR_CONSTANT = /"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g;

function pythonConstants(text: string): { text: string; nan: Set<number> } | undefined {
  if (!text.includes('NaN') && !text.includes('Infinity')) return undefined;
  const nan = new Set<number>();
  let any = false;
  const out = text.replace(STRING_OR_CONSTANT, (m: string, offset: number) => {
    if (m.startsWith('"')) return m;
    any = true;
    if (m === 'NaN') {
      nan.add(offset);
      return '0e0';
    }
    return m.startsWith('-') ? '-1e999999' : '1e999999';
  });
  return any ? { text: out, nan } : undefined;
}

function restoreNaN(root: JsonNode, nan: ReadonlySet<number>): void {
  if (nan.size === 0) return;
  const stack: JsonNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'number' && nan.has(node.offset)) (node as { value: unknown }).value = NaN;
    for (const c of node.children ?? []) stack.push(c);
  }
}

/** Why a config nested too deep is refused (the evidence is at MAX_DEPTH). */
const tooDeepReason = `nested more than ${MAX_DEPTH} levels deep here; nanobot's json.load gives up near 1,000 levels (RecursionError) and nanobot stops with a traceback, so harden reads no deeper`;

/** Strict JSON with positions kept; throws ConfigSyntaxError on anything json.load rejects. */
export function parseConfig(file: string, text: string): ParsedConfig {
  const lines = lineStarts(text);
  if (text.charCodeAt(0) === 0xfeff) {
    throw new ConfigSyntaxError(file, 1, 1, 'the file starts with a byte-order mark (BOM), which nanobot rejects; save it as UTF-8 without BOM');
  }
  const errors: ParseError[] = [];
  let root: JsonNode | undefined;
  const special = pythonConstants(text);
  try {
    root = parseJsonTree(special ? special.text : text, errors);
    if (root && special) restoreNaN(root, special.nan);
  } catch (error) {
    if (!(error instanceof JsonTooDeepError)) throw error;
    const pos = positionAt(lines, error.offset);
    throw new ConfigSyntaxError(file, pos.line, pos.column, tooDeepReason);
  }
  const first = errors[0];
  if (first) {
    const reason = describe(first, text);
    // Point at the comma itself rather than at the bracket after it.
    const at = reason.startsWith('a trailing comma') ? text.slice(0, first.offset).trimEnd().length - 1 : first.offset;
    const pos = positionAt(lines, at);
    throw new ConfigSyntaxError(file, pos.line, pos.column, `not valid JSON: ${reason}`);
  }
  if (!root || root.type !== 'object') {
    const pos = positionAt(lines, root?.offset ?? 0);
    const kinds: Record<string, string> = { array: 'an array', string: 'a string', number: 'a number', boolean: 'a boolean', null: 'null' };
    const kind = root ? (kinds[root.type] ?? root.type) : 'nothing';
    throw new ConfigSyntaxError(file, pos.line, pos.column, `the top level is ${kind}, but nanobot needs a JSON object`);
  }
  return { file, text, root, lines };
}
