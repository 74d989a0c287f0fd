// The processes running nanobot, from /proc (or ps where there is no /proc).
import { join } from 'node:path';
import { redactArgs } from '../config/credentials.js';
import { listDir, readProcFile } from '../io/read.js';
import { finding, notChecked, once, type Probe } from './probe.js';

/** A process's command for a message: credentials on its command line go before it is shortened. */
function shownCommand(args: readonly string[]): string {
  return redactArgs(args)
    .map((a) => a.slice(a.lastIndexOf('/') + 1))
    .join(' ')
    .slice(0, 60);
}

/** Running nanobot processes: a python running nanobot, or the nanobot console script. */
export function nanobotProcesses(procRoot: string): { pid: number; uid: number; command: string }[] | undefined {
  const entries = listDir(procRoot);
  if (!entries) return undefined;
  const out: { pid: number; uid: number; command: string }[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const cmdline = readProcFile(join(procRoot, e, 'cmdline')) ?? '';
    const args = cmdline.split('\0').filter(Boolean);
    if (args.length === 0) continue;
    const isNanobot =
      args.slice(0, 3).some((a) => /(^|\/)nanobot$/.test(a)) ||
      (args.some((a) => /python/.test(a)) && args.some((a) => /^nanobot(\.|$)/.test(a) || /\/nanobot$/.test(a)));
    if (!isNanobot || args.some((a) => /(^|\/)harden(\.js)?$/.test(a))) continue;
    const status = readProcFile(join(procRoot, e, 'status')) ?? '';
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
    if (Number.isNaN(uid)) continue;
    // From the nanobot script on (a shebang's interpreter says nothing), else the whole python line.
    const from = args.findIndex((a) => /(^|\/)nanobot$/.test(a));
    out.push({ pid: Number(e), uid, command: shownCommand(args.slice(Math.max(from, 0))) });
  }
  return out;
}

/** `ps -axo pid=,uid=,args=` (macOS and other systems without /proc) to the same shape. */
export function parsePs(text: string): { pid: number; uid: number; command: string }[] {
  const out: { pid: number; uid: number; command: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const args = m[3]!.split(/\s+/);
    const from = args.findIndex((a) => /(^|\/)nanobot$/.test(a));
    const python = args.some((a) => /python/.test(a)) && args.some((a) => /^nanobot(\.|$)/.test(a));
    if ((from < 0 && !python) || args.some((a) => /(^|\/)harden(\.js)?$/.test(a))) continue;
    out.push({ pid: Number(m[1]), uid: Number(m[2]), command: shownCommand(args.slice(Math.max(from, 0))) });
  }
  return out;
}

export const processRoot: Probe = async (ctx) => {
  let procs = ctx.platform === 'linux' ? await once(ctx, `procs:${ctx.procRoot}`, () => nanobotProcesses(ctx.procRoot)) : undefined;
  if (!procs && ctx.run) {
    const ps = await ctx.run('ps', ['-axo', 'pid=,uid=,args=']);
    if (ps?.code === 0) procs = parsePs(ps.stdout);
  }
  if (!procs)
    return [
      notChecked(ctx, 'running processes', ctx.platform === 'linux' ? `${ctx.procRoot} cannot be read` : `no /proc on ${ctx.platform} and ps did not answer`),
    ];
  return procs.filter((p) => p.uid === 0).map((p) => finding(ctx, 'process-root', { pid: p.pid, command: p.command }));
};
