// The C pass-0 scan finds calls and #defines with indexOf and hand loops instead of running its
// regexes over the whole text. The regexes it replaced are kept here as the reference: on text
// built from awkward pieces, the scan must find exactly what they found.
import { describe, expect, it } from 'vitest';
import { scanC, scanNames, skipSpaceAndComments } from '../src/lang/c/scan.js';
import { randomInts } from './lib/random.js';

const CALLED = /\b([A-Za-z_]\w*)\s*\(/g;
const FIELD_TO_HELPER = /(?:opt|[Aa]live)\w*\s*\([^;()]*(?:->|\.)\s*\w*(?:fd|sock|socket)\s*[,)]/;
const DEFINE = /^[ \t]*#[ \t]*define[ \t]+(\w+)(\(([^)]*)\))?[ \t]*((?:[^\n\\]|\\\n|\\.)*)$/gm;
const KEYWORDS = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', 'defined', 'do', 'else', 'case', '__attribute__', 'typeof', '__typeof__', 'alignof', '_Alignof', 'offsetof']);

/** What the regexes found: the names called, whether a field goes to a helper, the #define names. */
function reference(text: string) {
  const names = new Set<string>();
  for (const m of text.matchAll(CALLED)) if (!KEYWORDS.has(m[1]!)) names.add(m[1]!);
  return { names: [...names], fieldToHelper: FIELD_TO_HELPER.test(text), defines: [...text.matchAll(DEFINE)].map((m) => m[1]) };
}

const PIECES = [
  'foo', 'foo(', 'foo (', 'foo\n(', 'foo\u00a0(', 'foo\u2028(', '3foo(', '0x1f(', 'café(', 'é(', '_x(', 'if (', 'sizeof(',
  '(', ')', ' ', '\n', '\r\n', '\t', ';', ',', '->', '.', 'c->fd', 's.sock', 'setopt(', 'keepAlive (', 'x_alive(', '9opt(',
  'set_opt(c->fd,', 'enableAlive (s.sock)', 'xopt( a, b->sockfd )', 'opt(c->fdx,', 'alive(c->fd;',
  '\n#define A(x) f(x)\n', '\n  # define B 1\n', '\n#define C(a,b) \\\n  g(a, b)\n', '\n#define K(s) setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, 0, 0)', 'undefined(', '/* define */', '#  define D\\\n',
  'x = define(', '#include <a.h>\n', '"str(", ', "'('",
];

describe('C pass-0 scan', () => {
  it('finds what the regexes it replaced found (4,000 random texts)', () => {
    const rnd = randomInts(2024);
    let withField = 0;
    let withDefines = 0;
    for (let round = 0; round < 4000; round++) {
      const text = Array.from({ length: 1 + rnd(40) }, () => PIECES[rnd(PIECES.length)]!).join(rnd(2) ? '' : ' ');
      const want = reference(text);
      const scan = scanC(text);
      // scanC keeps only the #defines that matter to the analysis; count them all here instead.
      const seen = Object.keys({ ...scan.socketAliases, ...scan.keepaliveMacros, ...scan.callAliases, ...scan.defines }).concat(scan.closeMacros ?? []);
      expect({ names: scanNames(scan.names), fieldToHelper: scan.fieldToHelper }, JSON.stringify(text)).toEqual({ names: want.names, fieldToHelper: want.fieldToHelper });
      for (const name of seen) expect(want.defines).toContain(name);
      if (want.fieldToHelper) withField++;
      if (seen.length) withDefines++;
    }
    expect(Math.min(withField, withDefines)).toBeGreaterThan(100);
  });

  it('finds the definitions the regex test of the text before a name found (4,000 random texts)', () => {
    // The reference: isDefinition as it was, cutting the text before the name out of its line.
    const wasDefinition = (text: string, at: number, open: number): boolean => {
      const lineStart = text.lastIndexOf('\n', at - 1) + 1;
      const before = text.slice(lineStart, at);
      if (/[=(,!&|?:+\-<>\[]|\breturn\b|\belse\b|^\s*#/.test(before)) return false;
      if (before.trim() === '' && /^[ \t]/.test(text.slice(lineStart, lineStart + 1)) && lineStart !== at) return false;
      let depth = 1;
      let i = open;
      for (; i < Math.min(text.length, open + 4000) && depth > 0; i++) depth += text[i] === '(' ? 1 : text[i] === ')' ? -1 : 0;
      if (depth !== 0) return false;
      const window = Math.min(text.length, i + 400);
      const brace = skipSpaceAndComments(text, i, window);
      return brace < window && text[brace] === '{';
    };
    const prefixes = ['', 'int ', 'static int ', '  ', '\t', '  int ', 'return ', 'x = ', '# ', '#define ', 'else ', 'elsewhere ', 'returns ', 'xreturn ', '\u00a0', '/* c */ ', 'é ', 'a[', 'b ? ', '!', '(', ', '];
    const names = ['f', 'g', 'h', 'if ', 'sizeof'];
    const args = ['(void)', '(int a)', '(a, b)', '(', '(x(y))', ' (int)'];
    const suffixes = [' {', '\n{', ';', ' /* c */ {', '', ' int x; {', ')'];
    const pick = (list: string[]) => list[rnd(list.length)]!;
    const rnd = randomInts(7);
    let found = 0;
    for (let round = 0; round < 4000; round++) {
      const text = Array.from({ length: 1 + rnd(6) }, () => pick(prefixes) + pick(names) + pick(args) + pick(suffixes)).join(rnd(2) ? '\n' : ' ');
      const defs = new Set<string>();
      for (const m of text.matchAll(CALLED)) {
        if (KEYWORDS.has(m[1]!) || defs.has(m[1]!)) continue;
        if (wasDefinition(text, m.index, m.index + m[0].length)) defs.add(m[1]!);
      }
      expect(scanNames(scanC(text).defs), JSON.stringify(text)).toEqual([...defs]);
      found += defs.size;
    }
    expect(found).toBeGreaterThan(300);
  });

  it('reads #define lines with continuations, and not a `define` elsewhere', () => {
    const text = [
      'int undefined(int);',
      '#define CLOSE(fd) close(fd)',
      '  #  define KA(s) \\',
      '  setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on)',
      'x = define(1); #define NOT(x) close(x)',
      '#define TYPE SOCK_STREAM /* a continued line is part of the #define: */ \\',
      '  #define INNER(x) close(x)',
      '',
    ].join('\n');
    const scan = scanC(text);
    expect(scan.closeMacros).toEqual(['CLOSE']);
    expect(scan.keepaliveMacros).toEqual({ KA: 0 });
    expect(Object.keys(scan.defines ?? {})).toEqual(['TYPE']);
  });

  it('skips space and comments where the regex it replaced stopped (5,000 random texts)', () => {
    const REFERENCE = /^(\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*)+/;
    const BITS = [' ', '\n', '\t', '\u00a0', '\u2028', '\ufeff', '/', '*', '/*', '*/', '/* c */', '//', '// c\n', '{', 'x', '(', '\r\n'];
    const rnd = randomInts(77);
    let skipped = 0;
    for (let round = 0; round < 5000; round++) {
      const text = Array.from({ length: rnd(16) }, () => BITS[rnd(BITS.length)]!).join('');
      const from = rnd(3);
      const limit = Math.min(text.length, from + rnd(text.length + 2));
      const slice = text.slice(from, Math.max(from, limit));
      const want = from + (REFERENCE.exec(slice)?.[0].length ?? 0);
      expect(skipSpaceAndComments(text, from, Math.max(from, limit)), JSON.stringify([text, from, limit])).toBe(want);
      if (want > from) skipped++;
    }
    expect(skipped).toBeGreaterThan(1000);
  });
});

describe('socket() macro aliases', () => {
  const aliasOf = (define: string) => scanC(`${define}\n`).socketAliases;
  it('maps macro arguments, constants, and flags or-ed onto an argument', () => {
    expect(aliasOf('#define CURL_SOCKET(a,b,c) socket(a,b,c)')).toEqual({ CURL_SOCKET: { api: 'socket', argMap: [0, 1, 2] } });
    expect(aliasOf('#define TCP_SOCKET() socket(AF_INET, SOCK_STREAM, 0)')).toEqual({ TCP_SOCKET: { api: 'socket', argMap: ['AF_INET', 'SOCK_STREAM', '0'] } });
    expect(aliasOf('#define sock_cloexec(d, t, p) socket((d), (t) | SOCK_CLOEXEC, (p))')).toEqual({ sock_cloexec: { api: 'socket', argMap: [0, { param: 1, extra: 'SOCK_CLOEXEC' }, 2] } });
    expect(aliasOf('#define sock_nb(d, t) (socket(d, SOCK_NONBLOCK | (SOCK_CLOEXEC) | ((t)), 0))')).toEqual({ sock_nb: { api: 'socket', argMap: [0, { param: 1, extra: 'SOCK_NONBLOCK | SOCK_CLOEXEC' }, '0'] } });
    expect(aliasOf('#define acc_cloexec(s, a, l) accept4(s, a, l, SOCK_CLOEXEC)')).toEqual({ acc_cloexec: { api: 'accept4', argMap: [0, 1, 2, 'SOCK_CLOEXEC'] } });
  });

  it('refuses an argument it cannot map to atoms', () => {
    // Two macro arguments in one, an argument in an expression other than |, unbalanced parentheses.
    for (const define of [
      '#define S(d, t, f) socket(d, t | f, 0)',
      '#define S(d, t) socket(d, t + 1, 0)',
      '#define S(d, t) socket(d, (t) | , 0)',
      '#define S(d, t) socket(d, (t | SOCK_CLOEXEC, 0)',
      '#define S(d, t) socket(d, pick(t), 0)',
    ]) expect(aliasOf(define), define).toBeUndefined();
  });
});
