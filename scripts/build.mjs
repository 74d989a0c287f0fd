// Bundles the CLI so that start-up reads few files (the audit runs in shell prompts and
// pre-start hooks). Dependencies are bundled too; the prompt library, execa and yaml are loaded
// lazily, on the paths that use them.
import remapping from '@jridgewell/remapping';
import { encode } from '@jridgewell/sourcemap-codec';
import { build, transform } from 'esbuild';

import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

// `--coverage`: the same files, loaded the same way (the pack, bin/load.js), but unminified and
// with a source map beside each file, so that the V8 coverage of the e2e tests' harden processes
// maps back to src/*.ts (scripts/coverage-provider.mjs). Never shipped: `npm pack` builds anew.
const coverage = process.argv.includes('--coverage');

await rm('dist', { recursive: true, force: true });
await mkdir('build', { recursive: true });

// The API's types (step 3b) take TypeScript some seconds to work out: started first, beside the
// bundling. With the project's options but for the unused-name checks (`npm run typecheck` makes
// those), so that a build in the middle of an edit does not stop at one.
await writeFile(
  'build/tsconfig.types.json',
  JSON.stringify({
    extends: '../tsconfig.json',
    compilerOptions: { noUnusedLocals: false, noUnusedParameters: false },
    include: [],
    files: ['../src/index.ts'],
  }),
);
const typesJob = promisify(execFile)(process.execPath, [
  fileURLToPath(import.meta.resolve('dts-bundle-generator/dist/bin/dts-bundle-generator.js')),
  '--silent',
  '--no-banner',
  '--no-check',
  '--export-referenced-types=false',
  '--project',
  'build/tsconfig.types.json',
  '-o',
  'build/index.d.ts',
  'src/index.ts',
]);

// 1. The hardened profiles, compiled ahead of time (ajv standalone code): no schema is compiled
//    when harden runs, and a malformed x-harden annotation fails the build.
await build({
  entryPoints: ['scripts/gen-validators.ts'],
  outfile: 'build/gen-validators.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  logLevel: 'warning',
});
const validators = resolve('build/validators.gen.mjs');
execFileSync(process.execPath, ['build/gen-validators.mjs', validators], { stdio: 'inherit' });

// 1b. What each nanobot release means (schemas/nanobot/), compacted: one module per release, loaded
//     only by a run that checks that release.
await build({
  entryPoints: ['scripts/gen-releases.ts'],
  outfile: 'build/gen-releases.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
const releases = resolve('build/release-data.gen.mjs');
execFileSync(process.execPath, ['build/gen-releases.mjs', releases, 'schemas/nanobot'], { stdio: 'inherit' });

/** Send the bundle's `./release-data.js` (which reads schemas/nanobot/ itself) to the generated loader. */
const compactReleases = {
  name: 'compact-releases',
  setup(b) {
    b.onResolve({ filter: /^\.\/release-data\.js$/ }, (args) => (/[\\/]src[\\/]config[\\/]/.test(args.importer) ? { path: releases } : undefined));
  },
};

/** Send the bundle's `./ajv.js` (the run-time compiler) to the precompiled validators. */
const precompiled = {
  name: 'precompiled-validators',
  setup(b) {
    b.onResolve({ filter: /^\.\/ajv\.js$/ }, (args) => (args.importer.endsWith('schema-rules.ts') ? { path: validators } : undefined));
  },
};

/**
 * commander requires node:child_process (and with it net and stream) at load, for executable
 * subcommands harden does not have; that is about 10 ms of every start. Give commander a stand-in
 * that loads the real module on first use.
 */
const lazyChildProcess = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

/**
 * jsonc-parser's package does not say it is free of side effects, so its formatter's tables of
 * indentation strings (some 300 kB built at load) came along although harden never formats. It
 * is: say so, and esbuild leaves out what harden does not use.
 */
const jsoncWithoutSideEffects = {
  name: 'jsonc-parser-side-effect-free',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.resolved || !(args.path === 'jsonc-parser' || /[\\/]jsonc-parser[\\/]/.test(args.importer))) return undefined;
      const result = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { resolved: true } });
      return { ...result, sideEffects: false };
    });
  },
};

// 2. The CLI. esbuild splits it into an entry and lazy chunks (execa, the prompt library, yaml,
//    the fix pipeline are read only when their path runs), then each file is turned into
//    CommonJS: Node 20's ESM loader resolves, reads (asynchronously) and links every chunk, which
//    measured about 30 ms slower than require() for the same code on a typical audit.
const result = await build({
  plugins: [precompiled, compactReleases, lazyChildProcess, jsoncWithoutSideEffects],
  // Two entries over one set of chunks: the CLI (bin/harden.js) and the API (require('nanobot-harden'),
  // src/index.ts). Code both use is in chunks they share, so each byte ships once; a CLI run never
  // loads the API's entry.
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  // jsonc-parser's "main" is a UMD build that esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  format: 'esm',
  target: 'node20',
  sourcemap: coverage ? 'external' : false,
  legalComments: 'none',
  write: false,
  metafile: true,
  logLevel: 'warning',
});

