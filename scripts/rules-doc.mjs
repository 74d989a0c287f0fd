// Writes docs/rules.md from schemas/rules.json, so every rule id has a documented section.
// A test fails when the file is out of date: run `npm run docs` after changing a rule.
import { readFile, writeFile } from 'node:fs/promises';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

/** The release facts a rule's `when` names, in words (the releases are those of schemas/nanobot/). */
const WHEN = {
  allowFromEmpty: { 'allow-all': 'Where an empty allowFrom lets everyone in (nanobot up to 0.1.4.post3)', deny: 'Where an empty allowFrom stops the gateway (0.1.4.post4 to 0.1.5.post3)' },
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
  const rules = JSON.parse(await readFile(new URL('../schemas/rules.json', import.meta.url), 'utf8'));
  const lines = [
    '# Rules',
    '',
    'Generated from `schemas/rules.json` by `npm run docs`; do not edit by hand.',
    '',
    'Each rule reads the *effective* config: what nanobot ends up with after duplicate keys, snake_case',
    'spellings, the old-layout migration, `NANOBOT_*` variables and defaults. Severities are those for the',
    'newest nanobot; a few rules change severity for older versions, as listed.',
    '',
  ];
  for (const profile of ['baseline', 'strict']) {
    lines.push(`## Profile \`${profile}\`${profile === 'strict' ? ' (adds to baseline)' : ''}`, '');
    const ids = Object.keys(rules)
      .filter((id) => rules[id].profile === profile)
      .sort((a, b) => SEVERITIES.indexOf(rules[a].severity) - SEVERITIES.indexOf(rules[b].severity) || a.localeCompare(b));
    for (const id of ids) {
      const r = rules[id];
      lines.push(`### ${id}`, '', `**${r.severity}**: ${r.title}.`, '', r.rationale, '');
      lines.push(`Fix (${r.fix.kind}): ${r.fix.text}.`, '');
      for (const v of r.versions ?? []) lines.push(v.before ? `- Before nanobot ${v.before}: **${v.severity}**.` : `- ${whenText(v.when)}: **${v.severity}**.`);
      if (r.versions?.length) lines.push('');
    }
  }
  const notChecked = JSON.parse(await readFile(new URL('../schemas/not-checked.json', import.meta.url), 'utf8'));
  lines.push('## Settings not checked', '', 'nanobot settings harden reads but does not judge, and why (`schemas/not-checked.json`).', '');
  lines.push('| setting | why it is not checked |', '| --- | --- |');
  for (const s of notChecked.settings) lines.push(`| \`${s.setting}\` | ${s.reason} |`);
  lines.push('');
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(new URL('../docs/rules.md', import.meta.url), await renderRulesDoc());
}
