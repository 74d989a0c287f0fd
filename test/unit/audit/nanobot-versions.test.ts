// Issue 15, class by class: each example of "Every nanobot version read as it runs" with what
// harden now says, for the release it names (the corpus tests hold the model to nanobot's own
// verdicts on every release; these hold the audit's and the fix's words and exit codes).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { auditText, fixOptions, json } from '../../helpers/audit.js';
import { writeConfig } from '../../helpers/fixtures.js';
import { ConfigSyntaxError } from '../../../src/errors.js';
import { fix } from '../../../src/fix/index.js';
import type { AuditResult } from '../../../src/audit/index.js';

const hardened = (extra: Record<string, unknown> = {}) => ({
  tools: { restrictToWorkspace: true, exec: { timeout: 30 } },
  gateway: { host: '127.0.0.1' },
  ...extra,
});
const ids = (r: AuditResult) => r.findings.map((f) => `${f.ruleId} ${f.severity} ${f.pointer ?? ''}`);

async function refusal(text: string, version: string, env: Record<string, string> = {}): Promise<ConfigSyntaxError> {
  const error: unknown = await auditText(text, { version, env }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigSyntaxError);
  return error as ConfigSyntaxError;
}

describe('harden said fine while nanobot ran open', () => {
  it('0.1.4.post4: one integer in a typed channel drops the whole file: critical, naming the value', async () => {
    const text = json(hardened({ channels: { telegram: { enabled: true, allowFrom: [123456789] } } }));
    const r = await auditText(text, { version: '0.1.4.post4' });
    expect(ids(r)).toEqual(
      expect.arrayContaining([
        'nanobot-runs-on-defaults critical /channels/telegram/allowFrom/0',
        'restrict-to-workspace high /tools/restrictToWorkspace',
        'gateway-host-loopback info /gateway/host',
      ]),
    );
    const f = r.findings.find((x) => x.ruleId === 'nanobot-runs-on-defaults')!;
    expect(f.message).toMatch(
      /^channels\.telegram\.allowFrom\[0\] is 123456789, but nanobot needs a string: nanobot 0\.1\.4\.post4 drops the whole file without stopping and runs on its defaults/,
    );
    // The same on a free-form release only leaves telegram out.
    expect(ids(await auditText(text, { version: '0.1.4.post5' }))).toEqual(['channel-not-started info /channels/telegram/allowFrom/0']);
  });

  it('a section that is not an object: 0.3.0 crashes, 0.2.2 refuses, 0.2.1 runs on its defaults', async () => {
    expect((await refusal(json({ tools: [] }), '0.3.0')).reason).toMatch(/tools is \[\], not an object, .*: nanobot 0\.3\.0 stops with a traceback/);
    expect((await refusal(json(hardened({ channels: [] })), '0.2.2')).reason).toMatch(
      /channels is \[\], but nanobot needs an object: nanobot 0\.2\.2 refuses to start/,
    );
    expect(ids(await auditText(json(hardened({ channels: [] })), { version: '0.2.1' }))).toContain('nanobot-runs-on-defaults critical /channels');
  });

  it('0.1.4.post4 decodes NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM=\'["*"]\': everyone, and the fix pins the list in the file', async () => {
    const env = { NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM: '["*"]' };
    const text = json(hardened({ channels: { telegram: { enabled: true, token: '123:FAKE' } } }));
    const r = await auditText(text, { version: '0.1.4.post4', env });
    const f = r.findings.find((x) => x.ruleId === 'allow-from-wildcard')!;
    expect(f.source).toEqual({ kind: 'env', name: 'NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM' });
    const { file } = await writeConfig(text);
    const [res] = await fix(fixOptions(file, { nanobotVersion: '0.1.4.post4', env, noHost: true, answers: { allowFrom: { telegram: ['123456789'] } } }));
    expect(res!.remaining.map((x) => x.ruleId)).not.toContain('allow-from-wildcard');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ channels: { telegram: { allowFrom: ['123456789'] } } });
    // On 0.1.4.post5 the raw string makes the channel fail to start instead.
    expect(ids(await auditText(text, { version: '0.1.4.post5', env }))).toEqual(['channel-not-started info /channels/telegram/allowFrom']);
  });

  it('Feishu instances[] before 0.3.0: the top-level list runs, and instances[] is said to do nothing', async () => {
    const text = json(hardened({ channels: { feishu: { enabled: true, appId: 'cli_x', allowFrom: ['*'], instances: [{ id: 'a', allowFrom: ['ou_1'] }] } } }));
    expect(ids(await auditText(text, { version: '0.2.2' }))).toEqual(
      expect.arrayContaining(['allow-from-wildcard high /channels/feishu/allowFrom', 'unknown-key medium /channels/feishu/instances']),
    );
    // 0.3.0 runs the instances (each inheriting the top level), and the top level is no bot of its own.
    expect(ids(await auditText(text, { version: '0.3.0' })).filter((x) => x.startsWith('allow-from'))).toEqual([]);
  });

  it('an api.apiKey on 0.1.5 to 0.2.2 protects nothing: those releases have no API authentication', async () => {
    const r = await auditText(json(hardened({ api: { host: '0.0.0.0', apiKey: 'FAKE-api-key-123' } })), { version: '0.2.2' });
    expect(r.findings.find((f) => f.ruleId === 'api-exposed-without-key')).toMatchObject({
      severity: 'critical',
      message: expect.stringMatching(/has no API key at all/),
    });
  });

  it('websocketRequiresToken false lets everyone in whatever secret is set; an apiKey of blanks is no key', async () => {
    const ws = await auditText(
      json(hardened({ channels: { websocket: { enabled: true, websocketRequiresToken: false, tokenIssueSecret: 'FAKE-issue-secret' } } })),
    );
    expect(ids(ws)).toContain('websocket-token-not-required high /channels/websocket/websocketRequiresToken');
    const pub = await auditText(
      json(hardened({ channels: { websocket: { enabled: true, host: '192.168.1.5', websocketRequiresToken: false, tokenIssueSecret: 'FAKE-issue-secret' } } })),
    );
    expect(ids(pub)).toContain('websocket-exposed-without-secret critical /channels/websocket/host');
    expect((await refusal(json(hardened({ api: { host: '0.0.0.0', apiKey: '   ' } })), '0.3.0')).reason).toMatch(
      /api\.host is "0\.0\.0\.0", but nanobot needs a loopback address while api\.apiKey is empty/,
    );
  });
});

