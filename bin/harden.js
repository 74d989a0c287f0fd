#!/usr/bin/env node
// The only place that touches the process: run the CLI, set the exit code, let stdout drain.
import { main } from '../dist/cli.js';

// `harden audit | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // main() turns every known error into a sentence; reaching here is a bug in harden itself.
  process.stderr.write(`harden: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
