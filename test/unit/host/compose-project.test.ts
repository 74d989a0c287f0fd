// Compose projects read as docker compose reads them: several -f files merged in order, the .env
// beside the first file, env_file: and environment: in every form, extends, include, profiles,
// !reset, and YAML merge keys. Real files in temp directories.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVersion, traitsFor } from '../../../src/config/version.js';
import { composeFindings, loadComposeProject } from '../../../src/host/compose.js';
import { readCompose } from '../../../src/host/compose-env.js';
import { fixCompose } from '../../../src/fix/index.js';
import { tempDir } from '../../helpers/fixtures.js';

const traits = traitsFor(parseVersion('0.3.0')!, 'flag');
const lines = (...l: string[]) => l.join('\n') + '\n';

async function project(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

describe('interpolation with the project .env', () => {
  it('BIND= (set, empty) in .env: ${BIND:-127.0.0.1} is the default, so the port is on loopback', async () => {
    const dir = await project({
      '.env': 'BIND=\n',
      'compose.yml': lines(
        'services:',
        '  nanobot:',
        '    image: nanobot',
        '    ports:',
        '      - "${BIND:-127.0.0.1}:18790:18790"',
        '      - "${BIND-0.0.0.0}:8765:8765"',
      ),
    });
    const p = loadComposeProject([join(dir, 'compose.yml')], {});
    expect(p.services[0]!.value['ports']).toEqual(['127.0.0.1:18790:18790', ':8765:8765']);
    const ports = composeFindings(p, { traits, bwrap: false }).filter((f) => f.ruleId === 'compose-ports-loopback');
    expect(ports.map((f) => f.message)).toEqual([expect.stringContaining('8765')]);
  });

  it("the shell's variables win over .env's, as Compose's do", async () => {
    const dir = await project({ '.env': 'RO=false\n', 'compose.yml': lines('services:', '  nanobot:', '    image: nanobot', '    read_only: ${RO}') });
    const file = join(dir, 'compose.yml');
    expect(composeFindings(loadComposeProject([file], {}), { traits, bwrap: false }).map((f) => f.ruleId)).toContain('compose-read-only');
    expect(composeFindings(loadComposeProject([file], { RO: 'true' }), { traits, bwrap: false }).map((f) => f.ruleId)).not.toContain('compose-read-only');
  });

  it('a required variable that is unset is a problem Compose reports, at its line', async () => {
    const dir = await project({ 'compose.yml': lines('services:', '  nanobot:', '    image: nanobot', '    user: ${APP_UID:?set APP_UID}') });
    expect(loadComposeProject([join(dir, 'compose.yml')], {}).problems).toEqual([
      { file: join(dir, 'compose.yml'), line: 4, message: 'required variable APP_UID is missing a value' },
    ]);
  });
});

describe('the environment a service gets', () => {
  it('env_file in its three forms, then environment: as a list, bare names from the project', async () => {
    const dir = await project({
      '.env': 'FROM_DOTENV=dotenv\nHOST=0.0.0.0\n',
      'a.env': 'NANOBOT_A=1\nexport NANOBOT_B="two words" # note\n',
      'b.env': 'NANOBOT_A=2\n',
      'compose.yml': lines(
        'services:',
        '  nanobot:',
        '    image: nanobot',
        '    env_file:',
        '      - a.env',
        '      - path: b.env',
        '      - path: missing.env',
        '        required: false',
        '      - path: needed.env',
        '    environment:',
        '      - NANOBOT_GATEWAY__HOST=${HOST}',
        '      - FROM_DOTENV',
        '      - NOT_SET_ANYWHERE',
      ),
    });
    const [source] = readCompose([join(dir, 'compose.yml')], {});
    expect(source!.vars.map((v) => [v.name, v.value, v.file.slice(dir.length + 1), v.line])).toEqual([
      ['NANOBOT_A', '1', 'a.env', 1],
      ['NANOBOT_B', 'two words', 'a.env', 2],
      ['NANOBOT_A', '2', 'b.env', 1],
      ['NANOBOT_GATEWAY__HOST', '0.0.0.0', 'compose.yml', 11],
      ['FROM_DOTENV', 'dotenv', 'compose.yml', 12],
    ]);
    expect(source!.unreadable).toEqual([join(dir, 'needed.env')]);
  });

  it('environment: as a map, with a null value from the shell', async () => {
    const dir = await project({
      'compose.yml': lines(
        'services:',
        '  nanobot:',
        '    image: nanobot',
        '    environment:',
        '      NANOBOT_TOOLS__EXEC__TIMEOUT: 0',
        '      FROM_SHELL:',
        '      UNSET:',
      ),
    });
    const [source] = readCompose([join(dir, 'compose.yml')], { FROM_SHELL: 'yes' });
    expect(source!.vars.map((v) => [v.name, v.value, v.line])).toEqual([
      ['NANOBOT_TOOLS__EXEC__TIMEOUT', '0', 5],
      ['FROM_SHELL', 'yes', 6],
    ]);
  });
});

describe('several files, extends, include, profiles', () => {
  it('-f base -f override: merged in order; each finding at the file and line that decided it', async () => {
    const dir = await project({
      'compose.yml': lines(
        'services:',
        '  nanobot:',
        '    image: nanobot',
        '    read_only: true',
        '    cap_add: [SYS_ADMIN]',
        '    environment:',
        '      NANOBOT_GATEWAY__HOST: 127.0.0.1',
      ),
      'override.yml': lines(
        'services:',
        '  nanobot:',
        '    read_only: false',
        '    cap_add: [CHOWN]',
        '    environment:',
        '      - NANOBOT_GATEWAY__HOST=0.0.0.0',
      ),
    });
    const files = [join(dir, 'compose.yml'), join(dir, 'override.yml')];
    const p = loadComposeProject(files, {});
    expect(p.services[0]!.value['cap_add']).toEqual(['SYS_ADMIN', 'CHOWN']);
    const found = composeFindings(p, { traits, bwrap: false });
    expect(found.find((f) => f.ruleId === 'compose-read-only')).toMatchObject({ file: files[1], line: 3 });
    const [source] = readCompose(files, {});
    expect(source!.vars.map((v) => [v.name, v.value, v.file, v.line])).toEqual([['NANOBOT_GATEWAY__HOST', '0.0.0.0', files[1], 6]]);
  });

  it('fix --compose on two files: each finding fixed where it lives, additions in the last file', async () => {
    const dir = await project({
      'compose.yml': lines(
        'services:',
        '  nanobot:',
        '    image: nanobot  # base',
        '    privileged: true',
        '    cap_add:',
        '      - SYS_ADMIN',
        '      - CHOWN',
        '    ports: ["0.0.0.0:18790:18790"]',
      ),
      'override.yml': lines('services:', '  nanobot:', '    read_only: false   # was off'),
    });
    const files = [join(dir, 'compose.yml'), join(dir, 'override.yml')];
    const results = await fixCompose(files, { dryRun: false, keepBackups: 5 }, traits, false);
    expect(await readFile(files[0]!, 'utf8')).toBe(
      lines('services:', '  nanobot:', '    image: nanobot  # base', '    cap_add:', '      - CHOWN', '    ports: ["127.0.0.1:18790:18790"]'),
    );
    expect(await readFile(files[1]!, 'utf8')).toBe(
      lines(
        'services:',
        '  nanobot:',
        '    read_only: true   # was off',
        '    security_opt:',
        '      - no-new-privileges:true',
        '    cap_drop:',
        '      - ALL',
        '    cap_add:',
        '      - SETUID',
        '      - SETGID',
        '    tmpfs:',
        '      - /tmp:noexec,nosuid,size=100m',
      ),
    );
    expect(results.map((r) => [r.changed, r.remaining.length])).toEqual([
      [true, 0],
      [true, 0],
    ]);
    const again = await fixCompose(files, { dryRun: false, keepBackups: 5 }, traits, false);
    expect(again.map((r) => r.changed)).toEqual([false, false]);
  });

  it('extends (same file and another file) and !reset', async () => {
    const dir = await project({
      'base.yml': lines('services:', '  hardened:', '    read_only: true', '    cap_drop: [ALL]', '    ports: ["0.0.0.0:1:1"]'),
      'compose.yml': lines(
        'services:',
        '  common:',
        '    security_opt: [no-new-privileges:true]',
        '  nanobot:',
        '    image: nanobot',
        '    extends:',
        '      file: base.yml',
        '      service: hardened',
        '    ports: !reset []',
        '  helper:',
        '    extends: common',
        '    image: helper',
      ),
    });
    const p = loadComposeProject([join(dir, 'compose.yml')], {});
    const nanobot = p.services.find((s) => s.name === 'nanobot')!;
    expect(nanobot.value).toMatchObject({ read_only: true, cap_drop: ['ALL'], image: 'nanobot' });
    expect(nanobot.value['ports']).toBeUndefined();
    expect(nanobot.at('read_only')).toMatchObject({ file: join(dir, 'base.yml'), line: 3 });
  });

  it("include: another project's services, with its own .env", async () => {
    const dir = await project({
      'bot/.env': 'BIND=0.0.0.0\n',
      'bot/compose.yml': lines('services:', '  nanobot:', '    image: nanobot', '    ports: ["${BIND}:18790:18790"]'),
      'compose.yml': lines('include:', '  - bot/compose.yml', 'services:', '  db:', '    image: postgres'),
    });
    const p = loadComposeProject([join(dir, 'compose.yml')], {});
    expect(p.services.map((s) => [s.name, s.value['ports']])).toEqual([['nanobot', ['0.0.0.0:18790:18790']]]);
  });

  it('profiles: the only service that runs without a profile is the nanobot one', async () => {
    const dir = await project({
      'compose.yml': lines('services:', '  bot:', '    image: example/assistant', '  debug:', '    image: busybox', '    profiles: [debug]'),
    });
    const file = join(dir, 'compose.yml');
    expect(loadComposeProject([file], {}).services.map((s) => s.name)).toEqual(['bot']);
    expect(loadComposeProject([file], { COMPOSE_PROFILES: 'debug' }).services.map((s) => s.name)).toEqual([]);
  });

  it("a YAML merge key brings in the anchor's keys; the fix overrides them in the service, never in the anchor", async () => {
    const dir = await project({
      'compose.yml': lines(
        'x-base: &base',
        '  privileged: true',
        '  read_only: false',
        'services:',
        '  nanobot:',
        '    <<: *base',
        '    image: nanobot',
        '  other:',
        '    <<: *base',
        '    image: other',
      ),
    });
    const file = join(dir, 'compose.yml');
    await fixCompose(file, { dryRun: false, keepBackups: 5 }, traits, false);
    const text = await readFile(file, 'utf8');
    expect(
      text.startsWith(
        lines(
          'x-base: &base',
          '  privileged: true',
          '  read_only: false',
          'services:',
          '  nanobot:',
          '    <<: *base',
          '    image: nanobot',
          '    read_only: true',
        ),
      ),
    ).toBe(true);
    expect(text).toContain('    privileged: false\n');
    expect(text.endsWith(lines('  other:', '    <<: *base', '    image: other'))).toBe(true);
  });

  it('invalid YAML is one sentence with file:line:column', async () => {
    const dir = await project({ 'compose.yml': 'services:\n  nanobot:\n    image: [unclosed\n' });
    expect(() => loadComposeProject([join(dir, 'compose.yml')], {})).toThrow(new RegExp(`^${join(dir, 'compose.yml')}:\\d+:\\d+: not valid YAML: `));
  });
});
