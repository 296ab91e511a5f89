// The C project's flat name index must answer exactly as the Map of file lists it replaced.
import { describe, expect, it } from 'vitest';
import { NameIndex } from '../src/lang/c/name-index.js';

/** A deterministic pseudo-random project: `files` files, each mentioning some of `vocabulary` names. */
function project(files: number, vocabulary: number, seed = 7) {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: files }, (_, i) => {
    const names = [...new Set(Array.from({ length: Math.floor(next() * 40) }, () => `fn${Math.floor(next() * next() * vocabulary)}`))];
    return { file: `dir${i % 7}/file${i}.c`, names, defs: names.filter(() => next() < 0.2) };
  });
}

/** The index as it was: a Map from name to the files, in scan order. */
function naive(entries: ReturnType<typeof project>, kind: 'names' | 'defs'): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of entries) for (const n of e[kind]) out.set(n, [...(out.get(n) ?? []), e.file]);
  return out;
}

describe('C name index', () => {
  it('lists the files that mention and define each name, in scan order, as a Map of lists did', () => {
    const entries = project(3000, 500);
    const index = new NameIndex(entries);
    const mentions = naive(entries, 'names');
    const defines = naive(entries, 'defs');
    expect(mentions.size).toBeGreaterThan(400);
    for (let v = 0; v < 520; v++) {
      const name = `fn${v}`;
      expect(index.filesMentioning(name)).toEqual(mentions.get(name) ?? []);
      expect(index.definers(name)).toEqual(defines.get(name) ?? []);
    }
  });

  it('answers membership for every file and name, including unknown ones', () => {
    const entries = project(400, 60, 11);
    const index = new NameIndex(entries);
    for (const e of entries) {
      for (let v = 0; v < 64; v++) {
        const name = `fn${v}`;
        expect(index.mentions(e.file, name)).toBe(e.names.includes(name));
        expect(index.defines(e.file, name)).toBe(e.defs.includes(name));
      }
    }
    expect(index.mentions('no/such/file.c', 'fn1')).toBe(false);
    expect(index.filesMentioning('never_called')).toEqual([]);
  });

  it('copes with an empty project and with files that mention nothing', () => {
    expect(new NameIndex([]).filesMentioning('main')).toEqual([]);
    const index = new NameIndex([
      { file: 'a.c', names: [], defs: [] },
      { file: 'b.c', names: ['main'], defs: ['main'] },
    ]);
    expect(index.filesMentioning('main')).toEqual(['b.c']);
    expect(index.definers('main')).toEqual(['b.c']);
    expect(index.mentions('a.c', 'main')).toBe(false);
  });
});
