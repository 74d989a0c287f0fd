// Compose through the built CLI: a hand-written file with every style is fixed in place, only the
// lines the fix must change; several --compose files are one project; interpolation with the .env
// beside the first file decides what is checked.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harden } from '../helpers/cli.js';
import { FIXTURES, copyFixture } from '../helpers/fixtures.js';

describe('harden fix --compose', () => {
  it('octal modes, anchors, aliases, flow and block styles, comments and long lines: only the lines it must', async () => {
    const { dir, file } = await copyFixture('audit/guide-hardened.json');
    const compose = join(dir, 'compose.yml');
    await copyFile(join(FIXTURES, 'compose', 'styles.yml'), compose);
    const before = await readFile(compose, 'utf8');
    const r = harden(['fix', '--yes', '-c', file, '--compose', compose, '--nanobot-version', '0.3.0', '--runtime', 'host', '--quiet']);
    expect(r.stderr).toBe('');
    const after = await readFile(compose, 'utf8');
    const expected = before
      .replace('    read_only: false      # was needed', '    read_only: true      # was needed')
      .replace('    cap_add: [NET_ADMIN, CHOWN]', '    cap_add: [CHOWN, SETUID, SETGID]')
      .replace('      - "18790:18790"   # health', '      - "127.0.0.1:18790:18790"   # health')
      .replace('      - target: 8765\n        published: "8765"\n', '      - target: 8765\n        published: "8765"\n        host_ip: 127.0.0.1\n')
      .replace('    privileged: true\n    secrets:', '    secrets:')
      .replace('      - label:disable\n', '      - label:disable\n      - no-new-privileges:true\n')
      .replace(
        '      - ~/.nanobot:/home/nanobot/.nanobot:ro\n',
        '      - ~/.nanobot:/home/nanobot/.nanobot:ro\n    cap_drop:\n      - ALL\n    tmpfs:\n      - /tmp:noexec,nosuid,size=100m\n',
      );
    expect(after).toBe(expected);
    // The sidecar, the anchors and every value a writer would respell are as they were.
    expect(after).toContain('        mode: 0440\n');
    expect(after).toContain('      RATE_LIMIT: 1e3\n');
    const again = harden(['fix', '--yes', '-c', file, '--compose', compose, '--nanobot-version', '0.3.0', '--runtime', 'host', '--format', 'json']);
    expect(JSON.parse(again.stdout).compose[0].changed).toBe(false);
  });
});

describe('harden audit --compose', () => {
  it('two files are one project, and ${BIND:-127.0.0.1} with BIND= in .env is loopback', async () => {
    const { dir, file } = await copyFixture('audit/guide-hardened.json');
    await writeFile(join(dir, '.env'), 'BIND=\nTAG=latest\n');
    await writeFile(
      join(dir, 'compose.yml'),
      'services:\n  nanobot:\n    image: ghcr.io/hkuds/nanobot:${TAG}\n    read_only: true\n    ports:\n      - "${BIND:-127.0.0.1}:18790:18790"\n',
    );
    await writeFile(join(dir, 'compose.override.yml'), 'services:\n  nanobot:\n    read_only: false\n    user: ${APP_UID:?set it in .env}\n');
    const r = harden([
      'audit',
      '-c',
      file,
      '--compose',
      join(dir, 'compose.yml'),
      '--compose',
      join(dir, 'compose.override.yml'),
      '--nanobot-version',
      '0.3.0',
      '--format',
      'json',
      '--fail-on',
      'critical',
    ]);
    expect(r.stderr).toBe('');
    const findings = (JSON.parse(r.stdout) as { findings: { ruleId: string; file: string; line: number; message: string }[] }).findings.filter((f) =>
      f.file.includes('compose'),
    );
    expect(findings.filter((f) => f.ruleId === 'compose-ports-loopback')).toEqual([]);
    expect(findings.find((f) => f.ruleId === 'compose-read-only')).toMatchObject({ file: join(dir, 'compose.override.yml'), line: 3 });
    expect(findings.find((f) => f.ruleId === 'not-checked')?.message).toBe(
      `the compose value at ${join(dir, 'compose.override.yml')}:4 not checked: docker compose refuses it (required variable APP_UID is missing a value)`,
    );
  });

  it('a compose file that is not YAML: one sentence with file:line:column, exit 2', async () => {
    const { dir, file } = await copyFixture('audit/guide-hardened.json');
    await writeFile(join(dir, 'compose.yml'), 'services:\n  nanobot:\n    ports: [unclosed\n');
    const r = harden(['audit', '-c', file, '--compose', join(dir, 'compose.yml'), '--nanobot-version', '0.3.0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^harden: ${join(dir, 'compose.yml')}:\\d+:\\d+: not valid YAML: [^\\n]+\\n$`));
  });
});
