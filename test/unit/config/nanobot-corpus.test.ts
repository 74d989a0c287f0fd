// harden's model against nanobot's own loader (the oracle's committed verdicts) on every case of
// the corpus and every release: load status, restrictToWorkspace, binds, the API key, each
// started channel's parsed allow list and policies, and whether the gateway exits at start.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/fixtures.js';
import { hardenVerdict, oracleVerdict } from '../../helpers/verdict.js';
import { releaseIndex } from '../../../src/config/release-data.js';

const CORPUS = join(ROOT, 'test', 'fixtures', 'nanobot-corpus');
const cases = (JSON.parse(readFileSync(join(CORPUS, 'index.json'), 'utf8')) as { cases: { id: string; class: string; env: boolean }[] }).cases;

function input(id: string): { bytes: Uint8Array; env: Record<string, string> } {
  const dir = join(CORPUS, 'cases', id);
  const envFile = join(dir, 'env.json');
  return {
    bytes: readFileSync(join(dir, 'config.json')),
    env: existsSync(envFile) ? (JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string>) : {},
  };
}

/** The fields where two verdicts differ, each with both values. */
function differences(got: object, want: object): string[] {
  const a = got as Record<string, unknown>;
  const b = want as Record<string, unknown>;
  const out: string[] = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key === 'channels' && a[key] && b[key]) {
      const ca = a[key] as Record<string, unknown>;
      const cb = b[key] as Record<string, unknown>;
      for (const ch of new Set([...Object.keys(ca), ...Object.keys(cb)])) {
        if (JSON.stringify(ca[ch]) !== JSON.stringify(cb[ch])) out.push(`channels.${ch}: harden ${JSON.stringify(ca[ch])} nanobot ${JSON.stringify(cb[ch])}`);
      }
    } else if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out.push(`${key}: harden ${JSON.stringify(a[key])} nanobot ${JSON.stringify(b[key])}`);
  }
  return out;
}

describe('harden reads every config as each nanobot release does', () => {
  for (const release of releaseIndex()) {
    it(`nanobot ${release.name}`, () => {
      const oracle = new Map<string, Record<string, unknown>>();
      for (const line of readFileSync(join(CORPUS, 'verdicts', `${release.name}.jsonl`), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const o = JSON.parse(line) as Record<string, unknown>;
        oracle.set(String(o['case']), o);
      }
      const wrong: string[] = [];
      for (const c of cases) {
        const { bytes, env } = input(c.id);
        const want = oracleVerdict(oracle.get(c.id)!);
        let got;
        try {
          got = hardenVerdict(bytes, env, release.name);
        } catch (error) {
          got = { status: `error: ${String(error)}` };
        }
        const differ = differences(got, want);
        if (differ.length > 0) wrong.push(`${c.id}: ${differ.join('; ')}`);
      }
      expect(wrong, wrong.join('\n')).toEqual([]);
    });
  }
});
