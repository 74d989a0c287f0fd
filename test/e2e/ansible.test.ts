// The Ansible example, run for real against localhost (connection local) on fixture configs.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFixture, ROOT, tempDir } from '../helpers/fixtures.js';

const hasAnsible = spawnSync('ansible-playbook', ['--version']).status === 0;

function recap(output: string): { ok: number; changed: number; failed: number } {
  const m = /localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)/.exec(output);
  if (!m) throw new Error(`no PLAY RECAP in:\n${output}`);
  return { ok: Number(m[1]), changed: Number(m[2]), failed: Number(m[3]) };
}

describe.skipIf(!hasAnsible)('examples/ansible/harden.yml', () => {
  it('installs the package, fixes, reports changed then ok, maps --check to --dry-run, fails while findings remain', async () => {
    const work = await tempDir();
    execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const tarball = join(
      work,
      (await readdir(work)).find((n) => n.endsWith('.tgz'))!,
    );
    await writeFile(join(work, 'inventory'), 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
    const play = (file: string, extra: Record<string, unknown>, check = false) => {
      const vars = join(work, `vars-${Math.random().toString(36).slice(2)}.json`);
      return writeFile(
        vars,
        JSON.stringify({
          harden_package: tarball,
          harden_prefix: join(work, 'prefix'),
          nanobot_configs: [file],
          harden_extra_args: ['--nanobot-version=0.3.0', '--runtime=host'],
          ...extra,
        }),
      ).then(() => {
        const r = spawnSync(
          'ansible-playbook',
          ['-i', join(work, 'inventory'), join(ROOT, 'examples', 'ansible', 'harden.yml'), '-e', `@${vars}`, ...(check ? ['--check'] : [])],
          {
            encoding: 'utf8',
            env: {
              ...process.env,
              ANSIBLE_NOCOLOR: '1',
              ANSIBLE_HOST_KEY_CHECKING: 'False',
              ANSIBLE_LOCAL_TEMP: join(work, 'ansible-tmp'),
              ANSIBLE_REMOTE_TEMP: join(work, 'ansible-tmp'),
            },
          },
        );
        return { ...recap(r.stdout), output: r.stdout + r.stderr, code: r.status };
      });
    };

    // Check mode: harden fix --dry-run; "changed" means would change; nothing is written.
    const { file } = await copyFixture('fix/crlf-tabs.json');
    const original = await readFile(file, 'utf8');
    const dry = await play(file, { harden_allow_from: ['telegram=123456789'] }, true);
    expect(dry.failed, dry.output).toBe(0);
    expect(dry.changed).toBeGreaterThan(0);
    expect(await readFile(file, 'utf8')).toBe(original);

    // For real: changed, the config hardened; a second run: ok, nothing changed.
    const first = await play(file, { harden_allow_from: ['telegram=123456789'] });
    expect(first.failed, first.output).toBe(0);
    expect(first.changed).toBeGreaterThan(0);
    expect(await readFile(file, 'utf8')).toContain('"allowFrom": ["123456789"]');
    const second = await play(file, { harden_allow_from: ['telegram=123456789'] });
    expect(second.failed, second.output).toBe(0);
    expect(second.changed).toBe(0);

    // Without the answer the allow list stays open: the host fails, naming the rule.
    const other = await copyFixture('fix/crlf-tabs.json');
    const failing = await play(other.file, {});
    expect(failing.failed).toBe(1);
    expect(failing.output).toContain('allow-from-wildcard');
  }, 300_000);
});
