#!/usr/bin/env node
// The only place that exits the process.
import { run } from './program.js';

const code = await run(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  color: process.stdout.isTTY === true && !process.env['NO_COLOR'],
});
process.exitCode = code;
