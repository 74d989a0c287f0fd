// Fix the nanobot service of a compose project by editing bytes, not by writing the YAML out
// again: each change is a replacement, insertion or deletion at the exact span the yaml parser
// gives for the node it concerns, so `mode: 0440`, `1e3`, long lines, flow and block styles,
// anchors, aliases and comments outside those spans stay byte for byte (re-serialising turned
// `0440` into `440`, which Compose reads as decimal). A node that an alias elsewhere refers to is
// never edited (the change would reach the other places too): such a change is left to the user.
// A change that could stop the container from starting (cap_drop without the capabilities the
// current image needs) is never made alone.
import { isAlias, isMap, isScalar, isSeq, stringify, visit, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Finding } from '../findings/index.js';
import {
  NEEDED_CAPS,
  capName,
  composeBoolean,
  composeProject,
  isLoopback,
  parsePort,
  type ComposeFile,
  type ComposeProject,
  type ComposeService,
  type Origin,
} from '../host/compose.js';
import type { Skip } from './plan.js';

export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

export interface ComposeFileEdit {
  file: string;
  before: string;
  after: string;
  edits: TextEdit[];
  /** The rules whose changes are in this file. */
  rules: string[];
}

export interface ComposeEdit {
  files: ComposeFileEdit[];
  applied: string[];
  /** Each with the file of the finding it leaves. */
  skipped: (Skip & { file: string })[];
}

const TMP = '/tmp:noexec,nosuid,size=100m';

type Range = [number, number, number];
const rangeOf = (n: unknown): Range | undefined => (n as { range?: Range | null } | null)?.range ?? undefined;

/** A scalar as yaml writes it: plain where that reads back the same, quoted where it must be. */
export function scalarText(value: string | boolean, flow = false): string {
  if (typeof value === 'boolean') return String(value);
  const plain = stringify(value).replace(/\n$/, '');
  if (flow && /[,[\]{}]/.test(plain)) return JSON.stringify(value);
  return plain.includes('\n') ? JSON.stringify(value) : plain;
}

