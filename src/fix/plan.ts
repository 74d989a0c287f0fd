// Findings + answers -> patches, as plain data. Pure: it reads only the audit and the facts it
// is given. What only the owner knows (who may talk to the bot) comes from answers; a patch that
// could lock the owner out or stop the service is held back unless the owner accepts the risk.
import { getIn, type Effective, type LoadIssue, type Shadow } from '../config/model.js';
import type { HostFacts, PathFacts } from '../host/facts.js';
import { getNodeValue } from 'jsonc-parser';
import { schemaAt } from '../config/shape.js';
import { deref } from '../config/pydantic.js';
import type { SchemaNode } from '../config/release.js';
import { SECTIONS } from '../config/layout.js';
import type { JsonNode, ParsedConfig } from '../config/parse.js';
import { dotted, fromPointer, toPointer } from '../config/pointer.js';
import { own } from '../config/own.js';
import type { VersionTraits } from '../config/version.js';
import { RULES, type Finding } from '../findings/index.js';
import { locate, nodePosition } from '../rules/locate.js';
import type { Patch } from './edit.js';
import { BIND_RULES } from '../host/where.js';
import { checkId } from './ids.js';

/** Per channel name, as the owner wrote it: looked up by own key only (see config/own.ts). */
export interface Answers {
  /** Accounts that may talk to the bot, per channel (dm.allowFrom for Slack, Mattermost, Signal). */
  allowFrom?: Record<string, string[]>;
  /** Group or channel IDs where the bot may answer anyone, per channel (Slack, Mattermost, Signal). */
  groupAllowFrom?: Record<string, string[]>;
}

export type { HostFacts, PathFacts } from '../host/facts.js';

export interface ModeChange {
  ruleId: string;
  path: string;
  from: number;
  to: number;
}

export type SkipWhy = 'needs-answer' | 'manual' | 'lockout' | 'conflict';

export interface Skip {
  ruleId: string;
  pointer?: string;
  why: SkipWhy;
  message: string;
}

export interface Plan {
  patches: Patch[];
  modes: ModeChange[];
  skipped: Skip[];
  /** Findings a patch or a mode change answers; the fix is verified against them. */
  addressed: Finding[];
  /** Why a change was made that no finding names (shown with the diff). */
  notes: string[];
}

export interface PlanInput {
  parsed: ParsedConfig;
  effective: Effective;
  findings: readonly Finding[];
  traits: VersionTraits;
  answers: Answers;
  acceptRisk: ReadonlySet<string>;
  host: HostFacts;
}

const HOST_RULES = BIND_RULES;

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

/** The accounts already listed that are worth keeping: everything but "*". */
function keep(list: unknown): string[] {
  return Array.isArray(list) ? list.filter(isString).filter((v) => v !== '*') : [];
}

class Planner {
  readonly patches: Patch[] = [];
  readonly modes: ModeChange[] = [];
  readonly skipped: Skip[] = [];
  readonly addressed: Finding[] = [];
  readonly notes: string[] = [];

  constructor(private readonly input: PlanInput) {}

  /** The pointer nanobot reads a canonical path from: the file's own spelling, else where it belongs. */
  pointer(path: readonly string[]): string {
    return locate(this.input.parsed, this.input.effective, path).pointer;
  }

  value(path: readonly string[]): unknown {
    return getIn(this.input.effective.value, path);
  }

  /** Pointers a set patch is planned for, and the shadows by canonical path: both looked up once per patch. */
  private readonly setAt = new Set<string>();
  private shadowsByPath: Map<string, Shadow[]> | undefined;

  set(ruleId: string, path: readonly string[], after: unknown, pointer = this.pointer(path)): void {
    const before = this.value(path);
    if (this.setAt.has(pointer)) return;
    this.setAt.add(pointer);
    this.patches.push({ op: 'set', ruleId, pointer, before: before === undefined ? null : before, after });
    // Copies of the key that nanobot ignores would now disagree with the value it reads: remove
    // them, so the file says one thing and a second run finds nothing to do.
    if (!this.shadowsByPath) {
      this.shadowsByPath = new Map();
      for (const shadow of this.input.effective.shadows) {
        const key = shadow.path.join('/');
        const list = this.shadowsByPath.get(key);
        if (list) list.push(shadow);
        else this.shadowsByPath.set(key, [shadow]);
      }
    }
    for (const shadow of this.shadowsByPath.get(path.join('/')) ?? []) this.removeCopy(ruleId, shadow);
  }

