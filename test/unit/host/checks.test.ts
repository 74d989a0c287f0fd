// Host checks on real files: modes, and the files beside the config that widen access.
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit } from '../../../src/audit/index.js';
import { tempDir, writeConfig } from '../../helpers/fixtures.js';

const HARDENED = JSON.stringify({ tools: { restrictToWorkspace: true, exec: { timeout: 30 } } });

async function hostRules(file: string): Promise<string[]> {
  const result = await audit({ configs: [file], profile: 'baseline', noHost: false, nanobotVersion: '0.3.0', env: {} });
  // "not checked" notes depend on what this machine has (ufw, nft); they are tested on their own.
  return result.findings.map((f) => f.ruleId).filter((id) => id !== 'not-checked');
}

describe('config-file-mode and config-dir-mode', () => {
  it('are quiet at 600 in a 700 directory', async () => {
    const { file } = await writeConfig(HARDENED);
    expect(await hostRules(file)).toEqual([]);
  });

  it('flag a world-readable file and a group-readable directory, naming the mode', async () => {
    const { file } = await writeConfig(HARDENED, { mode: 0o644 });
    await chmod(join(file, '..'), 0o750);
    const result = await audit({ configs: [file], profile: 'baseline', noHost: false, nanobotVersion: '0.3.0', env: {} });
    const modes = result.findings.filter((f) => f.ruleId.startsWith('config-')).map((f) => [f.ruleId, f.message.match(/mode (\d+)/)?.[1], f.pointer]);
    expect(modes).toEqual([
      ['config-dir-mode', '750', undefined],
      ['config-file-mode', '644', undefined],
    ]);
  });

  it('follow a symlinked config to the file that holds the secrets', async () => {
    const { file } = await writeConfig(HARDENED, { mode: 0o644 });
    const link = join(await tempDir(), 'config.json');
    await symlink(file, link);
    expect(await hostRules(link)).toContain('config-file-mode');
  });

  it('are skipped with --no-host', async () => {
    const { file } = await writeConfig(HARDENED, { mode: 0o666 });
    const result = await audit({ configs: [file], profile: 'baseline', noHost: true, nanobotVersion: '0.3.0', env: {} });
    expect(result.findings).toEqual([]);
  });
});

describe('files beside the config', () => {
  it('pairing-approvals counts approved senders per channel', async () => {
    const { file } = await writeConfig(HARDENED);
    await writeFile(join(file, '..', 'pairing.json'), JSON.stringify({ approved: { telegram: ['1', '2'], discord: [] }, pending: {} }));
    const result = await audit({ configs: [file], profile: 'baseline', noHost: false, nanobotVersion: '0.3.0', env: {} });
    const finding = result.findings.find((f) => f.ruleId === 'pairing-approvals');
    expect(finding?.message).toMatch(/approves 2 sender\(s\) on telegram,/);
    expect(finding?.severity).toBe('info');
  });

  it('webui-full-access reads the WebUI state file', async () => {
    const { file } = await writeConfig(HARDENED);
    await mkdir(join(file, '..', 'webui'));
    await writeFile(join(file, '..', 'webui', 'workspace-state.json'), JSON.stringify({ default_access_mode: 'full' }));
    expect(await hostRules(file)).toEqual(['webui-full-access']);
  });

  it('a default access mode is no finding', async () => {
    const { file } = await writeConfig(HARDENED);
    await mkdir(join(file, '..', 'webui'));
    await writeFile(join(file, '..', 'webui', 'workspace-state.json'), JSON.stringify({ default_access_mode: 'default' }));
    expect(await hostRules(file)).toEqual([]);
  });
});