/** The text of a scalar replacing `node`, quoted as the node was. */
function likeScalar(node: Scalar, value: string, flow: boolean): string {
  if (node.type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (node.type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  // A number written plain (`- 8765`) becomes a string: quoted, as Compose's docs write ports.
  if (typeof node.value !== 'string') return JSON.stringify(value);
  return scalarText(value, flow);
}

class FileEditor {
  readonly edits: TextEdit[] = [];
  readonly rules = new Set<string>();
  private readonly protectedRanges: [number, number][] = [];
  readonly eol: string;

  constructor(readonly f: ComposeFile) {
    this.eol = f.text.includes('\r\n') ? '\r\n' : '\n';
    // Nodes with an anchor that some alias uses: editing them would change the aliases too.
    const used = new Set<string>();
    visit(f.doc, { Alias: (_, a) => void used.add(a.source) });
    visit(f.doc, {
      Node: (_, n) => {
        const r = rangeOf(n);
        if (n.anchor && used.has(n.anchor) && r) this.protectedRanges.push([r[0], r[2]]);
      },
    });
  }

  private get text(): string {
    return this.f.text;
  }

  lineStart(at: number): number {
    return this.text.lastIndexOf('\n', at - 1) + 1;
  }

  /** The start of the line after the one `at` is on (or `at` when it starts a line). */
  nextLine(at: number): number {
    if (at > 0 && this.text[at - 1] === '\n') return at;
    const nl = this.text.indexOf('\n', at);
    return nl < 0 ? this.text.length : nl + 1;
  }

  indentAt(at: number): string {
    const start = this.lineStart(at);
    return /^[ \t]*/.exec(this.text.slice(start))![0];
  }

  column(at: number): number {
    return at - this.lineStart(at);
  }

  /** Whether an edit at [start, end) is allowed: inside no aliased node, touching no other edit. */
  free(start: number, end: number, batch: readonly TextEdit[]): boolean {
    for (const [a, b] of this.protectedRanges) if (start < b && end > a && !(start === end && (start === a || start === b))) return false;
    for (const e of [...this.edits, ...batch]) {
      const eEnd = e.offset + e.length;
      if (start < eEnd && end > e.offset) return false;
      if (start === end && e.length > 0 && start > e.offset && start < eEnd) return false;
      if (e.length === 0 && end > start && e.offset > start && e.offset < end) return false;
    }
    return true;
  }

  /** At the end of a block collection's last item: where a new line for another item goes. */
  afterLast(collection: YAMLMap | YAMLSeq): number {
    const last = collection.items[collection.items.length - 1] as Pair | Node | undefined;
    const end =
      last === undefined ? undefined : isMap(collection) ? (rangeOf((last as Pair).value)?.[1] ?? rangeOf((last as Pair).key)?.[1]) : rangeOf(last)?.[1];
    return this.nextLine(end ?? rangeOf(collection)![1]);
  }

  /** The text to insert at `at` for a new line, with a line break first when the file ends without one. */
  line(at: number, content: string): TextEdit {
    const lead = at === this.text.length && at > 0 && !this.text.endsWith('\n') ? this.eol : '';
    return { offset: at, length: 0, content: lead + content + this.eol };
  }

  /** The indent of a block map's keys, and one step more for what nests under them. */
  mapIndent(map: YAMLMap): { keys: string; step: string } {
    const first = map.items[0];
    const at = rangeOf(first?.key)?.[0] ?? rangeOf(map)![0];
    const keys = ' '.repeat(this.column(at));
    return { keys, step: '  ' };
  }

  /** The closing bracket of a flow collection. */
  closing(node: YAMLMap | YAMLSeq): number {
    let at = rangeOf(node)![1] - 1;
    while (at > 0 && this.text[at] !== ']' && this.text[at] !== '}') at--;
    return at;
  }
}

type Change = { file: ComposeFile; edit: TextEdit };

interface Ctx {
  editors: Map<ComposeFile, FileEditor>;
  service: ComposeService;
  /** Edits of the finding being fixed: all go in, or none. */
  batch: Change[];
  failed?: string;
}

function editor(ctx: Ctx, f: ComposeFile): FileEditor {
  let e = ctx.editors.get(f);
  if (!e) ctx.editors.set(f, (e = new FileEditor(f)));
  return e;
}

function push(ctx: Ctx, f: ComposeFile, edit: TextEdit, why: string): void {
  if (ctx.failed) return;
  const e = editor(ctx, f);
  const mine = ctx.batch.filter((c) => c.file === f).map((c) => c.edit);
  if (!e.free(edit.offset, edit.offset + edit.length, mine)) {
    ctx.failed = why;
    return;
  }
  ctx.batch.push({ file: f, edit });
}

const last = (s: ComposeService) => s.declarations[s.declarations.length - 1];
const pairOf = (map: YAMLMap, key: string): Pair | undefined => map.items.find((p) => isScalar(p.key) && p.key.value === key);

/** Set `key: value` in the service's last declaration: replace its value, or add the key. */
function setKey(ctx: Ctx, f: ComposeFile, map: YAMLMap, key: string, value: string | boolean): void {
  const e = editor(ctx, f);
  const pair = pairOf(map, key);
  const flow = map.flow === true;
  if (pair) {
    const keyEnd = rangeOf(pair.key)![1];
    const colon = f.text.indexOf(':', keyEnd);
    const end = rangeOf(pair.value)?.[1] ?? colon + 1;
    push(
      ctx,
      f,
      { offset: colon + 1, length: Math.max(end - colon - 1, 0), content: ` ${scalarText(value, flow)}` },
      `${key} is inside a part other places refer to`,
    );
    return;
  }
  if (flow) {
    const close = e.closing(map);
    push(
      ctx,
      f,
      { offset: close, length: 0, content: `${map.items.length > 0 ? ', ' : ''}${key}: ${scalarText(value, true)}` },
      `${key} cannot be added there`,
    );
    return;
  }
  const at = e.afterLast(map);
  push(ctx, f, e.line(at, `${e.mapIndent(map).keys}${key}: ${scalarText(value)}`), `${key} cannot be added there`);
}

/** Add items to the list under `key` in the service's last declaration (or add the key). */
function addItems(ctx: Ctx, f: ComposeFile, map: YAMLMap, key: string, items: readonly string[]): void {
  if (items.length === 0) return;
  const e = editor(ctx, f);
  const pair = pairOf(map, key);
  const value = pair?.value;
  if (pair && isSeq(value)) {
    if (value.flow) {
      const close = e.closing(value);
      push(
        ctx,
        f,
        { offset: close, length: 0, content: `${value.items.length > 0 ? ', ' : ''}${items.map((i) => scalarText(i, true)).join(', ')}` },
        `${key} cannot be added to`,
      );
      return;
    }
    const first = value.items[0] as Node;
    const dash = f.text.lastIndexOf('-', rangeOf(first)![0]);
    const indent = ' '.repeat(e.column(dash));
    const at = e.afterLast(value);
    for (const item of items) push(ctx, f, e.line(at, `${indent}- ${scalarText(item)}`), `${key} cannot be added to`);
    return;
  }
  if (pair && isScalar(value) && typeof value.value === 'string') {
    // `tmpfs: /run`: a string is a list of one for Compose; keep it and add to it.
    const raw = f.text.slice(rangeOf(value)![0], rangeOf(value)![1]);
    push(
      ctx,
      f,
      {
        offset: rangeOf(value)![0],
        length: rangeOf(value)![1] - rangeOf(value)![0],
        content: `[${[raw, ...items.map((i) => scalarText(i, true))].join(', ')}]`,
      },
      `${key} cannot be changed there`,
    );
    return;
  }
  if (pair && (value === null || (isScalar(value) && value.value === null))) {
    const colon = f.text.indexOf(':', rangeOf(pair.key)![1]);
    const end = rangeOf(value)?.[1] ?? colon + 1;
    push(
      ctx,
      f,
      { offset: colon + 1, length: Math.max(end - colon - 1, 0), content: ` [${items.map((i) => scalarText(i, true)).join(', ')}]` },
      `${key} cannot be changed there`,
    );
    return;
  }
  if (pair) {
    ctx.failed = `${key} is written in a form harden does not edit (${isAlias(value) ? 'an alias' : 'not a list'})`;
    return;
  }
  if (map.flow) {
    const close = e.closing(map);
    push(
      ctx,
      f,
      { offset: close, length: 0, content: `${map.items.length > 0 ? ', ' : ''}${key}: [${items.map((i) => scalarText(i, true)).join(', ')}]` },
      `${key} cannot be added there`,
    );
    return;
  }
  const { keys, step } = e.mapIndent(map);
  const at = e.afterLast(map);
  push(ctx, f, e.line(at, [`${keys}${key}:`, ...items.map((i) => `${keys}${step}- ${scalarText(i)}`)].join(e.eol)), `${key} cannot be added there`);
}

/** The list node and item node an item of the effective value was written as, in a named file. */
function locateItem(ctx: Ctx, key: string, origin: Origin | undefined): { f: ComposeFile; seq: YAMLSeq; item: Node } | undefined {
  if (!origin?.node) return undefined;
  for (const d of ctx.service.declarations) {
    if (d.file.file !== origin.file) continue;
    const seq = pairOf(d.node, key)?.value;
    if (isSeq(seq) && seq.items.includes(origin.node)) return { f: d.file, seq, item: origin.node };
  }
  return undefined;
}

/** Remove `key:` and its value from a map. */
function removePair(ctx: Ctx, f: ComposeFile, map: YAMLMap, pair: Pair): void {
  const e = editor(ctx, f);
  const kr = rangeOf(pair.key)!;
  const end = rangeOf(pair.value)?.[1] ?? kr[1];
  if (map.flow) {
    const index = map.items.indexOf(pair);
    const prev = map.items[index - 1];
    const next = map.items[index + 1];
    const start = prev ? (rangeOf(prev.value)?.[1] ?? rangeOf(prev.key)![1]) : kr[0];
    const stop = prev ? end : next ? rangeOf(next.key)![0] : end;
    push(ctx, f, { offset: start, length: stop - start, content: '' }, `${String((pair.key as Scalar).value)} cannot be removed there`);
    return;
  }
  const start = e.lineStart(kr[0]);
  if (map.items.length === 1 || f.text.slice(start, kr[0]).trim() !== '') {
    ctx.failed = `${String((pair.key as Scalar).value)} shares its line with another key`;
    return;
  }
  push(ctx, f, { offset: start, length: e.nextLine(end) - start, content: '' }, `${String((pair.key as Scalar).value)} cannot be removed there`);
}

/** The port entry with its host address made 127.0.0.1, variables in it kept. */
function loopbackPort(raw: string): string | undefined {
  // Split on the colons outside ${...}: [host:]published:target, or target alone.
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '$' && raw[i + 1] === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    if (c === ':' && depth === 0 && !(raw.startsWith('[') && cur.startsWith('[') && !cur.includes(']'))) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  // A port alone is published on a random host port: keep that, on 127.0.0.1.
  if (parts.length === 1) return `127.0.0.1::${parts[0]}`;
  if (parts.length === 2) return `127.0.0.1:${parts[0]}:${parts[1]}`;
  if (parts.length === 3) return `127.0.0.1:${parts[1]}:${parts[2]}`;
  return undefined;
}

function fixPorts(ctx: Ctx): void {
  const ports = ctx.service.value['ports'];
  if (!Array.isArray(ports)) return;
  const origins = ctx.service.items('ports');
  ports.forEach((entry, i) => {
    const p = parsePort(entry);
    if (!p || isLoopback(p.hostIp)) return;
    const hit = locateItem(ctx, 'ports', origins[i]);
    if (!hit) {
      ctx.failed = `a port comes from a part of the project harden does not edit`;
      return;
    }
    const { f, item } = hit;
    if (isMap(item)) {
      setKey(ctx, f, item, 'host_ip', '127.0.0.1');
      return;
    }
    if (!isScalar(item)) return;
    const r = rangeOf(item)!;
    const raw = typeof item.value === 'string' ? item.value : f.text.slice(r[0], r[1]);
    const fixed = loopbackPort(raw);
    if (!fixed) {
      ctx.failed = `the port ${raw} is in a form harden does not edit`;
      return;
    }
    push(
      ctx,
      f,
      { offset: r[0], length: r[1] - r[0], content: likeScalar(item, fixed, isSeq(hit.seq) && hit.seq.flow === true) },
      'a port cannot be changed there',
    );
  });
}

/**
 * The list under `key` without the items `bad` picks, wherever in the named files they were
 * written, and with `add` appended in the service's last declaration. A block list loses the lines
 * of its removed items; a flow list (`[a, b]`) is written again with the items it keeps as they
 * were spelt; a list that would lose every item is written anew in its own style.
 */
function editList(ctx: Ctx, key: string, bad: (v: string) => boolean, add: readonly string[]): void {
  const s = ctx.service;
  const d = last(s)!;
  const v = s.value[key];
  const ownValue = pairOf(d.node, key)?.value;
  const origins = s.items(key);
  const groups = new Map<YAMLSeq, { f: ComposeFile; bad: Node[] }>();
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (typeof item !== 'string' || !bad(item)) return;
      const hit = locateItem(ctx, key, origins[i]);
      if (!hit) {
        const o = origins[i];
        ctx.failed = `an item of ${key} comes from a part of the project harden does not edit (${o ? `${o.file}:${o.line}` : 'an alias'})`;
        return;
      }
      const g = groups.get(hit.seq) ?? { f: hit.f, bad: [] };
      g.bad.push(hit.item);
      groups.set(hit.seq, g);
    });
  }
  let added = add.length === 0;
  for (const [seq, { f, bad: gone }] of groups) {
    const e = editor(ctx, f);
    const own = seq === ownValue;
    const extra = own ? add : [];
    if (own) added = true;
    const kept = seq.items.filter((x) => !gone.includes(x as Node)) as Node[];
    const r = rangeOf(seq)!;
    if (seq.flow) {
      if (f.text.slice(r[0], r[1]).includes('#')) {
        ctx.failed = `${key} has comments inside its brackets`;
        return;
      }
      const items = [...kept.map((x) => f.text.slice(rangeOf(x)![0], rangeOf(x)![1])), ...extra.map((i) => scalarText(i, true))];
      push(ctx, f, { offset: r[0], length: r[1] - r[0], content: `[${items.join(', ')}]` }, `${key} cannot be changed there`);
      continue;
    }
    const dashOf = (x: Node) => f.text.lastIndexOf('-', rangeOf(x)![0]);
    const first = seq.items[0] as Node;
    const indent = ' '.repeat(e.column(dashOf(first)));
    for (const x of seq.items as Node[]) {
      if (f.text.slice(e.lineStart(dashOf(x)), dashOf(x)).trim() !== '') {
        ctx.failed = `an item of ${key} shares its line with another`;
        return;
      }
    }
    if (kept.length === 0 && extra.length === 0) {
      // The key stays, with an empty list: what Compose reads as no items.
      const pair = s.declarations.find((x) => x.file === f)!.node.items.find((p) => p.value === seq)!;
      const colon = f.text.indexOf(':', rangeOf(pair.key)![1]);
      push(ctx, f, { offset: colon + 1, length: r[1] - colon - 1, content: ' []' }, `${key} cannot be changed there`);
      continue;
    }
    for (const x of gone) {
      const start = e.lineStart(dashOf(x));
      push(ctx, f, { offset: start, length: e.nextLine(rangeOf(x)![1]) - start, content: '' }, `${key} cannot be changed there`);
    }
    const at = e.afterLast(seq);
    if (extra.length > 0)
      push(ctx, f, { offset: at, length: 0, content: extra.map((i) => `${indent}- ${scalarText(i)}${e.eol}`).join('') }, `${key} cannot be added to`);
  }
  if (added) return;
  if (isScalar(ownValue) && typeof ownValue.value === 'string' && bad(ownValue.value)) {
    // `tmpfs: /tmp`: a string is a list of one for Compose.
    const r = rangeOf(ownValue)!;
    push(ctx, d.file, { offset: r[0], length: r[1] - r[0], content: `[${add.map((i) => scalarText(i, true)).join(', ')}]` }, `${key} cannot be changed there`);
    return;
  }
  addItems(ctx, d.file, d.node, key, add);
}