  /** Removals planned, by pointer and copy (a file can hold thousands of copies of one key). */
  private readonly removed = new Set<string>();

  removeCopy(ruleId: string, shadow: Shadow): void {
    const patch = removal(ruleId, shadow);
    const key = `${patch.copy}|${patch.pointer}`;
    if (this.removed.has(key)) return;
    this.removed.add(key);
    this.patches.push(patch);
  }

  skip(f: Finding, why: SkipWhy, message: string): void {
    this.skipped.push({ ruleId: f.ruleId, ...(f.pointer !== undefined ? { pointer: f.pointer } : {}), why, message });
  }

  held(f: Finding): boolean {
    return !this.input.acceptRisk.has(f.ruleId);
  }

  restrictToWorkspace(f: Finding): void {
    const eff = this.input.effective;
    if (this.input.traits.restrictInExecOnly) {
      // 0.1.3.post4 reads it under tools.exec only; the current place too, for the upgrade.
      this.set(f.ruleId, ['tools', 'exec', 'restrictToWorkspace'], true, this.pointer(['tools', 'exec', 'restrictToWorkspace']));
      this.notes.push(
        `tools.exec.restrictToWorkspace is set because nanobot ${this.input.traits.version.text} reads it there; tools.restrictToWorkspace too, for the releases after it`,
      );
    }
    const current = eff.origins.get('/tools/restrictToWorkspace');
    const tools = eff.origins.get('/tools');
    const currentPointer =
      current?.kind === 'file' ? current.pointer : toPointer([...(tools?.kind === 'file' ? fromPointer(tools.pointer) : ['tools']), 'restrictToWorkspace']);
    this.set(f.ruleId, ['tools', 'restrictToWorkspace'], true, currentPointer);
    // The old place: keep it consistent where the file has it, and write it too when the
    // installed version is unknown (0.1.3.post4 read only tools.exec.restrictToWorkspace).
    const old = eff.origins.get('/tools/exec/restrictToWorkspace');
    if (old?.kind === 'file') {
      this.set(f.ruleId, ['tools', 'exec', 'restrictToWorkspace'], true, old.pointer);
      this.notes.push('tools.exec.restrictToWorkspace is set too: the file has it, and the two places should not disagree');
    } else if (old === undefined && this.input.traits.source === 'assumed' && !this.input.traits.restrictInExecOnly) {
      this.set(f.ruleId, ['tools', 'exec', 'restrictToWorkspace'], true, this.pointer(['tools', 'exec', 'restrictToWorkspace']));
      this.notes.push(
        'tools.exec.restrictToWorkspace is set beside tools.restrictToWorkspace because the installed nanobot version is not known: the oldest releases (0.1.3.post4) read it there only. Pass --nanobot-version to write only the place your release reads',
      );
    }
  }

  allowList(f: Finding, path: readonly string[]): void {
    const channel = path[1]!;
    const ids = own(this.input.answers.allowFrom, channel);
    if (ids === undefined) {
      this.skip(f, 'needs-answer', `${dotted(path)}: say who may talk to the bot with --allow-from ${channel}=ID[,ID...] or an --answers file`);
      return;
    }
    const list = unique([...keep(this.value(path)), ...ids]);
    if (list.length === 0 && this.onlyEnabledChannel(channel) && this.held(f)) {
      this.skip(
        f,
        'lockout',
        `${dotted(path)}: an empty list shuts everyone out of the only enabled channel; pass --accept-risk ${f.ruleId} to write it anyway`,
      );
      return;
    }
    this.set(f.ruleId, path, list);
  }

