// Function bodies recorded with their file's top level (for the bodies a seed file's passes are
// known to read) must mirror exactly as a body re-parsed when read; a function with a parse
// error is left to the re-parse.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walk } from '../src/lang/c/ast.js';
import { bodyCounts, loadCParser, mirrorTop, parseCWith, parseTop, type CNode } from '../src/lang/c/parse.js';
import { FIXTURES, inputFiles } from './lib/fixtures.js';

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
