// A unified diff of the config, for --dry-run and for what --yes applied (as Ansible's diff
// mode shows it). The texts are redacted by JSON node before they are compared (configDiff), so
// a secret is hidden however the file spells it; the output then goes through the redactor like
// every other output.
import { createTwoFilesPatch } from 'diff';
import type { JsonNode } from '../config/parse.js';
import { redactConfigText } from '../config/secrets.js';
import type { Style } from './style.js';

/** The diff of two config texts as a user may see it; `roots`: their parse trees, when at hand. */
export function configDiff(label: string, before: string, after: string, style: Style, roots?: { before: JsonNode; after: JsonNode }): string {
  if (before === after) return '';
  return unifiedDiff(label, redactConfigText(before, roots?.before), redactConfigText(after, roots?.after), style);
}

export function unifiedDiff(label: string, before: string, after: string, style: Style): string {
  if (before === after) return '';
  const patch = createTwoFilesPatch(label, label, before.replace(/\r\n/g, '\n'), after.replace(/\r\n/g, '\n'), 'before', 'after', { context: 3 });
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('=====') && !line.startsWith('Index: '))
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return style('bold', line);
      if (line.startsWith('+')) return style('green', line);
      if (line.startsWith('-')) return style('red', line);
      if (line.startsWith('@@')) return style('cyan', line);
      return line;
    })
    .join('\n');
}