  /**
   * An allow-list entry that can never match: rewritten in the form the channel compares where
   * that form is clear (checkId: "+49..." to "49...", "@name" to "name", capitals lowered), the
   * whole list at once; an entry with no such form (a Discord name) is replaced by the accounts
   * given with --allow-from, or left with a sentence saying which flag supplies them.
   */
  neverMatches(f: Finding): void {
    const path = f.path ?? [];
    const listPath = path.slice(0, -1);
    const channel = listPath[1];
    const list = this.value(listPath);
    const index = Number(path[path.length - 1]);
    if (!channel || !Array.isArray(list) || !Number.isInteger(index)) return;
    const form = (entry: unknown): string | undefined => {
      if (typeof entry !== 'string') return undefined;
      const c = checkId(channel, entry);
      return c.ok ? c.id : undefined;
    };
    const mine = form(list[index]);
    const answered = own(this.input.answers.allowFrom, channel);
    if ((mine === undefined || mine === list[index]) && answered === undefined) {
      this.skip(
        f,
        'needs-answer',
        `${dotted(path)}: no form of it can match; give the account with --allow-from ${channel}=ID[,ID...] (it replaces the entries that cannot match)`,
      );
      return;
    }
    // Every entry in its comparable form; those without one go, replaced by the answers.
    const rewritten = (list as unknown[]).flatMap((entry) => {
      const id = form(entry);
      if (id !== undefined) return [id];
      return answered !== undefined && typeof entry === 'string' && entry !== '*' ? [] : [entry];
    });
    this.set(f.ruleId, listPath, unique([...(rewritten as string[]), ...(answered ?? [])]));
  }

  dmPolicy(f: Finding, path: readonly string[]): void {
    const channel = path[1]!;
    const ids = own(this.input.answers.allowFrom, channel);
    const base = path.slice(0, -1); // channels/<name>/dm
    if (ids === undefined) {
      this.skip(f, 'needs-answer', `${dotted(path)}: say who may message the bot with --allow-from ${channel}=ID[,ID...], and it becomes "allowlist"`);
      return;
    }
    this.set(f.ruleId, [...base, 'policy'], 'allowlist');
    this.set(f.ruleId, [...base, 'allowFrom'], unique([...keep(this.value([...base, 'allowFrom'])), ...ids]));
  }

  groupPolicy(f: Finding, path: readonly string[]): void {
    const channel = path[1]!;
    const ids = own(this.input.answers.groupAllowFrom, channel);
    if (ids === undefined) {
      this.skip(f, 'needs-answer', `${dotted(path)}: name the channels where the bot may answer with --group-allow-from ${channel}=ID[,ID...]`);
      return;
    }
    const signal = channel === 'signal';
    const policy = signal ? ['channels', channel, 'group', 'policy'] : ['channels', channel, 'groupPolicy'];
    const list = signal ? ['channels', channel, 'group', 'allowFrom'] : ['channels', channel, 'groupAllowFrom'];
    this.set(f.ruleId, policy, 'allowlist');
    this.set(f.ruleId, list, unique([...keep(this.value(list)), ...ids]));
  }

  /** The issue behind a load finding (what the release rejects, by its canonical path). */
  private issueOf(f: Finding): LoadIssue | 'gateway-exit' | 'migrate' | 'env' | 'unset' | undefined {
    const load = this.input.effective.load;
    const key = (f.path ?? []).join('/');
    if (f.ruleId === 'channel-not-started') return load.idle.find((i) => i.issue && i.issue.path.join('/') === key)?.issue;
    if (load.gatewayExit && load.gatewayExit.path.join('/') === key) return 'gateway-exit';
    for (const c of load.causes) {
      if (c.kind === 'invalid' && c.issue.path.join('/') === key) return c.issue;
      if (c.kind !== 'invalid' && c.path.join('/') === key) return c.kind === 'migrate' ? 'migrate' : c.kind === 'env-json' ? 'env' : 'unset';
    }
    return undefined;
  }