function plan(ctx: Ctx, ruleId: string, bwrap: boolean): boolean {
  const s = ctx.service;
  const d = last(s);
  if (!d) return false;
  const values = (key: string) => (Array.isArray(s.value[key]) ? (s.value[key] as unknown[]) : []).filter((x): x is string => typeof x === 'string');
  switch (ruleId) {
    case 'compose-read-only':
      setKey(ctx, d.file, d.node, 'read_only', true);
      return true;
    case 'compose-no-new-privileges':
      editList(ctx, 'security_opt', (o) => /^no-new-privileges/.test(o), ['no-new-privileges:true']);
      return true;
    case 'compose-cap-drop': {
      if (!values('cap_drop').map(capName).includes('ALL')) addItems(ctx, d.file, d.node, 'cap_drop', ['ALL']);
      const keep = (x: string) => NEEDED_CAPS.includes(capName(x)) || (bwrap && capName(x) === 'SYS_ADMIN');
      // The current image chowns its data directory and drops to its own user.
      const have = values('cap_add').map(capName);
      editList(
        ctx,
        'cap_add',
        (x) => !keep(x),
        NEEDED_CAPS.filter((c) => !have.includes(c)),
      );
      return true;
    }
    case 'compose-tmpfs':
      editList(ctx, 'tmpfs', (t) => /^\/tmp(:|$)/.test(t), [TMP]);
      return true;
    case 'compose-ports-loopback':
      fixPorts(ctx);
      return true;
    case 'compose-privileged': {
      const origin = s.at('privileged');
      const decl = s.declarations.find((x) => x.file.file === origin.file && pairOf(x.node, 'privileged') === (origin.node as unknown as Pair | undefined));
      const earlier = s.declarations.some((x) => x !== decl && composeBoolean((pairOf(x.node, 'privileged')?.value as Scalar | undefined)?.value) === true);
      // Removed where it is written, unless another file or a merged anchor would then say true.
      const merged = s.declarations.some((x) => {
        const merge = pairOf(x.node, '<<')?.value;
        const sources = isSeq(merge) ? merge.items : merge ? [merge] : [];
        return sources.some((m) => {
          const map = isAlias(m) ? m.resolve(x.file.doc) : m;
          return (
            isMap(map) && composeBoolean((pairOf(map, 'privileged')?.value as Scalar | undefined)?.value) !== false && pairOf(map, 'privileged') !== undefined
          );
        });
      });
      if (decl && !earlier && !merged) removePair(ctx, decl.file, decl.node, pairOf(decl.node, 'privileged')!);
      else setKey(ctx, d.file, d.node, 'privileged', false);
      return true;
    }
    default:
      return false;
  }
}

