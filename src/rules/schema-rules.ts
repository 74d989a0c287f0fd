// Run a hardened profile (JSON Schema with x-harden annotations) over the effective config and
// turn each annotated error into a finding. Raw ajv errors carry the failing value (error.data),
// which may be a token: they never leave this module.
import type { ErrorObject } from 'ajv';
import { dotted, fromPointer } from '../config/pointer.js';
import { getIn, type Effective } from '../config/model.js';
import type { ParsedConfig } from '../config/parse.js';
import type { VersionTraits } from '../config/version.js';
import { makeFinding, RULES, type Finding, type Profile } from '../findings/index.js';
import { prepareValidator, validatorFor, type XHarden } from './ajv.js';

export { prepareValidator };
import { locate } from './locate.js';
import { showValue } from './values.js';

function annotation(error: ErrorObject): XHarden | undefined {
  const parent = error.parentSchema;
  return parent?.['x-harden'] as XHarden | undefined;
}

export function schemaFindings(parsed: ParsedConfig, eff: Effective, profile: Profile, traits: VersionTraits): Finding[] {
  const validate = validatorFor(profile);
  validate(eff.value);
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const error of validate.errors ?? []) {
    const x = annotation(error);
    if (!x) continue;
    if (ignoredList(x.rule, error.instancePath, eff)) continue;
    const key = `${x.rule}\u0000${error.instancePath}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const path = fromPointer(error.instancePath);
    const where = locate(parsed, eff, path);
    const args: Record<string, string | number> = {
      // As the file spells it (allow_from stays allow_from), or where it belongs when absent.
      path: dotted(fromPointer(where.pointer)),
      value: showValue(path, getIn(eff.value, path)),
      source: where.sourceText,
    };
    const value = getIn(eff.value, path);
    if (Array.isArray(value)) args['count'] = value.length;
    if (x.reason) args['reason'] = x.reason;
    if (x.channel) args['channel'] = x.channel;
    findings.push(
      makeFinding(
        { ruleId: x.rule, file: parsed.file, args, pointer: where.pointer, line: where.line, column: where.column, source: where.source, path },
        traits,
      ),
    );
  }
  return lockedOut(dropSuperseded(findings), eff);
}

/**
 * An allow list none of whose entries can ever match lets no one in: the owner is locked out of
 * that channel, and the likely next step by hand ("*") opens it to everyone. Said at low, on each
 * of its entries, instead of info.
 */
function lockedOut(findings: Finding[], eff: Effective): Finding[] {
  const byList = new Map<string, number>();
  for (const f of findings)
    if (f.ruleId === 'allow-from-never-matches' && f.path)
      byList.set(f.path.slice(0, -1).join('\u0000'), (byList.get(f.path.slice(0, -1).join('\u0000')) ?? 0) + 1);
  return findings.map((f) => {
    if (f.ruleId !== 'allow-from-never-matches' || !f.path || f.severity !== 'info') return f;
    const listPath = f.path.slice(0, -1);
    const list = getIn(eff.value, listPath);
    if (!Array.isArray(list) || byList.get(listPath.join('\u0000')) !== list.length) return f;
    return { ...f, severity: 'low' as const, message: `${f.message}; no entry of ${dotted(listPath)} can match, so no one can use this channel` };
  });
}

/**
 * An allow-list finding on a channel whose own is_allowed lets everyone in whatever its top-level
 * allowFrom says (Slack from 0.1.5.post3, Mattermost): the list decides nothing there (the release
 * data says which: ChannelFacts.ignoresAllowFrom), and dm-policy-open speaks for the channel.
 */
function ignoredList(rule: string, pointer: string, eff: Effective): boolean {
  if (!rule.startsWith('allow-from-')) return false;
  const m = /^\/channels\/([^/]+)\/allowFrom(\/|$)/.exec(pointer);
  if (!m) return false;
  const name = m[1]!.replace(/~1/g, '/').replace(/~0/g, '~');
  return Object.hasOwn(eff.release.channels.list, name) && eff.release.channels.list[name]!.ignoresAllowFrom;
}

/** When a critical rule and the rule it contains fire on one setting, keep the critical one. */
function dropSuperseded(findings: Finding[]): Finding[] {
  const byPointer = new Map<string, Set<string>>();
  for (const f of findings) {
    const set = byPointer.get(f.pointer ?? '') ?? new Set();
    set.add(f.ruleId);
    byPointer.set(f.pointer ?? '', set);
  }
  return findings.filter((f) => {
    const others = byPointer.get(f.pointer ?? '') ?? new Set();
    return ![...others].some((o) => RULES[o]?.supersedes?.includes(f.ruleId));
  });
}
