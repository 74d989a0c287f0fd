// The benchmark's generated inputs are what it says they are; nothing here is timed.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { instanceConfigs, largeConfig } from '../../scripts/bench.mjs';

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
});
