// A tool call as harden reads it: which files it read, wrote or listed, which hosts it reached,
// and, for a shell command, the command. The tool names and their arguments are nanobot's
// (agent/tools/*.py at each tag): exec {command (v0.3.0 also cmd), working_dir (also workdir)},
// write_stdin {chars} (v0.2.2+, input to a running exec), read_file/write_file/edit_file/list_dir
// {path}, notebook_edit {path} (v0.1.5.post3+), grep/glob/find_files {path}, apply_patch
// {edits: [{path}]} (v0.2.2+), web_fetch {url}, my {action, key, value} (v0.1.5.post3+), and MCP
// tools named mcp_<server>_<tool> (agent/tools/mcp.py, every release since v0.1.4). Relative
// paths are the workspace's from v0.1.4.post1 on (filesystem.py _resolve_path); before that they
// were nanobot's working directory's, which harden cannot know.
import { isAbsolute, join, resolve } from 'node:path';

export interface ToolCall {
  name: string;
  /** The parsed arguments; undefined when they were not a JSON object. */
  args: Record<string, unknown> | undefined;
  /** The arguments as written, when they could not be parsed (a log cuts them at 200 characters). */
  raw?: string;
  id?: string;
}

export type Op = 'read' | 'write' | 'list' | 'named';

export interface Touch {
  /** Absolute, with ~ and $HOME expanded; undefined for a relative path harden cannot place. */
  abs?: string;
  /** As the call wrote it. */
  written: string;
  op: Op;
}

export interface CallFacts {
  /** A shell command (exec, write_stdin), line breaks and runs of blanks made one space. */
  command?: string;
  /** The directory a command runs in, when the call names one. */
  cwd?: string;
  touches: Touch[];
  hosts: string[];
}

export interface Place {
  workspace: string;
  home: string;
  /** MCP servers from the config: server name -> where it runs. */
  mcp: ReadonlyMap<string, { url?: string; command?: string }>;
  /** Relative file-tool paths are the workspace's (v0.1.4.post1 and later). */
  relativeToWorkspace: boolean;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function argument(call: ToolCall, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = str(call.args?.[n]);
    if (v !== undefined) return v;
  }
  if (call.raw !== undefined) {
    // Arguments cut off in a log: the first complete "name": "value" pair.
    for (const n of names) {
      const m = new RegExp(`"${n}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(call.raw);
      if (m) {
        try {
          return JSON.parse(`"${m[1]}"`) as string;
        } catch {
          return m[1];
        }
      }
    }
  }
  return undefined;
}

/** ~, ~/x, $HOME/x and ${HOME}/x as the agent's shell would expand them. */
export function expandHome(path: string, home: string): string {
  if (path === '~' || path === '$HOME' || path === '${HOME}') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  if (path.startsWith('$HOME/')) return join(home, path.slice(6));
  if (path.startsWith('${HOME}/')) return join(home, path.slice(8));
  return path;
}

function place(written: string, base: string | undefined, home: string): string | undefined {
  const expanded = expandHome(written, home);
  if (isAbsolute(expanded)) return resolve(expanded);
  return base === undefined ? undefined : resolve(base, expanded);
}

export function normalizeCommand(command: string): string {
  return command
    .replace(/\\\r?\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Words of a shell command, quotes removed, with the operators between them as their own words. */
export function shellWords(command: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  const flush = () => {
    if (inWord) out.push(word);
    word = '';
    inWord = false;
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
      continue;
    }
    if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
      continue;
    }
    if (/\s/.test(c)) {
      flush();
      continue;
    }
    // Operators: | || & && ; ( ) < > >> 2> &> and the like.
    if ('|&;()<>'.includes(c)) {
      // A descriptor number right before a redirect belongs to it (2>, 2>>).
      if ((c === '>' || c === '<') && inWord && /^\d+$/.test(word)) {
        word = '';
        inWord = false;
      } else flush();
      let op = c;
      while (i + 1 < command.length && '|&<>'.includes(command[i + 1]!) && op.length < 3) op += command[++i];
      out.push(op);
      continue;
    }
    word += c;
    inWord = true;
  }
  flush();
  return out;
}

const OPERATOR = /^[|&;()<>]+$/;
const URL = /\b(?:https?|ftps?|wss?):\/\/([^\s/'"?#`<>]+)/gi;

/** The host of a URL's authority: no userinfo, no port, lower case. */
export function hostOf(authority: string): string | undefined {
  const at = authority.lastIndexOf('@');
  let host = at >= 0 ? authority.slice(at + 1) : authority;
  if (host.startsWith('[')) host = host.slice(0, host.indexOf(']') + 1);
  else host = host.replace(/:\d*$/, '');
  host = host.toLowerCase();
  return /^[\w.[\]:-]+$/.test(host) && host !== '' ? host : undefined;
}

export function hostsIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(URL)) {
    const h = hostOf(m[1]!);
    if (h) out.push(h);
  }
  return out;
}

