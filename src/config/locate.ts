// Which config files a run covers: --config takes files, directories (nanobot's multi-instance
// layouts: a config.json in the directory, or one in each of its subdirectories) and patterns,
// expanded here so that quoted patterns work the same in every shell: braces as bash expands them
// ({a,b}, nested, {1..3}, {a..c}), then the globs *, ?, ** and [..] in each of the paths they make.
import { join, resolve, sep } from 'node:path';
import { ConfigAccessError } from '../errors.js';
import { listDir, listDirEntries, statOf } from '../io/read.js';

const MAGIC = /[*?[]/;

/** More words than this from one --config value is a mistake (or `{1..100000000}`), not a fleet. */
export const MAX_BRACE_WORDS = 10_000;

class TooManyWords extends Error {}

const blank = (c: string | undefined): boolean => c === undefined || c === ' ' || c === '\t' || c === '\n';

/**
 * The index of the next `want` at depth 0 from `from`, or -1. A backslash hides the character after
 * it. A `}` closes only once a `,` or `..` stood at depth 0 before it: `{a}` is not an expression.
 * As in bash, a `{` at the start (or after a blank) followed by `}` or a blank opens nothing.
 */
function seek(text: string, from: number, want: '{' | '}' | ','): number {
  let depth = 0;
  let separated = want !== '}';
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === want && depth === 0 && separated) {
      if (c === '{' && (i === 0 || blank(text[i - 1])) && (blank(text[i + 1]) || text[i + 1] === '}')) continue;
      return i;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth > 0) depth--;
    } else if (want === '}' && depth === 0 && (c === ',' || (c === '.' && text[i + 1] === '.' && text[i + 2] !== '}'))) separated = true;
  }
  return -1;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const int64 = (digits: string): bigint | undefined => {
  const n = BigInt(digits);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
};

/** A sequence expression's words (`1..3`, `01..10..3`, `a..e`), or undefined when `body` is none. */
function sequence(body: string): string[] | undefined {
  const dots = body.indexOf('..');
  if (dots <= 0) return undefined;
  const lhs = body.slice(0, dots);
  const m = /^([-+]?\d+|[A-Za-z])(?:\.\.[\t\n\v\f\r ]*([-+]?\d+))?$/.exec(body.slice(dots + 2));
  if (m === null) return undefined;
  const rhs = m[1]!;
  const lhsInt = /^[\t\n\v\f\r ]*([-+]?\d+)[ \t]*$/.exec(lhs);
  let step = m[2] === undefined ? 1n : int64(m[2]);
  if (step === undefined) return undefined;
  let from: bigint | undefined;
  let to: bigint | undefined;
  let width = 0;
  const isChar = /^[A-Za-z]$/.test(rhs);
  if (isChar) {
    if (!/^[A-Za-z]$/.test(lhs)) return undefined;
    from = BigInt(lhs.charCodeAt(0));
    to = BigInt(rhs.charCodeAt(0));
  } else {
    if (lhsInt === null) return undefined;
    from = int64(lhsInt[1]!);
    to = int64(rhs);
    if (from === undefined || to === undefined) return undefined;
    // Zero-padded when either end is written with a leading zero: every word as wide as the wider end.
    const padded = (s: string): boolean => (s.length > 1 && s[0] === '0') || (s.length > 2 && s[0] === '-' && s[1] === '0');
    if (padded(lhs) || padded(rhs)) width = Math.max(lhs.length, rhs.length);
  }
  if (step === 0n) step = 1n;
  if ((from > to && step > 0n) || (from < to && step < 0n)) step = -step;
  const span = from > to ? from - to : to - from;
  if (span / (step < 0n ? -step : step) >= BigInt(MAX_BRACE_WORDS)) throw new TooManyWords();
  const out: string[] = [];
  for (let n = from; step > 0n ? n <= to : n >= to; n += step) {
    if (isChar) out.push(String.fromCharCode(Number(n)));
    else if (width === 0) out.push(n.toString());
    else out.push(n < 0n ? `-${(-n).toString().padStart(width - 1, '0')}` : n.toString().padStart(width, '0'));
  }
  return out;
}

function product(left: readonly string[], right: readonly string[]): string[] {
  if (left.length * right.length > MAX_BRACE_WORDS) throw new TooManyWords();
  const out: string[] = [];
  for (const l of left) for (const r of right) out.push(l + r);
  return out;
}

/** Whether `text` holds a comma no backslash hides, at any depth. */
function hasComma(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === ',') return true;
  }
  return false;
}

