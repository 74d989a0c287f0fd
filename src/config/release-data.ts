// Where the release facts come from. Here (tests, `tsx`): the committed schemas/nanobot/ files,
// compacted on first use. The bundle replaces this module (scripts/build.mjs) with one whose
// releases are compacted at build time, each in a chunk of its own that only prepareReleaseData()
// loads: the interface is the same.
import { readFileSync } from 'node:fs';
import { compactRelease, type ReleaseEntry, type ReleaseFacts } from './release.js';

const DIR = new URL('../../schemas/nanobot/', import.meta.url);

let index: ReleaseEntry[] | undefined;
const loaded = new Map<string, ReleaseFacts>();

/** Every release harden knows, oldest first. */
export function releaseIndex(): readonly ReleaseEntry[] {
  if (!index) {
    const raw = JSON.parse(readFileSync(new URL('index.json', DIR), 'utf8')) as { releases: (ReleaseEntry & { file: string })[] };
    index = raw.releases.map((r) => ({ name: r.name, version: r.version, tag: r.tag, date: r.date }));
  }
  return index;
}

/** Load a release's facts ahead of use (the bundle reads its chunk here). */
export function prepareReleaseData(name: string): Promise<void> {
  releaseData(name);
  return Promise.resolve();
}

export function releaseData(name: string): ReleaseFacts {
  let facts = loaded.get(name);
  if (!facts) {
    if (!releaseIndex().some((r) => r.name === name)) throw new Error(`no nanobot release ${name}`);
    facts = compactRelease(JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as Record<string, unknown>);
    loaded.set(name, facts);
  }
  return facts;
}
