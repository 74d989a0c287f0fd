// harden docker and harden systemd print commands and files for paths with spaces, quotes,
// dollars, percents, colons and hashes: the shell gets back each word as it was, yaml reads the
// compose service's paths as written, and systemd-analyze (where it runs) accepts the unit.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeText, dockerText } from '../../../src/deploy/docker.js';
import { systemdText, type DeploymentFacts } from '../../../src/deploy/print.js';
import { splitWords } from '../../../src/host/unit-file.js';
import { tempDir } from '../../helpers/fixtures.js';

const name = fc.stringMatching(/^[a-zA-Z0-9 '"$`#:%,;=&|*?!\\-]{1,12}$/).filter((s) => s.trim() === s && s !== '.' && s !== '..');

function facts(dir: string, extra: Partial<DeploymentFacts> = {}): DeploymentFacts {
  return {
    config: `${dir}/config.json`,
    dataDir: dir,
    workspace: `${dir}-workspace`,
    value: { gateway: { port: 18790 }, channels: { websocket: { enabled: true } } },
    user: 'nanobot',
    userIsOwner: true,
    configMode: 0o600,
    harden: ['harden_stub'],
    nanobot: '/usr/local/bin/nanobot',
    nanobotFound: true,
    envFile: `${dir}/nanobot.env`,
    version: '0.3.0',
    ...extra,
  };
}

/** The words each command of the printed script receives from /bin/sh. */
function shellWords(script: string): string[][] {
  const stubs =
    'out() { printf "%s" "$1"; shift; for a; do printf "\\037%s" "$a"; done; printf "\\036"; }\nharden_stub() { out harden "$@"; }\ndocker() { out docker "$@"; }\n';
  const r = spawnSync('/bin/sh', ['-c', stubs + script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout
    .split('\x1e')
    .filter(Boolean)
    .map((c) => c.split('\x1f'));
}

describe('harden docker', () => {
  it('the shell gets each path back as one word, and yaml reads the compose service as written', () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        const dir = `/srv/${a}/${b}`;
        const f = facts(dir);
        const text = dockerText(f);
        const [audit, run] = shellWords(text);
        expect(audit).toEqual(['harden', 'audit', '--config', f.config, '--fail-on', 'high', '--no-host']);
        expect(run).toContain(`${dir}:/home/nanobot/.nanobot`);
        expect(run).toContain(`${f.config}:/home/nanobot/.nanobot/config.json:ro`);
        expect(run).toContain(`${f.workspace}:/home/nanobot/.nanobot/workspace`);
        expect(run![run!.indexOf('--env-file') + 1]).toBe(f.envFile);
        expect(run!.slice(-2)).toEqual(['nanobot', 'gateway']);
        const compose = parse(composeText(f)) as { services: { nanobot: Record<string, unknown> } };
        expect(compose.services.nanobot['volumes']).toEqual([
          `${dir}:/home/nanobot/.nanobot`,
          `${f.config}:/home/nanobot/.nanobot/config.json:ro`,
          `${f.workspace}:/home/nanobot/.nanobot/workspace`,
        ]);
        expect(compose.services.nanobot['env_file']).toEqual([f.envFile]);
        expect(compose.services.nanobot['ports']).toEqual(['127.0.0.1:18790:18790', '127.0.0.1:8765:8765']);
      }),
      { numRuns: 150 },
    );
  });

  it('plain paths stay plain', () => {
    const text = dockerText(facts('/home/bot/.nanobot'));
    expect(text).toContain('  -v /home/bot/.nanobot:/home/nanobot/.nanobot \\\n');
    expect(text).toContain('  --tmpfs /tmp:noexec,nosuid,size=100m \\\n');
    expect(text).toContain('harden_stub audit --config /home/bot/.nanobot/config.json --fail-on high --no-host\n\ndocker run -d --name nanobot \\\n');
  });

  it('the run script is a shell script only, the compose form YAML only, and each published port says why', () => {
    const f = facts('/home/bot/.nanobot', { value: { gateway: { port: 18790 } } });
    const script = dockerText(f);
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).not.toContain('services:');
    expect(spawnSync('/bin/sh', ['-n', '-c', script]).status).toBe(0);
    expect(script).toMatch(/^# {3}18790: the gateway \(gateway\.port\)$/m);
    expect(script).not.toContain('8765');
    const compose = composeText(facts('/home/bot/.nanobot'));
    expect(parse(compose)).toMatchObject({ services: { nanobot: { ports: ['127.0.0.1:18790:18790', '127.0.0.1:8765:8765'] } } });
    expect(compose).toMatch(
      /^# {3}8765: the websocket channel that serves the WebUI \(channels\.websocket; set channels\.websocket\.enabled to false if you do not use it\)$/m,
    );
    expect(compose).not.toContain('docker run');
  });
});

