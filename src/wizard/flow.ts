// The wizard's questions, over an audited file: which fixes to apply, who may talk to the bot on
// each channel, and whether to accept a change that could lock the owner out. It only decides;
// the fix pipeline writes.
import { isCalendarDate } from '../findings/waivers.js';
import { getIn } from '../config/model.js';
import { dotted } from '../config/pointer.js';
import { dictionary, setOwn, table } from '../config/own.js';
import type { FileAudit } from '../audit/index.js';
import { findingKey, RULES, SEVERITIES, type Finding } from '../findings/index.js';
import { checkGroupId, checkId, idFormat } from '../fix/ids.js';
import type { Answers } from '../fix/plan.js';
import { displayPath } from '../report/text.js';
import type { PromptAdapter } from './prompts.js';
import { planSecrets } from '../fix/secrets-to-env.js';
import type { VersionTraits } from '../config/version.js';
import { defaultEnvFile } from '../fix/index.js';

export interface NewWaiver {
  ruleId: string;
  pointer?: string;
  reason: string;
  expires: string;
}

export interface Decisions {
  only: Set<string>;
  answers: Answers;
  acceptRisk: string[];
  secretsToEnv: boolean;
  /** Risks accepted on purpose, to record in .harden.json beside the config. */
  waivers: NewWaiver[];
}

function inDays(days: number, now = new Date()): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

async function askWaiver(f: Finding, prompts: PromptAdapter): Promise<NewWaiver> {
  const reason = await prompts.input('Why is this risk acceptable here? (recorded with the waiver)', {
    validate: (v) => (v.trim() !== '' ? true : 'a waiver needs a reason'),
  });
  const today = inDays(0);
  const expires = await prompts.input('Until when? (YYYY-MM-DD; the finding counts again after that)', {
    default: inDays(90),
    validate: (v) => (isCalendarDate(v.trim()) ? (v.trim() > today ? true : 'a date after today') : 'a date that exists, such as 2027-03-31'),
  });
  return { ruleId: f.ruleId, ...(f.pointer !== undefined ? { pointer: f.pointer } : {}), reason: reason.trim(), expires: expires.trim() };
}

const ALLOW_RULES = new Set(['allow-from-empty', 'allow-from-wildcard', 'dm-policy-open']);
const GROUP_RULES = new Set(['group-policy-open']);

export function kindOf(f: Finding): 'auto' | 'allow' | 'group' | 'manual' {
  if (ALLOW_RULES.has(f.ruleId)) return 'allow';
  // Rewritten in the form nanobot compares where that is clear; harden says when it is not.
  if (f.ruleId === 'allow-from-never-matches') return 'auto';
  if (GROUP_RULES.has(f.ruleId)) return 'group';
  const fix = RULES[f.ruleId]?.fix;
  return fix && (fix.kind === 'set' || fix.kind === 'chmod') ? 'auto' : 'manual';
}

const CHANNEL_NAMES = table<string>({
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  discord: 'Discord',
  email: 'E-mail',
  slack: 'Slack',
  mattermost: 'Mattermost',
  matrix: 'Matrix',
  feishu: 'Feishu',
  signal: 'Signal',
  msteams: 'MS Teams',
});
const channelName = (c: string): string => CHANNEL_NAMES[c] ?? c;

export function summary(fa: FileAudit, cwd: string): string {
  const lines = [`${displayPath(fa.file, cwd)}: ${fa.findings.length} finding${fa.findings.length === 1 ? '' : 's'}`];
  for (const severity of SEVERITIES) {
    const group = fa.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(`  ${severity.toUpperCase()} (${group.length})`);
    for (const f of group) lines.push(`    ${f.line !== undefined ? `line ${f.line}: ` : ''}${f.message}`);
  }
  return lines.join('\n');
}

async function chooseFixes(auto: readonly Finding[], prompts: PromptAdapter, only: Set<string>, waivers: NewWaiver[]): Promise<void> {
  if (auto.length === 0) return;
  const mode = await prompts.select(`${auto.length} finding${auto.length === 1 ? '' : 's'} can be fixed without asking you anything. Apply them?`, [
    { value: 'all', name: `Apply all ${auto.length}` },
    { value: 'each', name: 'Choose one by one' },
    { value: 'none', name: 'Apply none of them' },
  ]);
  if (mode === 'none') return;
  for (const f of auto) {
    if (mode === 'all') {
      only.add(findingKey(f));
      continue;
    }
    for (;;) {
      const rule = RULES[f.ruleId]!;
      const choice = await prompts.select(`${f.message}\n  fix: ${rule.fix.text}`, [
        { value: 'apply', name: 'Apply' },
        { value: 'skip', name: 'Skip' },
        { value: 'waive', name: 'Waive: accept this risk on purpose, with a reason and an end date' },
        { value: 'explain', name: 'Explain' },
      ]);
      if (choice === 'explain') {
        prompts.say(`  ${rule.title}. ${rule.rationale}`);
        continue;
      }
      if (choice === 'apply') only.add(findingKey(f));
      if (choice === 'waive') waivers.push(await askWaiver(f, prompts));
      break;
    }
  }
}

