// The C project's models kept mirrored, bounded by the heap they hold (CFileModel.heap).
//
// Least recently used out first, with one change for loops. The analysis often goes over the
// same files in the same order again: the seed files twice (field facts, then sites), and each
// factory's callers once per factory. When such a loop is larger than the cache, plain LRU lets
// every model go just before it is asked for again, and no load is ever a hit: 20 factories
// with 2,000 callers each, in a cache of ~1,500 of them, took 55-60 s against 6-9 s with every
// model held (and the worker at its heap bound); with this, 8.3 s.
// So a model loaded again (let go before) does not push out a model used since it came in:
// that one gets a second chance (moved to the most recently used end, its mark cleared), and
// the new one is kept aside, alone, until the next such load. A loop then keeps a fixed part
// of itself cached, and a working set that moves on still gets in once the old models have
// stopped being used.

/**
 * Heap of the models a project keeps mirrored (CProject's cache, as CFileModel.heap guesses it).
 * It holds the real-servers tree's 290 parsed files (~90 MB by that guess). When the bound was
 * 16 MB of source, models let go there at 4 MB and mirrored again from their kept parses cost
 * more (mirroring, recomputing their facts, GC) than they saved: median 4.91 against 4.44 s over
 * 10 interleaved runs. That bound let 34,000 small programs (15 MB) fill a 700 MB heap.
 */
export const MODEL_CACHE_HEAP = 128 << 20;

/** What the cache needs of a model: its heap now (it grows as it is read), and a way to let it go. */
export interface CachedModel {
  readonly heap: number;
  dispose(): void;
}

interface Entry<M> {
  model: M;
  /** Its heap when last counted (see `recount`). */
  counted: number;
  /** Used since it came in or was last passed over. */
  used: boolean;
}

export class ModelCache<M extends CachedModel> {
  /** Least recently used first (Map order). */
  private readonly entries = new Map<string, Entry<M>>();
  /** The sum of `counted`: what the cache holds, as last counted. */
  private held = 0;
  private lastUsed?: Entry<M>;
  private addsSinceRecount = 0;
  /** The one model loaded again but not let in (see the file's comment). */
  private aside?: { file: string; model: M };

  constructor(
    /** Heap, as CFileModel.heap guesses it, that the models kept may hold. */
    public bound: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The heap held, as last counted. */
  get heap(): number {
    return this.held;
  }

  get(file: string): M | undefined {
    const e = this.entries.get(file);
    if (!e) return this.aside?.file === file ? this.aside.model : undefined;
    this.entries.delete(file);
    this.entries.set(file, e);
    e.used = true;
    this.touch(e);
    return e.model;
  }

  /** A model just loaded; `again`: its file was loaded before, and its model let go since. */
  add(file: string, model: M, again: boolean): void {
    // A model grows while it is read, mostly right after it is asked for: the one used last is
    // counted again now, and all of them once per half a cache-full of loads (O(1) a load; half,
    // so that it comes round while the cache is still filling up too).
    if (this.lastUsed) this.recount(this.lastUsed);
    if (++this.addsSinceRecount * 2 >= this.entries.size) {
      this.addsSinceRecount = 0;
      for (const e of this.entries.values()) this.recount(e);
    }
    if (again && this.held + model.heap > this.bound) {
      const [oldest] = this.entries;
      if (oldest && oldest[1].used) {
        const [f, e] = oldest;
        e.used = false;
        this.entries.delete(f);
        this.entries.set(f, e);
        this.setAside(file, model);
        return;
      }
    }
    // New models start marked: a loop's models are each passed over once before they can go.
    const entry = { model, counted: 0, used: true };
    this.entries.set(file, entry);
    this.touch(entry);
    for (const [f, e] of this.entries) {
      if (this.held <= this.bound || this.entries.size <= 1) break;
      this.entries.delete(f);
      this.held -= e.counted;
      if (this.lastUsed === e) this.lastUsed = undefined;
      e.model.dispose();
    }
  }

  private setAside(file: string, model: M): void {
    this.aside?.model.dispose();
    this.aside = { file, model };
  }

  private touch(e: Entry<M>): void {
    this.recount(e);
    this.lastUsed = e;
  }

  private recount(e: Entry<M>): void {
    const now = e.model.heap;
    this.held += now - e.counted;
    e.counted = now;
  }
}