describe('nanobot does not start: exit 2 with its reason', () => {
  it('0.3.0+: api.host 0.0.0.0 without a key', async () => {
    const e = await refusal(json({ api: { host: '0.0.0.0' } }), '0.3.0');
    expect([e.line, e.column]).toEqual([3, 5]);
    await refusal(json({ api: { host: '::' } }), '0.3.0+main.3852956a7');
  });

  it('0.1.5 to 0.3.0 read the environment alone first: an invalid variable stops nanobot although the file sets the key', async () => {
    const text = json(hardened({ gateway: { host: '127.0.0.1', port: 18790 } }));
    expect((await refusal(text, '0.2.2', { NANOBOT_GATEWAY__PORT: 'abc' })).reason).toMatch(
      /gateway\.port \(from the environment variable NANOBOT_GATEWAY__PORT\) must be a whole number: nanobot 0\.2\.2 refuses to start/,
    );
    // main validates the environment under the file: the file's port wins, the variable is dead.
    expect(ids(await auditText(text, { version: '0.3.0+main.3852956a7', env: { NANOBOT_GATEWAY__PORT: 'abc' } }))).toContain(
      'env-override-shadowed info /gateway/port',
    );
    const api = json(hardened({ api: { host: '127.0.0.1' } }));
    expect((await refusal(api, '0.3.0', { NANOBOT_API__HOST: '0.0.0.0' })).reason).toMatch(/NANOBOT_API__HOST/);
  });

  it('0.1.4.post4 to 0.1.5.post3: the gateway exits when a started channel has no top-level allowFrom (Slack on dm lists too)', async () => {
    const slack = json(
      hardened({ channels: { slack: { enabled: true, dm: { policy: 'allowlist', allowFrom: ['U1'] }, groupPolicy: 'allowlist', groupAllowFrom: ['C1'] } } }),
    );
    expect((await refusal(slack, '0.1.5.post3')).reason).toMatch(/the gateway of nanobot 0\.1\.5\.post3 exits at start \("slack" has empty allowFrom\)/);
    expect(ids(await auditText(slack, { version: '0.2.0' })).filter((x) => /critical|high/.test(x))).toEqual([]);
  });

  it('0.1.4: tools: [] crashes _migrate_config before the unknown key is even seen', async () => {
    expect((await refusal('{"tools": [], "debug": true}', '0.1.4')).reason).toMatch(
      /tools is \[\], not an object, and nanobot's _migrate_config fails on it \(nanobot\/config\/loader\.py:\d+\): nanobot 0\.1\.4 stops with a traceback/,
    );
  });
});

