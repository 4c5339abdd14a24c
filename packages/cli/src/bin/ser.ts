#!/usr/bin/env node
import { run } from '../main.js';

// A reader that stops early (`ser predict … | head`) closes the pipe: stop quietly with the exit
// code so far, as Unix tools do, instead of an unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

process.exitCode = await run(process.argv.slice(2));
