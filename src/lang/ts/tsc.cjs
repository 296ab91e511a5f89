// The TypeScript compiler, loaded through require(). An ESM `import` of its 9 MB CommonJS file
// makes Node scan all of it first (module-format detection and export-name lexing): ~0.6 s of
// every TS/JS run, measured. Through this CommonJS wrapper the lexer reads only the wrapper.
// The compiler is bound to a variable first: Node's lexer reads `module.exports = require(…)`
// as a re-export and lexed the whole compiler anyway for its export names (2,249 of them;
// import 473 → 233 ms here). Only the default export is used. (Types: tsc.d.cts; the build
// copies both.)
'use strict';
const ts = require('typescript');
module.exports = ts;
