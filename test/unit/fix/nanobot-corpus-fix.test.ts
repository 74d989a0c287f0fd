// `harden fix` on every config of the corpus, for every release: either the fixed file is one
// nanobot loads as written (no fallback, no refusal, no gateway exit), restricted to the workspace,
// on loopback binds and with no list open to everyone, or fix stops with exit 2 and writes nothing.
// It never reports success on a file nanobot drops. (The model it checks with is the one
// nanobot-corpus.test.ts holds to nanobot's own verdicts on the same corpus.)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../../helpers/fixtures.js';
import { hardenVerdict } from '../../helpers/verdict.js';
import { releaseIndex, releaseData } from '../../../src/config/release-data.js';
import { auditContent } from '../../../src/audit/index.js';
import { prepare, stillUnloadable, type FixOptions } from '../../../src/fix/index.js';
import { decodeConfig, parseConfig } from '../../../src/config/parse.js';
import { parseVersion, traitsFromRelease } from '../../../src/config/version.js';
import { ConfigSyntaxError, isHardenError } from '../../../src/errors.js';
import { effectiveConfig } from '../../../src/config/model.js';
import { textOf } from '../../../src/config/text.js';
import { CHANNELS } from '../../../src/config/layout.js';

const CORPUS = join(ROOT, 'test', 'fixtures', 'nanobot-corpus');
const cases = (JSON.parse(readFileSync(join(CORPUS, 'index.json'), 'utf8')) as { cases: { id: string }[] }).cases;

/** An answer for every channel any release has, and for its group lists. */
const ANSWERS = {
  allowFrom: Object.fromEntries(CHANNELS.map((c) => [c, [`owner-${c}`]])),
  groupAllowFrom: { slack: ['C0123ABCD'], mattermost: ['team-channel'], signal: ['group-1'] },
};

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i;

function causesOf(bytes: Uint8Array, env: Record<string, string>, traits: ReturnType<typeof traitsFromRelease>): string[] {
  try {
    const eff = effectiveConfig(parseConfig('/c.json', decodeConfig('/c.json', bytes)), { traits, env, envComplete: true });
    return eff.load.causes.length > 0 ? eff.load.causes.map((c) => c.kind) : ['none'];
  } catch {
    return ['json'];
  }
}

interface Tally {
  fixed: number;
  stopped: number;
  alreadyFine: number;
}

describe('harden fix leaves a file nanobot loads, restricted and closed, or stops', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await tempDir();
  });

  for (const release of releaseIndex()) {
    it(`nanobot ${release.name}`, async () => {
      const facts = releaseData(release.name);
      const traits = traitsFromRelease(parseVersion(facts.version)!, 'flag', facts);
      const tally: Tally = { fixed: 0, stopped: 0, alreadyFine: 0 };
      const wrong: string[] = [];
      for (const c of cases) {
        const caseDir = join(CORPUS, 'cases', c.id);
        const bytes = readFileSync(join(caseDir, 'config.json'));
        const env = existsSync(join(caseDir, 'env.json')) ? (JSON.parse(readFileSync(join(caseDir, 'env.json'), 'utf8')) as Record<string, string>) : {};
        const file = join(dir, 'config.json');
        const options: FixOptions = {
          configs: [file],
          profile: 'baseline',
          noHost: true,
          env,
          dryRun: true,
          answers: ANSWERS,
          acceptRisk: [],
          runtime: 'host',
          keepBackups: 1,
        };
        // A ${NAME} nanobot's service lacks: harden sees only part of that environment, and
        // cannot set it either (reported by env-reference-unset where it can tell).
        const unset = hardenVerdict(bytes, env, release.name).status !== 'ok' && causesOf(bytes, env, traits).every((k) => k === 'unset-variable');
        if (unset) {
          tally.stopped++;
          continue;
        }
        let after: string;
        try {
          const parsed = parseConfig(file, decodeConfig(file, bytes));
          const fa = await auditContent(file, parsed, bytes, options, traits);
          const prepared = await prepare(fa, options, traits);
          const afterAudit = await auditContent(file, prepared.afterParsed, new TextEncoder().encode(prepared.after), options, traits);
          const stop = stillUnloadable(afterAudit, false);
          if (stop) throw stop;
          after = prepared.after;
        } catch (error) {
          if (!isHardenError(error)) throw error;
          // Not JSON, or nanobot would still refuse or drop it: fix exits 2 and writes nothing.
          if (!(error instanceof ConfigSyntaxError)) wrong.push(`${c.id}: ${error.message}`);
          tally.stopped++;
          continue;
        }
        if (after === new TextDecoder().decode(bytes)) tally.alreadyFine++;
        else tally.fixed++;
        // What nanobot makes of the result, with the same environment.
        const v = hardenVerdict(new TextEncoder().encode(after), env, release.name);
        const problems: string[] = [];
        if (v.status !== 'ok') problems.push(`status ${v.status}`);
        if (v.gatewayExit) problems.push(`gateway exits (${v.gatewayExit})`);
        if (v.restrictToWorkspace !== true) problems.push(`restrictToWorkspace ${String(v.restrictToWorkspace)}`);
        if (v.status === 'ok' && !LOOPBACK.test(String(v.gatewayHost))) problems.push(`gateway.host ${String(v.gatewayHost)}`);
        if (v.apiHost !== undefined && !LOOPBACK.test(textOf(v.apiHost))) problems.push(`api.host ${textOf(v.apiHost)}`);
        for (const [name, ch] of Object.entries(v.channels ?? {})) {
          const allow = ch['allow_from'];
          const ignores = facts.channels.list[name.split('.')[0]!]?.ignoresAllowFrom === true;
          if (Array.isArray(allow) && !ignores) {
            if (facts.allowFrom.star === 'allow-all' && allow.includes('*') && name !== 'websocket') problems.push(`${name} allows "*"`);
            if (facts.allowFrom.empty === 'allow-all' && allow.length === 0) problems.push(`${name} allows everyone (empty)`);
          }
          const dm = ch['dm'] as Record<string, unknown> | undefined;
          if ((name === 'slack' || name === 'mattermost') && dm?.['enabled'] !== false && dm?.['policy'] === 'open') problems.push(`${name} DMs open`);
          if (name === 'websocket' && ch['host'] !== undefined && !LOOPBACK.test(textOf(ch['host']))) problems.push(`websocket host ${textOf(ch['host'])}`);
        }
        if (problems.length > 0) wrong.push(`${c.id}: ${problems.join('; ')}`);
      }
      expect(wrong, wrong.join('\n')).toEqual([]);
      expect(tally.fixed + tally.alreadyFine + tally.stopped).toBe(cases.length);
    });
  }
});
