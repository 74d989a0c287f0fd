// systemd units read as systemd reads them: the syntax of systemd.syntax(7), drop-ins in
// systemd.unit(5)'s order, Environment= and EnvironmentFile= as systemd.exec(5) says, specifiers;
// and the same trees given to systemd-analyze, where it runs, to check harden agrees with systemd.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseVersion, traitsFor } from '../../../src/config/version.js';
import { readUnit } from '../../../src/host/env-sources.js';
import { unitFindings } from '../../../src/host/units.js';
import { lastValue, loadUnit, parseUnitText, resolveSpecifiers, unitEnvironment, unitSearchPath } from '../../../src/host/unit-file.js';
import { tempDir } from '../../helpers/fixtures.js';

const traits = traitsFor(parseVersion('0.3.0')!, 'flag');

async function tree(files: Record<string, string>): Promise<string> {
  const root = await tempDir();
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe('systemd.syntax(7)', () => {
  it("reads the man page's Example 1", () => {
    const text = [
      '[Section A]',
      'KeyOne=value 1',
      'KeyTwo=value 2',
      '# a comment',
      '',
      '[Section B]',
      'Setting="something" "some thing" "..."',
      'KeyTwo=value 2 \\',
      '       value 2 continued',
      '',
      '[Section C]',
      'KeyThree=value 3\\',
      '# this line is ignored',
      '; this line is ignored too',
      '       value 3 continued',
      '',
    ].join('\n');
    expect(parseUnitText(text, 'x').map((l) => [l.section, l.key, l.value, l.line])).toEqual([
      ['Section A', 'KeyOne', 'value 1', 2],
      ['Section A', 'KeyTwo', 'value 2', 3],
      ['Section B', 'Setting', '"something" "some thing" "..."', 7],
      ['Section B', 'KeyTwo', 'value 2         value 2 continued', 8],
      ['Section C', 'KeyThree', 'value 3        value 3 continued', 12],
    ]);
  });

  it('a ; line is a comment, not a key (issue 17); an escaped backslash does not continue; CRLF is read', () => {
    const text = '[Service]\r\n;User=root\r\n  ; NoNewPrivileges=no\r\nUser = nanobot \r\nExecStart=/bin/echo a\\\\\r\nPrivateTmp=yes\r\n';
    expect(parseUnitText(text, 'x').map((l) => [l.key, l.value])).toEqual([
      ['User', 'nanobot'],
      ['ExecStart', '/bin/echo a\\\\'],
      ['PrivateTmp', 'yes'],
    ]);
  });
});

describe('systemd.exec(5): Environment= and EnvironmentFile=', () => {
  it('an empty Environment= resets what came before; the files win over Environment=; - is optional', async () => {
    const root = await tree({
      'nanobot.service': [
        '[Service]',
        'ExecStart=/usr/bin/nanobot gateway',
        'Environment=NANOBOT_GATEWAY__HOST=0.0.0.0 KEEP=1',
        'Environment=',
        'Environment=AFTER=1 \\',
        '  NANOBOT_TOOLS__EXEC__TIMEOUT=0',
        'EnvironmentFile=/nonexistent/reset.env',
        'EnvironmentFile=',
        'EnvironmentFile=-%E/optional-missing.env',
        'EnvironmentFile=/FILE',
        '',
      ].join('\n'),
      'bot.env': 'AFTER=from-file\nC=two \\\nnext\n',
    });
    const unitPath = join(root, 'nanobot.service');
    await writeFile(unitPath, (await import('node:fs')).readFileSync(unitPath, 'utf8').replace('/FILE', join(root, 'bot.env')));
    const source = readUnit(unitPath, join(root, 'config.json'));
    expect(source!.vars.map((v) => [v.name, v.value, v.line])).toEqual([
      ['AFTER', '1', 5],
      ['NANOBOT_TOOLS__EXEC__TIMEOUT', '0', 5],
      ['AFTER', 'from-file', 1],
      ['C', 'two next', 2],
    ]);
    expect(source!.unreadable).toEqual([]);
  });

  it('specifiers: %h is /root for the system manager and HOME for a user unit, %i the instance, %% a percent', () => {
    const sys = { user: false, home: '/root', env: {} };
    expect(resolveSpecifiers('%h/.nanobot/%i/config.json', { ...sys, unit: 'nanobot@work.service' })).toBe('/root/.nanobot/work/config.json');
    expect(resolveSpecifiers('%h/x', { user: true, home: '/home/bot', env: {}, unit: 'nanobot.service' })).toBe('/home/bot/x');
    expect(resolveSpecifiers('%n %N %p %I %%', { ...sys, unit: 'nanobot@a-b.service' })).toBe('nanobot@a-b.service nanobot@a-b nanobot a/b %');
    expect(resolveSpecifiers('/etc/%H.env', { ...sys, unit: 'nanobot.service' })).toBeUndefined();
  });

  it('a template unit for this config, found through %i and %h', async () => {
    const home = await tempDir();
    const config = join(home, 'work', 'config.json');
    const root = await tree({
      'nanobot@work.service': `[Service]\nExecStart=/usr/bin/nanobot gateway --config %h/work/config.json\nEnvironment=NANOBOT_GATEWAY__HOST=0.0.0.0\n`,
    });
    expect(readUnit(join(root, 'nanobot@work.service'), config)).toBeUndefined(); // a system unit: %h is /root
    const user = await tree({
      '.config/systemd/user/nanobot@work.service': `[Service]\nExecStart=/usr/bin/nanobot gateway --config "%h/work/config.json"\nEnvironment=NANOBOT_GATEWAY__HOST=0.0.0.0\n`,
    });
    const source = readUnit(join(user, '.config/systemd/user/nanobot@work.service'), join(user, 'work', 'config.json'), { env: { HOME: user } });
    expect(source?.vars.map((v) => v.name)).toEqual(['NANOBOT_GATEWAY__HOST']);
  });
});

describe('systemd.unit(5): drop-ins', () => {
  it('NAME.d, the dash prefixes and service.d, across /etc, /run and /usr/lib: one name masks lower ones, then by name', async () => {
    const root = await tree({
      'usr/lib/systemd/system/nanobot-gateway.service': '[Service]\nExecStart=/usr/bin/nanobot gateway\nUser=root\n',
      'usr/lib/systemd/system/nanobot-gateway.service.d/10-user.conf': '[Service]\nUser=vendor\n',
      'etc/systemd/system/nanobot-gateway.service.d/10-user.conf': '[Service]\nUser=admin\n',
      'run/systemd/system/nanobot-.service.d/20-tmp.conf': '[Service]\nPrivateTmp=no\n',
      'etc/systemd/system/service.d/30-nnp.conf': '[Service]\nNoNewPrivileges=yes\nPrivateTmp=yes\n',
      'etc/systemd/system/nanobot-.service.d/30-nnp.conf': '[Service]\n; masks service.d/30-nnp.conf\nNoNewPrivileges=no\n',
    });
    const unit = loadUnit(join(root, 'usr/lib/systemd/system/nanobot-gateway.service'), unitSearchPath(false, {}, root))!;
    expect(unit.dropins.map((d) => d.slice(root.length))).toEqual([
      '/etc/systemd/system/nanobot-gateway.service.d/10-user.conf',
      '/run/systemd/system/nanobot-.service.d/20-tmp.conf',
      '/etc/systemd/system/nanobot-.service.d/30-nnp.conf',
    ]);
    expect(['User', 'PrivateTmp', 'NoNewPrivileges'].map((k) => lastValue(unit, k)?.value)).toEqual(['admin', 'no', 'no']);
  });

  it("the deployment checks read the unit with its drop-ins, at the drop-in's line", async () => {
    const root = await tree({
      'nanobot.service':
        '[Service]\nExecStart=/usr/bin/nanobot gateway\nUser=nanobot\nNoNewPrivileges=yes\nPrivateTmp=yes\nProtectSystem=strict\nProtectHome=read-only\nReadWritePaths=/srv/bot\n',
      'nanobot.service.d/override.conf': '[Service]\nNoNewPrivileges=no\nReadWritePaths=\nReadWritePaths=-/tmp\n',
    });
    const found = await unitFindings({
      file: '/srv/bot/config.json',
      traits,
      config: {},
      env: {},
      units: [join(root, 'nanobot.service')],
      procRoot: '/nonexistent',
      platform: 'linux',
    });
    expect(found.map((f) => [f.ruleId, f.file.slice(root.length), f.line])).toEqual([
      ['systemd-no-new-privileges', '/nanobot.service.d/override.conf', 2],
      ['systemd-sandbox', '/nanobot.service', 6],
    ]);
  });

  const analyze = '/usr/bin/systemd-analyze';
  const probe = existsSync(analyze)
    ? spawnSync(analyze, ['security', '--offline=true', '--root=/nonexistent-root', 'x.service'], { encoding: 'utf8' })
    : undefined;
  const reason = !probe
    ? `${analyze} is not installed`
    : /unrecognized option|Unknown command/i.test(probe.stderr)
      ? 'this systemd-analyze has no offline security check'
      : undefined;
  it.skipIf(reason !== undefined)(
    `agrees with systemd-analyze security --offline on generated units and drop-ins${reason ? ` (skipped: ${reason})` : ''}`,
    async () => {
      const setting = fc.constantFrom(
        'User=root',
        'User=nanobot',
        'NoNewPrivileges=yes',
        'NoNewPrivileges=no',
        'PrivateTmp=yes',
        'PrivateTmp=no',
        ';PrivateTmp=yes',
        '#User=nanobot',
        'PrivateTmp = yes',
        'NoNewPrivileges=\\\n# skipped\n  yes',
        'User=\\\nnanobot',
        'PrivateTmp=true',
      );
      const body = fc.array(setting, { maxLength: 4 }).map((s) => ['[Service]', ...s].join('\n') + '\n');
      const dropin = fc.record({
        dir: fc.constantFrom('etc/systemd/system', 'run/systemd/system', 'usr/lib/systemd/system'),
        name: fc.constantFrom('nanobot-gateway.service.d', 'nanobot-.service.d', 'service.d'),
        file: fc.constantFrom('10-a.conf', '20-b.conf'),
        body,
      });
      const cases = fc.sample(
        fc.record({ main: body, where: fc.constantFrom('etc/systemd/system', 'usr/lib/systemd/system'), dropins: fc.array(dropin, { maxLength: 4 }) }),
        40,
      );
      for (const c of cases) {
        const files: Record<string, string> = { [`${c.where}/nanobot-gateway.service`]: c.main.replace('[Service]\n', '[Service]\nExecStart=/bin/true\n') };
        for (const d of c.dropins) files[`${d.dir}/${d.name}/${d.file}`] = d.body;
        const root = await tree(files);
        const r = spawnSync(analyze, ['security', '--offline=true', `--root=${root}`, '--no-pager', 'nanobot-gateway.service'], { encoding: 'utf8' });
        const mark = (name: string) => new RegExp(`^([✓✗]) ${name}`, 'm').exec(r.stdout)?.[1];
        const unit = loadUnit(join(root, c.where, 'nanobot-gateway.service'), unitSearchPath(false, {}, root))!;
        const yes = (k: string) => /^(yes|true|on|1)$/i.test(lastValue(unit, k)?.value ?? '');
        const user = lastValue(unit, 'User')?.value;
        const ours = {
          PrivateTmp: yes('PrivateTmp') ? '✓' : '✗',
          NoNewPrivileges: yes('NoNewPrivileges') ? '✓' : '✗',
          User: user && user !== 'root' ? '✓' : '✗',
        };
        expect({ PrivateTmp: mark('PrivateTmp='), NoNewPrivileges: mark('NoNewPrivileges='), User: mark('User=/DynamicUser=') }, JSON.stringify(files)).toEqual(
          ours,
        );
      }
    },
  );
});

describe('unitEnvironment', () => {
  it('drops assignments that are not NAME=value and keeps the words before a syntax error', () => {
    const unit = { name: 'x.service', file: 'x', dropins: [], lines: parseUnitText('[Service]\nEnvironment=A=1 JUSTWORD 1BAD=2 B=2 "C=unterminated\n', 'x') };
    expect(unitEnvironment(unit, { user: false, home: '/root', env: {} }).vars.map((v) => `${v.name}=${v.value}`)).toEqual(['A=1', 'B=2']);
  });
});
