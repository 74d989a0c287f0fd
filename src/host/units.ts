// systemd: the units that start nanobot, read as systemd merges them (unit-file.ts), and
// `systemd-analyze security` where it runs.
import { finding, notChecked, type DeploymentContext } from './probe.js';
import type { Finding } from '../findings/index.js';
import { isUserUnit, lastValue, listValues, loadUnit, splitWords, unitSearchPath } from './unit-file.js';
import { dirname } from 'node:path';

const yes = (v: string | undefined) => v !== undefined && /^(yes|true|on|1)$/i.test(v);

export async function unitFindings(ctx: DeploymentContext): Promise<Finding[]> {
  const out: Finding[] = [];
  const dataDir = dirname(ctx.file);
  for (const file of ctx.units) {
    const userUnit = isUserUnit(file);
    // The unit with its drop-ins, as systemd merges them: the last assignment of a setting wins.
    const unit = loadUnit(file, unitSearchPath(userUnit, ctx.env));
    if (!unit) continue;
    const last = (key: string) => lastValue(unit, key);
    const service = unit.lines.find((l) => l.section === 'Service')?.line ?? 1;
    const at = (key: string) => {
      const l = last(key);
      return { file: l?.file ?? file, line: l?.line ?? service };
    };
    const name = unit.name;
    if (!userUnit) {
      const user = last('User')?.value;
      if (!user || user === 'root' || user === '0') out.push(finding(ctx, 'systemd-user-root', { unit: name }, at('User')));
    }
    if (!yes(last('NoNewPrivileges')?.value)) out.push(finding(ctx, 'systemd-no-new-privileges', { unit: name }, at('NoNewPrivileges')));
    if (userUnit) continue;
    const detail: string[] = [];
    const protectSystem = last('ProtectSystem')?.value;
    if (!protectSystem || !/^(strict|full|yes|true)$/i.test(protectSystem)) detail.push('has no ProtectSystem=strict');
    const protectHome = last('ProtectHome')?.value;
    if (!protectHome || /^(no|false)$/i.test(protectHome)) detail.push('has no ProtectHome=read-only');
    // ReadWritePaths= is a list: an empty assignment resets it; `-` marks a path that may be missing.
    const rw = listValues(unit, 'ReadWritePaths')
      .flatMap((l) => splitWords(l.value).words)
      .map((p) => p.replace(/^[-+]+/, ''));
    const hides = (protectSystem && /^strict$/i.test(protectSystem)) || (protectHome && !/^(no|false)$/i.test(protectHome));
    if (hides && !rw.some((p) => dataDir === p || dataDir.startsWith(p.replace(/\/$/, '') + '/'))) {
      detail.push(`makes ${dataDir} read-only without ReadWritePaths=${dataDir}: nanobot cannot save sessions or pairing approvals`);
    }
    if (detail.length > 0) out.push(finding(ctx, 'systemd-sandbox', { unit: name, detail: detail.join('; ') }, at('ProtectSystem')));
    if (!yes(last('PrivateTmp')?.value)) out.push(finding(ctx, 'systemd-private-tmp', { unit: name }, at('PrivateTmp')));
  }
  if (ctx.units.length > 0 && ctx.run) out.push(...(await exposure(ctx)));
  return out;
}

/** `systemd-analyze security UNIT`: systemd's own 0-10 exposure score, where systemd runs. */
export function parseExposure(text: string): { score: string; level: string } | undefined {
  const m = /Overall exposure level for \S+:\s*([\d.]+)\s+(\S+)/.exec(text);
  return m ? { score: m[1]!, level: m[2]! } : undefined;
}

async function exposure(ctx: DeploymentContext): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const unit of ctx.units) {
    const name = unit.slice(unit.lastIndexOf('/') + 1);
    const user = /\/systemd\/user\//.test(unit);
    const r = await ctx.run!('systemd-analyze', [...(user ? ['--user'] : []), 'security', '--no-pager', name]);
    if (!r) return [notChecked(ctx, 'systemd-analyze security', 'systemd-analyze is not installed')];
    const parsed = parseExposure(r.stdout);
    if (!parsed) return [notChecked(ctx, 'systemd-analyze security', 'systemd is not running here, or does not know the unit')];
    out.push(finding(ctx, 'systemd-exposure', { unit: name, score: parsed.score, level: parsed.level }));
  }
  return out;
}
