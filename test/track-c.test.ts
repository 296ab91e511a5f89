// The C tracker's search for the first return that runs on every path after a point: a tree of
// minimums answers what trying each return in turn did.
import { describe, expect, it } from 'vitest';
import { firstBelow, minTree } from '../src/lang/c/track.js';

describe('C tracker: first return on every path (minTree, firstBelow)', () => {
  it('finds the first index from lo on whose value is below the limit, as a linear search does', () => {
    let x = 11;
    const next = (n: number) => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x % n;
    };
    let found = 0;
    for (let round = 0; round < 300; round++) {
      const n = next(70);
      // -1: a return with no branch around it; otherwise where its innermost branch opens.
      const values = Array.from({ length: n }, () => (next(4) === 0 ? -1 : next(1000)));
      const tree = minTree(values);
      for (let q = 0; q < 20; q++) {
        const lo = next(n + 2);
        const limit = next(1100);
        let expected = -1;
        for (let i = lo; i < n; i++) {
          if (values[i]! < limit) {
            expected = i;
            break;
          }
        }
        if (expected >= 0) found++;
        expect(firstBelow(tree, lo, limit)).toBe(expected);
      }
    }
    expect(found).toBeGreaterThan(1000);
  });
});
