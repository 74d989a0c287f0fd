#!/usr/bin/env node
// The only place that touches the process: run the CLI, set the exit code, let stdout drain.
// CommonJS (see bin/package.json), like dist/: require() starts faster than Node 20's ESM loader,
// and bin/load.js adds V8's code cache for the bundle.
'use strict';
const { join } = require('node:path');
const { load } = require('./load.js');

const harden = load(join(__dirname, '..', 'dist', 'cli.js'));

// `harden audit | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

harden.exports.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    harden.save();
  },
  (error) => {
    // main() turns every known error into a sentence; reaching here is a bug in harden itself.
    process.stderr.write(`harden: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
