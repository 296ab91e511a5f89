// Unit tables for the TS/JS backend: every import form names a site with its canonical API, and
// look-alikes (a local Socket class, a method named connect, shadowed names) never do.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TsFile } from '../src/lang/ts/parse.js';
import { findSites } from '../src/lang/ts/sites.js';
import { exportedByName } from '../src/lang/ts/functions.js';
import { forEachCallName, scanTs } from '../src/lang/ts/scan.js';
import { randomInts } from './lib/random.js';

const apis = (code: string, file = 'x.ts') => findSites(new TsFile(file, code)).map((s) => s.api);

describe('TS/JS sites through every import form', () => {
  const cases: Array<[string, string, string[]]> = [
    ['require', "const net = require('net'); net.connect(1, 'h');", ['net.connect']],
    ['node: prefix', "const tls = require('node:tls'); tls.connect({ host: 'h', port: 1 });", ['tls.connect']],
    ['default import', "import net from 'net'; net.createServer();", ['net.createServer']],
    ['namespace import', "import * as net from 'node:net'; new net.Socket();", ['new net.Socket']],
    ['named import', "import { createConnection } from 'net'; createConnection(1, 'h');", ['net.createConnection']],
    ['aliased import', "import { connect as tlsConnect } from 'tls'; tlsConnect({ host: 'h', port: 1 });", ['tls.connect']],
    ['destructured require', "const { connect: dial } = require('net'); dial(1, 'h');", ['net.connect']],
    ['require member', "const S = require('net').Socket; new S();", ['new net.Socket']],
    ['inline require member', "new (require('net').Server)();", ['new net.Server']],
    ['new without parentheses', "import { Socket } from 'net'; const s = new Socket; s.connect(1, 'h');", ['new net.Socket']],
    ['net.Stream', "const net = require('net'); new net.Stream();", ['new net.Stream']],
    ['TLSSocket and tls.Server', "import tls from 'tls'; new tls.TLSSocket(x); new tls.Server({});", ['new tls.TLSSocket', 'new tls.Server']],
    ['conditional alias', "import net from 'net'; import tls from 'tls'; const c = s ? tls.connect : net.connect; c({});", ['tls.connect', 'net.connect']],
    ['bound alias', "const net = require('net'); let c; c = net.connect.bind(net); c({});", ['net.connect']],
    ['import equals', "import net = require('net'); net.connect(1, 'h');", ['net.connect']],
    ['dynamic import', "async function f() { const { connect } = await import('node:net'); connect(1, 'h'); }", ['net.connect']],
    ['compiled interop', "const net_1 = __importDefault(require('net')); net_1.default.connect(1, 'h');", ['net.connect']],
    ['constructor called without new', "const net = require('net'); net.Socket();", ['new net.Socket']],
  ];
  for (const [name, code, want] of cases) {
    it(name, () => expect(apis(code)).toEqual(want));
  }
});

describe('look-alikes are not sites', () => {
  const cases: Array<[string, string]> = [
    ['own Socket class', "class Socket {} new Socket();"],
    ['imported own Socket', "import { Socket } from './socket'; new Socket();"],
    ['method named connect', "const client = { connect() {} }; client.connect();"],
    ['shadowed net', "import net from 'net'; function f(net) { return net.connect(1); }"],
    ['local createServer', "function createServer() {} createServer();"],
    ['type-only use', "import type { Socket } from 'net'; let s: Socket;"],
    ['other module', "const dgram = require('dgram'); dgram.createSocket('udp4');"],
    ['net helpers', "import net from 'net'; net.isIP('1.2.3.4');"],
    ['bind is not a call of the API', "import tls from 'tls'; const c = tls.connect.bind(tls);"],
  ];
  for (const [name, code] of cases) {
    it(name, () => expect(apis(code)).toEqual([]));
  }
});

describe('a function exported by name', () => {
  it('is found as the one regex it replaced found it, on 4,000 random texts', () => {
    const byRegex = (text: string, name: string) => {
      const n = name.replace(/\$/g, '\\$');
      return new RegExp(`\\bexports\\b[\\s\\S]*(?<![\\w$])${n}(?![\\w$])|export\\s*\\{[^}]*(?<![\\w$])${n}(?![\\w$])|export\\s+default\\s+${n}(?![\\w$])`).test(text);
    };
    const rnd = randomInts(5);
    const pieces = ['exports', 'exports.', 'export', 'export {', 'module.', 'xexports', 'exports$', ' default ', '{', '}', ' ', '\n', '.', ',', '=', 'f', ' f ', 'f$', ' $f', '$f', 'g', ' g;', 'ff', '_f', 'as ', '('];
    const names = ['f', 'f$', '$f', 'g', 'exports', 'default'];
    const seen = { yes: 0, no: 0 };
    for (let i = 0; i < 4000; i++) {
      let text = '';
      for (let n = rnd(40); n > 0; n--) text += pieces[rnd(pieces.length)];
      const name = names[rnd(names.length)]!;
      const want = byRegex(text, name);
      expect(exportedByName(text, name), `${JSON.stringify(text)} ${name}`).toBe(want);
      seen[want ? 'yes' : 'no']++;
    }
    expect(Math.min(seen.yes, seen.no)).toBeGreaterThan(800);
  });
});