// 3. One pack of the code most runs use. Each file read costs a start some 0.2 ms (open, stat,
//    read, then the same for its code cache), and an audit used to read 30 of them. The pack
//    holds every file of the bundle as a function, keyed by its path under dist/, except the
//    large ones a few paths need: execa, yaml, the prompt library, the writer, the activity review, and the
//    precompiled profiles other than the default one (a run checks one profile). bin/load.js takes
//    a file from the pack when it is there, else from its own file. Each file ships once: one the
//    pack holds is not written on its own too (that repeated some 450 kB of the package), and
//    the entries, dist/cli.js (the CLI's) and dist/index.js (require('nanobot-harden')), are stubs that load the pack.
// A release's facts are read only by the runs that check it: each stays a file of its own, but for
// the newest tagged release's, which harden assumes when it cannot learn the version.
const assumed = JSON.parse(await readFile('schemas/nanobot/index.json', 'utf8'))
  .releases.filter((r) => r.tag)
  .pop().name;
const otherRelease = new RegExp(`^build/nanobot/(?!${assumed.replace(/[.+]/g, '\\$&')}\\.mjs$)`);
const LAZY = [
  /node_modules\/(execa|yaml|@inquirer|inquirer)\//,
  /^build\/validators-(?!baseline\.)[a-z]+\.gen\.mjs$/,
  /^src\/io\/files\.ts$/,
  /^src\/activity\//,
  /^src\/report\/activity\.ts$/,
  otherRelease,
];
const isLazy = (output) => Object.keys(result.metafile.outputs[output]?.inputs ?? {}).some((input) => LAZY.some((re) => re.test(input)));
const maps = new Map(result.outputFiles.filter((f) => f.path.endsWith('.map')).map((f) => [f.path.slice(0, -'.map'.length), JSON.parse(f.text)]));
const pack = [];
const buildId = createHash('sha256');
for (const file of result.outputFiles) {
  if (file.path.endsWith('.map')) continue;
  const name = relative(resolve('dist'), file.path).split(sep).join('/');
  const cjs = await transform(file.text, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // import() of a chunk becomes require() inside a promise: same laziness, no ESM loader.
    supported: { 'dynamic-import': false },
    // Less to parse at every start; identifiers stay readable for --debug stack traces.
    minifyWhitespace: !coverage,
    minifySyntax: !coverage,
    legalComments: 'none',
    logLevel: 'warning',
    ...(coverage ? { sourcemap: 'external', sourcefile: name } : {}),
  });
  // src/*.ts -> esbuild's ESM chunk -> this CommonJS file, as one map with absolute sources.
  const map = coverage
    ? remapping(cjs.map, (source) => (source === name ? absoluteSources(maps.get(file.path), dirname(file.path)) : null), { decodedMappings: true })
    : undefined;
  buildId.update(cjs.code);
  if (!isLazy(`dist/${name}`)) {
    pack.push({ name, code: cjs.code, map });
    continue;
  }
  await mkdir(dirname(file.path), { recursive: true });
  await writeFile(file.path, cjs.code);
  if (map) await writeFile(`${file.path}.map`, JSON.stringify({ ...map, mappings: encode(map.mappings) }));
}
pack.sort((a, b) => (a.name < b.name ? -1 : 1));
const packText = `({\n${pack.map((m) => `${JSON.stringify(m.name)}: function (exports, require, module, __filename, __dirname) {\n${m.code}\n}`).join(',\n')}\n})\n`;
await writeFile('dist/pack.js', packText);
if (coverage) await writeFile('dist/pack.js.map', JSON.stringify(packMap(pack)));
buildId.update(packText);
// Each entry is a stub that loads its code out of the pack. dist/cli.js is bin/harden.js's;
// dist/index.js is require('nanobot-harden') and import(), loaded as bin/harden.js loads the CLI
// but with no code cache (a library writes nothing into its user's home). The `0 &&` line names
// the exports for Node's CommonJS export detection, as esbuild's own CommonJS output does.
const STUBS = {
  'cli.js': "The CLI's entry, for bin/harden.js",
  'index.js': "The entry of require('nanobot-harden') and import (src/index.ts; typed by dist/index.d.ts)",
};
for (const [name, what] of Object.entries(STUBS)) {
  if (!pack.some((m) => m.name === name)) throw new Error(`the entry dist/${name} is not in the pack`);
  const exportNames = result.metafile.outputs[`dist/${name}`].exports;
  await writeFile(
    `dist/${name}`,
    `'use strict';\n// ${what}; the code is dist/pack.js's ${JSON.stringify(name)} (scripts/build.mjs).\nmodule.exports = require('../bin/load.js').load(__filename, {}, 'lib').exports;\n0 && (module.exports = { ${exportNames.join(', ')} });\n`,
  );
}

