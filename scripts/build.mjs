// Bundles the CLI into one ESM file so that start-up reads few files (the audit runs in
// shell prompts and pre-start hooks). Dependencies are bundled too; the prompt library is
// loaded lazily by the wizard only.
import { build } from 'esbuild';

import { rm } from 'node:fs/promises';

await rm('dist', { recursive: true, force: true });
await build({
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