/** Programs a command line runs through before the one that matters. */
const PREFIXES = new Set(['sudo', 'doas', 'nohup', 'time', 'nice', 'ionice', 'stdbuf', 'timeout', 'exec', 'command', 'builtin', 'xargs']);

interface Segment {
  words: string[];
  /** Files after >, >>, &>. */
  outputs: string[];
  inputs: string[];
}

function segments(words: readonly string[]): Segment[] {
  const out: Segment[] = [];
  let cur: Segment = { words: [], outputs: [], inputs: [] };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (OPERATOR.test(w)) {
      if (w.includes('>') && !w.includes('|')) {
        const target = words[i + 1];
        // >&2, 2>&1: a descriptor, not a file.
        if (target !== undefined && !OPERATOR.test(target) && !w.endsWith('&')) cur.outputs.push(target);
        if (target !== undefined && !OPERATOR.test(target)) i++;
        continue;
      }
      if (w === '<') {
        const source = words[i + 1];
        if (source !== undefined && !OPERATOR.test(source)) {
          cur.inputs.push(source);
          i++;
        }
        continue;
      }
      if (w === '<<' || w === '<<<') {
        i++;
        continue;
      }
      out.push(cur);
      cur = { words: [], outputs: [], inputs: [] };
      continue;
    }
    cur.words.push(w);
  }
  out.push(cur);
  return out.filter((s) => s.words.length > 0 || s.outputs.length > 0);
}

/** The program of a segment and its arguments, past sudo, env VAR=x and the like. */
function program(words: readonly string[]): { name: string; args: string[] } | undefined {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) i++;
    else if (w === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=|^-/.test(words[i + 1] ?? '')) i++;
    else if (PREFIXES.has(w.slice(w.lastIndexOf('/') + 1))) {
      i++;
      while (i < words.length && words[i]!.startsWith('-')) i++;
    } else break;
  }
  if (i >= words.length) return undefined;
  const name = words[i]!.slice(words[i]!.lastIndexOf('/') + 1);
  return { name, args: words.slice(i + 1) };
}

const looksLikePath = (w: string): boolean =>
  !w.includes('://') &&
  !/\s/.test(w) &&
  (w.startsWith('/') ||
    w.startsWith('~') ||
    w.startsWith('$HOME') ||
    w.startsWith('${HOME}') ||
    w.startsWith('./') ||
    w.startsWith('../') ||
    (w.includes('/') && !/^[\w.+-]+@[\w.-]+:/.test(w)) ||
    /^\.?[\w.-]*\.(?:env|json|pem|key)$|^\.env(\.[\w.-]+)?$|^id_[a-z0-9]+$/.test(w));

/** Files a program writes, from its arguments (the targets of cp, mv, tee, sed -i, dd, curl -o, ...). */
function writtenBy(name: string, args: readonly string[]): string[] {
  const plain = args.filter((a) => !a.startsWith('-'));
  switch (name) {
    case 'tee':
    case 'touch':
    case 'truncate':
    case 'mkdir':
      return plain;
    case 'cp':
    case 'mv':
    case 'install':
    case 'ln':
    case 'rsync':
      return plain.length >= 2 ? [plain[plain.length - 1]!] : [];
    case 'chmod':
    case 'chown':
    case 'chgrp':
      return plain.slice(1);
    case 'sed': {
      if (!args.some((a) => a === '-i' || /^-i/.test(a) || a.startsWith('--in-place'))) return [];
      // The script is the first non-option argument unless -e gave it.
      const rest: string[] = [];
      let scriptGiven = false;
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a === '-e' || a === '-f') {
          scriptGiven = true;
          i++;
        } else if (!a.startsWith('-')) rest.push(a);
      }
      return scriptGiven ? rest : rest.slice(1);
    }
    case 'dd':
      return args.filter((a) => a.startsWith('of=')).map((a) => a.slice(3));
    case 'curl':
    case 'wget': {
      const out: string[] = [];
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if ((name === 'curl' && (a === '-o' || a === '--output')) || (name === 'wget' && (a === '-O' || a === '--output-document'))) {
          if (args[i + 1] && args[i + 1] !== '-') out.push(args[i + 1]!);
        } else if (/^--output(?:-document)?=/.test(a)) out.push(a.slice(a.indexOf('=') + 1));
      }
      return out;
    }
    default:
      return [];
  }
}

/** Hosts a program connects to by name rather than by URL (ssh, scp, rsync, nc). */
function hostsBy(name: string, args: readonly string[]): string[] {
  const plain = args.filter((a) => !a.startsWith('-'));
  if (name === 'ssh' || name === 'sftp')
    return plain
      .slice(0, 1)
      .map((a) => hostOf(a))
      .filter((h): h is string => h !== undefined);
  if (name === 'scp' || name === 'rsync') {
    return plain
      .map((a) => /^(?:[\w.-]+@)?([\w.-]+):/.exec(a)?.[1])
      .filter((h): h is string => h !== undefined)
      .map((h) => h.toLowerCase());
  }
  if (name === 'nc' || name === 'ncat' || name === 'netcat' || name === 'telnet')
    return plain.slice(0, 1).filter((a) => /^[\w.-]+$/.test(a) && !/^\d+$/.test(a));
  return [];
}

