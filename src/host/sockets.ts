// What listens where (/proc/net, else lsof) and whether a firewall stands in front of it.
import { join } from 'node:path';
import { getIn } from '../config/model.js';
import type { Finding, Severity } from '../findings/index.js';
import { readProcFile } from '../io/read.js';
import { finding, notChecked, once, type DeploymentContext, type Probe } from './probe.js';
import { textOf } from '../config/text.js';

export interface Listener {
  address: string;
  port: number;
}

/** LISTEN sockets from /proc/net/tcp and tcp6. */
export function parseProcNet(text: string, v6: boolean): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== '0A') continue;
    const [hex, portHex] = f[1]!.split(':');
    if (!hex || !portHex) continue;
    const port = parseInt(portHex, 16);
    let address: string;
    if (!v6) {
      const b = hex
        .match(/../g)!
        .map((x) => parseInt(x, 16))
        .reverse();
      address = b.join('.');
    } else {
      const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
      const full = words
        .join('')
        .match(/.{4}/g)!
        .map((g) => g.replace(/^0+(?=.)/, ''));
      address = full
        .join(':')
        .replace(/(^|:)0(:0)+(:|$)/, '::')
        .replace(/^0::/, '::');
    }
    out.push({ address, port });
  }
  return out;
}

const wildcard = (address: string) => address === '0.0.0.0' || address === '::' || address === '0:0:0:0:0:0:0:0';

function ports(ctx: DeploymentContext): { port: number; what: string; severity: Severity }[] {
  const num = (path: string[], fallback: number) => {
    const v = getIn(ctx.config, path);
    return typeof v === 'number' ? v : fallback;
  };
  return [
    { port: num(['gateway', 'port'], 18790), what: 'gateway', severity: 'high' },
    { port: num(['api', 'port'], 8900), what: 'the API, which drives the agent', severity: 'critical' },
    { port: num(['channels', 'websocket', 'port'], 8765), what: 'the WebUI, which controls the agent', severity: 'critical' },
  ];
}

/** `lsof -nP -iTCP -sTCP:LISTEN` (macOS, where there is no /proc/net) to listeners. */
export function parseLsof(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /TCP\s+(\*|\[[^\]]+\]|[^\s:]+):(\d+)\s+\(LISTEN\)/.exec(line);
    if (!m) continue;
    const host = m[1]!;
    out.push({ address: host === '*' ? (/IPv6/.test(line) ? '::' : '0.0.0.0') : host.replace(/^\[|\]$/g, ''), port: Number(m[2]) });
  }
  return out;
}

async function listeners(ctx: DeploymentContext): Promise<Listener[] | string> {
  if (ctx.platform === 'linux') {
    const v4 = await once(ctx, `tcp:${ctx.procRoot}`, () => readProcFile(join(ctx.procRoot, 'net', 'tcp')));
    const v6 = await once(ctx, `tcp6:${ctx.procRoot}`, () => readProcFile(join(ctx.procRoot, 'net', 'tcp6')) ?? '');
    if (v4 !== undefined) return [...parseProcNet(v4, false), ...parseProcNet(v6 ?? '', true)];
  }
  const lsof = await ctx.run?.('lsof', ['-nP', '-iTCP', '-sTCP:LISTEN']);
  if (lsof && (lsof.code === 0 || lsof.stdout !== '')) return parseLsof(lsof.stdout);
  return ctx.platform === 'linux'
    ? `${join(ctx.procRoot, 'net', 'tcp')} cannot be read and lsof did not answer`
    : `no /proc/net on ${ctx.platform} and lsof did not answer`;
}

export const sockets: Probe = async (ctx) => {
  const found = await listeners(ctx);
  if (typeof found === 'string') return [notChecked(ctx, 'listening sockets', found)];
  const listening = found;
  const out: Finding[] = [];
  for (const p of ports(ctx)) {
    const hit = listening.find((l) => l.port === p.port && wildcard(l.address));
    if (hit) out.push(finding(ctx, 'listener-wildcard', { port: p.port, what: p.what, address: hit.address }, undefined, p.severity));
  }
  return out;
};

// ---- firewall ---------------------------------------------------------------------------------

export const firewall: Probe = async (ctx) => {
  if (!ctx.run) return [];
  const gateway = ports(ctx)[0]!;
  const host = textOf(getIn(ctx.config, ['gateway', 'host']) ?? '');
  const exposed = !/^(127\.|localhost$|::1$|\[::1\]$)/.test(host);
  const ufw = await ctx.run('ufw', ['status']);
  if (ufw && ufw.code === 0) {
    const active = /Status:\s+active/i.test(ufw.stdout);
    const blocked = active && new RegExp(`^${gateway.port}(/tcp)?\\s+(DENY|REJECT)\\b`, 'mi').test(ufw.stdout);
    return blocked
      ? []
      : [
          finding(
            ctx,
            'firewall-open',
            { tool: active ? 'ufw' : 'ufw (inactive)', port: gateway.port, what: gateway.what, command: `sudo ufw deny ${gateway.port}/tcp` },
            undefined,
            exposed ? 'medium' : 'low',
          ),
        ];
  }
  const nft = await ctx.run('nft', ['list', 'ruleset']);
  if (nft && nft.code === 0) {
    const blocked = new RegExp(`dport\\s+(\\{[^}]*\\b${gateway.port}\\b[^}]*\\}|${gateway.port})\\b[^\\n]*(drop|reject)`).test(nft.stdout);
    return blocked
      ? []
      : [
          finding(
            ctx,
            'firewall-open',
            { tool: 'nftables', port: gateway.port, what: gateway.what, command: `sudo nft add rule inet filter input tcp dport ${gateway.port} drop` },
            undefined,
            exposed ? 'medium' : 'low',
          ),
        ];
  }
  return [notChecked(ctx, 'firewall', ufw || nft ? 'ufw and nft need root to list rules' : 'neither ufw nor nft is installed')];
};
