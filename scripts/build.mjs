// Bundles the CLI into one ESM file so that start-up reads few files (the audit runs in
// shell prompts and pre-start hooks). Dependencies are bundled too; the prompt library is
// loaded lazily by the wizard only.
import { build } from 'esbuild';

import { execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';

await rm('dist', { recursive: true, force: true });
await mkdir('build', { recursive: true });

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

/** Send the bundle's `./ajv.js` (the run-time compiler) to the precompiled validators. */
const precompiled = {
  name: 'precompiled-validators',
  setup(b) {
    b.onResolve({ filter: /^\.\/ajv\.js$/ }, (args) => (args.importer.endsWith('schema-rules.ts') ? { path: validators } : undefined));
  },
};

// 2. The CLI.
await build({
  plugins: [precompiled],
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  // Code behind a dynamic import() (execa, the prompt library, the fix pipeline) goes into its
  // own chunk and is read only when that path runs.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  // jsonc-parser's "main" is a UMD build that esbuild cannot follow; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  format: 'esm',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  // Less to parse at every start; identifiers stay readable for --debug stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  // ajv and friends are CommonJS; give the bundle a require() for them.
  banner: {
    js: [
      "import { createRequire as __harden_createRequire } from 'node:module';",
      "import { fileURLToPath as __harden_fileURLToPath } from 'node:url';",
      'const require = __harden_createRequire(import.meta.url);',
      'const __filename = __harden_fileURLToPath(import.meta.url);',
    ].join(' '),
  },
  logLevel: 'warning',
});
