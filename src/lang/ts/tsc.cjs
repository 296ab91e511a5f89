// The TypeScript compiler, loaded through require(). An ESM `import` of its 9 MB CommonJS file
// makes Node scan all of it twice first (module-format detection and export-name lexing):
// ~0.6 s of every TS/JS run, measured. Through this CommonJS wrapper the lexer reads only the
// wrapper, and the compiler loads as plain CommonJS. (Types: tsc.d.cts; the build copies both.)
'use strict';
module.exports = require('typescript');