/** Ask for the accounts of one channel, validated in its format; [] when the person skips. */
async function askIds(prompts: PromptAdapter, channel: string, message: string, group: boolean): Promise<{ ids: string[]; notes: string[] }> {
  const check = (raw: string) => (group ? checkGroupId(channel, raw) : checkId(channel, raw));
  const split = (v: string) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const answer = await prompts.input(message, {
    validate: (value) => {
      for (const raw of split(value)) {
        const c = check(raw);
        if (!c.ok) return `${raw}: ${c.reason}`;
      }
      return true;
    },
  });
  const ids: string[] = [];
  const notes: string[] = [];
  for (const raw of split(answer)) {
    const c = check(raw);
    if (c.ok) {
      ids.push(c.id);
      if (c.note) notes.push(c.note);
    }
  }
  return { ids, notes };
}

async function askChannels(fa: FileAudit, findings: readonly Finding[], prompts: PromptAdapter, d: Decisions): Promise<void> {
  const byChannel = new Map<string, Finding[]>();
  for (const f of findings) {
    const channel = f.path?.[1];
    if (!channel) continue;
    const list = byChannel.get(channel);
    if (list) list.push(f);
    else byChannel.set(channel, [f]);
  }
  for (const [channel, list] of byChannel) {
    const allow = list.filter((f) => ALLOW_RULES.has(f.ruleId));
    const group = list.filter((f) => GROUP_RULES.has(f.ruleId));
    if (allow.length > 0) {
      const format = idFormat(channel);
      prompts.say(`\n${channelName(channel)}: ${allow.map((f) => f.message).join('; ')}`);
      const wildcard = allow.find((f) => f.ruleId === 'allow-from-wildcard');
      if (wildcard) {
        const remove = await prompts.select(`Remove "*" from ${dotted(wildcard.path ?? [])}?`, [
          { value: true, name: 'Yes: only the accounts I list may use the bot' },
          { value: false, name: 'No: keep "*" (everyone may use the bot)' },
        ]);
        if (!remove) {
          prompts.say(`  left as it is: ${dotted(wildcard.path ?? [])} still lets everyone use the bot`);
          continue;
        }
      }
      const current = allow.map((f) => getIn(fa.effective.value, f.path ?? [])).find(Array.isArray) as unknown[] | undefined;
      const kept = (current ?? []).filter((v) => v !== '*');
      if (kept.length > 0) prompts.say(`  kept: ${kept.map((v) => JSON.stringify(v)).join(', ')}`);
      prompts.say(`  where to find it: ${format.where}`);
      const { ids, notes } = await askIds(
        prompts,
        channel,
        `${channelName(channel)} accounts that may talk to the bot (${format.describe}; comma-separated, empty to skip):`,
        false,
      );
      for (const note of notes) prompts.say(`  note: ${note}`);
      if (ids.length > 0 || kept.length > 0) {
        setOwn((d.answers.allowFrom ??= dictionary()), channel, ids);
        for (const f of allow) d.only.add(findingKey(f));
      } else {
        // Nothing to put in its place: the list stays as it is, and so does the finding.
        prompts.say(
          `  no accounts given: ${allow
            .map((f) => dotted(f.path ?? []))
            .filter((p, i, all) => all.indexOf(p) === i)
            .join(', ')} stays as it is (${allow.map((f) => f.ruleId).join(', ')} remains open)`,
        );
      }
    }
    if (group.length > 0) {
      prompts.say(`\n${channelName(channel)}: ${group.map((f) => f.message).join('; ')}`);
      const { ids } = await askIds(
        prompts,
        channel,
        `${channelName(channel)} channels where the bot may answer anyone (channel IDs, comma-separated, empty to skip):`,
        true,
      );
      if (ids.length > 0) {
        setOwn((d.answers.groupAllowFrom ??= dictionary()), channel, ids);
        for (const f of group) d.only.add(findingKey(f));
      } else {
        prompts.say(`  no channels given: ${group.map((f) => f.ruleId).join(', ')} remains open`);
      }
    }
  }
}

/** Every question before the preview. Returns what the person chose. */
export async function decide(
  fa: FileAudit,
  prompts: PromptAdapter,
  cwd: string,
  traits: VersionTraits,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Decisions> {
  const d: Decisions = { only: new Set(), answers: {}, acceptRisk: [], secretsToEnv: false, waivers: [] };
  prompts.say(summary(fa, cwd));
  await chooseFixes(
    fa.findings.filter((f) => kindOf(f) === 'auto'),
    prompts,
    d.only,
    d.waivers,
  );
  await askChannels(
    fa,
    fa.findings.filter((f) => kindOf(f) === 'allow' || kindOf(f) === 'group'),
    prompts,
    d,
  );
  const secrets = planSecrets({ parsed: fa.parsed, effective: fa.effective, traits, existing: new Map(), env }).vars;
  if (secrets.length > 0) {
    prompts.say(
      `\nThe file holds ${secrets.length} secret${secrets.length === 1 ? '' : 's'} in plain text (${secrets.map((v) => dotted(v.path)).join(', ')}).\n` +
        `  They can move to ${displayPath(defaultEnvFile(fa.file), cwd)} (mode 600) as \${NAME} references; nanobot then needs that file in its environment\n` +
        '  (EnvironmentFile= in the systemd unit, --env-file for docker, env_file: in compose, or `set -a; . FILE; set +a`\n' +
        '  in the shell that starts it), or it refuses to start.',
    );
    d.secretsToEnv = await prompts.confirm('Move the secrets to the env file?', false);
  }
  return d;
}

export function manualSteps(findings: readonly Finding[]): string[] {
  return findings
    .filter((f) => kindOf(f) === 'manual')
    .map((f) => `${f.line !== undefined ? `line ${f.line}: ` : ''}${RULES[f.ruleId]?.fix.text ?? f.ruleId} (${f.ruleId})`);
}