describe('pass-0 scan', () => {
  it('finds the call names the regex it replaced found, in the same order, on 4,000 random texts', () => {
    const CALLED = /\b([A-Za-z_$][\w$]*)\s*\(/g;
    const rnd = randomInts(3);
    const pieces = ['a', 'Z', '_', '$', '9', '0x', 'é', ' ', '\t', '\n', '\u00a0', '\u2028', '(', ')', '.', 'foo', '$el', 'a$b', '=>', '/*', '"'];
    let named = 0;
    for (let i = 0; i < 4000; i++) {
      let text = '';
      for (let n = rnd(60); n > 0; n--) text += pieces[rnd(pieces.length)];
      const want = [...text.matchAll(CALLED)].map((m) => m[1]!);
      const got: string[] = [];
      forEachCallName(text, (name) => got.push(name));
      expect(got, JSON.stringify(text)).toEqual(want);
      named += want.length;
    }
    expect(named).toBeGreaterThan(2000);
  });

  it('finds files that name net or tls, and the project modules they import', () => {
    const s = scanTs("import net from 'node:net';\nimport { h } from './helper.js';\nconst x = require('../x');\nexport * from './y';");
    expect(s.sites).toBe(true);
    expect(s.imports.sort()).toEqual(['../x', './helper.js', './y']);
    expect(s.reexports).toEqual(['./y']);
    expect(scanTs("import { netmask } from 'netmask';").sites).toBe(false);
  });
});

describe('loading the TypeScript compiler', () => {
  it('gives ESM one default export, so Node does not lex the 9 MB compiler for export names', () => {
    // `module.exports = require('typescript')` made Node read it as a re-export and lex the
    // compiler (~0.25-0.6 s of every TS/JS run); the wrapper must keep Node from doing that.
    const wrapper = fileURLToPath(new URL('../src/lang/ts/tsc.cjs', import.meta.url));
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(wrapper).href)}); console.log(JSON.stringify([Object.keys(m), typeof m.default.createSourceFile]))`], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, KA_AUDIT_NO_CODE_CACHE: '1' },
    });
    expect(JSON.parse(r.stdout)).toEqual([['default'], 'function']);
  });

  it('keeps V8 code cache data for it in the user cache, used when it matches and rewritten when not', () => {
    const wrapper = fileURLToPath(new URL('../src/lang/ts/tsc.cjs', import.meta.url));
    const home = mkdtempSync(join(tmpdir(), 'ka-code-cache-'));
    try {
      const load = (extra: Record<string, string> = {}) =>
        spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(wrapper)}).version)`], {
          encoding: 'utf8',
          timeout: 60_000,
          env: { ...process.env, XDG_CACHE_HOME: home, KA_AUDIT_NO_CODE_CACHE: '', ...extra },
        }).stdout.trim();
      const version = (JSON.parse(readFileSync(join(wrapper, '../../../../node_modules/typescript/package.json'), 'utf8')) as { version: string }).version;
      const dir = join(home, 'ka-audit', 'code-cache');
      expect(load()).toBe(version);
      const [name, ...others] = readdirSync(dir);
      expect(others).toEqual([]);
      expect(name).toContain(`typescript-${version}-`);
      const file = join(dir, name!);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const written = readFileSync(file);
      // Accepted by V8: not written again.
      expect(load()).toBe(version);
      expect(readFileSync(file).equals(written)).toBe(true);
      // Rejected by V8 (not its data): the compiler still loads, and the data is made again.
      const garbage = Buffer.alloc(written.length, 7);
      writeFileSync(file, garbage);
      expect(load()).toBe(version);
      const remade = readFileSync(file);
      expect(remade.equals(garbage)).toBe(false);
      expect(load()).toBe(version);
      expect(readFileSync(file).equals(remade)).toBe(true);
      // Each install of the compiler makes a file of its own: only the 8 newest are kept, the one
      // just written among them, and nothing else in the directory is touched.
      for (let i = 0; i < 10; i++) {
        const old = join(dir, `typescript-0.0.${i}-old.bin`);
        writeFileSync(old, 'x');
        utimesSync(old, 1000 + i, 1000 + i);
      }
      writeFileSync(join(dir, 'notes.txt'), 'x');
      rmSync(file);
      expect(load()).toBe(version);
      expect(readdirSync(dir).sort()).toEqual([name!, 'notes.txt', ...[3, 4, 5, 6, 7, 8, 9].map((i) => `typescript-0.0.${i}-old.bin`)].sort());
      // Turned off: nothing is written.
      rmSync(dir, { recursive: true });
      expect(load({ KA_AUDIT_NO_CODE_CACHE: '1' })).toBe(version);
      expect(readdirSync(join(home, 'ka-audit'))).toEqual([]);
      // A relative XDG_CACHE_HOME is ignored (XDG spec), never resolved against the working
      // directory: the home's .cache is used.
      const work = join(home, 'work');
      mkdirSync(work);
      const r = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(wrapper)}).version)`], {
        cwd: work,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, XDG_CACHE_HOME: 'rel', HOME: home, KA_AUDIT_NO_CODE_CACHE: '' },
      });
      expect(r.stdout.trim()).toBe(version);
      expect(readdirSync(work)).toEqual([]);
      expect(readdirSync(join(home, '.cache', 'ka-audit', 'code-cache'))).toHaveLength(1);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
