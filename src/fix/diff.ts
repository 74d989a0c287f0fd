// A unified diff of the config, for --dry-run and for what --yes applied (as Ansible's diff
// mode shows it). It goes through the redactor like every other output.
import { createTwoFilesPatch } from 'diff';
import type { Style } from '../report/style.js';

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
