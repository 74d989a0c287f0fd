// bin/load.js: the bundle loader with V8's code cache. Real files in temp directories: a small
// bundle (an entry and a chunk, like dist/), a cache home, and what a second run reads back.
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { Script } from 'node:vm';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harden } from '../helpers/cli.js';
import { FIXTURES, ROOT, tempDir } from '../helpers/fixtures.js';

type Loaded = { exports: Record<string, unknown>; save(): void };
const require = createRequire(import.meta.url);
const LOADER = join(ROOT, 'bin', 'load.js');
const { load } = require(LOADER) as { load: (entry: string, env?: Record<string, string | undefined>) => Loaded };

/**
 * One run, in its own process as the CLI's are: V8 keeps compiled code per process, so a second
 * load in this one would never consult the cache file at all.
 */
function run(entry: string, env: Record<string, string>): Record<string, unknown> {
  const script = `const l = require(${JSON.stringify(LOADER)}).load(${JSON.stringify(entry)}, ${JSON.stringify(env)}); l.save(); process.stdout.write(JSON.stringify({ same: l.exports.same, base: l.exports.base }));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const isRoot = process.geteuid?.() === 0;

/** A bundle like dist/: cli.js requires a chunk (twice, from two places) and a built-in. */
async function bundle(): Promise<{ entry: string; home: string }> {
  const root = await tempDir('harden-load-');
  const dist = join(root, 'dist');
  mkdirSync(join(dist, 'chunks'), { recursive: true });
  writeFileSync(join(dist, 'build-id'), '0123456789abcdef\n');
  writeFileSync(join(dist, 'chunks', 'shared.js'), 'let n = 0; exports.next = () => ++n;\n');
  writeFileSync(join(dist, 'chunks', 'other.js'), 'exports.viaOther = require("./shared.js");\n');
  writeFileSync(
    join(dist, 'cli.js'),
    'const shared = require("./chunks/shared.js"); const { viaOther } = require("./chunks/other.js");\n' +
      'exports.same = shared === viaOther; exports.base = require("node:path").basename(__filename); exports.next = shared.next;\n',
  );
  const home = join(root, 'home');
  mkdirSync(home, { mode: 0o700 });
  return { entry: join(dist, 'cli.js'), home };
}

/** The same bundle with a pack (as scripts/build.mjs writes it) holding the entry and one chunk. */
async function packedBundle(): Promise<{ entry: string; home: string }> {
  const b = await bundle();
  const dist = join(b.entry, '..');
  const member = (name: string) =>
    `${JSON.stringify(name)}: function (exports, require, module, __filename, __dirname) {\n${readFileSync(join(dist, name), 'utf8')}\n}`;
  writeFileSync(join(dist, 'pack.js'), `({\n${[member('chunks/shared.js'), member('cli.js')].join(',\n')}\n})\n`);
  // Gone from disk: only the pack can provide them now.
  rmSync(join(dist, 'chunks', 'shared.js'));
  writeFileSync(b.entry, 'throw new Error("read from its own file, not the pack");\n');
  return b;
}

const cacheFiles = (home: string): string[] => {
  const top = join(home, '.cache', 'nanobot-harden');
  if (!existsSync(top)) return [];
  return readdirSync(top).flatMap((d) =>
    readdirSync(join(top, d))
      .filter((f) => f.endsWith('.v8'))
      .map((f) => join(top, d, f)),
  );
};

describe('bin/load.js', () => {
  it('loads the entry and its chunks once each, as require() would', async () => {
    const { entry, home } = await bundle();
    const loaded = load(entry, { HOME: home });
    expect(loaded.exports['same']).toBe(true);
    expect(loaded.exports['base']).toBe('cli.js');
    const next = loaded.exports['next'] as () => number;
    expect([next(), next()]).toEqual([1, 2]);
  });

  it('writes a private cache after the run and reads it back on the next one, writing nothing then', async () => {
    const { entry, home } = await bundle();
    run(entry, { HOME: home });
    const files = cacheFiles(home);
    expect(files.map((f) => f.slice(f.lastIndexOf('/') + 1)).sort()).toEqual(['cli.js.run.v8', 'other.js.run.v8', 'shared.js.run.v8']);
    const dir = join(home, '.cache', 'nanobot-harden', readdirSync(join(home, '.cache', 'nanobot-harden'))[0]!);
    expect(dir).toMatch(new RegExp(`/[0-9a-f]{8}-0123456789abcdef-${process.version}-${process.arch}$`));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of files) expect(statSync(f).mode & 0o777).toBe(0o600);

    const before = files.map((f) => statSync(f).ino);
    expect(run(entry, { HOME: home })['same']).toBe(true);
    // Accepted caches are not written again: same inodes (a write renames a new file in).
    expect(files.map((f) => statSync(f).ino)).toEqual(before);
  });

  it('compiles a file edited in place again, even at the same length (V8 itself checks only the length)', async () => {
    const { entry, home } = await bundle();
    expect(run(entry, { HOME: home })['same']).toBe(true);
    const text = readFileSync(entry, 'utf8');
    const edited = text.replace('shared === viaOther', 'shared !== viaOther');
    expect(edited.length).toBe(text.length);
    writeFileSync(entry, edited);
    utimesSync(entry, new Date(), new Date(Date.now() + 5000));
    expect(run(entry, { HOME: home })['same']).toBe(false);
  });

  it('takes the files the pack holds from the pack, the others from their own files, with one cache for the pack', async () => {
    const { entry, home } = await packedBundle();
    expect(run(entry, { HOME: home })).toEqual({ same: true, base: 'cli.js' });
    expect(
      cacheFiles(home)
        .map((f) => f.slice(f.lastIndexOf('/') + 1))
        .sort(),
    ).toEqual(['other.js.run.v8', 'pack.js.run.v8']);
    const before = cacheFiles(home).map((f) => statSync(f).ino);
    expect(run(entry, { HOME: home })).toEqual({ same: true, base: 'cli.js' });
    expect(cacheFiles(home).map((f) => statSync(f).ino)).toEqual(before);
  });

  it('the build ships each file of the bundle once: in the pack or on its own, the large lazy ones on their own', () => {
    const dist = join(ROOT, 'dist');
    const pack = new Script(readFileSync(join(dist, 'pack.js'), 'utf8')).runInThisContext() as Record<string, (...args: unknown[]) => unknown>;
    const names = Object.keys(pack);
    expect(names).toContain('cli.js');
    const files = readdirSync(join(dist, 'chunks'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => `chunks/${f}`);
    expect(names.filter((n) => files.includes(n))).toEqual([]);
    // Every file of the bundle that a file of the bundle requires is in one of the two places.
    const texts = new Map([...names.map((n) => [n, pack[n]!.toString()] as const), ...files.map((f) => [f, readFileSync(join(dist, f), 'utf8')] as const)]);
    const required = [...texts].flatMap(([name, text]) =>
      [...text.matchAll(/require\("(\.\.?\/[^"]+)"\)/g)].map((m) => posix.join(posix.dirname(name), m[1]!)),
    );
    expect(required.length).toBeGreaterThan(20);
    expect(required.filter((r) => !texts.has(r))).toEqual([]);
    const lazy = files.filter((f) => /^chunks\/(execa|inquirer|validators-strict)/.test(f));
    expect(lazy.length).toBe(3);
    // The entries, dist/cli.js (the CLI's) and dist/index.js (require('nanobot-harden')), only load the pack's.
    for (const entry of ['cli.js', 'index.js']) {
      expect(names).toContain(entry);
      const stub = readFileSync(join(dist, entry), 'utf8');
      expect(stub).toContain("require('../bin/load.js').load(__filename, {}, 'lib')");
      expect(stub.length).toBeLessThan(1000);
    }
  });

  it('keeps one cache per installed copy, and drops the cache of the build a copy replaced', async () => {
    const a = await bundle();
    const b = await bundle();
    const top = join(a.home, '.cache', 'nanobot-harden');
    run(a.entry, { HOME: a.home });
    const placeA = readdirSync(top)[0]!.slice(0, 8);
    run(b.entry, { HOME: a.home });
    expect(readdirSync(top)).toHaveLength(2);
    // An upgrade in place: copy a gets a new build.
    writeFileSync(join(a.entry, '..', 'build-id'), 'fedcba9876543210\n');
    run(a.entry, { HOME: a.home });
    const now = readdirSync(top);
    expect(now.filter((d) => d.startsWith(placeA)).map((d) => d.split('-')[1])).toEqual(['fedcba9876543210']);
    expect(now.filter((d) => !d.startsWith(placeA)).map((d) => d.split('-')[1])).toEqual(['0123456789abcdef']);
  });

  it('drops the caches of copies that are gone (and of old caches that do not say whose they are) when it makes a new one', async () => {
    const a = await bundle();
    const b = await bundle();
    const top = join(a.home, '.cache', 'nanobot-harden');
    run(a.entry, { HOME: a.home });
    run(b.entry, { HOME: a.home });
    const [placeA, placeB] = [a, b].map((x) =>
      readdirSync(top)
        .find((d) => readFileSync(join(top, d, 'origin'), 'utf8') === join(x.entry, '..'))!
        .slice(0, 8),
    );
    mkdirSync(join(top, 'deadbeef-0123456789abcdef-v0.0.0-x64'), { mode: 0o700 });
    rmSync(join(b.entry, '..', '..'), { recursive: true, force: true });
    // Still there until a new cache directory is made: pruning is no part of an ordinary run.
    run(a.entry, { HOME: a.home });
    expect(readdirSync(top)).toHaveLength(3);
    writeFileSync(join(a.entry, '..', 'build-id'), 'fedcba9876543210\n');
    run(a.entry, { HOME: a.home });
    expect(readdirSync(top)).toEqual([`${placeA}-fedcba9876543210-${process.version}-${process.arch}`]);
    expect(placeB).not.toBe(placeA);
  });

  it('stack traces name the files of the copy that runs, not of another copy that cached the same code', async () => {
    const where = (entry: string, home: string): string => {
      const script = `const l = require(${JSON.stringify(LOADER)}).load(${JSON.stringify(entry)}, ${JSON.stringify({ HOME: home })}); l.save(); process.stdout.write(l.exports.where());`;
      return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout;
    };
    const a = await bundle();
    const b = await bundle();
    for (const x of [a, b]) writeFileSync(x.entry, 'exports.where = () => new Error().stack;\n');
    where(a.entry, a.home);
    where(b.entry, a.home);
    const warm = where(b.entry, a.home);
    expect(warm).toContain(b.entry);
    expect(warm).not.toContain(a.entry);
  });

  it('replaces a cache file someone else could have written, and one V8 rejects, instead of trusting it', async () => {
    const { entry, home } = await bundle();
    run(entry, { HOME: home });
    const [first, second] = cacheFiles(home).sort();
    chmodSync(first!, 0o666);
    writeFileSync(second!, 'not bytecode');
    expect(run(entry, { HOME: home })['same']).toBe(true);
    expect(statSync(first!).mode & 0o777).toBe(0o600);
    expect(readFileSync(second!).toString('latin1')).not.toBe('not bytecode');
  });

  it('does not follow a cache file that is a symbolic link', async () => {
    const { entry, home } = await bundle();
    run(entry, { HOME: home });
    const file = cacheFiles(home).find((f) => f.endsWith('cli.js.run.v8'))!;
    const elsewhere = join(home, 'elsewhere.v8');
    writeFileSync(elsewhere, readFileSync(file), { mode: 0o600 });
    const { unlinkSync } = require('node:fs') as typeof import('node:fs');
    unlinkSync(file);
    symlinkSync(elsewhere, file);
    run(entry, { HOME: home });
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
  });

  it('reads and writes nothing with HARDEN_NO_COMPILE_CACHE=1, without a home, or in a cache directory open to others', async () => {
    const a = await bundle();
    load(a.entry, { HOME: a.home, HARDEN_NO_COMPILE_CACHE: '1' }).save();
    expect(existsSync(join(a.home, '.cache'))).toBe(false);

    const b = await bundle();
    expect(load(b.entry, {}).exports['same']).toBe(true);

    const c = await bundle();
    mkdirSync(join(c.home, '.cache', 'nanobot-harden'), { recursive: true });
    chmodSync(join(c.home, '.cache', 'nanobot-harden'), 0o777);
    load(c.entry, { HOME: c.home }).save();
    expect(cacheFiles(c.home)).toEqual([]);

    const d = await bundle();
    mkdirSync(join(d.home, '.cache'), { mode: 0o777 });
    chmodSync(join(d.home, '.cache'), 0o777);
    load(d.entry, { HOME: d.home }).save();
    expect(existsSync(join(d.home, '.cache', 'nanobot-harden'))).toBe(false);
  });

  it.skipIf(!isRoot)("leaves another user's home alone (root under sudo with that user's $HOME)", async () => {
    const { entry, home } = await bundle();
    chownSync(home, 1234, 1234);
    load(entry, { HOME: home }).save();
    expect(existsSync(join(home, '.cache'))).toBe(false);
  });

  it('the built CLI gives the same answer with a cold cache and a warm one', async () => {
    const cache = await tempDir('harden-cache-');
    const args = ['audit', '--config', join(FIXTURES, 'audit', 'current-v0.3-insecure.json'), '--no-host', '--nanobot-version', '0.3.0'];
    const cold = harden(args, { env: { XDG_CACHE_HOME: cache }, coverage: false });
    const written = readdirSync(join(cache, 'nanobot-harden'));
    expect(written).toHaveLength(1);
    // An audit of the default profile reads one file of harden's code: the pack.
    expect(readdirSync(join(cache, 'nanobot-harden', written[0]!))).toEqual(['origin', 'pack.js.audit.v8']);
    const warm = harden(args, { env: { XDG_CACHE_HOME: cache }, coverage: false });
    expect(cold.code).toBe(1);
    expect(warm).toEqual(cold);
    // A fix (other chunks: the plan, the edits, the diff) the same, cold and warm.
    const fixArgs = ['fix', '--dry-run', '--runtime', 'host', ...args.slice(1)];
    const fixCold = harden(fixArgs, { env: { XDG_CACHE_HOME: cache }, coverage: false });
    expect(readdirSync(join(cache, 'nanobot-harden', written[0]!))).toContain('pack.js.fix.v8');
    const fixWarm = harden(fixArgs, { env: { XDG_CACHE_HOME: cache }, coverage: false });
    expect(fixCold.stdout).toContain('would remain');
    expect(fixWarm).toEqual(fixCold);
  });
});