  /**
   * What stops nanobot, or drops the file, or leaves a channel out: corrected where the correction
   * cannot mean something else (an ID written as a number, a lone string where a list belongs, an
   * empty list or null where an object belongs, null where the field has a default, a key no nanobot
   * knows at the top, the hardened value of a setting harden hardens anyway); everything else is
   * left to the owner, and fix then stops before writing (fix.ts).
   */
  cause(f: Finding): void {
    const issue = this.issueOf(f);
    const where = f.pointer !== undefined ? dotted(fromPointer(f.pointer)) : 'the config';
    if (issue === 'gateway-exit') return this.allowList({ ...f, ruleId: 'allow-from-empty' }, f.path ?? []);
    if (issue === 'env')
      return this.skip(f, 'manual', `${where}: correct or remove the environment variable where it is set (harden does not edit units or compose files)`);
    if (issue === 'unset') return this.skip(f, 'manual', `${where}: set the variable for nanobot's service, or write the value itself`);
    const node = f.pointer !== undefined ? nodeAt(this.input.parsed.root, f.pointer) : undefined;
    if (issue === 'migrate') {
      if (node && (node.type === 'null' || (node.type === 'array' && (node.children ?? []).length === 0)))
        return this.set(f.ruleId, f.path ?? [], {}, f.pointer);
      return this.skip(f, 'manual', `${where}: write an object there`);
    }
    if (!issue) return this.skip(f, 'manual', `${where}: by hand: ${RULES[f.ruleId]?.fix.text ?? ''}`);
    if (issue.origin.kind === 'env') return this.skip(f, 'manual', `${where}: correct or remove ${issue.env ?? 'the environment variable'} where it is set`);
    const path = issue.path;
    if (issue.kind === 'extra' && path.length === 1 && node?.parent?.type === 'property') {
      const key = String(node.parent.children?.[0]?.value);
      if (SECTIONS.includes(key)) return this.skip(f, 'manual', `${key} is a section of newer nanobot releases: upgrade nanobot, or remove it`);
      return this.remove(f.ruleId, f.pointer!, node.parent);
    }
    const field = schemaAt(this.input.effective.release, path);
    const value: unknown = node ? getNodeValue(node) : undefined;
    const hardened = hardenedValue(path);
    if (issue.kind === 'validator' && hardened !== undefined) return this.set(f.ruleId, path, hardened, this.pointer(path));
    if (!node || !field) return this.skip(f, 'manual', `${where}: by hand: ${RULES[f.ruleId]?.fix.text ?? ''}`);
    const accepts = kinds(field.node, field.defs);
    let after: unknown;
    if (typeof value === 'number' && Number.isInteger(value) && accepts.has('string') && !accepts.has('integer')) after = String(value);
    else if (typeof value === 'string' && accepts.has('array') && !accepts.has('string')) after = [value];
    else if ((value === null || (Array.isArray(value) && value.length === 0)) && accepts.has('object') && !accepts.has('array')) after = {};
    else if (hardened !== undefined && issue.kind !== 'enum') after = hardened;
    else if (value === null && Object.hasOwn(field.node, 'default') && field.node.default !== null) after = field.node.default;
    if (after === undefined) return this.skip(f, 'manual', `${where} must be ${issue.expected}: correct it by hand`);
    this.set(f.ruleId, path, after, f.pointer);
  }

  private remove(ruleId: string, pointer: string, prop: JsonNode): void {
    const key = `${pointer}|remove`;
    if (this.removed.has(key)) return;
    this.removed.add(key);
    this.patches.push({ op: 'remove', ruleId, pointer, before: null, copy: copyNumber(prop) });
  }

  /** The enabled channels but websocket (none: no channels section), listed once: a config can have thousands. */
  private enabledChannels: { names?: string[] } | undefined;

  onlyEnabledChannel(channel: string): boolean {
    if (!this.enabledChannels) {
      const channels = this.value(['channels']);
      this.enabledChannels =
        channels && typeof channels === 'object'
          ? {
              names: Object.entries(channels as Record<string, unknown>)
                .filter(
                  ([name, v]) =>
                    name !== 'websocket' &&
                    v !== null &&
                    typeof v === 'object' &&
                    Object.hasOwn(v, 'enabled') &&
                    (v as Record<string, unknown>)['enabled'] === true,
                )
                .map(([name]) => name),
            }
          : {};
    }
    const names = this.enabledChannels.names;
    return names === undefined || (names.length === 1 && names[0] === channel);
  }

  /** The shadows by pointer and position, built on the first duplicate-key finding. */
  private shadowAt: Map<string, Shadow> | undefined;

