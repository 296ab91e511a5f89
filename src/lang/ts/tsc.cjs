// The TypeScript compiler, loaded through require(). An ESM `import` of its 9 MB CommonJS file
// makes Node scan all of it first (module-format detection and export-name lexing): ~0.6 s of
// every TS/JS run, measured. Through this CommonJS wrapper the lexer reads only the wrapper.
// The compiler is bound to a variable first: Node's lexer reads `module.exports = require(…)`
// as a re-export and lexed the whole compiler anyway for its export names (2,249 of them;
// import 473 → 233 ms here). Only the default export is used. (Types: tsc.d.cts; the build
// copies both.)
//
// V8 still compiles the 9 MB file at every start: 180-210 ms of a TS thread, and the TS thread
// is the last to finish on mixed trees. Node 20 has no compile cache (module.enableCompileCache
// came in Node 22.1), so this keeps one for the compiler alone, as V8 code cache data beside the
// user's other caches ($XDG_CACHE_HOME or ~/.cache, never a shared temporary directory: the
// data is code). Loading then takes 70-95 ms. V8 checks the data against its own version, its
// flags and the source's length and rejects what does not match; the file name also carries the
// compiler's version, size and mtime, and Node's and V8's versions. Any failure falls back to a
// plain require. Each install of the compiler gets a file of its own; the 8 newest are kept.
// KA_AUDIT_NO_CODE_CACHE=1 turns it off.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
const { readUtf8 } = require('../../engine/read-text.cjs');

/** Cache files kept: each install of the compiler (each project, each CI checkout) makes one. */
const KEEP = 8;

const ts = loadCompiler();
module.exports = ts;

function loadCompiler() {
  const file = require.resolve('typescript');
  // Already loaded (by typescript-eslint in an ESLint run, say): one compiler per process.
  if (require.cache[file] || process.env.KA_AUDIT_NO_CODE_CACHE) return require('typescript');
  let source;
  let cachePath;
  try {
    // Not readFileSync(file, 'utf8'): read-text.cjs says why (it cost 30-40 MB of peak RSS).
    source = readUtf8(file);
    cachePath = codeCachePath(file);
  } catch {
    return require('typescript');
  }
  let cached;
  try {
    cached = fs.readFileSync(cachePath);
  } catch {
    // No cache yet.
  }
  let script;
  let mod;
  try {
    // What Node's CommonJS loader does for a file, with V8's cached data added.
    script = new vm.Script(Module.wrap(source), { filename: file, ...(cached ? { cachedData: cached } : {}) });
    mod = new Module(file, module);
    mod.filename = file;
    mod.paths = Module._nodeModulePaths(path.dirname(file));
    script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
    mod.loaded = true;
  } catch {
    return require('typescript');
  }
  require.cache[file] = mod;
  if (!cached || script.cachedDataRejected) {
    writeAtomic(cachePath, script.createCachedData());
    pruneOthers(cachePath);
  }
  return mod.exports;
}

/** Deletes all but the KEEP newest compiler cache files beside `kept` (never `kept` itself). */
function pruneOthers(kept) {
  try {
    const dir = path.dirname(kept);
    const old = fs
      .readdirSync(dir)
      .filter((n) => /^typescript-.*\.bin$/.test(n) && path.join(dir, n) !== kept)
      .map((n) => ({ n, t: fs.statSync(path.join(dir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t)
      .slice(KEEP - 1);
    for (const { n } of old) fs.unlinkSync(path.join(dir, n));
  } catch {
    // Pruning is housekeeping only.
  }
}

function codeCachePath(file) {
  const { version } = JSON.parse(fs.readFileSync(path.join(path.dirname(file), '..', 'package.json'), 'utf8'));
  const st = fs.statSync(file);
  // The XDG spec says to ignore a relative XDG_CACHE_HOME; without an absolute home, no cache
  // (never a directory relative to where ka-audit happens to run).
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  if (!path.isAbsolute(base)) throw new Error('no absolute cache directory');
  const name = `typescript-${version}-${st.size}-${Math.trunc(st.mtimeMs)}-node${process.version}-v8-${process.versions.v8}-${process.arch}.bin`;
  return path.join(base, 'ka-audit', 'code-cache', name);
}

function writeAtomic(target, data) {
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, target);
  } catch {
    // A cache that cannot be written only costs speed next time.
  }
}
