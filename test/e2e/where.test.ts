// Where nanobot runs decides what its binds must be, from evidence about nanobot: a compose file
// that mounts the config's directory makes 0.0.0.0 inside the container right and the published
// port the thing to fix; a /.dockerenv where harden runs, with no nanobot there, is no evidence.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixFile } from '../../src/fix/index.js';
import { resolveTraits } from '../../src/audit/index.js';
import { harden } from '../helpers/cli.js';
import { fixOptions } from '../helpers/audit.js';
import { tempDir } from '../helpers/fixtures.js';

const CONFIG =
  '{\n  "tools": {"restrictToWorkspace": true, "exec": {"timeout": 30}},\n  "gateway": {"host": "0.0.0.0", "port": 18790},\n  "channels": {"websocket": {"enabled": false}}\n}\n';
const COMPOSE =
  'services:\n  nanobot:\n    image: ghcr.io/hkuds/nanobot:latest\n    command: gateway\n    volumes:\n      - ./.nanobot:/home/nanobot/.nanobot\n    ports:\n      - "18790:18790"\n';

async function deployment(compose = COMPOSE): Promise<{ home: string; file: string; compose: string }> {
  const home = await tempDir();
  await mkdir(join(home, '.nanobot'), { mode: 0o700 });
  const file = join(home, '.nanobot', 'config.json');
  await writeFile(file, CONFIG, { mode: 0o600 });
  await writeFile(join(home, 'compose.yml'), compose);
  return { home, file, compose: join(home, 'compose.yml') };
}

interface Report {
  runs: { where: string; evidence: string }[];
  findings: { ruleId: string; severity: string; message: string; fixable: boolean }[];
}

describe('where nanobot runs', () => {
  it('a compose file that mounts the config directory: the audit says so in its header and in the bind finding, which is information', async () => {
    const { file, compose } = await deployment();
    const text = harden(['audit', '-c', file, '--nanobot-version', '0.3.0']);
    expect(text.stdout).toContain(`nanobot runs in a container: the compose service nanobot (${compose}:6) mounts`);
    const report = JSON.parse(harden(['audit', '-c', file, '--nanobot-version', '0.3.0', '--format', 'json']).stdout) as Report;
    expect(report.runs[0]).toMatchObject({ where: 'container' });
    const bind = report.findings.find((f) => f.ruleId === 'gateway-host-loopback')!;
    expect(bind).toMatchObject({ severity: 'info', fixable: false });
    expect(bind.message).toMatch(
      /nanobot runs in a container \(the compose service nanobot .*\), where it must listen on 0\.0\.0\.0: publish the port on 127\.0\.0\.1 on the host instead/,
    );
  });

  it('fix --compose fixes the two together: 0.0.0.0 inside, published on 127.0.0.1, and the audit after agrees', async () => {
    const { file, compose } = await deployment();
    const r = harden(['fix', '--yes', '-c', file, '--compose', compose, '--nanobot-version', '0.3.0']);
    expect(r.stderr).toBe('');
    expect(await readFile(file, 'utf8')).toContain('"host": "0.0.0.0"');
    expect(await readFile(compose, 'utf8')).toContain('"127.0.0.1:18790:18790"');
    const after = JSON.parse(harden(['audit', '-c', file, '--compose', compose, '--nanobot-version', '0.3.0', '--format', 'json']).stdout) as Report;
    const binds = after.findings.filter((f) => ['gateway-host-loopback', 'compose-ports-loopback'].includes(f.ruleId));
    expect(binds.map((f) => [f.ruleId, f.severity])).toEqual([['gateway-host-loopback', 'info']]);
  });

  it('a /.dockerenv where harden runs and no nanobot there: no container, so the gateway goes to 127.0.0.1', async () => {
    const root = await tempDir();
    await writeFile(join(root, '.dockerenv'), '');
    const home = await tempDir();
    await mkdir(join(home, '.nanobot'), { mode: 0o700 });
    const file = join(home, '.nanobot', 'config.json');
    await writeFile(file, CONFIG, { mode: 0o600 });
    const options = fixOptions(file, { runtime: 'auto', hostRoot: root, procRoot: join(root, 'proc'), env: { PATH: join(root, 'bin') }, dryRun: true });
    const result = await fixFile(file, options, await resolveTraits(options));
    expect(result.after).toContain('"host": "127.0.0.1"');
    expect(result.skipped.filter((k) => k.why === 'lockout')).toEqual([]);
  });
});
