// The benchmark's generated inputs are what it says they are; nothing here is timed.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { instanceConfigs, largeConfig, writeHistorySet } from '../../scripts/bench.mjs';
import { readFileSync } from 'node:fs';
import { tempDir } from '../helpers/fixtures.js';

const large = largeConfig as (o?: object) => string;
const fleet = instanceConfigs as (n: number) => string[];

describe('bench inputs', () => {
  it('the large config: strict JSON, 1,000 enabled channels, 1,000 MCP servers, 100,000 allow-list entries, several MB, deterministic', () => {
    const text = large();
    const config = JSON.parse(text) as { channels: Record<string, { enabled: boolean; allowFrom: string[] }>; tools: { mcpServers: Record<string, unknown> } };
    const channels = Object.values(config.channels);
    expect(channels).toHaveLength(1000);
    expect(channels.every((c) => c.enabled)).toBe(true);
    expect(Object.keys(config.tools.mcpServers)).toHaveLength(1000);
    expect(channels.reduce((n, c) => n + c.allowFrom.length, 0)).toBe(100_000);
    expect(text.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(large()).toBe(text);
  });

  it('instance configs: distinct and valid', () => {
    const configs = fleet(5);
    expect(new Set(configs).size).toBe(5);
    for (const c of configs) expect(() => JSON.parse(c)).not.toThrow();
  });

  it('the history set: nanobot 0.3.0 session files of about the size asked, every line JSON, the dangerous turns in it', async () => {
    const set = (writeHistorySet as (root: string, o: object) => { files: string[]; bytes: number; config: string })(await tempDir(), {
      bytes: 2 << 20,
      sessions: 3,
      every: 20,
    });
    expect(set.files).toHaveLength(3);
    expect(set.bytes).toBeGreaterThan(1.9 * 1024 * 1024);
    expect(set.bytes).toBeLessThan(2.1 * 1024 * 1024);
    let dangerous = 0;
    for (const file of set.files) {
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(JSON.parse(lines[0]!)).toMatchObject({ _type: 'metadata', key: expect.stringMatching(/^telegram:\d+$/) });
      for (const line of lines) {
        const m = JSON.parse(line) as { tool_calls?: { function: { arguments: string } }[] };
        if (m.tool_calls?.[0]?.function.arguments.includes('| sh')) dangerous++;
      }
    }
    expect(dangerous).toBeGreaterThan(0);
  });
});
