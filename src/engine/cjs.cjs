// CommonJS dependencies (commander, picomatch, ignore, picocolors) are loaded with this module's
// require, not with import. When ESM imports a CommonJS file, Node first lexes the whole file for
// its export names, at every start: in one process, 40-53 ms to import those four packages
// against 15-21 ms to require them, out of ~0.29 s for a warm --cache run on 2,000 files.
// A CommonJS file rather than createRequire(import.meta.url): jscodeshift's Babel hook compiles
// the modules its transform loads to CommonJS, and Node then takes a file that still says
// import.meta for ESM and fails on its `exports`. (Types: cjs.d.cts; the build copies both.)
'use strict';
module.exports = require;
