// Writes docs/rules.md from schemas/rules.json, so every rule id has a documented section.
// A test fails when the file is out of date: run `npm run docs` after changing a rule.
import { pathToFileURL } from 'node:url';
import { readFile, writeFile } from 'node:fs/promises';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

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
      for (const v of r.versions ?? []) lines.push(`- Before nanobot ${v.before}: **${v.severity}**.`);
      if (r.versions?.length) lines.push('');
    }
  }
  return lines.join('\n');
}

// Run as a script (not imported by the docs test): compare as URLs, which escape a space in the
// checkout's path the way import.meta.url does.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await writeFile(new URL('../docs/rules.md', import.meta.url), await renderRulesDoc());
}
