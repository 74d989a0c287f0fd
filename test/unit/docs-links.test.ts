// Every relative link in the project's Markdown (README.md, CHANGELOG.md, docs/*.md) names a file
// that exists, and an anchor names a heading of that file as GitHub spells it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';

const DOCS = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The text without fenced code blocks and inline code, where brackets are not links. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/(`+)[\s\S]*?\1/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats. */
function slugs(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const text = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of text.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const words = m[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(words) ?? 0;
    seen.set(words, n + 1);
    out.add(n === 0 ? words : `${words}-${n}`);
  }
  return out;
}

interface Link {
  file: string;
  target: string;
}

function links(file: string): Link[] {
  const text = prose(readFileSync(join(ROOT, file), 'utf8'));
  const out: Link[] = [];
  // [text](target) and [text](target "title"); reference definitions `[x]: target` too.
  for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ file, target: m[1]! });
  for (const m of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s+<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)) out.push({ file, target: m[1]! });
  return out;
}

const relativeLinks = [...new Map(DOCS.flatMap(links).map((l) => [`${l.file} -> ${l.target}`, l])).values()].filter(
  (l) => !/^[a-z][a-z0-9+.-]*:/i.test(l.target),
);

describe('links in the Markdown', () => {
  it('finds the documents and their relative links', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'docs/rules.md', 'docs/development.md']));
    expect(relativeLinks.map((l) => `${l.file} -> ${l.target}`)).toEqual(
      expect.arrayContaining(['README.md -> docs/development.md', 'docs/development.md -> ../README.md']),
    );
  });

  it.each(relativeLinks.map((l) => [`${l.file} -> ${l.target}`, l] as const))('%s', (_, { file, target }) => {
    const [path, anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved = path === '' ? join(ROOT, file) : join(ROOT, dirname(file), decodeURIComponent(path));
    expect(relative(ROOT, resolved).startsWith('..'), `${target} leaves the repository`).toBe(false);
    expect(existsSync(resolved), `${file}: ${target} names no file`).toBe(true);
    if (anchor !== undefined && statSync(resolved).isFile() && resolved.endsWith('.md')) {
      expect([...slugs(readFileSync(resolved, 'utf8'))], `${file}: no heading #${anchor} in ${relative(ROOT, resolved)}`).toContain(decodeURIComponent(anchor));
    }
  });

  it('GitHub anchors: punctuation and code dropped, spaces to hyphens, repeats numbered', () => {
    expect([...slugs('# A b\n## Fixing: `harden fix`\n### Secrets out of the file: `--secrets-to-env`\n## A b\n```\n# not a heading\n```\n')]).toEqual([
      'a-b',
      'fixing-harden-fix',
      'secrets-out-of-the-file---secrets-to-env',
      'a-b-1',
    ]);
  });
});

describe('the package', () => {
  it('ships README.md and CHANGELOG.md, and nothing of docs/ (the contributor document stays in the repository)', () => {
    const files = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] }).files;
    expect(files).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md']));
    expect(files.filter((f) => /^!?docs\b|development\.md|\*\*?\.md$/.test(f))).toEqual([]);
  });
});
