// The effective-value model against the facts verified with nanobot's own loader
// (shared/nanobot-config.md sections 2 and 3).
import { describe, expect, it } from 'vitest';
import { effectiveConfig, getIn } from '../../../src/config/model.js';
import { parseConfig } from '../../../src/config/parse.js';
import { parseVersion, traitsFor } from '../../../src/config/version.js';
import { UsageError } from '../../../src/errors.js';

function model(text: string, env: Record<string, string> = {}, version = '0.3.0') {
  const traits = traitsFor(parseVersion(version)!, 'flag');
  return effectiveConfig(parseConfig('/c.json', text), { traits, env });
}

const at = (text: string, path: string, env: Record<string, string> = {}, version = '0.3.0') => {
  const eff = model(text, env, version);
  return { value: getIn(eff.value, path.split('.')), origin: eff.origins.get('/' + path.split('.').join('/')) };
};

describe('duplicate keys and spellings', () => {
  it('the last copy of a duplicated key wins, as in json.load', () => {
    const r = at('{"gateway": {"host": "127.0.0.1", "port": 1, "host": "0.0.0.0"}}', 'gateway.host');
    expect(r.value).toBe('0.0.0.0');
    expect(r.origin).toMatchObject({ kind: 'file', pointer: '/gateway/host' });
  });

  it('a duplicated section replaces the earlier one whole', () => {
    expect(at('{"gateway": {"host": "127.0.0.1"}, "gateway": {"port": 1}}', 'gateway.host').origin?.kind).toBe('default');
  });

  it('camelCase beats snake_case whatever the order', () => {
    expect(at('{"tools": {"restrictToWorkspace": false, "restrict_to_workspace": true}}', 'tools.restrictToWorkspace').value).toBe(false);
    expect(at('{"tools": {"restrict_to_workspace": true, "restrictToWorkspace": false}}', 'tools.restrictToWorkspace').value).toBe(false);
  });

  it('snake_case alone fills the field, and the pointer keeps its spelling', () => {
    const r = at('{"tools": {"restrict_to_workspace": true}}', 'tools.restrictToWorkspace');
    expect(r.value).toBe(true);
    expect(r.origin).toMatchObject({ kind: 'file', pointer: '/tools/restrict_to_workspace' });
  });

  it('a misspelt key fills nothing', () => {
    expect(at('{"tools": {"restrictToWorkSpace": true}}', 'tools.restrictToWorkspace')).toMatchObject({ value: false, origin: { kind: 'default' } });
  });

  it('records losing copies as shadows', () => {
    const eff = model('{"gateway": {"host": "127.0.0.1", "host": "0.0.0.0"}, "tools": {"restrict_to_workspace": true, "restrictToWorkspace": false}}');
    expect(eff.shadows.map((s) => [s.pointer, s.reason])).toEqual([
      ['/gateway/host', 'duplicate'],
      ['/tools/restrict_to_workspace', 'spelling'],
    ]);
  });

  it('keeps names in maps verbatim (MCP servers, env variables)', () => {
    const eff = model('{"tools": {"mcpServers": {"my_server": {"env": {"GITHUB_TOKEN": "x"}}}}}');
    expect(getIn(eff.value, ['tools', 'mcpServers', 'my_server', 'env', 'GITHUB_TOKEN'])).toBe('x');
  });

  it('a "__proto__" key is a key like any other, never a prototype that makes settings appear', () => {
    const eff = model('{"tools": {"__proto__": {"restrictToWorkspace": true}}, "gateway": {"__proto__": {"host": "127.0.0.1"}, "host": "0.0.0.0"}}');
    const tools = eff.value['tools'] as Record<string, unknown>;
    // json.load keeps "__proto__" as a key; pydantic ignores it, so the default stays false.
    expect(tools['restrictToWorkspace']).toBe(false);
    expect(Object.getPrototypeOf(tools)).toBe(Object.prototype);
    // pydantic drops it as any unknown key.
    expect(Object.keys(tools)).not.toContain('__proto__');
    expect(getIn(eff.value, ['gateway', 'host'])).toBe('0.0.0.0');
    // Nor through a section the environment supplies whole as JSON.
    const env = model('{}', { NANOBOT_TOOLS: '{"__proto__": {"restrictToWorkspace": true}}' });
    expect(getIn(env.value, ['tools', 'restrictToWorkspace'])).toBe(false);
    // Nor merged into a section the file has: that once wrote into Object.prototype itself.
    for (const file of ['{}', '{"tools": {"web": {}}}', '{"gateway": {"port": 1}}']) {
      const merged = model(file, { NANOBOT_TOOLS: '{"__proto__": {"restrictToWorkspace": true}}', NANOBOT_GATEWAY: '{"__proto__": {"host": "10.9.9.9"}}' });
      expect(getIn(merged.value, ['tools', 'restrictToWorkspace'])).toBe(false);
      expect(getIn(merged.value, ['gateway', 'host'])).toBe(getIn(model(file).value, ['gateway', 'host']));
      expect(({} as Record<string, unknown>)['restrictToWorkspace']).toBeUndefined();
      expect(({} as Record<string, unknown>)['host']).toBeUndefined();
    }
  });

  it("keys named like Object.prototype members are the file's keys, found only where the file has them", () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', '__proto__']) {
      const text = `{"channels": {"${name}": {"enabled": true, "allowFrom": ["*"]}}, "providers": {"${name}": {"apiKey": "k"}}, "tools": {"mcpServers": {"${name}": {"command": "x"}}}}`;
      const eff = model(text);
      // As any unknown channel: the file's section plus the defaults every channel gets.
      expect(getIn(eff.value, ['channels', name])).toEqual(getIn(model(text.replaceAll(name, 'zzqqxv')).value, ['channels', 'zzqqxv']));
      expect(getIn(eff.value, ['channels', name, 'allowFrom'])).toEqual(['*']);
      expect(getIn(eff.value, ['providers', name, 'apiKey'])).toBe('k');
      expect(getIn(eff.value, ['tools', 'mcpServers', name, 'command'])).toBe('x');
      // Where the file does not have the name, nothing is found: never Object.prototype's member.
      expect(getIn(eff.value, ['gateway', name])).toBeUndefined();
      expect(getIn(model('{}').value, ['channels', name])).toBeUndefined();
    }
    // Unknown keys of a model (to_string, value_of) are dropped as pydantic drops them, never Object's.
    expect(getIn(model('{"tools": {"exec": {"to_string": 1, "value_of": 2}}}').value, ['tools', 'exec', 'toString'])).toBeUndefined();
    expect(model('{"tools": {"exec": {"value_of": 2}}}').origins.get('/tools/exec/valueOf')).toMatchObject({ kind: 'file', pointer: '/tools/exec/value_of' });
  });

  it("channel names stay as written: only ChannelsConfig's own fields take a snake_case spelling (verified at 0.3.0)", () => {
    const eff = model('{"channels": {"my_plugin": {"enabled": true}, "myPlugin": {"enabled": false}, "to_string": {"enabled": true}, "send_progress": false}}');
    // (websocket is the channel 0.3.0 adds by default.)
    expect(Object.keys(eff.value['channels'] as object)).toEqual(expect.arrayContaining(['myPlugin', 'my_plugin', 'sendProgress', 'to_string', 'websocket']));
    expect(getIn(eff.value, ['channels', 'sendProgress'])).toBe(false);
    expect(eff.shadows).toEqual([]);
    // None is a channel of 0.3.0: each is kept and ignored (never started), whatever its spelling.
    expect(eff.load.idle.filter((i) => i.why === 'unknown').map((i) => [i.name, i.enabled])).toEqual([
      ['my_plugin', true],
      ['myPlugin', false],
      ['to_string', true],
    ]);
    // The environment addresses them the same way.
    const env = model('{}', { NANOBOT_CHANNELS__MY_PLUGIN__ENABLED: 'true', NANOBOT_CHANNELS__SEND_PROGRESS: 'false' });
    expect(Object.keys(env.value['channels'] as object)).toEqual(expect.arrayContaining(['my_plugin', 'sendProgress']));
  });

  it('channel dicts follow the same spelling rule', () => {
    expect(at('{"channels": {"whatsapp": {"enabled": true, "allowFrom": ["1"], "allow_from": []}}}', 'channels.whatsapp.allowFrom').value).toEqual(['1']);
  });
});

