// The CLI as users get it: shell completion, help for every command, and the npm package
// installed into an empty prefix with production dependencies only.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { copyFixture, ROOT, tempDir } from '../helpers/fixtures.js';
import { harden } from '../helpers/cli.js';

describe('help and completion', () => {
  it.each(['audit', 'fix', 'restore', 'docker', 'systemd', 'incident', 'completion'])('harden %s --help has examples and exits 0', (command) => {
    const r = harden([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: harden /);
    expect(r.stdout).toMatch(/Example/);
  });

  it('bash completion completes commands, flags and flag values', () => {
    const script = harden(['completion', 'bash']).stdout;
    const complete = (words: string[]) =>
      spawnSync(
        'bash',
        ['-c', `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _harden; echo "\${COMPREPLY[@]}"`],
        { encoding: 'utf8' },
      ).stdout.trim();
    expect(complete(['harden', 're'])).toBe('restore');
    expect(complete(['harden', 'audit', '--fail-on', 'h'])).toBe('high');
    expect(complete(['harden', 'fix', '--secrets-'])).toBe('--secrets-to-env');
  });

  it('zsh and fish completion name every command and flag', () => {
    const zsh = harden(['completion', 'zsh']).stdout;
    expect(zsh).toMatch(/^#compdef harden/);
    expect(zsh).toContain("'--profile=[profile]:value:(baseline strict)'");
    const fish = harden(['completion', 'fish']).stdout;
    expect(fish).toContain("complete -c harden -n '__fish_seen_subcommand_from fix' -l allow-from -r -F");
    expect(harden(['completion', 'tcsh']).code).toBe(2);
  });

  it('a closed pipe is not an error', () => {
    const r = spawnSync('bash', ['-c', `node ${join(ROOT, 'bin', 'harden.js')} completion bash | head -1`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
  });
});

describe('the npm package', () => {
  it('npm pack gives a tarball that installs into an empty prefix and runs', async () => {
    const out = await tempDir();
    // --ignore-scripts: the test run already built dist/, and rebuilding it here would race the other tests.
    execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const tarball = (await readdir(out)).find((n) => n.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const listing = execFileSync('tar', ['tzf', join(out, tarball!)], { encoding: 'utf8' });
    expect(listing).toMatch(/package\/dist\/cli\.js/);
    expect(listing).toMatch(/package\/bin\/harden\.js/);
    expect(listing).toMatch(/package\/schemas\/report\.schema\.json/);
    expect(listing).not.toMatch(/package\/(src|test)\//);
    expect(listing).toMatch(/^package\/LICENSE$/m);
    expect(listing).toMatch(/^package\/dist\/THIRD-PARTY-NOTICES\.md$/m);
    // Every package the bundle holds code of is in the notices, with its licence text.
    const notices = await readFile(join(ROOT, 'dist', 'THIRD-PARTY-NOTICES.md'), 'utf8');
    for (const name of ['commander', 'jsonc-parser', 'ajv', 'yaml', 'diff', 'execa', '@inquirer/core'])
      expect(notices).toMatch(new RegExp(`^## ${name.replace('/', '\\/')}@\\d+\\.\\d+\\.\\d+\\n\\nLicence: \\S+\\n\\n\`\`\`\\n\\S`, 'm'));
    // What each nanobot release means is in dist/ (compacted at build time, a chunk per release);
    // the 2 MB it is made from, and the scripts that make it, stay in the repository.
    expect(listing).not.toMatch(/package\/schemas\/nanobot\//);
    expect(listing).toMatch(/package\/dist\/chunks\/0\.1\.4-[A-Z0-9]+\.js/);
    const prefix = join(out, 'prefix');
    await mkdir(prefix);
    execFileSync('npm', ['install', '--prefix', prefix, '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error', join(out, tarball!)], { stdio: 'pipe' });
    const bin = join(prefix, 'node_modules', '.bin', 'harden');
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const { file } = await copyFixture('audit/hand-edited-traps.json');
    const r = spawnSync(bin, ['audit', '-c', file, '--format', 'json', '--nanobot-version', '0.3.0', '--no-host'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as { findings: unknown[] }).findings.length).toBeGreaterThan(3);
    // Each file of code ships once: a file of the bundle is in the pack or on its own, never both
    // (they were both, some 450 kB of the package), and no source map goes along.
    const pack = new Script(await readFile(join(prefix, 'node_modules', 'nanobot-harden', 'dist', 'pack.js'), 'utf8')).runInThisContext() as Record<
      string,
      unknown
    >;
    const shipped = listing
      .split('\n')
      .filter((f) => f.startsWith('package/dist/'))
      .map((f) => f.slice('package/dist/'.length));
    expect(Object.keys(pack).length).toBeGreaterThan(20);
    expect(shipped.filter((f) => Object.hasOwn(pack, f))).toEqual(['cli.js', 'index.js']);
    expect(shipped.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect((await readFile(join(prefix, 'node_modules', 'nanobot-harden', 'dist', 'cli.js'), 'utf8')).length).toBeLessThan(1000);
    // The library entry (the API, test/e2e/api.test.ts), from the pack: require() and import in a consumer.
    const consumer = (args: string[]) =>
      spawnSync(process.execPath, args, { cwd: prefix, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: prefix } });
    const required = consumer(['-e', "console.log(require('nanobot-harden').version)"]);
    expect([required.stdout.trim(), required.stderr, required.status]).toEqual([expect.stringMatching(/^\d+\.\d+\.\d+$/), '', 0]);
    const imported = consumer(['--input-type=module', '-e', "import { audit, fix } from 'nanobot-harden'; console.log(typeof audit, typeof fix);"]);
    expect([imported.stdout, imported.stderr]).toEqual(['function function\n', '']);
    // A library run writes no code cache into its user's home.
    expect(existsSync(join(prefix, '.cache'))).toBe(false);
    // Everything is bundled: the tarball installs no other package.
    const installed = (await readdir(join(prefix, 'node_modules'))).filter((n) => !n.startsWith('.'));
    expect(installed).toEqual(['nanobot-harden']);
    // Every command runs from the installed copy.
    for (const args of [
      ['fix', '--dry-run', '-c', file, '--nanobot-version', '0.3.0', '--no-host'],
      ['restore', '--list', '-c', file],
      ['docker', '-c', file],
      ['systemd', '-c', file],
      ['incident', '-c', file],
      ['completion', 'bash'],
    ]) {
      const run = spawnSync(bin, args, { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: prefix } });
      expect([args[0], run.stderr.includes('internal error'), [0, 1].includes(run.status ?? -1)]).toEqual([args[0], false, true]);
    }
    // A release other than the one in the pack loads its chunk from the installed package.
    const old = spawnSync(bin, ['audit', '-c', file, '--format', 'json', '--nanobot-version', '0.1.4', '--no-host'], { encoding: 'utf8' });
    expect([old.status, old.stderr]).toEqual([1, '']);
    expect((JSON.parse(old.stdout) as { nanobot: { release: string } }).nanobot.release).toBe('0.1.4');
  }, 120_000);
});
