// Many configs in one run: directories, globs, one exit code, each fix on its own.
import { mkdir, readFile, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from '../helpers/fixtures.js';
import { harden } from '../helpers/cli.js';

async function instances(names: string[]): Promise<string> {
  const root = await tempDir();
  for (const n of names) {
    await mkdir(join(root, n), { recursive: true, mode: 0o700 });
    await copyFile(join(FIXTURES, 'fix', 'crlf-tabs.json'), join(root, n, 'config.json'));
  }
  return root;
}

describe('many configs', () => {
  it('a directory of instances: every config.json in it, findings grouped per file, one exit code', async () => {
    const root = await instances(['work', 'family']);
    const r = harden(['audit', '-c', root, '--nanobot-version', '0.3.0', '--no-host']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`== ${join(root, 'family', 'config.json')} (`);
    expect(r.stdout).toContain(`== ${join(root, 'work', 'config.json')} (`);
    const json = JSON.parse(harden(['audit', '-c', root, '--format', 'json', '--nanobot-version', '0.3.0', '--no-host']).stdout) as { files: string[] };
    expect(json.files).toEqual([join(root, 'family', 'config.json'), join(root, 'work', 'config.json')]);
  });

  it('a machine-wide "not checked" note is said once, not once per config', async () => {
    const root = await instances(['a', 'b', 'c']);
    const json = JSON.parse(harden(['audit', '-c', root, '--format', 'json', '--nanobot-version', '0.3.0']).stdout) as {
      findings: { ruleId: string; message: string }[];
    };
    const notes = json.findings.filter((f) => f.ruleId === 'not-checked').map((f) => f.message);
    expect(notes.length).toBe(new Set(notes).size);
  });

  it('a quoted glob is expanded by harden itself', async () => {
    const root = await instances(['bot-a', 'bot-b', 'other']);
    const json = JSON.parse(
      harden(['audit', '-c', join(root, 'bot-*', 'config.json'), '--format', 'json', '--nanobot-version', '0.3.0', '--no-host']).stdout,
    ) as { files: string[] };
    expect(json.files).toEqual([join(root, 'bot-a', 'config.json'), join(root, 'bot-b', 'config.json')]);
    const none = harden(['audit', '-c', join(root, 'nothing-*'), '--nanobot-version', '0.3.0']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no config file matches .*nothing-\*/);
  });

  it('braces in a quoted --config, as bash would expand them, then the globs', async () => {
    const root = await instances(['bot-a', 'bot-b', 'bot-c', 'other']);
    const json = JSON.parse(
      harden([
        'audit',
        '-c',
        join(root, '{other,bot-{c,a}}', 'config.json'),
        '-c',
        join(root, 'bot-{a,*}'),
        '--format',
        'json',
        '--nanobot-version',
        '0.3.0',
        '--no-host',
      ]).stdout,
    ) as { files: string[] };
    expect(json.files.map((f) => f.slice(root.length))).toEqual(['/bot-a/config.json', '/bot-c/config.json', '/other/config.json', '/bot-b/config.json']);
    const none = harden(['audit', '-c', join(root, '{x,y}', 'config.json'), '--nanobot-version', '0.3.0']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no config file matches .*\{x,y\}/);
  });

  it('fix --yes: one broken config does not stop or touch the others; a summary at the end; exit 2', async () => {
    const root = await instances(['a', 'b', 'c']);
    await writeFile(join(root, 'b', 'config.json'), '{"tools": {"restrictToWorkspace": false,}}');
    const r = harden(['fix', '--yes', '-c', root, '--allow-from', 'telegram=123', '--nanobot-version', '0.3.0', '--runtime', 'host', '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/3 configs: 2 changed, 0 unchanged, 1 failed \(left as they were\)/);
    expect(r.stderr).toMatch(/b\/config\.json:1:40: not valid JSON: a trailing comma/);
    expect(await readFile(join(root, 'b', 'config.json'), 'utf8')).toBe('{"tools": {"restrictToWorkspace": false,}}');
    for (const n of ['a', 'c']) expect(await readFile(join(root, n, 'config.json'), 'utf8')).toContain('"restrictToWorkspace": true');
    const json = JSON.parse(harden(['fix', '--dry-run', '-c', root, '--format', 'json', '--nanobot-version', '0.3.0', '--runtime', 'host']).stdout) as {
      results: { file: string }[];
      errors: { file: string }[];
    };
    expect(json.results.map((x) => x.file.slice(root.length))).toEqual(['/a/config.json', '/c/config.json']);
    expect(json.errors.map((x) => x.file.slice(root.length))).toEqual(['/b/config.json']);
  });
});
