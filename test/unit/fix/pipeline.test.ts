// The write path's safety nets, driven in-process so a test can step in between read and write.
import { readdir, readFile, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixFile, type FixOptions } from '../../../src/fix/index.js';
import { parseVersion, traitsFor } from '../../../src/config/version.js';
import { StaleFileError, WriteError } from '../../../src/errors.js';
import { writeConfig } from '../../helpers/fixtures.js';
import { fixOptions } from '../../helpers/audit.js';

const read = promisify(readFile);
const list = promisify(readdir);
const traits = traitsFor(parseVersion('0.3.0')!, 'flag');
const options = (file: string): FixOptions => fixOptions(file);

const TEXT = '{\n  "tools": {\n    "restrictToWorkspace": false,\n    "restrictToWorkSpace": true\n  }\n}\n';

describe('fixFile safety nets', () => {
  it('refuses to write over a file that changed since it was read', async () => {
    const { file } = await writeConfig(TEXT);
    const edited = TEXT.replace('false', '"no"');
    const run = fixFile(file, options(file), traits, (plan) => {
      writeFileSync(file, edited); // someone else saves the file meanwhile
      return plan;
    });
    await expect(run).rejects.toBeInstanceOf(StaleFileError);
    expect(await read(file, 'utf8')).toBe(edited);
    expect(await list(join(file, '..', '.harden', 'backups')).catch(() => [])).toEqual([]);
  });

  it('restores the exact original bytes when verification fails', async () => {
    const { file } = await writeConfig(TEXT);
    const error = await fixFile(file, options(file), traits, (plan) => ({
      ...plan,
      addressed: [...plan.addressed, { ruleId: 'unknown-key', pointer: '/tools/restrictToWorkSpace' } as never],
    })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteError);
    expect((error as Error).message).toMatch(/did not take effect: unknown-key is still reported .*is as it was before \(backup: /);
    expect(await read(file, 'utf8')).toBe(TEXT);
    expect(await list(join(file, '..', '.harden', 'backups'))).toHaveLength(1);
  });
});
