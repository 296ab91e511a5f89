// Parses that leave out the function bodies the analysis will not read (skeleton.ts, parseTop's
// skipUnread): the text scan that finds the bodies, the top level the parse records (the same
// as a whole parse's wherever the file parses cleanly), the check that sends a file back to a
// whole parse, and the parse errors of a body left out, found when it is read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDiagnostics } from '../src/lang/c/index.js';
import { chooseParse, errorBytesOf, loadCParser, mirrorTop, parseCWith, parseTop, skipCounts, type CNode, type TopLevel } from '../src/lang/c/parse.js';
import { functionBodySpans } from '../src/lang/c/skeleton.js';
import { walk } from '../src/lang/c/ast.js';
import { FIXTURES, inputFiles } from './lib/fixtures.js';
import { randomInts } from './lib/random.js';

/** The bodies found, as the text of each, for readable expectations. */
const bodies = (text: string) => functionBodySpans(text)?.map((s) => text.slice(s.open, s.close + 1));
const none = () => false;
const topOf = (t: TopLevel) => Array.from(t.nodes).join(',');
const pairs = (a: Int32Array) => Array.from({ length: a.length / 2 }, (_, i) => [a[2 * i], a[2 * i + 1]]);

describe('functionBodySpans', () => {
  it('finds file-level braces after a parameter list, and not those of types, initializers or nested blocks', () => {
    const text = [
      'struct s { int a; };',
      'static const int t[] = { 1, 2 };',
      'enum e { A, B };',
      'int f(int a) { if (a) { return 1; } return 0; }',
      'static void __attribute__((unused)) g(void) __attribute__((cold)) { h(); }',
      'int k(a) int a; { return a; }', // K&R: the `;` before `{` makes it no candidate
    ].join('\n');
    expect(bodies(text)).toEqual(['{ if (a) { return 1; } return 0; }', '{ h(); }']);
  });

  it('gives where a function can start at the earliest: after the previous `;` or `}` at file level', () => {
    const text = 'int x;\n/* doc */\nstatic int\nf(int fd)\n{ return fd; }\nint g(void) { return 0; }';
    const [f, g] = functionBodySpans(text)!;
    expect(text.slice(f!.fnStart, f!.close + 1)).toBe('\n/* doc */\nstatic int\nf(int fd)\n{ return fd; }');
    expect(text.slice(g!.fnStart, g!.close + 1)).toBe('\nint g(void) { return 0; }');
  });

  it('ignores braces in comments, strings, character constants and directive lines', () => {
    const text = [
      '#define OPEN {',
      '#define MULTI(x) \\',
      '  do { x; \\',
      '  } while (0)',
      '// a } in a comment',
      '/* and { in another */',
      'int f(void) { const char *s = "}\\"{"; char c = \'}\'; char d = \'\\\'\'; return 1\'000 + s[0] + c + d + u8\'}\' + 0x1f\'ff; }',
      '#define LONG 1 /* a comment that',
      '   runs on { over lines */',
    ].join('\n');
    const body = text.indexOf('{ const');
    expect(bodies(text)).toEqual([text.slice(body, text.indexOf('; }', body) + 3)]);
  });

  it('does not list a body where an #if may split a statement, and reads on past it', () => {
    const text = [
      'int f(int a) {',
      '#ifdef X',
      '  if (a > 1) {',
      '#else',
      '  if (a > 2) {',
      '#endif',
      '    return 1;',
      '  }',
      '  return 0;',
      '}',
      'int g(int a) {',
      '  if (a &&',
      '#ifdef X',
      '      a > 1 &&',
      '#endif',
      '      a < 9) return 1;',
      '  return 0;',
      '}',
      'int h(int a) {',
      '#ifdef X',
      '  a++;',
      '#else',
      '  a--;',
      '#endif',
      '  return a;',
      '}',
    ].join('\n');
    // f: each branch opens a brace; g: the directives stand inside an expression; h: between statements.
    expect(bodies(text)).toEqual([text.slice(text.indexOf('{', text.indexOf('int h')))]);
    const declared = '#ifdef X\nint f(int a);\n#else\nint f(void);\n#endif\nint g(void) { return 0; }\n';
    expect(bodies(declared)).toEqual(['{ return 0; }']);
  });

  it('gives up when braces do not balance, or when file-level #if branches split a function', () => {
    expect(functionBodySpans('int f(void) { return 0;')).toBeUndefined();
    expect(functionBodySpans('int f(void) { return 0; } }')).toBeUndefined();
    expect(functionBodySpans('/* unterminated')).toBeUndefined();
    const split = '#ifdef X\nint f(int a) {\n#else\nint f(void) {\n#endif\n  return 0;\n}\n';
    expect(functionBodySpans(split)).toBeUndefined();
    expect(functionBodySpans('#ifdef X\nint f(void) {\n#endif\n  return 0;\n}\n')).toBeUndefined();
  });
});

