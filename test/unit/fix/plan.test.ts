// Findings + answers -> patches, as data.
import { describe, expect, it } from 'vitest';
import { auditText } from '../../helpers/audit.js';
import { plan, type Answers, type HostFacts } from '../../../src/fix/plan.js';
import { parseVersion, traitsFor, assumedTraits } from '../../../src/config/version.js';

async function planFor(json: string, options: { answers?: Answers; host?: Partial<HostFacts>; acceptRisk?: string[]; version?: string } = {}) {
  const result = await auditText(json, { version: options.version ?? '0.3.0' });
  const fa = result.files[0]!;
  const traits = options.version === 'assumed' ? assumedTraits() : traitsFor(parseVersion(options.version ?? '0.3.0')!, 'flag');
  return plan({
    parsed: fa.parsed,
    effective: fa.effective,
    findings: fa.findings,
    traits,
    answers: options.answers ?? {},
    acceptRisk: new Set(options.acceptRisk ?? []),
    host: { inContainer: false, ...options.host },
  });
}

const j = (v: unknown) => JSON.stringify(v, null, 2);
/** A config with the workspace restriction already on, so that only the rule under test plans. */
const hardened = (v: Record<string, unknown>) => j({ tools: { restrictToWorkspace: true }, ...v });

describe('plan', () => {
  it('reads answers by own key: a section named constructor is no channel of nanobot, and no answer for it answers another', async () => {
    const text = hardened({
      channels: {
        constructor: { enabled: true, allowFrom: ['*'] },
        toString: { enabled: true, allowFrom: ['*'] },
        telegram: { enabled: true, allowFrom: ['*'] },
      },
    });
    // Plain objects answer "constructor" and "toString" from Object.prototype: never taken as answers.
    const none = await planFor(text, { answers: { allowFrom: {} } });
    expect(none.skipped.filter((k) => k.why === 'needs-answer').map((k) => k.pointer)).toEqual(['/channels/telegram/allowFrom']);
    expect(none.skipped.filter((k) => k.ruleId === 'channel-ignored').map((k) => [k.why, k.pointer])).toEqual([
      ['manual', '/channels/constructor'],
      ['manual', '/channels/toString'],
    ]);
    expect(none.patches).toEqual([]);
    const answered = await planFor(text, { answers: { allowFrom: JSON.parse('{"constructor": ["1"], "toString": ["2"]}') as Record<string, string[]> } });
    expect(answered.patches).toEqual([]);
    const telegram = await planFor(text, { answers: { allowFrom: JSON.parse('{"constructor": ["1"], "telegram": ["3"]}') as Record<string, string[]> } });
    expect(telegram.patches.map((x) => [x.pointer, x.op === 'set' ? x.after : null])).toEqual([['/channels/telegram/allowFrom', ['3']]]);
  });

  it('sets hardened values where nanobot reads them, explicitly even when equal to the default', async () => {
    const p = await planFor(j({ tools: { restrict_to_workspace: false, exec: { timeout: 0 } }, gateway: { port: 1 } }), { version: '0.1.4' });
    expect(p.patches).toEqual(
      expect.arrayContaining([
        { op: 'set', ruleId: 'gateway-host-loopback', pointer: '/gateway/host', before: '0.0.0.0', after: '127.0.0.1' },
        { op: 'set', ruleId: 'restrict-to-workspace', pointer: '/tools/restrict_to_workspace', before: false, after: true },
        { op: 'set', ruleId: 'exec-timeout', pointer: '/tools/exec/timeout', before: 0, after: 30 },
      ]),
    );
    expect(p.patches).toHaveLength(3);
  });

  it('writes both places of restrictToWorkspace when the installed version is unknown', async () => {
    const p = await planFor(j({ tools: {} }), { version: 'assumed' });
    expect(p.patches.filter((x) => x.ruleId === 'restrict-to-workspace').map((x) => x.pointer)).toEqual([
      '/tools/restrictToWorkspace',
      '/tools/exec/restrictToWorkspace',
    ]);
  });

  it('pins the camelCase key where a camelCase-form variable beats the snake_case one', async () => {
    const result = await auditText(j({ tools: { restrict_to_workspace: true } }), { env: { NANOBOT_TOOLS__RESTRICTTOWORKSPACE: 'false' } });
    const fa = result.files[0]!;
    const p = plan({
      parsed: fa.parsed,
      effective: fa.effective,
      findings: fa.findings,
      traits: traitsFor(parseVersion('0.3.0')!, 'flag'),
      answers: {},
      acceptRisk: new Set(),
      host: { inContainer: false },
    });
    expect(p.patches.map((x) => x.pointer)).toContain('/tools/restrictToWorkspace');
  });

  it('removes losing duplicate copies, later copies first', async () => {
    const p = await planFor('{"tools": {"restrictToWorkspace": true}, "gateway": {"host": "127.0.0.1", "host": "::1", "host": "0.0.0.0"}}');
    expect(p.patches.map((x) => [x.op, x.pointer, x.op === 'remove' ? x.copy : x.after])).toEqual([
      ['remove', '/gateway/host', 1],
      ['remove', '/gateway/host', 0],
      ['set', '/gateway/host', '127.0.0.1'],
    ]);
  });

  it('skips what only the owner knows, naming the flag that supplies it', async () => {
    const p = await planFor(hardened({ channels: { telegram: { enabled: true, allowFrom: ['*'] } } }));
    expect(p.patches).toEqual([]);
    expect(p.skipped).toEqual([
      expect.objectContaining({ ruleId: 'allow-from-wildcard', why: 'needs-answer', message: expect.stringContaining('--allow-from telegram=ID') }),
    ]);
  });

  it('replaces "*" with the answers and keeps good entries', async () => {
    const p = await planFor(hardened({ channels: { telegram: { enabled: true, allowFrom: ['*', '42'] } } }), { answers: { allowFrom: { telegram: ['7'] } } });
    expect(p.patches).toEqual([{ op: 'set', ruleId: 'allow-from-wildcard', pointer: '/channels/telegram/allowFrom', before: ['*', '42'], after: ['42', '7'] }]);
  });

  it('turns an open Slack DM policy into an allow list', async () => {
    const p = await planFor(hardened({ channels: { slack: { enabled: true, groupPolicy: 'allowlist' } } }), {
      answers: { allowFrom: { slack: ['U0123456'] } },
    });
    expect(p.patches.map((x) => [x.pointer, x.op === 'set' ? x.after : null])).toEqual([
      ['/channels/slack/dm/policy', 'allowlist'],
      ['/channels/slack/dm/allowFrom', ['U0123456']],
    ]);
  });

  describe('lockout guard', () => {
    it('holds back loopback binds when nanobot runs in a container, unless the risk is accepted', async () => {
      const json = j({ gateway: { host: '0.0.0.0' }, tools: { restrictToWorkspace: true } });
      const held = await planFor(json, { host: { inContainer: true } });
      expect(held.patches).toEqual([]);
      expect(held.skipped).toEqual([expect.objectContaining({ ruleId: 'gateway-host-loopback', why: 'lockout' })]);
      const accepted = await planFor(json, { host: { inContainer: true }, acceptRisk: ['gateway-host-loopback'] });
      expect(accepted.patches.map((x) => x.pointer)).toEqual(['/gateway/host']);
    });

    it('holds back an empty list on the only enabled channel', async () => {
      const p = await planFor(hardened({ channels: { telegram: { enabled: true, allowFrom: ['*'] } } }), { answers: { allowFrom: { telegram: [] } } });
      expect(p.skipped.map((s) => s.why)).toEqual(['lockout']);
    });
  });
});