  duplicate(f: Finding): void {
    if (!this.shadowAt) {
      this.shadowAt = new Map();
      for (const s of this.input.effective.shadows) {
        const pos = nodePosition(this.input.parsed, s.node);
        const key = `${pos.line}:${pos.column}|${s.pointer}`;
        if (!this.shadowAt.has(key)) this.shadowAt.set(key, s);
      }
    }
    const shadow = this.shadowAt.get(`${f.line}:${f.column}|${f.pointer}`);
    if (shadow) this.removeCopy(f.ruleId, shadow);
  }

  mode(f: Finding, target: PathFacts | undefined, to: number, inside?: PathFacts): void {
    if (!target) return;
    // chmod empties an ACL's mask: the users and groups it names lose their access, to the file
    // itself or (the directory's search bit) to the config inside it.
    const acl = [...(target.acl ?? []), ...(inside?.acl ?? [])];
    if (acl.length > 0 && (to & 0o070) === 0 && this.held(f)) {
      const shared = inside?.acl?.length ? `${inside.path}, which is inside it, is shared through an ACL` : `${target.path} is shared through an ACL`;
      this.skip(
        f,
        'lockout',
        `${shared} (${acl.join(', ')}); chmod ${to.toString(8)} ${target.path} would lock them out. Pass --accept-risk ${f.ruleId} to do it anyway`,
      );
      return;
    }
    // A group other than the owner's own can read it: someone else (a container user, a service
    // group) may depend on that access.
    const shared = (target.mode & 0o070) !== 0 && target.ownerGid !== undefined && target.gid !== target.ownerGid;
    if (shared && this.held(f)) {
      this.skip(
        f,
        'lockout',
        `${target.path} is shared with group ${target.gid}; chmod ${to.toString(8)} would lock that group out. Pass --accept-risk ${f.ruleId} to do it anyway`,
      );
      return;
    }
    if ((target.mode & 0o777) !== to) this.modes.push({ ruleId: f.ruleId, path: target.path, from: target.mode & 0o777, to });
  }

  finding(f: Finding): void {
    const before = this.patches.length + this.modes.length;
    this.dispatch(f);
    if (this.patches.length + this.modes.length > before) this.addressed.push(f);
  }

  dispatch(f: Finding): void {
    if (f.ruleId === 'env-override' && f.weakens) {
      // Pin the hardened value in the file, where no variable can undo it; the variable itself
      // lives in a unit or compose file harden does not edit.
      this.dispatch({ ...f, ruleId: f.weakens });
      this.skip(
        f,
        'manual',
        `remove ${f.source.name ?? 'the variable'} from ${f.source.file ?? 'its file'}${f.source.line ? `:${f.source.line}` : ''}; with the value in the config it no longer decides anything`,
      );
      return;
    }
    const rule = RULES[f.ruleId];
    if (!rule || f.ruleId === 'not-checked') return;
    const path = f.path ?? [];
    if (HOST_RULES.has(f.ruleId) && this.input.host.inContainer && this.held(f)) {
      const why = this.input.host.evidence ? ` (${this.input.host.evidence})` : '';
      this.skip(
        f,
        'lockout',
        `${dotted(path)}: nanobot runs in a container${why}, where it must listen on 0.0.0.0 (publish the port on 127.0.0.1 on the host instead); pass --accept-risk ${f.ruleId} to change it anyway`,
      );
      return;
    }
    switch (f.ruleId) {
      case 'restrict-to-workspace':
      case 'old-place-ignored':
        return this.restrictToWorkspace(f);
      case 'allow-from-never-matches':
        return this.neverMatches(f);
      case 'allow-from-empty':
      case 'allow-from-wildcard':
        return this.allowList(f, path);
      case 'dm-policy-open':
        return this.dmPolicy(f, path);
      case 'group-policy-open':
        return this.groupPolicy(f, path);
      case 'duplicate-key':
        return this.duplicate(f);
      case 'email-spoofable':
        this.set(f.ruleId, [...path.slice(0, -1), 'verifyDkim'], true);
        this.set(f.ruleId, [...path.slice(0, -1), 'verifySpf'], true);
        return;
      case 'nanobot-will-not-start':
      case 'nanobot-runs-on-defaults':
      case 'channel-not-started':
        return this.cause(f);
      case 'config-file-mode':
        return this.mode(f, this.input.host.file, 0o600);
      case 'config-dir-mode':
        return this.mode(f, this.input.host.dir, 0o700, this.input.host.file);
    }
    if (rule.fix.kind === 'set' && rule.fix.value !== undefined && f.path) {
      this.set(f.ruleId, f.path, rule.fix.value);
      return;
    }
    if (rule.fix.kind === 'manual' || rule.fix.kind === 'set')
      this.skip(f, 'manual', `${f.pointer !== undefined ? dotted(fromPointer(f.pointer)) + ': ' : ''}by hand: ${rule.fix.text}`);
  }
}