describe('parses without the bodies the analysis will not read', () => {
  it('record the same top level as a whole parse, on every C fixture file', async () => {
    const ctx = await loadCParser();
    const root = join(FIXTURES, 'c');
    let left = 0;
    for (const file of inputFiles(root).filter((f) => /\.[ch]$/.test(f))) {
      const text = readFileSync(join(root, file), 'utf8');
      const before = skipCounts.bodies;
      expect(topOf(parseTop(ctx, text, none, true)), file).toBe(topOf(parseTop(ctx, text)));
      left += skipCounts.bodies - before;
    }
    expect(left).toBeGreaterThan(100); // the fixtures do exercise it
  });

  it('mirror the same trees as a whole parse, every body read, on 400 random clean files', async () => {
    const ctx = await loadCParser();
    const bits = [
      'int f%(int a) { return a + %; }\n',
      'static const char *s%(void) { return "}{\\"{"; }\n',
      "char c%(void) { return '}'; }\n",
      'int k%(int a) { /* } */ return a; // {\n}\n',
      '#define OPEN% {\n',
      'int (*getf%(void))(int) { return 0; }\n',
      'static int __attribute__((unused)) u%(int fd) { return fd; }\n',
      'struct p% { int a, b; };\n',
      'int t%[] = { 1, 2 };\n',
      'int h%(int a) {\n#ifdef X\n  a++;\n#else\n  a--;\n#endif\n  return a;\n}\n',
      'int w%(int a) {\n  if (a &&\n#ifdef Y\n      a > 1 &&\n#endif\n      a < 9) return 1;\n  return 0;\n}\n',
      '#ifdef Z\nint z%(void) { return 1; }\n#endif\n',
      "int u%(void) { return u8'}' + L'{' + 1'000; }\n",
      '#define D% 1 /* spans\n   { lines */\n',
      'void q%(void) { for (int i = 0; i < %; i++) { switch (i) { case 1: break; default: ; } } }\n',
    ];
    const rnd = randomInts(5);
    const dump = (root: CNode) => {
      const out: string[] = [];
      walk(root, (n) => {
        out.push(`${n.type}:${n.field ?? ''}:${n.start}-${n.end}:${n.children.length}`);
      });
      return out.join('|');
    };
    let compared = 0;
    for (let round = 0; round < 400; round++) {
      let text = '';
      for (let i = 0, n = 1 + rnd(12); i < n; i++) text += bits[rnd(bits.length)]!.replace(/%/g, String(i));
      const whole = parseTop(ctx, text);
      const skipping = parseTop(ctx, text, none, true);
      if (whole.errors.length > 0) continue; // `w%` (an #if inside an expression) does not parse cleanly
      expect(topOf(skipping), text).toBe(topOf(whole));
      const a = mirrorTop(ctx, text, skipping);
      expect(dump(a.root), text).toBe(dump(mirrorTop(ctx, text, whole).root));
      expect(a.errors, text).toHaveLength(0);
      if (skipping.skipped?.length) compared++;
    }
    expect(compared).toBeGreaterThan(200);
  });

  it('keep the bodies `wanted` asks for, recorded as from a whole parse', async () => {
    const ctx = await loadCParser();
    const text = 'int a(int x) { return x + 1; }\nint b(int y) { return socket(y, 1, 0); }\nint c(void) { return 2; }\n';
    const wanted = (_fn: unknown, body: { start: number; end: number }) => text.slice(body.start, body.end).includes('socket');
    const skipping = parseTop(ctx, text, wanted, true);
    const whole = parseTop(ctx, text, wanted);
    expect(topOf(skipping)).toBe(topOf(whole));
    expect(Array.from(skipping.bodies!)).toEqual(Array.from(whole.bodies!));
    expect(Array.from(skipping.skipped!)).toEqual([text.indexOf('{'), text.lastIndexOf('{')]);
  });

  it('keep bodies where an #if splits a statement: their errors decide whether the file is parsed per configuration', async () => {
    const ctx = await loadCParser();
    const text = [
      'static int one(int a) { return a + 1; }',
      'int configured(int a) {',
      '  if (a &&',
      '#ifdef X',
      '      a > 1 &&',
      '#endif',
      '      a < 9) return socket(AF_INET, SOCK_STREAM, 0);',
      '  return -1;',
      '}',
      '',
    ].join('\n');
    // A whole parse has more than 5 % of the file in errors, all in `configured`: as it decides.
    expect(errorBytesOf(parseTop(ctx, text))).toBeGreaterThan(0.05 * text.length);
    expect(parseTop(ctx, text, none, true).skipped).toEqual(Int32Array.from([text.indexOf('{')]));
    expect(chooseParse(ctx, text, none).view).toBe('first');
  });

  it('fall back to a whole parse when a span left out is not a function body in the tree', async () => {
    const ctx = await loadCParser();
    // A compound literal at file level: `)` then `{`, but an initializer, not a body.
    const text = 'struct p { int a, b; };\nstruct p origin = (struct p) { 0, 0 };\nint f(int fd) { return fd; }\n';
    const before = skipCounts.wholeAgain;
    const top = parseTop(ctx, text, none, true);
    expect(skipCounts.wholeAgain).toBe(before + 1);
    expect(top.skipped).toBeUndefined();
    expect(topOf(top)).toBe(topOf(parseTop(ctx, text)));
  });

  it('find the parse errors of a body left out when it is read, and keep them in the records', async () => {
    const ctx = await loadCParser();
    const text = 'int ok(void) { return 0; }\nint bad(int a) { int x = = 3; return socket(a, 1, 0)' + ' )'.repeat(20) + '; }\n';
    const top = parseTop(ctx, text, none, true);
    expect(top.errors).toHaveLength(0);
    expect(top.skipped).toHaveLength(2);
    const parsed = mirrorTop(ctx, text, top);
    expect(parsed.errors).toHaveLength(0);
    const bad = parsed.root.children.find((n) => text.slice(n.start, n.end).startsWith('int bad'))!;
    bad.children.forEach((c) => c.children); // read the body
    // The errors a whole parse finds (ERROR nodes; it counts no MISSING token inside a body either).
    expect(parsed.errors.map((e) => [e.start, e.end])).toEqual(pairs(parseTop(ctx, text).errors));
    const diagnostics = parseDiagnostics(text, parsed);
    expect(diagnostics).toEqual(parseDiagnostics(text, parseCWith(ctx, text)));
    expect(diagnostics[0]?.message).toMatch(/^could not be parsed as C/);
    // Mirrored again from its records, the file has the same errors without parsing the body.
    const again = mirrorTop(ctx, text, parsed.records());
    expect(again.errors.map((e) => [e.start, e.end])).toEqual(parsed.errors.map((e) => [e.start, e.end]));
  });
});
