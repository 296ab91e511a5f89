// The ESLint plugin: ESLint's RuleTester under vitest (the same cases with espree on .js and
// @typescript-eslint/parser on .ts must give the same results: the rules read the text, not the
// AST), and ESLint's Node API with fix on copies of the TS/JS fixture cases, which must come out
// byte-identical to their .fixed files.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint, Linter, RuleTester } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import plugin from '../src/eslint/index.js';
import { auditCase, fixedPathOf, inputFiles, loadCases } from './lib/fixtures.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ROOT = join(import.meta.dirname, '..');
const tmp = mkdtempSync(join(tmpdir(), 'ka-eslint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// RuleTester cases live in a project directory of their own (a package.json stops the project
// scan there). A helper module beside them lets a case depend on a cross-file fact.
const PROJECT = join(tmp, 'project');
mkdirSync(PROJECT, { recursive: true });
writeFileSync(join(PROJECT, 'package.json'), '{}\n');
writeFileSync(join(PROJECT, 'tuning.js'), 'export function tune(sock) {\n  sock.setKeepAlive(true, 30000);\n  sock.setNoDelay(true);\n}\n');

const CLIENT_MSG = (name: string, api: string) =>
  `TCP client socket${name ? ` '${name}'` : ''} from ${api}() has no keepalive: no keepAlive option and no setKeepAlive(true) on it or in the helpers it is passed to; a silently dead peer or a NAT timeout will hang it`;
const SERVER_MSG = (name: string, api: string) =>
  `TCP server '${name}' from ${api}() has no keepalive: no keepAlive option and no setKeepAlive() on its connections; a silently dead peer or a NAT timeout will hang it`;
const TLS_MSG = (name: string) =>
  `tls.connect() '${name}' passes keepAlive: true, but Node before v24.15 ignores that option for TLS sockets (nodejs/node#62003), so the connection has no keepalive; call socket.setKeepAlive(true, ms) instead`;

type Cases = Parameters<RuleTester['run']>[2];

/** The require-keepalive cases, written once; `ext` picks the file name (and so the parser's language). */
function requireKeepaliveCases(ext: 'js' | 'ts'): Cases {
  const file = (name: string) => join(PROJECT, `${name}.${ext}`);
  return {
    valid: [
      { filename: file('option'), code: "import net from 'node:net';\nexport const c = net.connect({ host: 'db.example.com', port: 5432, keepAlive: true });\n" },
      { filename: file('direct'), code: "const net = require('net');\nconst s = net.connect(80, 'example.com');\ns.setKeepAlive(true, 60000);\ns.write('x');\n" },
      { filename: file('loopback'), code: "import net from 'node:net';\nexport const c = net.connect(6379, '127.0.0.1');\n" },
      { filename: file('ipc'), code: "import net from 'node:net';\nexport const c = net.connect({ path: '/run/app.sock' });\n" },
      { filename: file('no-net'), code: "export const connect = (x) => x;\nconnect(1);\n" },
      {
        filename: file('suppressed'),
        code: "import net from 'node:net';\n// ka-audit-ignore-next-line require-keepalive -- a local daemon behind a unix relay\nexport const c = net.connect(6380, 'cache.internal');\n",
      },
      {
        filename: file('tls-is-other-rule'),
        code: "import tls from 'node:tls';\nconst feed = tls.connect({ host: 'feed.example.com', port: 443, keepAlive: true });\nfeed.setEncoding('utf8');\n",
      },
      {
        name: 'a helper named in the options turns keepalive on',
        filename: file('helper-option'),
        options: [{ helpers: ['enableKeepAlive'] }],
        code: "import net from 'node:net';\nimport { enableKeepAlive } from '@acme/sockets';\nexport const conn = net.connect(6380, 'cache.internal');\nenableKeepAlive(conn);\n",
      },
      {
        name: 'a helper named in settings["ka-audit"] turns keepalive on',
        filename: file('helper-settings'),
        settings: { 'ka-audit': { helpers: ['enableKeepAlive'] } },
        code: "import net from 'node:net';\nimport { enableKeepAlive } from '@acme/sockets';\nexport const conn = net.connect(6380, 'cache.internal');\nenableKeepAlive(conn);\n",
      },
      {
        name: 'a helper in another project file (cross-file fact from the project scan)',
        filename: file('upstream'),
        code: "import net from 'node:net';\nimport { tune } from './tuning';\nexport const up = net.createConnection({ host: 'origin.example.com', port: 8080 });\ntune(up);\n",
      },
    ],
    invalid: [
      {
        name: 'options literal: keepAlive options added in its layout',
        filename: file('options'),
        code: "const net = require('net');\nconst socket = net.connect({\n  host: 'db.example.com',\n  port: 5432,\n});\nsocket.write('ping');\n",
        output: "const net = require('net');\nconst socket = net.connect({\n  host: 'db.example.com',\n  port: 5432,\n  keepAlive: true,\n  keepAliveInitialDelay: 60000,\n});\nsocket.write('ping');\n",
        errors: [{ message: CLIENT_MSG('socket', 'net.connect'), line: 2, column: 16, endLine: 5, endColumn: 3 }],
      },
      {
        name: 'positional arguments: setKeepAlive statement after the declaration',
        filename: file('positional'),
        code: "import net from 'node:net';\nexport const conn = net.connect(6380, 'cache.internal');\n",
        output: "import net from 'node:net';\nexport const conn = net.connect(6380, 'cache.internal');\nconn.setKeepAlive(true, 60000);\n",
        errors: [{ message: CLIENT_MSG('conn', 'net.connect'), line: 2, column: 21, endLine: 2, endColumn: 56 }],
      },
      {
        name: 'keepalive.idle option sets the delay written by the fix',
        filename: file('idle-option'),
        options: [{ keepalive: { idle: 30 } }],
        code: "import net from 'node:net';\nexport const conn = net.connect(6380, 'cache.internal');\n",
        output: "import net from 'node:net';\nexport const conn = net.connect(6380, 'cache.internal');\nconn.setKeepAlive(true, 30000);\n",
        errors: [{ message: CLIENT_MSG('conn', 'net.connect'), line: 2, column: 21, endLine: 2, endColumn: 56 }],
      },
      {
        name: 'a helper not named in the options is not evidence',
        filename: file('helper-unnamed'),
        code: "import net from 'node:net';\nimport { enableKeepAlive } from '@acme/sockets';\nexport const conn = net.connect(6380, 'cache.internal');\nenableKeepAlive(conn);\n",
        output: "import net from 'node:net';\nimport { enableKeepAlive } from '@acme/sockets';\nexport const conn = net.connect(6380, 'cache.internal');\nconn.setKeepAlive(true, 60000);\nenableKeepAlive(conn);\n",
        errors: [{ message: CLIENT_MSG('conn', 'net.connect'), line: 3, column: 21, endLine: 3, endColumn: 56 }],
      },
      {
        name: 'project: false analyses the file alone (the helper in tuning.js is not seen)',
        filename: file('upstream-alone'),
        options: [{ project: false }],
        code: "import net from 'node:net';\nimport { tune } from './tuning';\nexport const up = net.createConnection({ host: 'origin.example.com', port: 8080 });\ntune(up);\n",
        output:
          "import net from 'node:net';\nimport { tune } from './tuning';\nexport const up = net.createConnection({ host: 'origin.example.com', port: 8080, keepAlive: true, keepAliveInitialDelay: 60000 });\ntune(up);\n",
        errors: [{ message: CLIENT_MSG('up', 'net.createConnection'), line: 3, column: 19, endLine: 3, endColumn: 83 }],
      },
      {
        name: 'two sites in one file, two fixes',
        filename: file('two'),
        code: "import net from 'node:net';\nconst a = net.connect(1, 'a.example');\nconst b = net.createConnection({ host: 'b.example', port: 2 });\na.pipe(b);\n",
        output:
          "import net from 'node:net';\nconst a = net.connect(1, 'a.example');\na.setKeepAlive(true, 60000);\nconst b = net.createConnection({ host: 'b.example', port: 2, keepAlive: true, keepAliveInitialDelay: 60000 });\na.pipe(b);\n",
        errors: [
          { message: CLIENT_MSG('a', 'net.connect'), line: 2, column: 11, endLine: 2, endColumn: 38 },
          { message: CLIENT_MSG('b', 'net.createConnection'), line: 3, column: 11, endLine: 3, endColumn: 63 },
        ],
      },
      {
        name: 'server: keepAlive options added to createServer',
        filename: file('server'),
        code: "import net from 'node:net';\nconst server = net.createServer((socket) => {\n  socket.pipe(socket);\n});\nserver.listen(7070);\n",
        output:
          "import net from 'node:net';\nconst server = net.createServer({ keepAlive: true, keepAliveInitialDelay: 60000 }, (socket) => {\n  socket.pipe(socket);\n});\nserver.listen(7070);\n",
        errors: [{ message: SERVER_MSG('server', 'net.createServer'), line: 2, column: 16, endLine: 4, endColumn: 3 }],
      },
      {
        name: 'UTF-16 columns (an astral character before the call), CRLF and tabs kept',
        filename: file('utf16-crlf'),
        code: "import net from 'node:net';\r\nexport function f() {\r\n\tconst s = /* \u00e9\u{1F600} */ net.connect({\r\n\t\tport: 80, host: 'example.com' }); s.write('\u{1F600}');\r\n}\r\n",
        output:
          "import net from 'node:net';\r\nexport function f() {\r\n\tconst s = /* \u00e9\u{1F600} */ net.connect({\r\n\t\tport: 80, host: 'example.com', keepAlive: true, keepAliveInitialDelay: 60000 }); s.write('\u{1F600}');\r\n}\r\n",
        errors: [{ message: CLIENT_MSG('s', 'net.connect'), line: 3, column: 22, endLine: 4, endColumn: 35 }],
      },
      {
        name: 'no safe spot: reported without a fix, with the reason',
        filename: file('no-spot'),
        code: "import net from 'node:net';\nimport { opts, onClient } from './settings';\nexport const server = net.createServer(opts, onClient);\n",
        output: null,
        errors: [
          {
            messageId: 'findingNoFix',
            data: {
              message: SERVER_MSG('server', 'net.createServer'),
              reason: 'the server options are not an object literal in this call and its connection listener is not an inline function: add keepAlive: true to the options',
            },
            line: 3,
            column: 23,
            endLine: 3,
            endColumn: 55,
          },
        ],
      },
      {
        name: 'keepAlive: false: the unsafe flip is a suggestion, not an autofix',
        filename: file('option-false'),
        code: "import net from 'node:net';\nexport const c = net.connect({ host: 'db.example.com', port: 1, keepAlive: false });\n",
        output: null,
        errors: [
          {
            message: CLIENT_MSG('c', 'net.connect'),
            line: 2,
            column: 18,
            endLine: 2,
            endColumn: 84,
            suggestions: [
              {
                messageId: 'suggestedFix',
                data: { description: 'keepAlive is explicitly off here: set it to true' },
                output: "import net from 'node:net';\nexport const c = net.connect({ host: 'db.example.com', port: 1, keepAlive: true });\n",
              },
            ],
          },
        ],
      },
      {
        name: 'setKeepAlive(false): the unsafe flip is a suggestion',
        filename: file('setkeepalive-false'),
        code: "const net = require('net');\nfunction tail(host, port) {\n  const out = net.connect(port, host);\n  out.setKeepAlive(false);\n  return out;\n}\nmodule.exports = { tail };\n",
        output: null,
        errors: [
          {
            message: CLIENT_MSG('out', 'net.connect'),
            line: 3,
            column: 15,
            endLine: 3,
            endColumn: 38,
            suggestions: [
              {
                messageId: 'suggestedFix',
                data: { description: 'keepalive is turned off explicitly (line 4): turn it on with setKeepAlive(true, 60000) there' },
                output: "const net = require('net');\nfunction tail(host, port) {\n  const out = net.connect(port, host);\n  out.setKeepAlive(true, 60000);\n  return out;\n}\nmodule.exports = { tail };\n",
              },
            ],
          },
        ],
      },
    ],
  };
}

function tlsCases(ext: 'js' | 'ts'): Cases {
  const file = (name: string) => join(PROJECT, `${name}.${ext}`);
  return {
    valid: [
      { filename: file('tls-direct'), code: "import tls from 'node:tls';\nconst feed = tls.connect({ host: 'feed.example.com', port: 443 });\nfeed.setKeepAlive(true, 60000);\nfeed.setEncoding('utf8');\n" },
      { filename: file('tls-plain-missing'), code: "import tls from 'node:tls';\nconst feed = tls.connect({ host: 'feed.example.com', port: 443 });\nfeed.setEncoding('utf8');\n" },
      { filename: file('net-option'), code: "import net from 'node:net';\nexport const c = net.connect({ host: 'db.example.com', port: 5432, keepAlive: true });\n" },
    ],
    invalid: [
      {
        filename: file('tls-ignored'),
        code: "import tls from 'node:tls';\nconst feed = tls.connect({ host: 'feed.example.com', port: 443, keepAlive: true });\nfeed.setEncoding('utf8');\n",
        output: "import tls from 'node:tls';\nconst feed = tls.connect({ host: 'feed.example.com', port: 443, keepAlive: true });\nfeed.setKeepAlive(true, 60000);\nfeed.setEncoding('utf8');\n",
        errors: [{ message: TLS_MSG('feed'), line: 2, column: 14, endLine: 2, endColumn: 83 }],
      },
      {
        filename: file('tls-ignored-idle'),
        settings: { 'ka-audit': { keepalive: { idle: 45 } } },
        code: "import tls from 'node:tls';\nconst feed = tls.connect({ host: 'feed.example.com', port: 443, keepAlive: true });\nfeed.setEncoding('utf8');\n",
        output: "import tls from 'node:tls';\nconst feed = tls.connect({ host: 'feed.example.com', port: 443, keepAlive: true });\nfeed.setKeepAlive(true, 45000);\nfeed.setEncoding('utf8');\n",
        errors: [{ message: TLS_MSG('feed'), line: 2, column: 14, endLine: 2, endColumn: 83 }],
      },
    ],
  };
}

const assertionOptions = { requireLocation: true, requireMessage: true } as const;

describe('ESLint rules (RuleTester)', () => {
  const espree = new RuleTester();
  const typescript = new RuleTester({ languageOptions: { parser: tsParser } });

  espree.run('require-keepalive (espree, .js)', plugin.rules['require-keepalive'], { ...requireKeepaliveCases('js'), assertionOptions });
  typescript.run('require-keepalive (@typescript-eslint/parser, .ts)', plugin.rules['require-keepalive'], { ...requireKeepaliveCases('ts'), assertionOptions });
  espree.run('tls-keepalive-ignored (espree, .js)', plugin.rules['tls-keepalive-ignored'], { ...tlsCases('js'), assertionOptions });
  typescript.run('tls-keepalive-ignored (@typescript-eslint/parser, .ts)', plugin.rules['tls-keepalive-ignored'], { ...tlsCases('ts'), assertionOptions });

  // TypeScript-only syntax, with the TypeScript parser.
  typescript.run('require-keepalive (TypeScript syntax)', plugin.rules['require-keepalive'], {
    assertionOptions,
    valid: [
      {
        filename: join(PROJECT, 'typed-ok.ts'),
        code: "import net from 'node:net';\nexport function dial(host: string, port: number): net.Socket {\n  const s: net.Socket = net.connect({ host, port, keepAlive: true } satisfies net.NetConnectOpts);\n  return s;\n}\n",
      },
    ],
    invalid: [
      {
        filename: join(PROJECT, 'typed.ts'),
        code: "import net from 'node:net';\nexport function dial(host: string, port: number): net.Socket {\n  const s = net.connect(port as number, host);\n  s.on('error', (e: Error) => console.error(e.message));\n  return s;\n}\n",
        output:
          "import net from 'node:net';\nexport function dial(host: string, port: number): net.Socket {\n  const s = net.connect(port as number, host);\n  s.setKeepAlive(true, 60000);\n  s.on('error', (e: Error) => console.error(e.message));\n  return s;\n}\n",
        errors: [{ message: CLIENT_MSG('s', 'net.connect'), line: 3, column: 13, endLine: 3, endColumn: 46 }],
      },
    ],
  });

  it('rejects options outside the schema', () => {
    const lint = (options: unknown) =>
      new Linter({ cwd: PROJECT }).verify('x();\n', [{ files: ['**/*.js'], plugins: { 'ka-audit': plugin }, rules: { 'ka-audit/require-keepalive': ['error', options] } }], join(PROJECT, 'schema.js'));
    expect(lint({ keepalive: { idle: 30, interval: 5, count: 3 }, helpers: ['enableKeepAlive'], project: false })).toEqual([]);
    expect(() => lint({ keepalive: { idle: 0 } })).toThrow(/require-keepalive[\s\S]*>= 1/);
    expect(() => lint({ helper: ['x'] })).toThrow(/additional properties/);
  });
});

// The fixture cases through ESLint's Node API with fix: every file must come out as its .fixed
// file (byte for byte: BOM, CRLF, tabs, missing final newline), or unchanged when it has none.
describe('ESLint Node API with fix on the TS/JS fixtures', () => {
  const cases = loadCases('ts');
  const base = join(tmp, 'fixtures');
  const tsFiles = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
  const config = () =>
    new ESLint({
      cwd: base,
      overrideConfigFile: true,
      overrideConfig: [plugin.configs.recommended, { files: tsFiles, languageOptions: { parser: tsParser } }],
      fix: true,
    });

  it(`gives every case's .fixed files (${cases.length} cases), then finds nothing more to fix`, async () => {
    const withFixes = cases.filter((c) => inputFiles(c.dir).some((f) => existsSync(join(c.dir, fixedPathOf(f)))));
    expect(withFixes.length).toBeGreaterThan(20);
    for (const c of cases) {
      const dest = join(base, c.name);
      cpSync(c.dir, dest, { recursive: true });
      for (const f of [...inputFiles(dest).map(fixedPathOf), 'expected.json']) if (existsSync(join(dest, f))) unlinkSync(join(dest, f));
      writeFileSync(join(dest, 'package.json'), '{}\n'); // each case is a project of its own, as in the fixture tests
    }
    const eslint = config();
    const results = await eslint.lintFiles(['.']);
    const fatal = results.flatMap((r) => r.messages.filter((m) => m.fatal || !m.ruleId?.startsWith('ka-audit/')).map((m) => `${r.filePath}: ${m.message}`));
    expect(fatal).toEqual([]);
    expect(results.length).toBe(cases.reduce((n, c) => n + inputFiles(c.dir).length, 0));
    await ESLint.outputFixes(results);
    for (const c of cases) {
      for (const f of inputFiles(c.dir)) {
        const want = existsSync(join(c.dir, fixedPathOf(f))) ? join(c.dir, fixedPathOf(f)) : join(c.dir, f);
        expect(readFileSync(join(base, c.name, f)).equals(readFileSync(want)), `${c.name}/${f}`).toBe(true);
      }
    }
    // Idempotence: a second run fixes nothing, and what remains has no autofix.
    const again = await config().lintFiles(['.']);
    expect(again.filter((r) => r.output !== undefined).map((r) => r.filePath)).toEqual([]);
    expect(again.flatMap((r) => r.messages.filter((m) => m.fix))).toEqual([]);
  });

  it("reports the CLI's findings at the CLI's positions, with an autofix exactly when the CLI has a safe fix", async () => {
    const dir = join(tmp, 'positions');
    for (const c of cases) {
      cpSync(c.dir, join(dir, c.name), { recursive: true });
      for (const f of inputFiles(join(dir, c.name)).map(fixedPathOf)) if (existsSync(join(dir, c.name, f))) unlinkSync(join(dir, c.name, f));
      writeFileSync(join(dir, c.name, 'package.json'), '{}\n');
    }
    const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, overrideConfig: [plugin.configs.recommended, { files: tsFiles, languageOptions: { parser: tsParser } }] });
    const results = await eslint.lintFiles(['.']);
    const got = results
      .flatMap((r) => r.messages.map((m) => [relative(dir, r.filePath).split(sep).join('/'), m.line, m.column, m.endLine, m.endColumn, m.ruleId, !!m.fix, m.suggestions?.length ?? 0]))
      .sort();
    const want: unknown[][] = [];
    for (const c of cases) {
      const r = await auditCase(c);
      for (const f of r.findings.filter((x) => !x.suppressed)) {
        want.push([`${c.name}/${f.file}`, f.line, f.column, f.endLine, f.endColumn, `ka-audit/${f.ruleId}`, !!f.fix?.safe, f.fix && !f.fix.safe ? 1 : 0]);
      }
    }
    expect(got.length).toBeGreaterThan(30);
    expect(got).toEqual(want.sort());
  });
});

describe("package entry 'ka-audit/eslint'", () => {
  it('resolves to the built plugin with meta, rules and configs.recommended', () => {
    const script = [
      "import kaAudit from 'ka-audit/eslint';",
      "import pkg from 'ka-audit/package.json' with { type: 'json' };",
      'const rec = kaAudit.configs.recommended;',
      'console.log(JSON.stringify({ meta: kaAudit.meta, version: pkg.version, rules: Object.keys(kaAudit.rules), self: rec.plugins["ka-audit"] === kaAudit, recRules: rec.rules }));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { meta: { name: string; version: string }; version: string; rules: string[]; self: boolean; recRules: Record<string, string> };
    expect(out.meta).toEqual({ name: 'ka-audit', version: out.version });
    expect(out.rules).toEqual(['require-keepalive', 'tls-keepalive-ignored']);
    expect(out.self).toBe(true);
    expect(out.recRules).toEqual({ 'ka-audit/require-keepalive': 'error', 'ka-audit/tls-keepalive-ignored': 'error' });
  });
});
