// Bundles the CLI into one ESM file so that start-up reads few files (the audit runs in
// shell prompts and pre-start hooks). Dependencies are bundled too; the prompt library is
// loaded lazily by the wizard only.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  // ajv and friends are CommonJS; give the bundle a require() for them.
  banner: {
    js: "import { createRequire as __harden_createRequire } from 'node:module'; const require = __harden_createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