/** The values harden hardens these settings to: a value nanobot rejects there becomes the hardened one. */
const HARDENED: readonly (readonly [string, string])[] = [
  ['tools/restrictToWorkspace', 'restrict-to-workspace'],
  ['tools/exec/timeout', 'exec-timeout'],
  ['gateway/host', 'gateway-host-loopback'],
  ['api/host', 'api-host-loopback'],
  ['channels/websocket/host', 'websocket-host-loopback'],
  ['channels/websocket/websocketRequiresToken', 'websocket-token-not-required'],
  ['channels/msteams/validateInboundAuth', 'msteams-inbound-auth'],
];

function hardenedValue(path: readonly string[]): unknown {
  const key = path.join('/');
  const row = HARDENED.find(([p]) => p === key);
  return row ? RULES[row[1]]?.fix.value : undefined;
}

/** The JSON types a field accepts (a union's members, null included). */
function kinds(node: SchemaNode, defs: Record<string, SchemaNode>): Set<string> {
  const out = new Set<string>();
  const add = (n: SchemaNode): void => {
    const d = deref(n, defs);
    if (d.anyOf) d.anyOf.forEach(add);
    else if (d.properties || d['x-model']) out.add('object');
    else if (d.enum) for (const e of d.enum) out.add(e === null ? 'null' : typeof e === 'number' ? 'number' : typeof e);
    else for (const t of Array.isArray(d.type) ? d.type : d.type ? [d.type] : []) out.add(t);
  };
  add(node);
  return out;
}

/** The node at a file pointer, taking the last of duplicated keys as json.load does. */
function nodeAt(root: JsonNode, pointer: string): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const seg of fromPointer(pointer)) {
    if (!node) return undefined;
    if (node.type === 'array') node = node.children?.[Number(seg)];
    else if (node.type === 'object') {
      let found: JsonNode | undefined;
      for (const p of node.children ?? []) if (p.children?.[0]?.value === seg) found = p.children[1];
      node = found;
    } else return undefined;
  }
  return node;
}

/** The patch that removes one losing copy of a key (its number among same-named siblings). */
export function removal(ruleId: string, shadow: Shadow): Extract<Patch, { op: 'remove' }> {
  const prop = shadow.node.parent;
  return { op: 'remove', ruleId, pointer: shadow.pointer, before: null, copy: prop ? copyNumber(prop) : -1 };
}

// Each object's properties numbered among their same-named siblings, counted once per object.
const copies = new WeakMap<JsonNode, number>();

/** The property's number among the same-named properties of its object, in file order. */
function copyNumber(prop: JsonNode): number {
  let n = copies.get(prop);
  if (n === undefined) {
    const seen = new Map<unknown, number>();
    for (const p of prop.parent?.children ?? []) {
      const name: unknown = p.children?.[0]?.value;
      const k = seen.get(name) ?? 0;
      copies.set(p, k);
      seen.set(name, k + 1);
    }
    n = copies.get(prop) ?? -1;
  }
  return n;
}

/** Removals first (later copies before earlier ones, so copy numbers stay true), then sets. */
export function orderPatches(patches: readonly Patch[]): Patch[] {
  const removals = patches.flatMap((x) => (x.op === 'remove' ? [x] : [])).sort((a, b) => a.pointer.localeCompare(b.pointer) || b.copy - a.copy);
  return [...removals, ...patches.filter((x) => x.op === 'set')];
}

export function plan(input: PlanInput): Plan {
  const p = new Planner(input);
  for (const f of input.findings) p.finding(f);
  return { patches: orderPatches(p.patches), modes: p.modes, skipped: p.skipped, addressed: p.addressed, notes: [...new Set(p.notes)] };
}
