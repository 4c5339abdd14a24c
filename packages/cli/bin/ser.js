#!/usr/bin/env node
// The `ser` command. A committed launcher (not a build output) so that npm links it into
// node_modules/.bin even before the TypeScript is built; the program is dist/bin/ser.js.
import '../dist/bin/ser.js';
