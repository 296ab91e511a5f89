// The C project's flat name index must answer exactly as the Map of file lists it replaced.
import { describe, expect, it } from 'vitest';
import { asciiHash, NameIds, NameIndex } from '../src/lang/c/name-index.js';
import { randomInts } from './lib/random.js';

/** A deterministic pseudo-random project: `files` files, each mentioning some of `vocabulary` names. */
function project(files: number, vocabulary: number, seed = 7) {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: files }, (_, i) => {
    const names = [...new Set(Array.from({ length: Math.floor(next() * 40) }, () => `fn${Math.floor(next() * next() * vocabulary)}`))];
    return { file: `dir${i % 7}/file${i}.c`, names, defs: names.filter(() => next() < 0.2) };
  });
}

/** The entries as scans hold their names: one string of names separated by spaces. */
function lists(entries: Array<{ file: string; names: string[]; defs: string[] }>) {
  return entries.map((e) => ({ file: e.file, names: e.names.join(' '), defs: e.defs.join(' ') }));
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
    const index = new NameIndex(lists(entries));
    const mentions = naive(entries, 'names');
    const defines = naive(entries, 'defs');
    expect(mentions.size).toBeGreaterThan(400);
    for (let v = 0; v < 520; v++) {
      const name = `fn${v}`;
      expect(index.filesMentioning(name)).toEqual(mentions.get(name) ?? []);
      expect(index.definers(name)).toEqual(defines.get(name) ?? []);
    }
  });

  it("lists a definition's possible callers as the filter of every mentioning file did, definers dropped once per name", () => {
    const entries = project(1500, 120, 5);
    const index = new NameIndex(lists(entries));
    const mentions = naive(entries, 'names');
    const defines = naive(entries, 'defs');
    let owners = 0;
    for (let v = 0; v < 124; v++) {
      const name = `fn${v}`;
      const definers = defines.get(name) ?? [];
      // Each definer, a file that mentions it without defining it, and a file that does neither.
      for (const defFile of [...definers, entries[v]!.file, 'no/such/file.c']) {
        const expected = (mentions.get(name) ?? []).filter((f) => f === defFile || !definers.includes(f));
        expect(index.callersOf(name, defFile)).toEqual(expected);
        if (definers.includes(defFile) && expected.includes(defFile)) owners++;
      }
    }
    // The own file was placed among the others (before, between and after them) many times.
    expect(owners).toBeGreaterThan(200);
  });

  it('answers membership for every file and name, including unknown ones', () => {
    const entries = project(400, 60, 11);
    const index = new NameIndex(lists(entries));
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
      { file: 'a.c', names: '', defs: '' },
      { file: 'b.c', names: 'main', defs: 'main' },
    ]);
    expect(index.filesMentioning('main')).toEqual(['b.c']);
    expect(index.definers('main')).toEqual(['b.c']);
    expect(index.mentions('a.c', 'main')).toBe(false);
  });

  it('gives every name the id a Map gave it, and -1 to any other string (NameIds)', () => {
    // xorshift32: the LCG above loses precision past 2^53 in floats and falls into a short cycle.
    let x = 3;
    const next = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 4294967296;
    };
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';
    const word = () => Array.from({ length: 1 + Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    const names = new Map<string, number>();
    // Prefixes of one another, the empty string, non-ASCII (kept apart) and random identifiers.
    for (const n of ['', 'a', 'ab', 'abc', 'abd', 'ba', 'caf\u00e9', '\u0444\u0443\u043d\u043a', 'x'.repeat(300)]) names.set(n, names.size);
    while (names.size < 20000) {
      const n = word();
      if (!names.has(n)) names.set(n, names.size);
    }
    const ids = new NameIds(names.keys());
    for (const [n, id] of names) expect(ids.idOf(n)).toBe(id);
    let absent = 0;
    for (let i = 0; i < 20000; i++) {
      const n = word() + (i % 2 ? '' : 'caf\u00e9');
      if (names.has(n)) continue;
      absent++;
      expect(ids.idOf(n)).toBe(-1);
    }
    expect(absent).toBeGreaterThan(15000);
    for (const n of ['abcd', 'A', 'x'.repeat(299), 'x'.repeat(301), 'caf\u00e8']) expect(ids.idOf(n)).toBe(names.get(n) ?? -1);
    expect(['x'.repeat(299), 'x'.repeat(301), 'caf\u00e8'].map((n) => ids.idOf(n))).toEqual([-1, -1, -1]);
  });

  it('gives a name cut from any text its first id, as the table grows and once trimmed', () => {
    // The shared seeded PRNG: the LCG of `project` repeats too soon in its low digits for many distinct words.
    const rnd = randomInts(3);
    const word = () => Array.from({ length: 1 + rnd(30) }, () => 'abcdefgh_\u00e9'[rnd(10)]).join('');
    const ids = new NameIds();
    const first = new Map<string, number>();
    for (let i = 0; i < 30000; i++) {
      const w = word();
      // Cut from the middle of a longer text, as the index cuts names from a scan's list.
      const text = `${'x'.repeat(i % 5)} ${w} y`;
      const start = (i % 5) + 1;
      const id = ids.addSlice(text, start, start + w.length);
      if (!first.has(w)) first.set(w, first.size);
      expect(id).toBe(first.get(w));
    }
    // Both kinds of name, and enough of them to grow every array many times.
    expect(first.size).toBeGreaterThan(20000);
    expect([...first.keys()].filter((w) => w.includes('\u00e9')).length).toBeGreaterThan(1000);
    expect(ids.size).toBe(first.size);
    ids.trim();
    for (const [w, id] of first) expect(ids.idOf(w)).toBe(id);
    expect(ids.idOf('abcdefgh_abcdefgh_abcdefgh_abcdefgh')).toBe(-1);
  });

  it('tells apart names with the same hash', () => {
    // Collisions of NameIds' hash (FNV-1a), found by a birthday search over short identifiers.
    const pairs = [
      ['wwubv', '_gdfjxm'],
      ['aguhmna', 'rfdlg'],
      ['mbwsnru', 'ewqgkk'],
    ];
    for (const [a, b] of pairs) {
      expect(asciiHash(a!)).toBe(asciiHash(b!));
      expect(new NameIds([a!]).idOf(b!)).toBe(-1);
      const both = new NameIds([a!, b!]);
      expect([both.idOf(a!), both.idOf(b!)]).toEqual([0, 1]);
    }
  });

  it('finds names whose hashes share a slot', () => {
    // With 16 slots, names whose FNV-1a hashes agree in their low 4 bits probe past each other.
    const names = Array.from({ length: 12 }, (_, i) => `n${i}`);
    const ids = new NameIds(names);
    names.forEach((n, i) => expect(ids.idOf(n)).toBe(i));
    expect(ids.idOf('n12')).toBe(-1);
  });
});