function braceWords(text: string): string[] {
  // The first `{` that opens an expression; a `{` without its `}` stays a character.
  let open: number;
  let close: number;
  for (let from = 0; ; from = open + 1) {
    open = seek(text, from, '{');
    if (open < 0) return [text];
    close = seek(text, open + 1, '}');
    if (close >= 0) break;
  }
  const body = text.slice(open + 1, close);
  let alternatives: string[];
  if (!hasComma(body)) {
    // `{1..3}`, `{a..c}`; a body that is neither (`{x..}`, `{.../}`) stays as it is written.
    alternatives = sequence(body) ?? [text.slice(open, close + 1)];
  } else {
    alternatives = [];
    for (let start = 0; ;) {
      const comma = seek(body, start, ',');
      const part = body.slice(start, comma < 0 ? body.length : comma);
      for (const w of braceWords(part)) alternatives.push(w);
      if (alternatives.length > MAX_BRACE_WORDS) throw new TooManyWords();
      if (comma < 0) break;
      start = comma + 1;
    }
  }
  const words = product([text.slice(0, open)], alternatives);
  const rest = text.slice(close + 1);
  return rest === '' ? words : product(words, braceWords(rest));
}

/**
 * The patterns one --config value stands for: bash's brace expansion (alternatives left to right,
 * nested; a `{` without its `}`, or with neither a comma nor a sequence inside, is a character),
 * after which a backslash before `{`, `}`, `,` or `\\` is dropped. A value without `{` is returned
 * as it is. Unlike bash, quotes and `$` are characters of the path.
 */
export function expandBraces(value: string): string[] {
  if (!value.includes('{')) return [value];
  let words: string[];
  try {
    words = braceWords(value);
  } catch (e) {
    if (e instanceof TooManyWords)
      throw new ConfigAccessError(value, `the braces in ${value} stand for more than ${String(MAX_BRACE_WORDS).replace(/\B(?=(\d{3})+$)/g, ',')} paths`);
    throw e;
  }
  return words.map((w) => w.replace(/\\([{},\\])/g, '$1'));
}

function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${segment
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    // A class such as [z-a] matches nothing in a shell either: "no config file matches" follows.
    return /(?!)/;
  }
}

function isDir(path: string): boolean {
  return statOf(path)?.isDirectory() === true;
}

const isFile = (path: string): boolean => statOf(path)?.isFile() === true;

/** Expand a glob pattern (absolute) into existing paths, sorted. */
export function expandGlob(pattern: string): string[] {
  const parts = pattern.split(sep);
  let current = [parts[0] === '' ? sep : parts[0]!];
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    const next: string[] = [];
    for (const base of current) {
      if (part === '**') {
        // Zero or more directories.
        const stack = [base];
        while (stack.length > 0) {
          const dir = stack.pop()!;
          next.push(dir);
          for (const e of listDirEntries(dir) ?? []) if (e.isDirectory() && !e.name.startsWith('.')) stack.push(join(dir, e.name));
        }
      } else if (MAGIC.test(part)) {
        const re = segmentRegex(part);
        for (const name of listDir(base) ?? []) if (re.test(name) && (part.startsWith('.') || !name.startsWith('.'))) next.push(join(base, name));
      } else next.push(join(base, part));
    }
    current = next;
  }
  const out: string[] = [];
  for (const p of current) if (statOf(p)) out.push(p);
  return [...new Set(out)].sort();
}

/** A directory: its config.json, else the config.json of each subdirectory (one per instance). */
function fromDirectory(dir: string): string[] {
  const own = join(dir, 'config.json');
  if (isFile(own)) return [own];
  const out: string[] = [];
  for (const e of listDirEntries(dir) ?? []) {
    const candidate = join(dir, e.name, 'config.json');
    if (e.isDirectory() && isFile(candidate)) out.push(candidate);
  }
  return out.sort();
}

/** Every config a list of --config values names; a pattern or directory that names none is an error. */
export function expandConfigs(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    const words = expandBraces(value);
    if (words.length > 1 || MAGIC.test(words[0]!)) {
      // A pattern: each path the braces make is globbed; the union, once each and sorted.
      const hits = new Set<string>();
      for (const word of words) if (word !== '') for (const h of expandGlob(resolve(word))) hits.add(h);
      const files: string[] = [];
      // Pushed one by one: push(...list) takes each item as an argument, and a glob or a
      // directory can name more files than a call has room for.
      for (const h of [...hits].sort()) {
        if (!isDir(h)) files.push(h);
        else for (const f of fromDirectory(h)) files.push(f);
      }
      if (files.length === 0) throw new ConfigAccessError(value, `no config file matches ${value}`);
      for (const f of files) out.push(f);
      continue;
    }
    const abs = resolve(words[0]!);
    if (isDir(abs)) {
      const files = fromDirectory(abs);
      if (files.length === 0)
        throw new ConfigAccessError(value, `no config file in the directory ${abs} (harden looks for config.json in it and in each of its subdirectories)`);
      for (const f of files) out.push(f);
    } else out.push(abs);
  }
  return [...new Set(out)];
}
