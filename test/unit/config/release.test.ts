// The release facts harden runs on, against the release files they are made from: what the
// compaction leaves out must be derivable again, and the few names kept by hand in code must be
// the releases' own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/fixtures.js';
import { releaseData, releaseIndex } from '../../../src/config/release-data.js';
import { defaultsOf, type SchemaNode } from '../../../src/config/release.js';
import { CHANNELS, SECTIONS } from '../../../src/config/layout.js';
import { VALIDATORS } from '../../../src/config/validators.js';
import { parseVersion, pickRelease } from '../../../src/config/version.js';

const full = (name: string) => JSON.parse(readFileSync(join(ROOT, 'schemas', 'nanobot', `${name}.json`), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('release facts', () => {
  it.each(releaseIndex().map((r) => r.name))(
    '%s: the defaults derived from the compact schema are the file nanobot writes, for Config and every channel',
    (name) => {
      const facts = releaseData(name);
      // Two spellings differ on purpose: nanobot writes model_presets (a field with alias choices and
      // no serialisation alias), which harden holds as modelPresets; and Signal's dump carries its
      // computed allowFrom, which the model adds when it parses the section (model.ts computed()).
      const want = { ...full(name)['defaults'] };
      if ('model_presets' in want) {
        want['modelPresets'] = want['model_presets'];
        delete want['model_presets'];
      }
      expect(defaultsOf(facts.schema)).toEqual(want);
      for (const [channel, c] of Object.entries(facts.channels.list)) {
        const dump = full(name)['channels']['list'][channel]['defaults'];
        if (!dump) continue;
        const { allowFrom: _, ...rest } = dump;
        expect(defaultsOf(c.schema), channel).toEqual(
          facts.convertKeys ? expect.anything() : channel === 'signal' && !('allowFrom' in (c.schema.root.properties ?? {})) ? rest : dump,
        );
      }
    },
  );

  it('every validator a release names is emulated or listed as known and left out', () => {
    const named = new Set<string>();
    const visit = (defs: Record<string, SchemaNode>, root: SchemaNode) => {
      for (const node of [root, ...Object.values(defs)]) for (const v of node['x-validators'] ?? []) named.add(`${node['x-model']}.${v}`);
    };
    for (const r of releaseIndex()) {
      const facts = releaseData(r.name);
      visit(facts.schema.defs, facts.schema.root);
      for (const c of Object.values(facts.channels.list)) visit(c.schema.defs, c.schema.root);
    }
    expect([...named].filter((n) => !Object.hasOwn(VALIDATORS, n))).toEqual([]);
  });

  it("the channel names and sections kept in code are the union of the releases' own", () => {
    const channels = new Set<string>();
    const sections = new Set<string>();
    for (const r of releaseIndex()) {
      const facts = releaseData(r.name);
      for (const n of facts.channels.names) channels.add(n);
      for (const names of Object.values(facts.topLevel)) for (const n of names) sections.add(n);
    }
    expect([...CHANNELS].sort()).toEqual([...channels].sort());
    expect([...SECTIONS].sort()).toEqual([...sections].sort());
  });

  it('picks the newest release at or below a version, and says when a version is outside them', () => {
    const pick = (v: string) => {
      const c = pickRelease(parseVersion(v)!);
      return [c.release.name, c.outside ?? ''];
    };
    expect(pick('0.3.0')).toEqual(['0.3.0', '']);
    expect(pick('0.1.4.post7')).toEqual(['0.1.4.post6', '']);
    expect(pick('0.2.1')).toEqual(['0.2.1', '']);
    expect(pick('0.3.0+main.3852956a7')).toEqual(['0.3.0+main.3852956a7', '']);
    const newest = releaseIndex()[releaseIndex().length - 1]!.name;
    expect(pick('0.3.1')).toEqual([newest, 'newer']);
    expect(pick('0.1.2')).toEqual(['0.1.3.post4', 'older']);
  });
});
