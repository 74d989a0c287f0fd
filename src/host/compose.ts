// Compose services that run nanobot, checked for the guide's Docker flags. Findings point at the
// service's line in the compose file. yaml keeps comments and layout, so fixes can edit in place.
import { readInputText } from '../io/read.js';
import { LineCounter, parseDocument, isMap, isPair, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import type { VersionTraits } from '../config/version.js';
import { makeFinding, type Finding } from '../findings.js';

export interface ComposeService {
  name: string;
  node: YAMLMap;
  line: number;
}

export interface ComposeDoc {
  file: string;
  text: string;
  doc: Document;
  counter: LineCounter;
  services: ComposeService[];
}

export function parseCompose(file: string, text: string): ComposeDoc {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  const services: ComposeService[] = [];
  const all = doc.get('services');
  if (isMap(all)) {
    for (const item of all.items) {
      if (!isPair(item) || !isMap(item.value)) continue;
      const name = String(isScalar(item.key) ? item.key.value : item.key);
      // The nanobot service: the one that names nanobot anywhere, or the only one.
      if (!/nanobot/i.test(JSON.stringify(item.value.toJSON() as unknown)) && all.items.length > 1) continue;
      const range = (item.key as { range?: [number, number, number] }).range;
      services.push({ name, node: item.value, line: range ? counter.linePos(range[0]).line : 1 });
    }
  }
  return { file, text, doc, counter, services };
}

export async function loadCompose(file: string): Promise<ComposeDoc | undefined> {
  return parseCompose(file, readInputText(file, `the compose file ${file}`));
}

const list = (node: unknown): unknown[] => (isSeq(node) ? node.items.map((i) => (isScalar(i) ? i.value : isMap(i) ? i.toJSON() : i)) : isScalar(node) ? [node.value] : []);
const strings = (node: unknown): string[] => list(node).filter((v): v is string => typeof v === 'string');

export interface PortUse {
  raw: unknown;
  hostIp?: string;
  published?: string;
  target: string;
}

/** Compose port syntaxes: "8765", "18790:18790", "127.0.0.1:18790:18790", "[::1]:1:1", long form. */
export function parsePort(entry: unknown): PortUse | undefined {
  if (typeof entry === 'number') return { raw: entry, target: String(entry) };
  if (typeof entry === 'string') {
    const m = /^(?:(\[[^\]]+\]|[^:\[]+):)?(?:([^:]*):)?([^:]+)$/.exec(entry);
    if (!m) return undefined;
    const [, a, b, target] = m;
    if (b !== undefined) return { raw: entry, hostIp: a, published: b, target: target!.replace(/\/\w+$/, '') };
    return { raw: entry, ...(a !== undefined ? { published: a } : {}), target: target!.replace(/\/\w+$/, '') };
  }
  if (entry && typeof entry === 'object') {
    const o = entry as Record<string, unknown>;
    return { raw: entry, ...(o['host_ip'] !== undefined ? { hostIp: String(o['host_ip']) } : {}), ...(o['published'] !== undefined ? { published: String(o['published']) } : {}), target: String(o['target']) };
  }
  return undefined;
}

export const isLoopback = (ip: string | undefined): boolean => ip !== undefined && /^(127\.\d+\.\d+\.\d+|\[?::1\]?|localhost)$/.test(ip);

export interface ComposeContext {
  traits: VersionTraits;
  /** tools.exec.sandbox is bwrap: SYS_ADMIN and unconfined profiles are its price. */
  bwrap: boolean;
}

const NEEDED_CAPS = ['CHOWN', 'SETUID', 'SETGID'];

export function composeFindings(c: ComposeDoc, ctx: ComposeContext): Finding[] {
  const out: Finding[] = [];
  for (const s of c.services) {
    const at = (key: string): number => {
      const pair = s.node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
      return range ? c.counter.linePos(range[0]).line : s.line;
    };
    const add = (ruleId: string, line: number, args: Record<string, string> = {}) =>
      out.push(makeFinding({ ruleId, file: c.file, args: { service: `service ${s.name}`, file: c.file, ...args }, pointer: `/services/${s.name}`, line, column: 1, source: { kind: 'file', pointer: `/services/${s.name}` } }, ctx.traits));
    const get = (key: string): unknown => s.node.get(key, true);
    if (s.node.get('read_only') !== true) add('compose-read-only', at('read_only'));
    const secOpts = strings(get('security_opt'));
    if (!secOpts.some((o) => /^no-new-privileges(:true)?$/.test(o))) add('compose-no-new-privileges', at('security_opt'));
    const drop = strings(get('cap_drop')).map((x) => x.toUpperCase());
    const capAdd = strings(get('cap_add')).map((x) => x.toUpperCase().replace(/^CAP_/, ''));
    const extra = capAdd.filter((x) => !NEEDED_CAPS.includes(x) && !(ctx.bwrap && x === 'SYS_ADMIN'));
    if (!drop.includes('ALL') || extra.length > 0) {
      add('compose-cap-drop', at(drop.includes('ALL') ? 'cap_add' : 'cap_drop'), { detail: extra.length > 0 ? ` (it adds ${extra.join(', ')}${extra.includes('SYS_ADMIN') ? ', which only the bwrap sandbox needs' : ''})` : '' });
    }
    const unconfined = secOpts.filter((o) => /^(apparmor|seccomp)[:=]unconfined$/.test(o));
    if (ctx.bwrap && (capAdd.includes('SYS_ADMIN') || unconfined.length > 0)) {
      add('compose-bwrap-trade', at('cap_add'), { grants: [...(capAdd.includes('SYS_ADMIN') ? ['SYS_ADMIN'] : []), ...unconfined].join(', ') });
    }
    if (!strings(get('tmpfs')).some((t) => /^\/tmp(:|$)/.test(t) && /noexec/.test(t) && /nosuid/.test(t))) add('compose-tmpfs', at('tmpfs'));
    for (const entry of list(get('ports'))) {
      const port = parsePort(entry);
      if (port && !isLoopback(port.hostIp)) add('compose-ports-loopback', at('ports'), { port: port.published ?? port.target });
    }
    if (s.node.get('privileged') === true) add('compose-privileged', at('privileged'));
    if (s.node.get('network_mode') === 'host') add('compose-host-network', at('network_mode'));
    for (const v of list(get('volumes'))) {
      const vol = typeof v === 'string' ? { source: v.split(':')[0] ?? '', target: v.split(':')[1] ?? '', ro: /:(ro|readonly)(,|$)/.test(v.split(':').slice(2).join(':')) } : v && typeof v === 'object' ? { source: String((v as Record<string, unknown>)['source'] ?? ''), target: String((v as Record<string, unknown>)['target'] ?? ''), ro: (v as Record<string, unknown>)['read_only'] === true } : undefined;
      if (!vol) continue;
      if (/docker\.sock/.test(vol.source)) add('compose-docker-socket', at('volumes'), { source: vol.source });
      else if (/\/\.nanobot\/?$/.test(vol.target) && !vol.ro) add('compose-config-ro', at('volumes'), { source: vol.source });
    }
  }
  return out;
}
