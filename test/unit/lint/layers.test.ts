// The architecture's layers as a lint rule (scripts/lint/layers.mjs): what it lets through and
// what it stops, on every form of import, with ESLint's own RuleTester.
import { join } from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import { layersRule } from '../../../scripts/lint/layers.mjs';
import { ROOT } from '../../helpers/fixtures.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2024, sourceType: 'module' } });
const srcDir = join(ROOT, 'src');
const at = (file: string) => ({ filename: join(srcDir, file), options: [{ srcDir }] });
const ok = (file: string, code: string) => ({ code, ...at(file) });
const bad = (file: string, code: string, messageId: string) => ({ code, ...at(file), errors: [{ messageId }] });

tester.run('harden/layers', layersRule, {
  valid: [
    ok('cli/main.ts', "import { audit } from '../audit/index.js';"),
    ok('fix/index.ts', "import { auditFile } from '../audit/index.js';"),
    ok('fix/index.ts', "import { plan } from './plan.js';"),
    ok('config/model.ts', "import { ConfigSyntaxError } from '../errors.js';"),
    ok('report/fix.ts', "import type { FixResult } from '../fix/index.js';"),
    ok('audit/file.ts', "const { hostFindings } = await import('../host/checks.js');"),
    ok('io/files.ts', "import { renameSync, writeSync } from 'node:fs';"),
    ok('io/files.ts', "import * as fs from 'node:fs';"),
    ok('activity/scan.ts', "import { closeSync, fstatSync, readSync } from 'node:fs';"),
    ok('host/users.ts', "import { execFileSync } from 'node:child_process';"),
    ok('host/probe.ts', "const { execa } = await import('execa');"),
    ok('io/acl.ts', "const { execFileSync } = process.getBuiltinModule('node:child_process');"),
    ok('config/read.ts', "const { readFileSync } = process.getBuiltinModule('node:fs');"),
    ok('wizard/inquirer.ts', "import { select } from '@inquirer/prompts';"),
    ok('config/release-data.ts', "import { readFileSync } from 'node:fs';"),
    ok('findings/index.ts', "import rules from '../../schemas/rules.json' with { type: 'json' };"),
    ok('index.ts', "import { fixAll } from './fix/index.js';"),
  ],
  invalid: [
    // Upward: a lower layer reaching for a higher one.
    bad('io/files.ts', "import { audit } from '../audit/index.js';", 'upward'),
    bad('config/model.ts', "import type { Finding } from '../findings/index.js';", 'upward'),
    bad('host/facts.ts', "import type { HostFacts } from '../fix/plan.js';", 'upward'),
    bad('wizard/run.ts', "import type { Io } from '../cli/io.js';", 'upward'),
    bad('fix/diff.ts', "type S = import('../report/style.js').Style;", 'upward'),
    bad('rules/content.ts', "export { audit } from '../audit/index.js';", 'upward'),
    bad('host/where.ts', "export * from '../cli/main.js';", 'upward'),
    bad('config/read.ts', "const { fixAll } = await import('../fix/index.js');", 'upward'),
    // Sideways: one pipeline does not lean on another.
    bad('activity/index.ts', "import { audit } from '../audit/index.js';", 'upward'),
    bad('audit/index.ts', "import { activity } from '../activity/index.js';", 'upward'),
    // Writes, processes and prompts in their places only.
    bad('host/checks.ts', "import { writeFileSync } from 'node:fs';", 'writes'),
    bad('fix/index.ts', "import { rename } from 'node:fs/promises';", 'writes'),
    bad('audit/file.ts', "const { chmod } = await import('node:fs/promises');", 'writes'),
    bad('report/text.ts', "import * as fs from 'node:fs';", 'fsWhole'),
    bad('report/text.ts', "import fs from 'fs';", 'fsWhole'),
    bad('cli/deploy.ts', "import { execFileSync } from 'node:child_process';", 'onlyIn'),
    bad('audit/file.ts', "const { execa } = await import('execa');", 'onlyIn'),
    bad('cli/fix.ts', "import { select } from '@inquirer/prompts';", 'onlyIn'),
    bad('report/text.ts', "const { spawnSync } = process.getBuiltinModule('node:child_process');", 'onlyIn'),
    bad('audit/file.ts', "const { writeFileSync } = process.getBuiltinModule('node:fs');", 'writes'),
    // A folder that is on no layer yet must be placed before it is used.
    bad('newthing/x.ts', "import { audit } from '../audit/index.js';", 'upward'),
  ],
});
