// A small seeded PRNG for the benchmark corpus: sfc32 seeded through splitmix32, so the same
// seed gives the same stream on every platform and Node version (integer arithmetic only).

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Hashes a label to 32 bits (FNV-1a), to derive independent streams from one seed. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** e^y from + * / only (range reduction by ln 2, then a Taylor series): platform-independent. */
export function exactExp(y: number): number {
  const LN2 = 0.6931471805599453;
  const k = Math.round(y / LN2);
  const r = y - k * LN2;
  let term = 1;
  let sum = 1;
  for (let i = 1; i < 24; i++) {
    term = (term * r) / i;
    sum += term;
  }
  let scale = 1;
  for (let i = 0; i < Math.abs(k); i++) scale *= 2;
  return k >= 0 ? sum * scale : sum / scale;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, label = '') {
    const mix = splitmix32((seed >>> 0) ^ hash32(label));
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A new independent stream for a named part (a project, a file), stable under reordering. */
  fork(label: string): Rng {
    return new Rng(this.u32() ^ hash32(label), label);
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by weight: [[item, weight], ...]. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1]![0];
  }

  /**
   * Approximately standard normal: the Irwin–Hall sum of 12 uniforms minus 6. Only + and /,
   * so the stream is bit-identical on every platform (no libm functions involved).
   */
  normal(): number {
    let s = 0;
    for (let i = 0; i < 12; i++) s += this.next();
    return s - 6;
  }

  /** Log-normal with the given median and shape, rounded and clamped to [lo, hi]. */
  logNormal(median: number, sigma: number, lo: number, hi: number): number {
    const x = Math.round(median * exactExp(sigma * this.normal()));
    return Math.min(hi, Math.max(lo, x));
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}
