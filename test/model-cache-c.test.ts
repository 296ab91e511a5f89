// The C project's model cache (model-cache.ts): bounded by the heap its models hold as they grow,
// and a loop larger than it keeps a fixed part of itself cached instead of none.
import { describe, expect, it } from 'vitest';
import { ModelCache } from '../src/lang/c/model-cache.js';

class Fake {
  disposed = 0;
  constructor(
    readonly file: string,
    public heap = 1,
  ) {}
  dispose(): void {
    this.disposed++;
  }
}

/** Asks for each file in turn, loading (and adding) the ones the cache does not give back. */
function run(cache: ModelCache<Fake>, files: string[], made: Fake[], loaded = new Set<string>()): { loads: number } {
  let loads = 0;
  for (const f of files) {
    const hit = cache.get(f);
    if (hit) {
      expect(hit.file).toBe(f);
      continue;
    }
    const m = new Fake(f);
    made.push(m);
    loads++;
    cache.add(f, m, loaded.has(f));
    loaded.add(f);
  }
  return { loads };
}

const names = (from: number, n: number) => Array.from({ length: n }, (_, i) => `f${from + i}.c`);

describe('C model cache', () => {
  it('keeps the most recently used models within its bound, and lets each one go once', () => {
    const cache = new ModelCache<Fake>(10);
    const made: Fake[] = [];
    run(cache, names(0, 25), made);
    expect(cache.size).toBe(10);
    expect(cache.heap).toBe(10);
    for (const f of names(15, 10)) expect(cache.get(f)?.file).toBe(f);
    expect(made.filter((m) => m.disposed === 1).map((m) => m.file)).toEqual(names(0, 15));
    expect(made.every((m) => m.disposed <= 1)).toBe(true);
  });

  it('counts a model again as it grows (bodies read after it came in), and lets older ones go for it', () => {
    const cache = new ModelCache<Fake>(10);
    const made: Fake[] = [];
    run(cache, names(0, 10), made);
    expect(cache.size).toBe(10);
    // The last one used grows to 5: counted again at the next load, which lets the 5 oldest go
    // (4 for the growth, 1 for the new model): f5-f8, f9 and new.c are left.
    made[9]!.heap = 5;
    run(cache, ['new.c'], made);
    expect(cache.heap).toBe(10);
    expect(cache.size).toBe(6);
    expect(cache.get('f4.c')).toBeUndefined();
    expect(cache.get('f5.c')?.file).toBe('f5.c');
    expect(cache.get('f9.c')?.heap).toBe(5);
  });

  it('counts every model again once per half a cache-full of loads, whichever grew', () => {
    const cache = new ModelCache<Fake>(20);
    const made: Fake[] = [];
    run(cache, names(0, 10), made);
    // Grown while neither the last used nor asked for again (a model the analysis still holds).
    made[5]!.heap = 11;
    run(cache, names(100, 10), made);
    let sum = 0;
    for (const m of made) if (m.disposed === 0) sum += m.heap;
    expect(cache.heap).toBe(sum);
    expect(sum).toBeLessThanOrEqual(20);
  });

  it('keeps a fixed part of a loop larger than itself, where LRU would keep none', () => {
    const cache = new ModelCache<Fake>(10);
    const made: Fake[] = [];
    const loop = names(0, 15);
    const loaded = new Set<string>();
    const first = run(cache, loop, made, loaded);
    expect(first.loads).toBe(15);
    // Each later pass: the 5 models that do not fit are loaded and set aside, the 10 kept are hits.
    // LRU would load all 15 again on every pass.
    for (let pass = 0; pass < 4; pass++) expect(run(cache, loop, made, loaded).loads).toBe(5);
    // Every model let go or set aside was disposed once; the ones still held were not.
    const held = new Set(loop.filter((f) => made.some((m) => m.file === f && m.disposed === 0)));
    expect(held.size).toBeGreaterThanOrEqual(10);
    expect(made.every((m) => m.disposed <= 1)).toBe(true);
  });

  it('gives the model set aside back while it is the one set aside', () => {
    const cache = new ModelCache<Fake>(2);
    const made: Fake[] = [];
    const loaded = new Set<string>();
    run(cache, ['a.c', 'b.c', 'c.c'], made, loaded); // a.c let go
    run(cache, ['a.c'], made, loaded); // loaded again, set aside: b.c and c.c are kept
    expect(run(cache, ['a.c', 'a.c'], made, loaded).loads).toBe(0);
    expect(cache.size).toBe(2);
  });

  it('lets a working set that moved on in, once the old models have gone unused', () => {
    const cache = new ModelCache<Fake>(10);
    const made: Fake[] = [];
    const loaded = new Set<string>();
    run(cache, names(0, 20), made, loaded); // f10-f19 kept
    // A new set, all loaded before: each old model is passed over once, then they go.
    const next = names(0, 10);
    let loads = 0;
    for (let pass = 0; pass < 3; pass++) loads += run(cache, next, made, loaded).loads;
    for (const f of next) expect(cache.get(f)?.file).toBe(f);
    // The first pass set them aside (10 loads); the second let them in (9: f9, the last set
    // aside, is still given back from there); the third hit every one.
    expect(loads).toBe(19);
  });
});
