// The audit pipeline: every config named, read as the nanobot release reads it (file.ts), then the
// project-wide compose findings, waivers and the baseline. It never prints; the CLI picks a reporter.
import { getIn } from '../config/model.js';
import { nanobotInfo } from '../config/version.js';
import { compareFindings, inProfile, makeFinding, type Finding } from '../findings/index.js';
import { markKnown, readBaseline } from './baseline.js';
import { eachConfig } from './each-config.js';
import { auditFile, refusal } from './file.js';
import { resolveTraits } from './traits.js';
import type { AuditOptions, AuditResult, HostSession } from './types.js';

export type { AuditOptions, AuditResult, FileAudit, HostSession } from './types.js';
export { auditContent, auditFile, refusal } from './file.js';
export { baselineKey } from './baseline.js';
export { eachConfig } from './each-config.js';
export { resolveTraits } from './traits.js';

export async function audit(options: AuditOptions): Promise<AuditResult> {
  const traits = await resolveTraits(options);
  // One set of machine-wide answers (process table, sockets, firewall, containers) for every config.
  const session: HostSession | undefined =
    options.noHost || options.configs.length < 2 ? undefined : { run: (await import('../host/probe.js')).commandRunner(options.env['PATH']), cache: new Map() };
  const withSession = session ? { ...options, session } : options;
  const { results: files, errors } = await eachConfig(
    options.configs,
    async (file) => {
      const fa = await auditFile(file, withSession, traits);
      const refused = refusal(fa);
      if (refused) throw refused;
      return fa;
    },
    options.collectErrors,
  );
  const secrets = new Set<string>(files.flatMap((f) => f.secrets));
  const composeFindingsList: Finding[] = [];
  if ((options.compose ?? []).length > 0) {
    const { loadComposeProject, composeFindings } = await import('../host/compose.js');
    const { composeSecrets } = await import('../host/compose-secrets.js');
    const bwrap = files.some((f) => getIn(f.effective.value, ['tools', 'exec', 'sandbox']) === 'bwrap');
    // The files named with --compose are one project, merged in order, as docker compose -f reads them.
    const project = loadComposeProject(options.compose ?? [], options.env);
    for (const f of project.files) for (const s of composeSecrets(f.text)) secrets.add(s);
    for (const f of composeFindings(project, { traits, bwrap })) if (inProfile(f.ruleId, options.profile)) composeFindingsList.push(f);
    for (const p of project.problems) {
      composeFindingsList.push(
        makeFinding(
          {
            ruleId: 'not-checked',
            file: p.file,
            line: p.line,
            column: 1,
            args: { check: `the compose value at ${p.file}:${p.line}`, why: `docker compose refuses it (${p.message})` },
            source: { kind: 'host' },
          },
          traits,
        ),
      );
    }
  }
  // A machine-wide "not checked" (no firewall tool, no /proc) is said once, not once per config.
  const said = new Set<string>();
  const once = (f: Finding) => f.ruleId !== 'not-checked' || (!said.has(f.message) && said.add(f.message) !== undefined);
  let findings = [...files.flatMap((f) => f.findings).filter(once), ...composeFindingsList.sort(compareFindings)];
  const { applyWaivers, forPipeline, loadWaivers, today } = await import('../findings/waivers.js');
  const waivers = forPipeline(
    loadWaivers(
      files.map((f) => f.file),
      options.waivers,
    ),
    'audit',
  );
  if (waivers.length > 0) findings = applyWaivers(findings, waivers, options.today ?? today(), traits).filter((f) => inProfile(f.ruleId, options.profile));
  if (options.baseline) findings = markKnown(findings, await readBaseline(options.baseline));
  return {
    profile: options.profile,
    nanobot: nanobotInfo(traits),
    files,
    findings,
    errors,
    secrets: [...secrets],
  };
}