describe('harden refused what nanobot loads', () => {
  it('NaN and Infinity are numbers to Python: NaN in a float loads, Infinity in an integer does not', async () => {
    const nan = await auditText(json(hardened()).replace('"timeout": 30', '"timeout": 30, "x": NaN').replace('"exec"', '"exec"'));
    expect(nan.findings.filter((f) => f.ruleId.startsWith('nanobot-'))).toEqual([]);
    const temperature = await auditText('{"agents": {"defaults": {"temperature": NaN}}, "tools": {"restrictToWorkspace": true}}');
    expect(ids(temperature).filter((x) => x.startsWith('nanobot-'))).toEqual([]);
    expect(ids(await auditText('{"tools": {"restrictToWorkspace": true, "exec": {"timeout": Infinity}}}', { version: '0.2.1' }))).toContain(
      'nanobot-runs-on-defaults critical /tools/exec/timeout',
    );
    expect((await refusal('{"tools": {"exec": {"timeout": -Infinity}}}', '0.2.2')).reason).toMatch(
      /tools\.exec\.timeout is -Infinity, but nanobot needs a whole number/,
    );
  });
});

describe('false alarms', () => {
  it('a channel the release does not have is ignored, not high', async () => {
    const r = await auditText(
      json(hardened({ channels: { mattermost: { enabled: true, allowFrom: ['*'] }, signal: { enabled: true, dm: { enabled: true, policy: 'open' } } } })),
      { version: '0.2.0' },
    );
    expect(ids(r)).toEqual(['channel-ignored info /channels/mattermost', 'channel-ignored info /channels/signal']);
  });

  it('a misspelt channel is an unknown key, not an open allow list', async () => {
    expect(ids(await auditText(json(hardened({ channels: { telegramm: { enabled: true, allowFrom: ['*'] } } }))))).toEqual([
      'unknown-key medium /channels/telegramm',
    ]);
  });

  it("a section the channel's own model rejects starts no channel: no open-list alarm", async () => {
    const r = await auditText(json(hardened({ channels: { telegram: { enabled: true, allowFrom: ['*'], groupPolicy: 'allowlist' } } })));
    expect(ids(r)).toEqual(['channel-not-started info /channels/telegram/groupPolicy']);
  });

  it('NANOBOT_API__HOST before 0.1.5 names nothing nanobot has', async () => {
    const r = await auditText(json(hardened()), { version: '0.1.4', env: { NANOBOT_API__HOST: '0.0.0.0' } });
    expect(r.findings.filter((f) => f.ruleId.startsWith('api-') || f.ruleId.startsWith('env-'))).toEqual([]);
    const { file } = await writeConfig(json(hardened()));
    const [res] = await fix(fixOptions(file, { nanobotVersion: '0.1.4', noHost: true, env: { NANOBOT_API__HOST: '0.0.0.0' } }));
    expect(res!.remaining.map((f) => f.ruleId)).not.toContain('env-override');
  });

  it('gateway.host opens nothing up to 0.1.5; "LOCALHOST" is loopback', async () => {
    expect(
      (await auditText(json({ tools: { restrictToWorkspace: true }, gateway: { host: '0.0.0.0' } }), { version: '0.1.5' })).findings.find(
        (f) => f.ruleId === 'gateway-host-loopback',
      )?.severity,
    ).toBe('info');
    expect(
      (await auditText(json({ tools: { restrictToWorkspace: true }, gateway: { host: '0.0.0.0' } }), { version: '0.1.5.post1' })).findings.find(
        (f) => f.ruleId === 'gateway-host-loopback',
      )?.severity,
    ).toBe('medium');
    expect(ids(await auditText(json({ tools: { restrictToWorkspace: true }, gateway: { host: 'LOCALHOST' } })))).toEqual([]);
  });
});

describe('harden fix never reports success on a file nanobot drops', () => {
  it('fixes the cause where it is safe: an ID written as a number becomes the string, and the file loads', async () => {
    const { file } = await writeConfig(json(hardened({ channels: { telegram: { enabled: true, allowFrom: [123456789] } } })));
    const [res] = await fix(fixOptions(file, { nanobotVersion: '0.1.4.post4', noHost: true }));
    expect(res!.changed).toBe(true);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ channels: { telegram: { allowFrom: ['123456789'] } } });
    expect(res!.remaining.map((f) => f.ruleId)).not.toContain('nanobot-runs-on-defaults');
  });

  it('stops with exit 2 and writes nothing where no safe correction exists', async () => {
    const text = json(hardened({ channels: { telegram: { enabled: 2, allowFrom: ['1'] } } }));
    const { file } = await writeConfig(text);
    const error: unknown = await fix(fixOptions(file, { nanobotVersion: '0.1.4.post4', noHost: true })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigSyntaxError);
    expect((error as ConfigSyntaxError).reason).toMatch(
      /channels\.telegram\.enabled is 2, but nanobot needs true or false: nanobot 0\.1\.4\.post4 drops the whole file .*; harden fix cannot correct that by itself, so nothing was written$/,
    );
    expect(await readFile(file, 'utf8')).toBe(text);
  });
});
