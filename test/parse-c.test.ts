// Function bodies recorded with their file's top level (for the bodies a seed file's passes are
// known to read) must mirror exactly as a body re-parsed when read; a function with a parse
// error is left to the re-parse.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walk } from '../src/lang/c/ast.js';
import type { CursorAccess } from '../src/lang/c/cursor.js';
import { bodyCounts, directWalkAgrees, loadCParser, mirrorTop, parseCWith, parseTop, type CNode, type TopLevel } from '../src/lang/c/parse.js';
import { braceImbalance } from '../src/lang/c/preproc.js';
import { FIXTURES, inputFiles } from './lib/fixtures.js';
import { randomInts } from './lib/random.js';

/** Every node of the mirror, every body expanded. */
function dump(root: CNode): string[] {
  const out: string[] = [];
  walk(root, (n) => {
    out.push(`${n.type}:${n.field ?? ''}:${n.start}-${n.end}${n.missing ? ':missing' : ''}:${n.children.length}`);
  });
  return out;
}

const MIXED = `#include <sys/socket.h>
static int clean(int a) { int fd = socket(AF_INET, SOCK_STREAM, 0); return fd + a; }
static int broken(int a) { int x = ; return a +; }
static int configured(int a) {
  if (a &&
#ifdef X
      a > 1 &&
#endif
      a < 9) return socket(AF_INET, SOCK_STREAM, 0);
  return -1;
}
static int clean_if(int a) {
#ifdef X
  a++;
#endif
  return a;
}
int main(void) { return clean(1) + broken(2) + configured(3) + clean_if(4); }
`;

describe('C bodies recorded ahead', () => {
  it('mirror as the same bodies parsed when read, on every C fixture file', async () => {
    const ctx = await loadCParser();
    const root = join(FIXTURES, 'c');
    const files = inputFiles(root).filter((f) => /\.[ch]$/.test(f));
    const before = { ...bodyCounts };
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      const ahead = mirrorTop(ctx, text, parseTop(ctx, text, () => true));
      expect(dump(ahead.root), file).toEqual(dump(parseCWith(ctx, text).root));
    }
    // Most bodies came from records, and the comparison did parse the others when read.
    expect(bodyCounts.ahead - before.ahead).toBeGreaterThan(100);
    expect(bodyCounts.parsed - before.parsed).toBeGreaterThan(bodyCounts.ahead - before.ahead);
  });

  it('records only wanted bodies of functions without parse errors', async () => {
    const ctx = await loadCParser();
    const asked: string[] = [];
    const top = parseTop(ctx, MIXED, (fn) => {
      asked.push(MIXED.slice(fn.start, fn.end).match(/int (\w+)\(/)![1]!);
      return !MIXED.slice(fn.start, fn.end).startsWith('int main');
    });
    expect(asked).toEqual(['clean', 'broken', 'configured', 'clean_if', 'main']);
    const before = { ...bodyCounts };
    const ahead = mirrorTop(ctx, MIXED, top);
    expect(dump(ahead.root)).toEqual(dump(parseCWith(ctx, MIXED).root));
    // clean and clean_if from records. Parsed when read: broken and configured (parse errors;
    // the #ifdef inside an expression makes one, which the re-parse handles per configuration)
    // and main (not wanted).
    expect(bodyCounts.ahead - before.ahead).toBe(2);
  });
});

describe("C trees walked without web-tree-sitter's marshalling (cursor.ts)", () => {
  /** Text made of C pieces at random: functions, nesting, #ifs, and pieces that do not parse. */
  function randomC(rnd: (n: number) => number, pieces: number): string {
    const bits = [
      'int f%(int a) { return a + %; }\n',
      'static void g%(void) {\n  if (x) { y(%); } else { while (z) z--; }\n}\n',
      '#ifdef X%\nint v% = 1;\n#else\nlong v% = 2;\n#endif\n',
      'struct s% { int a; char *b[4]; };\n',
      'int h%(int a) { int x = ; return a +; }\n',
      'int k%(int a) {\n  if (a &&\n#ifdef Y\n  a > 1 &&\n#endif\n  a < 9) return socket(AF_INET, SOCK_STREAM, 0);\n  return -1;\n}\n',
      '#define M%(x) ((x) + %)\n',
      'void q%(void) { for (int i = 0; i < %; i++) { switch (i) { case 1: break; default: ; } } }\n',
      '} { ( [ ;\n',
      '/* comment % */ // line\n',
    ];
    let text = '';
    for (let i = 0; i < pieces; i++) text += bits[rnd(bits.length)]!.replace(/%/g, String(i));
    return text;
  }

  it('is used with the pinned web-tree-sitter, and not when it records other trees than the public API', async () => {
    const ctx = await loadCParser();
    expect(ctx.direct).toBeDefined();
    expect(directWalkAgrees(ctx, ctx.direct!)).toBe(true);
    // A binding whose functions no longer mean what cursor.ts expects.
    const direct = ctx.direct!;
    const swapped: CursorAccess = { HEAP32: direct.HEAP32, buffer: direct.buffer, firstChild: direct.firstChild, nextSibling: direct.nextSibling, parent: direct.parent, typeId: direct.fieldId, fieldId: direct.typeId, start: direct.start, end: direct.end };
    expect(directWalkAgrees(ctx, swapped)).toBe(false);
  });

  it('records the same top levels, bodies and re-parsed bodies as the public cursor API', async () => {
    const ctx = await loadCParser();
    const viaApi = { parser: ctx.parser, language: ctx.language };
    const root = join(FIXTURES, 'c');
    const texts = inputFiles(root)
      .filter((f) => /\.[ch]$/.test(f))
      .map((f) => [f, readFileSync(join(root, f), 'utf8')] as const);
    const rnd = randomInts(11);
    for (let i = 0; i < 120; i++) texts.push([`random ${i}`, randomC(rnd, 1 + rnd(40))]);
    const record = (t: TopLevel) => [t.nodes, t.errors, t.bodies].map((a) => (a ? Array.from(a).join(',') : ''));
    for (const [name, text] of texts) {
      // Every body recorded ahead (nested walks, through aside), then every body parsed when read.
      expect(record(parseTop(ctx, text, () => true)), name).toEqual(record(parseTop(viaApi, text, () => true)));
      expect(dump(parseCWith(ctx, text).root), name).toEqual(dump(parseCWith(viaApi, text).root));
    }
    // A text large enough that wasm memory grows, which replaces its views (HEAP32).
    const heapBytes = () => ctx.direct!.HEAP32.buffer.byteLength;
    const before = heapBytes();
    const large = randomC(rnd, 15_000);
    expect(record(parseTop(ctx, large, () => true))).toEqual(record(parseTop(viaApi, large, () => true)));
    expect(heapBytes()).toBeGreaterThan(before);
  });
});

describe('braceImbalance', () => {
  it('counts the braces of the code, not those in comments, strings or character literals', () => {
    expect(braceImbalance('int f(void) { return 0; }')).toBe(0);
    expect(braceImbalance('int f(void) { /* { */ // {\n  puts("{\\"{"); return \'{\'; }')).toBe(0);
    expect(braceImbalance('void f(void) {\n#ifdef W\n if (a) {\n#else\n if (b) {\n#endif\n  g();\n }\n}\n')).toBe(1);
    // An unterminated literal stops at its line; an unterminated comment at the end.
    expect(braceImbalance('char *s = "{;\n}')).toBe(-1);
    expect(braceImbalance('{ /* }')).toBe(1);
  });
});
