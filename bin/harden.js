#!/usr/bin/env node
// The only place that touches the process: run the CLI and set the exit code. Output goes out
// synchronously (src/io/fd-stream.ts), so nothing is left to drain; bin/load.js adds V8's code
// cache for the bundle. CommonJS (see bin/package.json), like dist/.
'use strict';
const { join } = require('node:path');
const { load } = require('./load.js');

const argv = process.argv.slice(2);
// A git clone that was never built has no dist/: say what to run, not a stack trace.
if (!require('node:fs').existsSync(join(__dirname, '..', 'dist', 'cli.js'))) {
  process.stderr.write('harden: this copy of harden is not built (dist/ is missing): run `npm ci && npm run build` in its directory first\n');
  process.exit(2);
}
// The command names the code cache: an audit's cache holds what an audit compiled.
const command = argv.find((a) => !a.startsWith('-'));
const harden = load(join(__dirname, '..', 'dist', 'cli.js'), process.env, command && /^[a-z]{1,12}$/.test(command) ? command : 'run');

harden.exports.main(argv).then(
  (code) => {
    process.exitCode = code;
    harden.save();
    // Everything is written (synchronously): end now rather than wait for Node to tear the heap
    // down. Output handed to Node's stream (a non-blocking pipe) is left to drain as usual.
    if (harden.exports.outputWritten()) process.exit();
  },
  (error) => {
    // main() turns every known error into a sentence; reaching here is a bug in harden itself.
    // Its message may quote the config: only the kind of error is shown.
    process.stderr.write(`harden: internal error (${error instanceof Error ? error.name : typeof error}); please report this\n`);
    process.exitCode = 2;
  },
);