describe('old-layout migration (_migrate_config)', () => {
  it('moves camelCase tools.exec.restrictToWorkspace when the new key is absent', () => {
    const r = at('{"tools": {"exec": {"restrictToWorkspace": true}}}', 'tools.restrictToWorkspace');
    expect(r.value).toBe(true);
    expect(r.origin).toMatchObject({ kind: 'migrated', pointer: '/tools/exec/restrictToWorkspace' });
  });

  it('does nothing when the new key is present (every nanobot-written file)', () => {
    expect(at('{"tools": {"restrictToWorkspace": false, "exec": {"restrictToWorkspace": true}}}', 'tools.restrictToWorkspace').value).toBe(false);
  });

  it('does not migrate the snake_case old key', () => {
    expect(at('{"tools": {"exec": {"restrict_to_workspace": true}}}', 'tools.restrictToWorkspace').value).toBe(false);
  });
});

describe('NANOBOT_* variables fill what the file leaves out', () => {
  it('a section given as JSON nested deeper than nanobot can decode is one sentence', () => {
    expect(() => model('{}', { NANOBOT_TOOLS: '['.repeat(60_000) + ']'.repeat(60_000) })).toThrow(/NANOBOT_TOOLS holds JSON nested more than 900 levels/);
    expect(() => model('{}', { NANOBOT_TOOLS: '{"a":'.repeat(20_000) })).toThrow(UsageError);
    // 800 levels decode (and then are no web settings: nanobot refuses the value, not the JSON).
    expect(model('{}', { NANOBOT_TOOLS: '{"web": ' + '['.repeat(800) + ']'.repeat(800) + '}' }).load.status).toBe('refuse');
  });

  it('variables named like Object.prototype members are ignored like any unknown name', () => {
    const eff = model('{}', { NANOBOT_CONSTRUCTOR__X: '1', NANOBOT_CHANNELS__CONSTRUCTOR: '{"a": 1}', NANOBOT_TOOLS__CONSTRUCTOR: '1', NANOBOT_VALUEOF: '1' });
    expect(getIn(eff.value, ['constructor'])).toBeUndefined();
    // An unknown field of ToolsConfig: dropped as pydantic drops it; a channel section of that name is kept, never started.
    expect(getIn(eff.value, ['tools', 'constructor'])).toBeUndefined();
    expect(getIn(eff.value, ['channels', 'constructor'])).toBe('{"a": 1}');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('fills an absent key', () => {
    const r = at('{"gateway": {"port": 18790}}', 'gateway.host', { NANOBOT_GATEWAY__HOST: '0.0.0.0' });
    expect(r).toMatchObject({ value: '0.0.0.0', origin: { kind: 'env', name: 'NANOBOT_GATEWAY__HOST' } });
  });

  it("never beats the file's own key, whatever its spelling", () => {
    expect(at('{"tools": {"restrictToWorkspace": true}}', 'tools.restrictToWorkspace', { NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE: 'false' }).value).toBe(true);
    expect(at('{"tools": {"restrict_to_workspace": true}}', 'tools.restrictToWorkspace', { NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE: 'false' }).value).toBe(true);
  });

  it('a null in the file beats the environment for an optional field', () => {
    expect(at('{"providers": {"anthropic": {"apiKey": null}}}', 'providers.anthropic.apiKey', { NANOBOT_PROVIDERS__ANTHROPIC__API_KEY: 'k' }).value).toBe(null);
  });

  it('a null where a string is required is a value nanobot rejects', () => {
    const eff = model('{"gateway": {"host": null}}', { NANOBOT_GATEWAY__HOST: '0.0.0.0' });
    expect(eff.load.status).toBe('refuse');
    expect(eff.load.causes.map((c) => (c.kind === 'invalid' ? c.issue.path.join('.') : c.kind))).toEqual(['gateway.host']);
  });

  it('a camelCase-form variable beats a snake_case key in the file (verified trap)', () => {
    const r = at('{"tools": {"restrict_to_workspace": true}}', 'tools.restrictToWorkspace', { NANOBOT_TOOLS__RESTRICTTOWORKSPACE: 'false' });
    expect(r).toMatchObject({ value: false, origin: { kind: 'env', name: 'NANOBOT_TOOLS__RESTRICTTOWORKSPACE' } });
  });

  it('a section given as JSON with camelCase keys beats snake_case keys in the file', () => {
    expect(at('{"tools": {"restrict_to_workspace": true}}', 'tools.restrictToWorkspace', { NANOBOT_TOOLS: '{"restrictToWorkspace": false}' }).value).toBe(
      false,
    );
  });

  it('fills a whole absent section with canonical keys', () => {
    expect(at('{}', 'tools.restrictToWorkspace', { NANOBOT_TOOLS__RESTRICT_TO_WORKSPACE: 'true' }).value).toBe(true);
  });

  it('a channel turned on by the environment is on, even by "false" (bool of a raw string)', () => {
    expect(at('{"channels": {"telegram": {"token": "x"}}}', 'channels.telegram.enabled', { NANOBOT_CHANNELS__TELEGRAM__ENABLED: 'false' }).value).toBe(true);
    expect(at('{"channels": {"telegram": {"enabled": "false"}}}', 'channels.telegram.enabled').value).toBe(true);
    expect(at('{"channels": {"telegram": {"enabled": 0}}}', 'channels.telegram.enabled').value).toBe(false);
  });

  it('a channel whose section does not validate never starts', () => {
    const eff = model('{"channels": {"telegram": {"enabled": true}}}', { NANOBOT_CHANNELS__TELEGRAM__ALLOW_FROM: '["*"]' });
    expect(eff.load.idle.map((u) => u.issue?.path.join('.'))).toEqual(['channels.telegram.allowFrom']);
    expect(eff.load.started.map((s) => s.runtime)).not.toContain('telegram');
    expect(getIn(eff.value, ['channels', 'telegram', 'enabled'])).toBe(false);
  });

  it('accepts lower-cased camel segments and any case of the name', () => {
    expect(at('{}', 'tools.restrictToWorkspace', { NANOBOT_TOOLS__RESTRICTTOWORKSPACE: 'true' }).value).toBe(true);
    expect(at('{}', 'gateway.host', { nanobot_gateway__host: '0.0.0.0' }).value).toBe('0.0.0.0');
  });

  it('takes a whole section as JSON and merges it under the file', () => {
    const eff = model('{"gateway": {"port": 1}}', { NANOBOT_GATEWAY: '{"host": "0.0.0.0", "port": 2}' });
    expect(getIn(eff.value, ['gateway'])).toMatchObject({ port: 1, host: '0.0.0.0' });
  });

  it('coerces the string as pydantic does', () => {
    expect(at('{}', 'tools.exec.timeout', { NANOBOT_TOOLS__EXEC__TIMEOUT: '0' }).value).toBe(0);
  });

  it('ignores names that are not settings', () => {
    const eff = model('{}', { NANOBOT_WEB_TOKEN: 'x', NANOBOT_LLM_TIMEOUT_S: '5' });
    expect(eff.env).toEqual([]);
  });

  it('says which variables the file shadows', () => {
    const eff = model('{"gateway": {"host": "127.0.0.1"}}', { NANOBOT_GATEWAY__HOST: '0.0.0.0' });
    expect(eff.env).toEqual([{ name: 'NANOBOT_GATEWAY__HOST', path: ['gateway', 'host'], effective: false }]);
  });
});

describe('defaults and coercion', () => {
  it('fills defaults by version', () => {
    expect(at('{}', 'gateway.host', {}, '0.3.0').value).toBe('127.0.0.1');
    expect(at('{}', 'gateway.host', {}, '0.1.4').value).toBe('0.0.0.0');
    expect(at('{}', 'channels.websocket.enabled', {}, '0.3.0').value).toBe(true);
    expect(at('{}', 'channels.websocket.enabled', {}, '0.2.1').value).not.toBe(true);
  });

  it('fills channel defaults only for channels the file has', () => {
    expect(at('{"channels": {"slack": {"enabled": true}}}', 'channels.slack.dm.policy').value).toBe('open');
    expect(at('{"channels": {}}', 'channels.slack').value).toBeUndefined();
  });

  it('Feishu ignores snake_case keys (its camelCase defaults win)', () => {
    const eff = model('{"channels": {"feishu": {"enabled": true, "allow_from": ["ou_1"]}}}');
    expect(getIn(eff.value, ['channels', 'feishu', 'allowFrom'])).toEqual([]);
    expect(eff.ignored.map((i) => i.pointer)).toEqual(['/channels/feishu/allow_from']);
  });

  it('Feishu instances inherit the top-level allow list', () => {
    const r = at('{"channels": {"feishu": {"allowFrom": ["ou_a"], "instances": [{"id": "x"}]}}}', 'channels.feishu.instances.0.allowFrom');
    expect(r.value).toEqual(['ou_a']);
  });

  it.each([
    ['"yes"', true],
    ['"off"', false],
    ['1', true],
    ['"TRUE"', true],
  ])('reads %s as the boolean %s', (raw, expected) => {
    expect(at(`{"tools": {"restrictToWorkspace": ${raw}}}`, 'tools.restrictToWorkspace').value).toBe(expected);
  });

  it('marks values nanobot would reject', () => {
    const eff = model('{"tools": {"restrictToWorkspace": "enabled", "exec": {"timeout": 1.5}}}');
    expect(eff.load.causes.map((c) => (c.kind === 'invalid' ? c.issue.path.join('.') : c.kind)).sort()).toEqual([
      'tools.exec.timeout',
      'tools.restrictToWorkspace',
    ]);
  });
});
