// Writes docs/rules.md from schemas/rules.json and schemas/activity-rules.json (with the patterns
// and examples of schemas/activity-patterns.json), so every rule id has a documented section.
// A test fails when the file is out of date: run `npm run docs` after changing a rule.
import { pathToFileURL } from 'node:url';
import { readFile, writeFile } from 'node:fs/promises';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

const json = async (name) => JSON.parse(await readFile(new URL(`../schemas/${name}`, import.meta.url), 'utf8'));

/** One example call as a line of the doc. */
function example(e) {
  const args = e.args ?? {};
  const main =
    args.command ??
    args.path ??
    args.url ??
    (args.action !== undefined ? `${args.action}${args.key !== undefined ? ` ${args.key}` : ''}` : JSON.stringify(args));
  const result = e.result !== undefined ? ` after a tool result saying \`${e.result.replace(/`/g, "'").replace(/\n/g, ' ')}\`` : '';
  const restrict = e.restrict === false ? ' (restrictToWorkspace off)' : '';
  return `- \`${e.tool}\` \`${String(main).replace(/`/g, "'").replace(/\n/g, '\\n')}\`${result}${restrict}`;
}

/** The release facts a rule's `when` names, in words (the releases are those of schemas/nanobot/). */
const WHEN = {
  allowFromEmpty: {
    'allow-all': 'Where an empty allowFrom lets everyone in (nanobot up to 0.1.4.post3)',
    deny: 'Where an empty allowFrom stops the gateway (0.1.4.post4 to 0.1.5.post3)',
  },
  allowFromStar: { literal: 'Where "*" is a literal sender id (up to 0.1.4.post3)' },
  gatewayListens: { false: 'Where nothing listens on gateway.host (up to 0.1.5)' },
  apiKeyField: { false: 'Where the API has no key at all (0.1.5 to 0.2.2)' },
  serveRequiresKey: { true: 'Where `nanobot serve` requires a key off loopback (0.3.0 and later)' },
};

function whenText(when) {
  return Object.entries(when ?? {})
    .map(([k, v]) => WHEN[k]?.[String(v)] ?? `Where ${k} is ${v}`)
    .join(', and ');
}

export async function renderRulesDoc() {
  const rules = { ...(await json('rules.json')), ...(await json('activity-rules.json')) };
  const patterns = (await json('activity-patterns.json')).rules;
  const lines = [
    '# Rules',
    '',
    'Generated from `schemas/rules.json`, `schemas/activity-rules.json` and `schemas/activity-patterns.json` by `npm run docs`; do not edit by hand.',
    '',
    'Each audit rule reads the *effective* config: what nanobot ends up with after duplicate keys, snake_case',
    'spellings, the old-layout migration, `NANOBOT_*` variables and defaults. Severities are those for the',
    'newest nanobot; a few rules change severity for older versions, as listed.',
    '',
  ];
  const sorted = (profile) =>
    Object.keys(rules)
      .filter((id) => rules[id].profile === profile)
      .sort((a, b) => SEVERITIES.indexOf(rules[a].severity) - SEVERITIES.indexOf(rules[b].severity) || a.localeCompare(b));
  for (const profile of ['baseline', 'strict']) {
    lines.push(`## Profile \`${profile}\`${profile === 'strict' ? ' (adds to baseline)' : ''}`, '');
    for (const id of sorted(profile)) {
      const r = rules[id];
      lines.push(`### ${id}`, '', `**${r.severity}**: ${r.title}.`, '', r.rationale, '');
      lines.push(`Fix (${r.fix.kind}): ${r.fix.text}.`, '');
      for (const v of r.versions ?? []) lines.push(v.before ? `- Before nanobot ${v.before}: **${v.severity}**.` : `- ${whenText(v.when)}: **${v.severity}**.`);
      if (r.versions?.length) lines.push('');
    }
  }
  const notChecked = await json('not-checked.json');
  lines.push('## Settings not checked', '', 'nanobot settings harden reads but does not judge, and why (`schemas/not-checked.json`).', '');
  lines.push('| setting | why it is not checked |', '| --- | --- |');
  for (const s of notChecked.settings) lines.push(`| \`${s.setting}\` | ${s.reason} |`);
  lines.push('');
  lines.push(
    '## Activity review (`harden activity`)',
    '',
    "These rules read nanobot's session histories, logs and workspace, not the config. The patterns are",
    'regular expressions in `schemas/activity-patterns.json`: a shell command is matched as written (line breaks',
    'and runs of blanks made one space), a path once `~` and relative parts are resolved. Every example below is',
    'a test: the flagged ones must raise the rule and the others must not. The examples run in an instance at',
    '`/home/bot/.nanobot` with `restrictToWorkspace` on.',
    '',
  );
  for (const id of sorted('activity')) {
    const r = rules[id];
    const p = patterns[id] ?? {};
    lines.push(`### ${id}`, '', `**${r.severity}**: ${r.title}.`, '', r.rationale, '');
    const looks = [
      ...(p.command ?? []).map((x) => `a command that ${x.what}`),
      ...(p.read ?? []).map((x) => `reading or naming ${x.what}`),
      ...(p.write ?? []).map((x) => `writing ${x.what}`),
      ...(p.tool ?? []).map((x) => `a call that ${x.what}`),
      ...(p.markers ?? []).map((x) => x.what),
      ...(p.secrets ? ["a secret of the config's in a call that reaches the network"] : []),
    ];
    if (looks.length > 0) lines.push(`Looks for: ${[...new Set(looks)].join('; ')}.`, '');
    if (p.examples?.flag?.length) lines.push('Flagged:', '', ...p.examples.flag.map(example), '');
    if (p.examples?.pass?.length) lines.push('Not flagged:', '', ...p.examples.pass.map(example), '');
    if (p.described?.flag?.length) lines.push('Flagged, for example:', '', ...p.described.flag.map((x) => `- ${x}`), '');
    if (p.described?.pass?.length) lines.push('Not flagged:', '', ...p.described.pass.map((x) => `- ${x}`), '');
    lines.push(`To do: ${r.fix.text}.`, '');
  }
  return lines.join('\n');
}

// Run as a script (not imported by the docs test): compare as URLs, which escape a space in the
// checkout's path the way import.meta.url does.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(new URL('../docs/rules.md', import.meta.url), await renderRulesDoc());
}
