import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { RULES } from '../../src/findings.js';
import { ROOT } from '../helpers/fixtures.js';
// @ts-expect-error: a plain .mjs build script without types
import { renderRulesDoc } from '../../scripts/rules-doc.mjs';

it('docs/rules.md is generated from schemas/rules.json and up to date (npm run docs)', async () => {
  const onDisk = await readFile(join(ROOT, 'docs', 'rules.md'), 'utf8');
  expect(onDisk).toBe(await (renderRulesDoc as () => Promise<string>)());
  for (const id of Object.keys(RULES)) expect(onDisk).toContain(`### ${id}\n`);
});