/** What a shell command reads, writes and reaches. */
export function commandFacts(command: string, cwd: string | undefined, p: Place): { touches: Touch[]; hosts: string[] } {
  const touches: Touch[] = [];
  const hosts = hostsIn(command);
  const writes = new Set<string>();
  for (const seg of segments(shellWords(command))) {
    for (const o of seg.outputs) writes.add(o);
    for (const i of seg.inputs) touches.push({ written: i, op: 'read', ...abs(i, cwd, p) });
    const prog = program(seg.words);
    if (!prog) continue;
    for (const w of writtenBy(prog.name, prog.args)) writes.add(w);
    for (const h of hostsBy(prog.name, prog.args)) hosts.push(h);
    for (const a of prog.args) {
      const value = a.startsWith('-') && a.includes('=') ? a.slice(a.indexOf('=') + 1) : a;
      const bare = value.startsWith('@') ? value.slice(1) : value;
      if (bare !== '' && !writes.has(bare) && looksLikePath(bare)) touches.push({ written: bare, op: 'named', ...abs(bare, cwd, p) });
    }
    if (looksLikePath(prog.name) && seg.words.length > 0) {
      const first = seg.words.find((w) => w.endsWith(prog.name));
      if (first && looksLikePath(first)) touches.push({ written: first, op: 'named', ...abs(first, cwd, p) });
    }
  }
  for (const w of writes) if (w !== '/dev/null' && !/^&?\d$/.test(w)) touches.push({ written: w, op: 'write', ...abs(w, cwd, p) });
  return { touches, hosts };
}

function abs(written: string, base: string | undefined, p: Place): { abs?: string } {
  const a = place(written, base, p.home);
  return a === undefined ? {} : { abs: a };
}

/** The MCP server a tool name belongs to (mcp_<server>_<tool>; server names may hold '_'). */
export function mcpServer(name: string, servers: Iterable<string>): string | undefined {
  if (!name.startsWith('mcp_')) return undefined;
  let best: string | undefined;
  for (const s of servers) {
    const sanitized = s.replace(/[^A-Za-z0-9_-]/g, '_');
    if (name.startsWith(`mcp_${sanitized}_`) && (best === undefined || sanitized.length > best.length)) best = s;
  }
  return best;
}

export function callFacts(call: ToolCall, p: Place): CallFacts {
  const base = p.relativeToWorkspace ? p.workspace : undefined;
  const facts: CallFacts = { touches: [], hosts: [] };
  const file = (op: Op, ...names: string[]) => {
    const v = argument(call, ...names);
    if (v !== undefined) facts.touches.push({ written: v, op, ...abs(v, base, p) });
  };
  switch (call.name) {
    case 'exec':
    case 'write_stdin': {
      const command = argument(call, 'command', 'cmd', 'chars');
      const cwdWritten = argument(call, 'working_dir', 'workdir');
      const cwd = cwdWritten !== undefined ? place(cwdWritten, p.workspace, p.home) : p.workspace;
      if (cwdWritten !== undefined) {
        facts.cwd = cwdWritten;
        facts.touches.push({ written: cwdWritten, op: 'list', ...(cwd !== undefined ? { abs: cwd } : {}) });
      }
      if (command !== undefined) {
        facts.command = normalizeCommand(command);
        const c = commandFacts(facts.command, cwd, p);
        // One at a time: a command of 100,000 words would overflow push(...) (its arguments are the stack).
        for (const t of c.touches) facts.touches.push(t);
        for (const h of c.hosts) facts.hosts.push(h);
      }
      break;
    }
    case 'read_file':
    case 'grep':
      file('read', 'path', 'file_path');
      break;
    case 'list_dir':
    case 'glob':
    case 'find_files':
      file('list', 'path');
      break;
    case 'write_file':
    case 'edit_file':
    case 'notebook_edit':
      file('write', 'path', 'file_path', 'notebook_path');
      break;
    case 'apply_patch': {
      const edits = call.args?.['edits'];
      if (Array.isArray(edits)) {
        for (const e of edits) {
          const v = str((e as Record<string, unknown> | null)?.['path']);
          if (v !== undefined) facts.touches.push({ written: v, op: 'write', ...abs(v, base, p) });
        }
      }
      break;
    }
    case 'web_fetch': {
      const url = argument(call, 'url');
      if (url !== undefined) for (const h of hostsIn(url)) facts.hosts.push(h);
      break;
    }
    default: {
      const server = mcpServer(call.name, p.mcp.keys());
      if (server !== undefined) {
        const where = p.mcp.get(server);
        const host = where?.url !== undefined ? hostsIn(where.url)[0] : undefined;
        facts.hosts.push(host ?? `MCP server ${server} (${where?.url !== undefined ? 'remote' : 'local command'})`);
      }
    }
  }
  return facts;
}