// 3b. The API's types: one self-contained dist/index.d.ts, from src/index.ts and what it names.
//     It may import no package (the tarball installs none) and no src/ path (none ships).
const types = await readFile((await typesJob, 'build/index.d.ts'), 'utf8');
const foreign = /^\s*(import|export)\b[^;]*\bfrom\s*['"]|\bimport\(|^\/\/\/ <reference/m.exec(types);
if (foreign)
  throw new Error(`dist/index.d.ts refers to another module (${foreign[0].trim()}): the API's public types must name only what src/index.ts declares`);
await writeFile(
  'dist/index.d.ts',
  `// The types of require('nanobot-harden') and import from 'nanobot-harden' (src/index.ts; generated by scripts/build.mjs).\n${types}`,
);

/** An esbuild map's sources as absolute file URLs (they are relative to the map's file). */
function absoluteSources(map, dir) {
  return { ...map, sources: map.sources.map((s) => pathToFileURL(resolve(dir, s)).href) };
}

/** One map for dist/pack.js: each member's map, moved down to the line its code starts on. */
function packMap(members) {
  const sources = [];
  const sourcesContent = [];
  const names = [];
  const mappings = [[]]; // the "({" line
  for (const m of members) {
    const sourceIndex = m.map.sources.map((s, i) => {
      let at = sources.indexOf(s);
      if (at < 0) {
        at = sources.push(s) - 1;
        sourcesContent[at] = m.map.sourcesContent?.[i] ?? null;
      }
      return at;
    });
    const nameIndex = m.map.names.map((n) => names.push(n) - 1);
    mappings.push([]); // its "name": function (...) { line
    const lines = m.code.split('\n').length;
    for (let i = 0; i < lines; i++)
      mappings.push(
        (m.map.mappings[i] ?? []).map((seg) =>
          seg.length === 1
            ? seg
            : seg.length === 4
              ? [seg[0], sourceIndex[seg[1]], seg[2], seg[3]]
              : [seg[0], sourceIndex[seg[1]], seg[2], seg[3], nameIndex[seg[4]]],
        ),
      );
    mappings.push([]); // the closing }
  }
  return { version: 3, file: 'pack.js', sources, sourcesContent, names, mappings: encode(mappings) };
}
// The loader wraps and compiles these files: a new loader starts a new cache too.
buildId.update(await readFile('bin/load.js'));
// Names this build's V8 code cache (bin/load.js): a cache from other code is never read.
await writeFile('dist/build-id', buildId.digest('hex').slice(0, 16) + '\n');
// The package is "type": "module"; this folder holds CommonJS.
await writeFile('dist/package.json', '{ "type": "commonjs" }\n');

// 4. The licences of the code bundled into dist/: each package whose files esbuild put in a
//    chunk, with its name, version, licence and its own licence text, in dist/THIRD-PARTY-NOTICES.md.
//    The bundle keeps no licence comments (legalComments: 'none', to read less at start-up); this
//    file carries them instead, for every package that ships.
const packages = new Map();
const bundled = new Set(
  Object.values(result.metafile.outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([path]) => path),
  ),
);
for (const input of bundled) {
  const m = /(^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (!m) continue;
  const dir = input.slice(0, m.index + m[0].length - 1);
  if (!packages.has(dir)) packages.set(dir, m[2]);
}
const notices = ['# Third-party notices', '', 'dist/ bundles the code of these packages. Each is listed with its licence as its own package states it.', ''];
const seen = new Set();
for (const dir of [...packages.keys()].sort((a, b) => packages.get(a).localeCompare(packages.get(b)))) {
  const meta = JSON.parse(await readFile(`${dir}/package.json`, 'utf8'));
  const id = `${meta.name}@${meta.version}`;
  if (seen.has(id)) continue;
  seen.add(id);
  const names = (await readdir(dir)).filter((n) => /^(licen[cs]e|copying|notice)([.-].*)?$/i.test(n)).sort();
  const texts = await Promise.all(names.map((n) => readFile(`${dir}/${n}`, 'utf8')));
  if (texts.length === 0) throw new Error(`${id} is bundled but ships no licence file: add its licence text to the notices by hand`);
  notices.push(
    `## ${id}`,
    '',
    `Licence: ${typeof meta.license === 'string' ? meta.license : JSON.stringify(meta.license ?? meta.licenses)}`,
    '',
    ...texts.map((t) => '```\n' + t.trim() + '\n```\n'),
  );
}
await writeFile('dist/THIRD-PARTY-NOTICES.md', notices.join('\n'));