/**
 * Edits in the order they apply: by offset, and among insertions at one place the more indented
 * first (a list item added under the last key of a map goes before a key added to the map), and
 * all of them before a replacement that starts there.
 */
function ordered(edits: readonly TextEdit[]): TextEdit[] {
  const depth = (e: TextEdit) => (e.length === 0 ? /^(?:\r?\n)?( *)/.exec(e.content)![1]!.length : -1);
  return [...edits].sort((a, b) => a.offset - b.offset || depth(b) - depth(a));
}

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = '';
  let at = 0;
  for (const e of ordered(edits)) {
    out += text.slice(at, e.offset) + e.content;
    at = e.offset + e.length;
  }
  return out + text.slice(at);
}

export function fixComposeProject(project: ComposeProject, findings: readonly Finding[], bwrap: boolean): ComposeEdit {
  const editors = new Map<ComposeFile, FileEditor>();
  const applied = new Set<string>();
  const skipped: (Skip & { file: string })[] = [];
  const done = new Set<string>();
  for (const f of findings) {
    const s = project.services.find((x) => f.pointer === `/services/${x.name}`);
    if (!s) continue;
    // One change per rule and service, however many findings it made (one per port).
    const key = `${f.ruleId}|${s.name}`;
    if (done.has(key)) continue;
    done.add(key);
    const ctx: Ctx = { editors, service: s, batch: [] };
    if (!plan(ctx, f.ruleId, bwrap)) {
      skipped.push({ file: f.file, ruleId: f.ruleId, pointer: f.pointer ?? '', why: 'manual', message: `${s.name}: by hand` });
      continue;
    }
    if (ctx.failed) {
      skipped.push({ file: f.file, ruleId: f.ruleId, pointer: f.pointer ?? '', why: 'conflict', message: `${s.name}: ${ctx.failed}; fix it by hand` });
      continue;
    }
    for (const c of ctx.batch) {
      editor(ctx, c.file).edits.push(c.edit);
      editor(ctx, c.file).rules.add(f.ruleId);
    }
    applied.add(f.ruleId);
  }
  const files: ComposeFileEdit[] = [];
  for (const f of project.files) {
    const e = editors.get(f);
    const edits = e ? ordered(e.edits) : [];
    files.push({ file: f.file, before: f.text, after: applyEdits(f.text, edits), edits, rules: e ? [...e.rules] : [] });
  }
  return { files, applied: [...applied], skipped };
}

/** Re-parse to check the result is still a compose project with the same services. */
export function sameServices(
  before: ComposeProject,
  after: readonly { file: string; text: string }[],
  env: Readonly<Record<string, string | undefined>>,
  dotenv?: string,
): ComposeProject | undefined {
  try {
    const p = composeProject(after, env, dotenv);
    return p.services.map((s) => s.name).join() === before.services.map((s) => s.name).join() ? p : undefined;
  } catch {
    return undefined;
  }
}