describe('harden systemd', () => {
  it('command lines and lists quoted for systemd, specifiers and variables escaped', () => {
    fc.assert(
      fc.property(name, (a) => {
        const dir = `/srv/${a}`;
        const f = facts(dir, { harden: ['/usr/bin/node', `/opt/${a}/harden.js`] });
        const unit = systemdText(f);
        const value = (key: string) =>
          unit
            .split('\n')
            .find((l) => l.startsWith(`${key}=`))!
            .slice(key.length + 1);
        // systemd resolves %% and $$ after splitting the words; splitWords is checked against systemd elsewhere.
        const unescape = (w: string) => w.replace(/%%/g, '%').replace(/\$\$/g, '$');
        expect(splitWords(value('ExecStart')).words.map(unescape)).toEqual(['/usr/local/bin/nanobot', 'gateway', '--config', f.config]);
        expect(splitWords(value('ExecStartPre')).words.map(unescape)).toEqual([
          '/usr/bin/node',
          `/opt/${a}/harden.js`,
          'audit',
          '--config',
          f.config,
          '--fail-on',
          'high',
          '--no-color',
        ]);
        expect(splitWords(value('ReadWritePaths')).words.map(unescape)).toEqual([dir, f.workspace]);
        expect(value('EnvironmentFile').replace(/%%/g, '%')).toBe(f.envFile);
      }),
      { numRuns: 200 },
    );
  });

  it('says what must exist and what is a guess: a user to create for a root-owned config, a nanobot path not found', () => {
    const plain = systemdText(facts('/home/bot/.nanobot'));
    expect(plain).toMatch(/^# User=: the config's owner\.$/m);
    expect(plain).not.toMatch(/is a guess/);
    const guessed = systemdText(facts('/etc/nanobot', { userIsOwner: false, configMode: 0o600, nanobotFound: false }));
    expect(guessed).toMatch(/^# User=nanobot: root owns the config, and nanobot must not run as root\. Create the user and give$/m);
    expect(guessed).toMatch(/useradd --system --home-dir \/etc\/nanobot nanobot && chown -R nanobot: \/etc\/nanobot/);
    expect(guessed).toMatch(/cannot read the config, mode 600 and owned by root/);
    expect(guessed).toMatch(/^# ExecStart: \/usr\/local\/bin\/nanobot is a guess \(no nanobot on this PATH\)/m);
  });

  const analyze = '/usr/bin/systemd-analyze';
  it.skipIf(!existsSync(analyze))(
    `systemd-analyze verify accepts the unit for a path with a space, a percent and a dollar${existsSync(analyze) ? '' : ` (skipped: ${analyze} is not installed)`}`,
    async () => {
      const root = await tempDir();
      const dir = join(root, 'my bot', '100% $HOME');
      const bin = join(root, 'bin dir', 'nano bot');
      await mkdir(join(root, 'bin dir'), { recursive: true });
      await writeFile(bin, '#!/bin/sh\n');
      await chmod(bin, 0o755);
      const unitFile = join(root, 'nanobot.service');
      await writeFile(unitFile, systemdText(facts(dir, { harden: [process.execPath, join(root, 'harden.js')], nanobot: bin, user: 'root' })));
      const r = spawnSync(analyze, ['verify', unitFile], { encoding: 'utf8' });
      const about = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.startsWith('nanobot.service:') || l.includes(unitFile));
      expect(about.filter((l) => !/Unit .*\.target not found|Failed to create nanobot.service\/start/.test(l))).toEqual([]);
    },
  );
});
